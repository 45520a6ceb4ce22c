//! The scope names a host declares, their hierarchy, delegation and the per-route check.

use serde_json::Value;

use super::{check_name, invalid_scope, ScopeSet, MAX_SCOPES};
use crate::error::{Error, ErrorCode, Result};

/// Most names a vocabulary may declare.
pub const MAX_VOCABULARY_SCOPES: usize = 256;

/// The scope names a host declares, each optionally including others (`sms` ⊇ `sms:send`,
/// `sms:read`): holding a name holds everything it includes, transitively.
///
/// Minting refuses a name that is not declared ([`Issuer::set_scopes`](crate::Issuer::set_scopes)),
/// delegation hands down only what the caller holds ([`narrow`](Self::narrow)), and a
/// route's requirement is built from it ([`require`](Self::require)). Cheap to clone.
///
/// ```
/// use auth_core::{ErrorCode, ScopeSet, ScopeVocabulary};
/// let vocab = ScopeVocabulary::from_json(r#"{
///     "sms": {"description": "Send and read SMS", "includes": ["sms:send", "sms:read"]},
///     "sms:send": {}, "sms:read": {}, "account": {}
/// }"#).unwrap();
/// let held = ScopeSet::parse("sms").unwrap();
/// assert!(vocab.holds(Some(&held), "sms:send"));
/// assert!(!vocab.holds(Some(&held), "account"));
/// assert!(vocab.holds(None, "account"), "no scope claim: everything");
///
/// let need = vocab.require(&["sms:send"]).unwrap();
/// assert!(need.check(Some(&held)).is_ok());
/// let err = vocab.require(&["account"]).unwrap().check(Some(&held)).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::InsufficientScope);
/// assert_eq!(err.required_scope(), Some("account"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeVocabulary {
    /// Declared names, sorted.
    names: Vec<Box<str>>,
    descriptions: Vec<Option<String>>,
    /// For each name, the indexes of the names it includes directly, sorted.
    includes: Vec<Vec<usize>>,
    /// For each name, the indexes of the names that grant it: itself and every name that
    /// includes it, directly or not; sorted.
    granted_by: Vec<Vec<usize>>,
}

/// One declared name as a host gives it.
struct Entry {
    name: String,
    description: Option<String>,
    includes: Vec<String>,
}

impl ScopeVocabulary {
    /// The empty vocabulary (no name declared: every scoped mint is refused).
    pub fn new() -> Self {
        ScopeVocabulary::default()
    }

    /// Reads a vocabulary from strict JSON: an object whose members are the names, each an
    /// object with an optional `description` (a string) and an optional `includes` (an
    /// array of declared names):
    /// `{"sms": {"description": "…", "includes": ["sms:send"]}, "sms:send": {}}`.
    ///
    /// `invalid_scope` for text that is not that shape (duplicate keys, unknown members), a
    /// bad or undeclared name, more than [`MAX_VOCABULARY_SCOPES`] names, a name including
    /// more than [`MAX_SCOPES`] others, or a cycle (`a` ⊇ `b` ⊇ `a`).
    pub fn from_json(text: &str) -> Result<ScopeVocabulary> {
        let value = crate::claims::value::parse_strict_value(text).map_err(|e| {
            invalid_scope(format!(
                "the scope vocabulary is not strict JSON: {}",
                crate::claims::json_error_kind(&e)
            ))
        })?;
        let Value::Object(members) = value else {
            return Err(invalid_scope(
                "the scope vocabulary must be a JSON object of names",
            ));
        };
        let mut entries = Vec::with_capacity(members.len());
        for (name, spec) in members {
            let Value::Object(spec) = spec else {
                return Err(invalid_scope(format!(
                    "scope `{name}` must be an object ({{\"description\", \"includes\"}})"
                )));
            };
            let mut entry = Entry {
                name,
                description: None,
                includes: Vec::new(),
            };
            for (key, v) in spec {
                match (key.as_str(), v) {
                    ("description", Value::String(d)) => entry.description = Some(d),
                    ("includes", Value::Array(items)) => {
                        for item in items {
                            let Value::String(s) = item else {
                                return Err(invalid_scope(format!(
                                    "scope `{}`: includes must be an array of names",
                                    entry.name
                                )));
                            };
                            entry.includes.push(s);
                        }
                    }
                    ("description" | "includes", _) => {
                        return Err(invalid_scope(format!(
                            "scope `{}`: `{key}` has the wrong type",
                            entry.name
                        )))
                    }
                    _ => {
                        return Err(invalid_scope(format!(
                            "scope `{}`: unknown member `{key}` (only description and includes)",
                            entry.name
                        )))
                    }
                }
            }
            entries.push(entry);
        }
        ScopeVocabulary::build(entries)
    }

