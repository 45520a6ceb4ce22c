//! Scopes (docs/scopes.md): what a token may do, as a set of names in its `scope` claim.
//!
//! * `mod.rs` (here) — what a scope name is and the canonical set of them ([`ScopeSet`]),
//!   the `scope` claim's text (RFC 9068 §2.2.3, RFC 8693 §4.2: names separated by one space);
//! * `vocabulary.rs` — the names a host declares, with their hierarchy
//!   ([`ScopeVocabulary`]), what a token may hand down to a child, and the check of a
//!   route's requirement ([`RequiredScopes`]).
//!
//! A token **without** the claim holds everything its principal may do — every token minted
//! before scopes existed keeps working. A token **with** the claim holds exactly those names
//! and everything the vocabulary says they include.

use std::fmt;

use crate::error::{Error, ErrorCode, Result};

mod vocabulary;

pub use vocabulary::{RequiredScopes, ScopeVocabulary, MAX_VOCABULARY_SCOPES};

/// Longest scope name accepted, in bytes (names are ASCII).
pub const MAX_SCOPE_CHARS: usize = 64;
/// Most names one set (a token's claim, a request, a requirement) may hold.
pub const MAX_SCOPES: usize = 64;

pub(crate) fn invalid_scope(msg: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidScope, msg)
}

/// Whether `name` is a scope name: 1–64 characters of RFC 6749 §3.3's `scope-token`
/// (printable ASCII other than space, `"` and `\`).
///
/// ```
/// use auth_core::valid_scope_name;
/// assert!(valid_scope_name("sms:send"));
/// assert!(!valid_scope_name("sms send"));
/// assert!(!valid_scope_name(""));
/// assert!(!valid_scope_name("é"));
/// ```
pub fn valid_scope_name(name: &str) -> bool {
    (1..=MAX_SCOPE_CHARS).contains(&name.len())
        && name
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// The error for a name that is not a scope name, naming where it was found.
fn check_name(name: &str, place: &dyn fmt::Display) -> Result<()> {
    if valid_scope_name(name) {
        return Ok(());
    }
    Err(invalid_scope(if name.is_empty() {
        format!("{place} is empty")
    } else if name.len() > MAX_SCOPE_CHARS {
        format!("{place} is longer than {MAX_SCOPE_CHARS} characters")
    } else {
        format!(
            "{place} is not a scope name (printable ASCII other than space, '\"' and '\\', \
             RFC 6749 section 3.3)"
        )
    }))
}

/// A set of scope names, canonical: each a valid name ([`valid_scope_name`]), sorted,
/// no repeats, at most [`MAX_SCOPES`]. Written as the `scope` claim's text, names joined
/// by one space ([`Display`](fmt::Display)).
///
/// ```
/// use auth_core::{ErrorCode, ScopeSet};
/// let s = ScopeSet::parse("sms:send account").unwrap();
/// assert_eq!(s.to_string(), "account sms:send");
/// assert!(s.contains("account"));
/// assert_eq!(ScopeSet::parse("a  b").unwrap_err().code(), ErrorCode::InvalidScope);
/// assert_eq!(ScopeSet::parse("a a").unwrap_err().code(), ErrorCode::InvalidScope);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeSet(
    /// The canonical text: the names sorted, joined by one space ("" when empty). One
    /// allocation per set, and a claim minted here is taken as it is.
    String,
);

impl ScopeSet {
    /// The empty set.
    pub const fn new() -> Self {
        ScopeSet(String::new())
    }

    /// Reads the `scope` claim's text: names separated by exactly one space (no leading,
    /// trailing or repeated space, no other whitespace), at least one, no name twice
    /// (`invalid_scope` naming the problem).
    pub fn parse(text: &str) -> Result<ScopeSet> {
        if text.is_empty() {
            return Err(invalid_scope("the scope text is empty"));
        }
        // The text as minted here — valid names in increasing order — is kept as it is.
        let mut count = 0;
        let mut previous: Option<&str> = None;
        let mut canonical = true;
        for name in text.split(' ') {
            count += 1;
            if count > MAX_SCOPES || !valid_scope_name(name) || previous.is_some_and(|p| p >= name)
            {
                canonical = false;
                break;
            }
            previous = Some(name);
        }
        if canonical {
            return Ok(ScopeSet(text.to_owned()));
        }
        let names: Vec<&str> = text.split(' ').collect();
        ScopeSet::build(&names, ScopePlace::Text)
    }

    /// A set from separate names (a JSON array, XML elements, a command line): each a scope
    /// name, none twice, at most [`MAX_SCOPES`] (`invalid_scope` naming the index). Empty
    /// input is the empty set.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<ScopeSet> {
        let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
        ScopeSet::build(&names, ScopePlace::Index)
    }

    fn build(names: &[&str], place: impl Fn(usize) -> ScopePlace) -> Result<ScopeSet> {
        if names.len() > MAX_SCOPES {
            return Err(invalid_scope(format!(
                "at most {MAX_SCOPES} scopes, got {}",
                names.len()
            )));
        }
        for (i, name) in names.iter().enumerate() {
            check_name(name, &place(i))?;
        }
        let mut sorted = names.to_vec();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid_scope(format!("scope `{}` is given twice", w[0])));
        }
        Ok(ScopeSet(sorted.join(" ")))
    }

    /// Whether `name` is in the set (exactly; what it includes is the vocabulary's business).
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n == name)
    }

    /// The names, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.split(' ').filter(|n| !n.is_empty())
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The canonical text (names sorted, one space apart; empty for the empty set).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Inserts one name already known to be valid, keeping the order.
    pub(crate) fn insert_valid(&mut self, name: &str) {
        if self.contains(name) {
            return;
        }
        let mut names: Vec<&str> = self.iter().collect();
        names.push(name);
        names.sort_unstable();
        self.0 = names.join(" ");
    }
}

/// Where a name was found, for messages.
enum ScopePlace {
    Text(usize),
    Index(usize),
}

impl fmt::Display for ScopePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopePlace::Text(i) => write!(f, "scope name {} of the text", i + 1),
            ScopePlace::Index(i) => write!(f, "scopes[{i}]"),
        }
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ScopeSet {
    type Err = Error;
    fn from_str(s: &str) -> Result<ScopeSet> {
        ScopeSet::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rfc_6749() {
        for ok in ["a", "sms:send", "!#[]~", &"x".repeat(64)] {
            assert!(valid_scope_name(ok), "{ok:?}");
        }
        for bad in [
            "",
            " ",
            "a b",
            "a\"",
            "a\\",
            "\t",
            "é",
            "\u{7f}",
            &"x".repeat(65),
        ] {
            assert!(!valid_scope_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn text_is_strict_and_canonical() {
        assert_eq!(ScopeSet::parse("b a c").unwrap().to_string(), "a b c");
        for bad in ["", " ", "a ", " a", "a  b", "a\tb", "a\nb", "a a", "b a b"] {
            let e = ScopeSet::parse(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidScope, "{bad:?}");
        }
        let many = (0..65)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(ScopeSet::parse(&many)
            .unwrap_err()
            .message()
            .contains("at most 64"));
        let e = ScopeSet::from_names(&["ok", "bad name"]).unwrap_err();
        assert!(e.message().starts_with("scopes[1]"), "{}", e.message());
        assert!(ScopeSet::from_names::<&str>(&[]).unwrap().is_empty());
        let mut s = ScopeSet::parse("b").unwrap();
        s.insert_valid("a");
        s.insert_valid("b");
        assert_eq!(s.to_string(), "a b");
    }
}