    /// A vocabulary from `(name, includes)` pairs (no descriptions), checked as
    /// [`from_json`](Self::from_json) checks them.
    pub fn from_pairs<N: AsRef<str>, I: AsRef<str>>(pairs: &[(N, &[I])]) -> Result<Self> {
        let entries = pairs
            .iter()
            .map(|(name, includes)| Entry {
                name: name.as_ref().to_owned(),
                description: None,
                includes: includes.iter().map(|i| i.as_ref().to_owned()).collect(),
            })
            .collect();
        ScopeVocabulary::build(entries)
    }

    fn build(mut entries: Vec<Entry>) -> Result<ScopeVocabulary> {
        if entries.len() > MAX_VOCABULARY_SCOPES {
            return Err(invalid_scope(format!(
                "at most {MAX_VOCABULARY_SCOPES} scopes may be declared, got {}",
                entries.len()
            )));
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, e) in entries.iter().enumerate() {
            check_name(
                &e.name,
                &format_args!("declared scope `{}`", e.name.escape_debug()),
            )?;
            if i > 0 && entries[i - 1].name == e.name {
                return Err(invalid_scope(format!(
                    "scope `{}` is declared twice",
                    e.name
                )));
            }
            if e.includes.len() > MAX_SCOPES {
                return Err(invalid_scope(format!(
                    "scope `{}` includes more than {MAX_SCOPES} names",
                    e.name
                )));
            }
        }
        let index = |name: &str| entries.binary_search_by(|e| e.name.as_str().cmp(name)).ok();
        let mut includes = Vec::with_capacity(entries.len());
        for e in &entries {
            let mut direct = Vec::with_capacity(e.includes.len());
            for inc in &e.includes {
                let Some(j) = index(inc) else {
                    return Err(invalid_scope(format!(
                        "scope `{}` includes `{}`, which is not declared",
                        e.name,
                        inc.escape_debug()
                    )));
                };
                direct.push(j);
            }
            direct.sort_unstable();
            direct.dedup();
            includes.push(direct);
        }
        // Everything each name grants (depth-first, refusing a cycle), inverted into
        // "granted by".
        let n = entries.len();
        let mut granted_by: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        for root in 0..n {
            let mut seen = vec![false; n];
            let mut stack: Vec<usize> = includes[root].clone();
            while let Some(j) = stack.pop() {
                if j == root {
                    return Err(invalid_scope(format!(
                        "scope `{}` includes itself (a cycle in the hierarchy)",
                        entries[root].name
                    )));
                }
                if !std::mem::replace(&mut seen[j], true) {
                    granted_by[j].push(root);
                    stack.extend_from_slice(&includes[j]);
                }
            }
        }
        for g in &mut granted_by {
            g.sort_unstable();
        }
        Ok(ScopeVocabulary {
            names: entries.iter().map(|e| Box::from(e.name.as_str())).collect(),
            descriptions: entries.into_iter().map(|e| e.description).collect(),
            includes,
            granted_by,
        })
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.binary_search_by(|n| (**n).cmp(name)).ok()
    }

    /// Whether `name` is declared.
    pub fn contains(&self, name: &str) -> bool {
        self.index(name).is_some()
    }

    /// The declared names, sorted.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.iter().map(|n| &**n)
    }

    /// How many names are declared.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is declared.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A declared name's description.
    pub fn description(&self, name: &str) -> Option<&str> {
        self.index(name)
            .and_then(|i| self.descriptions[i].as_deref())
    }

    /// The names `name` includes directly (empty for an undeclared name).
    pub fn includes(&self, name: &str) -> Vec<&str> {
        self.index(name)
            .map(|i| self.includes[i].iter().map(|&j| &*self.names[j]).collect())
            .unwrap_or_default()
    }

    /// `invalid_scope` naming the first name of `set` that is not declared.
    pub fn check_known(&self, set: &ScopeSet) -> Result<()> {
        match set.iter().find(|n| !self.contains(n)) {
            None => Ok(()),
            Some(n) if self.is_empty() => Err(invalid_scope(format!(
                "scope `{n}` is not declared: no scopes are declared here"
            ))),
            Some(n) => Err(invalid_scope(format!("scope `{n}` is not declared"))),
        }
    }

    /// Whether a token whose claim is `held` holds `name`: `held` is `None` (no claim:
    /// every declared name), or it holds `name` or a name that includes it. An undeclared
    /// name is held only by a token naming it exactly.
    pub fn holds(&self, held: Option<&ScopeSet>, name: &str) -> bool {
        let Some(held) = held else {
            return self.contains(name);
        };
        match self.index(name) {
            Some(i) => self.granted_by[i]
                .iter()
                .any(|&g| held.contains(&self.names[g])),
            None => held.contains(name),
        }
    }

    /// Every declared name a token whose claim is `held` holds (`None`: all of them) — what
    /// introspection reports as the token's `scope`.
    pub fn expand(&self, held: Option<&ScopeSet>) -> ScopeSet {
        let mut out = ScopeSet::new();
        for name in self.names() {
            if self.holds(held, name) {
                out.insert_valid(name);
            }
        }
        out
    }

    /// The requirement of a route: every name must be declared (`invalid_scope`
    /// otherwise) and is satisfied by itself or a name that includes it.
    pub fn require<S: AsRef<str>>(&self, names: &[S]) -> Result<RequiredScopes> {
        let set = ScopeSet::from_names(names)?;
        self.check_known(&set)?;
        let any_of = set
            .iter()
            .map(|n| {
                let i = self.index(n).unwrap_or_default();
                self.granted_by[i]
                    .iter()
                    .map(|&g| self.names[g].clone())
                    .collect()
            })
            .collect();
        Ok(RequiredScopes { names: set, any_of })
    }

    /// The scopes a caller may give a token it mints (for itself or a sub-account), the
    /// rule `allowed_ips` also follows: `requested` `None` inherits the caller's claim (no
    /// claim stays no claim); otherwise every requested name must be declared
    /// (`invalid_scope`) and held by the caller (`not_permitted`, naming the first that is
    /// not).
    ///
    /// ```
    /// use auth_core::{ErrorCode, ScopeSet, ScopeVocabulary};
    /// let v = ScopeVocabulary::from_pairs(&[("sms", &["sms:send"][..]), ("sms:send", &[]), ("account", &[])]).unwrap();
    /// let caller = ScopeSet::parse("sms").unwrap();
    /// let child = ScopeSet::parse("sms:send").unwrap();
    /// assert_eq!(v.narrow(Some(&caller), Some(&child)).unwrap(), Some(child));
    /// let wider = ScopeSet::parse("account").unwrap();
    /// assert_eq!(v.narrow(Some(&caller), Some(&wider)).unwrap_err().code(), ErrorCode::NotPermitted);
    /// assert_eq!(v.narrow(Some(&caller), None).unwrap(), Some(caller.clone()));
    /// assert_eq!(v.narrow(None, None).unwrap(), None);
    /// ```
    pub fn narrow(
        &self,
        caller: Option<&ScopeSet>,
        requested: Option<&ScopeSet>,
    ) -> Result<Option<ScopeSet>> {
        let Some(requested) = requested else {
            return Ok(caller.cloned());
        };
        self.check_known(requested)?;
        if let Some(name) = requested.iter().find(|n| !self.holds(caller, n)) {
            return Err(Error::with_message(
                ErrorCode::NotPermitted,
                format!("scope `{name}` is not held by the calling token"),
            ));
        }
        Ok(Some(requested.clone()))
    }
}

/// What a route requires: every name, each satisfied by itself or a name that includes it
/// (built by [`ScopeVocabulary::require`], or [`RequiredScopes::exact`] without a
/// vocabulary). Build one per route at start-up; checking is a few comparisons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequiredScopes {
    names: ScopeSet,
    /// For each required name (in `names` order), the names that satisfy it, sorted.
    any_of: Vec<Vec<Box<str>>>,
}

impl RequiredScopes {
    /// A requirement without a vocabulary: each name satisfied only by itself.
    pub fn exact(names: ScopeSet) -> Self {
        let any_of = names.iter().map(|n| vec![Box::from(n)]).collect();
        RequiredScopes { names, any_of }
    }

    /// The required names.
    pub fn names(&self) -> &ScopeSet {
        &self.names
    }

    /// Whether nothing is required.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// `Ok` when a token whose claim is `held` satisfies every required name (`None`: no
    /// claim, which holds everything), else `insufficient_scope` (403) naming the first
    /// missing name, with the whole requirement in [`Error::required_scope`] for the
    /// RFC 6750 §3 challenge.
    pub fn check(&self, held: Option<&ScopeSet>) -> Result<()> {
        let Some(held) = held else {
            return Ok(());
        };
        for (name, any_of) in self.names.iter().zip(&self.any_of) {
            if !any_of.iter().any(|g| held.contains(g)) {
                return Err(Error::insufficient_scope(name, &self.names));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> ScopeVocabulary {
        ScopeVocabulary::from_json(
            r#"{"sms": {"includes": ["sms:send", "sms:read"]}, "sms:send": {}, "sms:read": {},
                "all": {"includes": ["sms", "account"]}, "account": {"description": "d"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn hierarchy_is_transitive() {
        let v = demo();
        let all = ScopeSet::parse("all").unwrap();
        for n in ["all", "sms", "sms:send", "sms:read", "account"] {
            assert!(v.holds(Some(&all), n), "{n}");
        }
        let send = ScopeSet::parse("sms:send").unwrap();
        assert!(!v.holds(Some(&send), "sms"));
        assert_eq!(v.expand(Some(&send)).to_string(), "sms:send");
        assert_eq!(
            v.expand(Some(&ScopeSet::parse("sms").unwrap())).to_string(),
            "sms sms:read sms:send"
        );
        assert_eq!(v.expand(None).len(), 5);
        assert_eq!(v.description("account"), Some("d"));
        assert_eq!(v.includes("sms"), vec!["sms:read", "sms:send"]);
        let undeclared = ScopeSet::parse("legacy").unwrap();
        assert!(v.holds(Some(&undeclared), "legacy"));
        assert!(!v.holds(Some(&undeclared), "sms"));
    }

    #[test]
    fn bad_vocabularies_are_refused() {
        for bad in [
            "[]",
            "{\"a\": []}",
            "{\"a\": {\"includes\": [\"b\"]}}",
            "{\"a\": {\"includes\": [\"b\"]}, \"b\": {\"includes\": [\"a\"]}}",
            "{\"a\": {\"includes\": [\"a\"]}}",
            "{\"a b\": {}}",
            "{\"a\": {\"x\": 1}}",
            "{\"a\": {\"description\": 1}}",
            "{\"a\": {}, \"a\": {}}",
            "{\"a\": {\"includes\": [1]}}",
            "not json",
        ] {
            let e = ScopeVocabulary::from_json(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidScope, "{bad}: {e}");
        }
        let many: String = (0..257)
            .map(|i| format!("\"s{i}\": {{}}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(ScopeVocabulary::from_json(&format!("{{{many}}}")).is_err());
    }

    #[test]
    fn requirements_name_what_is_missing() {
        let v = demo();
        assert_eq!(
            v.require(&["nope"]).unwrap_err().code(),
            ErrorCode::InvalidScope
        );
        let need = v.require(&["sms:send", "account"]).unwrap();
        let e = need
            .check(Some(&ScopeSet::parse("sms").unwrap()))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InsufficientScope);
        assert!(e.message().contains("`account`"), "{}", e.message());
        assert_eq!(e.required_scope(), Some("account sms:send"));
        assert!(need.check(None).is_ok());
        assert!(need
            .check(Some(&ScopeSet::parse("sms:send account").unwrap()))
            .is_ok());
        let exact = RequiredScopes::exact(ScopeSet::parse("sms:send").unwrap());
        assert!(exact.check(Some(&ScopeSet::parse("sms").unwrap())).is_err());
    }

    #[test]
    fn narrowing_never_widens() {
        let v = demo();
        let sms = ScopeSet::parse("sms").unwrap();
        let e = v
            .narrow(Some(&sms), Some(&ScopeSet::parse("all").unwrap()))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotPermitted);
        assert!(e.message().contains("`all`"));
        let e = v
            .narrow(None, Some(&ScopeSet::parse("typo").unwrap()))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidScope);
        assert_eq!(
            v.narrow(None, Some(&sms)).unwrap(),
            Some(sms.clone()),
            "an unscoped caller may give any declared scope"
        );
    }
}
