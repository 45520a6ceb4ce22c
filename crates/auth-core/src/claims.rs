//! Token claims (SPEC §2): the user and reseller shapes as typed values.

use std::fmt;

use crate::ip::IpRule;

/// The two kinds of principal a token can speak for (the `type` claim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalType {
    /// A dialer-platform user (`"user"`).
    User,
    /// A reseller (`"reseller"`).
    Reseller,
}

impl PrincipalType {
    /// The claim text: `"user"` or `"reseller"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "user",
            PrincipalType::Reseller => "reseller",
        }
    }

    /// Parses the exact, case-sensitive claim text.
    pub fn from_claim(s: &str) -> Option<Self> {
        match s {
            "user" => Some(PrincipalType::User),
            "reseller" => Some(PrincipalType::Reseller),
            _ => None,
        }
    }
}

impl fmt::Display for PrincipalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A principal: its type and numeric id. Used for `parent` and for
/// "revoke everything of principal X".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal {
    /// `"user"` or `"reseller"`.
    pub kind: PrincipalType,
    /// The principal's id.
    pub id: u64,
}

impl Principal {
    /// A user principal.
    pub const fn user(id: u64) -> Self {
        Principal {
            kind: PrincipalType::User,
            id,
        }
    }

    /// A reseller principal.
    pub const fn reseller(id: u64) -> Self {
        Principal {
            kind: PrincipalType::Reseller,
            id,
        }
    }
}

/// Who the token speaks for, with the fields of SPEC §2 that depend on the type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// `type: "user"`.
    User {
        /// `id`.
        id: u64,
        /// `name`.
        name: String,
        /// `admin`.
        admin: bool,
        /// `sms_from` (absent or null → `None`).
        sms_from: Option<String>,
        /// `user_group_id` (absent or null → `None`).
        user_group_id: Option<u64>,
    },
    /// `type: "reseller"`.
    Reseller {
        /// `id`.
        id: u64,
        /// `name`.
        name: String,
    },
}

impl Subject {
    /// A user subject with no `sms_from` and no `user_group_id`.
    pub fn user(id: u64, name: impl Into<String>, admin: bool) -> Self {
        Subject::User {
            id,
            name: name.into(),
            admin,
            sms_from: None,
            user_group_id: None,
        }
    }

    /// A reseller subject.
    pub fn reseller(id: u64, name: impl Into<String>) -> Self {
        Subject::Reseller {
            id,
            name: name.into(),
        }
    }

    /// The principal type.
    pub fn kind(&self) -> PrincipalType {
        match self {
            Subject::User { .. } => PrincipalType::User,
            Subject::Reseller { .. } => PrincipalType::Reseller,
        }
    }

    /// The principal id.
    pub fn id(&self) -> u64 {
        match self {
            Subject::User { id, .. } | Subject::Reseller { id, .. } => *id,
        }
    }

    /// The principal's name.
    pub fn name(&self) -> &str {
        match self {
            Subject::User { name, .. } | Subject::Reseller { name, .. } => name,
        }
    }

    /// The principal (type and id).
    pub fn principal(&self) -> Principal {
        Principal {
            kind: self.kind(),
            id: self.id(),
        }
    }
}

/// The full, validated claim set of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// `type`, `id`, `name` and the type-specific claims.
    pub subject: Subject,
    /// `iat`: issued at, UNIX seconds.
    pub iat: u64,
    /// `exp`: expiry, UNIX seconds; `None` for a static token that never expires.
    pub exp: Option<u64>,
    /// `nbf`: not before, UNIX seconds.
    pub nbf: Option<u64>,
    /// `jti`: the token id (`token_id`), 1–128 characters; what revocation keys on.
    pub jti: String,
    /// `token_name`: 1–255 characters.
    pub token_name: Option<String>,
    /// `allowed_ips`: the token is valid only from these addresses.
    /// `Some(vec![])` allows nothing; `None` means no restriction.
    pub allowed_ips: Option<Vec<IpRule>>,
    /// `parent`: who minted the token for a sub-account.
    pub parent: Option<Principal>,
}

/// Longest `jti` accepted, in characters.
pub const MAX_JTI_CHARS: usize = 128;
/// Longest `token_name` accepted, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 255;

/// Whether `s` is an acceptable `jti` (1–128 characters).
pub fn valid_jti(s: &str) -> bool {
    within_chars(s, MAX_JTI_CHARS)
}

/// Whether `s` is an acceptable `token_name` (1–255 characters).
pub fn valid_token_name(s: &str) -> bool {
    within_chars(s, MAX_TOKEN_NAME_CHARS)
}

/// Whether `s` has 1 to `max` characters. Characters are only counted when the byte
/// length leaves a doubt (at most `max` bytes is at most `max` characters; more than
/// `4 * max` bytes is more than `max` characters).
fn within_chars(s: &str, max: usize) -> bool {
    match s.len() {
        0 => false,
        n if n <= max => true,
        n if n <= 4 * max => s.chars().count() <= max,
        _ => false,
    }
}

impl Claims {
    /// The principal this token speaks for.
    pub fn principal(&self) -> Principal {
        self.subject.principal()
    }

    /// Whether the token never expires (no `exp`).
    pub fn is_static(&self) -> bool {
        self.exp.is_none()
    }

    /// The claims as a JSON object in the wire shape of SPEC §2 (what a token carries).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The claims as compact JSON text in the wire shape of SPEC §2.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// Strict decoding (SPEC §2, §3)
// ---------------------------------------------------------------------------

use std::borrow::Cow;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::error::{Error, ErrorCode, Result};
use crate::json::{parse_strict_str, scan_plain_object, Loose, SeenKeys, Str};

const CLAIM_NAMES: [&str; 13] = [
    "type",
    "id",
    "name",
    "admin",
    "sms_from",
    "user_group_id",
    "iat",
    "exp",
    "nbf",
    "jti",
    "token_name",
    "allowed_ips",
    "parent",
];

/// The index of `parent` in [`CLAIM_NAMES`] (an object, read by [`ParentSeed`]).
const PARENT: usize = 12;

/// The index of a claim in [`CLAIM_NAMES`] (a `match` compiles to a length switch
/// and one comparison, instead of a scan over the names).
fn claim_index(key: &str) -> Option<usize> {
    Some(match key {
        "type" => 0,
        "id" => 1,
        "name" => 2,
        "admin" => 3,
        "sms_from" => 4,
        "user_group_id" => 5,
        "iat" => 6,
        "exp" => 7,
        "nbf" => 8,
        "jti" => 9,
        "token_name" => 10,
        "allowed_ips" => 11,
        "parent" => 12,
        _ => return None,
    })
}

#[derive(Default)]
struct RawClaims<'de> {
    fields: [Option<Loose<'de>>; 13],
    parent: Option<std::result::Result<Principal, &'static str>>,
}

/// Fills a [`RawClaims`] in place (it is a few hundred bytes: returning it by value
/// would copy it on every verification).
struct RawVisitor<'a, 'de>(&'a mut RawClaims<'de>);

impl<'de> Visitor<'de> for RawVisitor<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let raw = self.0;
        let mut seen = SeenKeys::default();
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            match claim_index(&key) {
                Some(PARENT) => {
                    seen.insert_known(PARENT as u32)
                        .map_err(de::Error::custom)?;
                    raw.parent = Some(map.next_value_seed(ParentSeed)?);
                }
                Some(i) => {
                    seen.insert_known(i as u32).map_err(de::Error::custom)?;
                    raw.fields[i] = Some(map.next_value::<Loose<'de>>()?);
                }
                None => {
                    seen.insert_other(key).map_err(de::Error::custom)?;
                    map.next_value_seed(crate::json::Skip(1))?;
                }
            }
        }
        Ok(())
    }
}

struct ParentSeed;

impl<'de> de::DeserializeSeed<'de> for ParentSeed {
    type Value = std::result::Result<Principal, &'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ParentSeed {
    type Value = std::result::Result<Principal, &'static str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a parent object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut seen = SeenKeys::default();
        let (mut kind, mut id) = (None, None);
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            match &*key {
                "type" => {
                    seen.insert_known(0).map_err(de::Error::custom)?;
                    kind = Some(map.next_value::<Loose<'de>>()?);
                }
                "id" => {
                    seen.insert_known(1).map_err(de::Error::custom)?;
                    id = Some(map.next_value::<Loose<'de>>()?);
                }
                _ => {
                    seen.insert_other(key).map_err(de::Error::custom)?;
                    map.next_value_seed(crate::json::Skip(1))?;
                }
            }
        }
        let kind = match kind {
            Some(Loose::Str(s)) => match PrincipalType::from_claim(&s) {
                Some(k) => k,
                None => return Ok(Err("parent.type must be \"user\" or \"reseller\"")),
            },
            _ => return Ok(Err("parent.type must be \"user\" or \"reseller\"")),
        };
        match id {
            Some(Loose::UInt(id)) => Ok(Ok(Principal { kind, id })),
            _ => Ok(Err("parent.id must be a non-negative integer")),
        }
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(Err("parent must be an object"))
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(Err("parent must be an object"))
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(Err("parent must be an object"))
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(Err("parent must be an object"))
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(Err("parent must be an object"))
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(Err("parent must be an object"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element_seed(crate::json::Skip(1))?.is_some() {}
        Ok(Err("parent must be an object"))
    }
}

fn invalid(msg: impl Into<Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidClaims, msg)
}

fn wrong(name: &str, want: &str, got: &Loose<'_>) -> Error {
    invalid(format!("claim `{name}` must be {want}, not {}", got.kind()))
}

fn missing(name: &str) -> Error {
    invalid(format!("claim `{name}` is required"))
}

impl<'de> RawClaims<'de> {
    fn take(&mut self, i: usize) -> Option<Loose<'de>> {
        self.fields[i].take()
    }

    fn req_u64(&mut self, i: usize) -> Result<u64> {
        match self.take(i) {
            Some(Loose::UInt(v)) => Ok(v),
            Some(other) => Err(wrong(CLAIM_NAMES[i], "a non-negative integer", &other)),
            None => Err(missing(CLAIM_NAMES[i])),
        }
    }

    fn opt_u64(&mut self, i: usize, null_ok: bool) -> Result<Option<u64>> {
        match self.take(i) {
            None => Ok(None),
            Some(Loose::Null) if null_ok => Ok(None),
            Some(Loose::UInt(v)) => Ok(Some(v)),
            Some(other) => Err(wrong(CLAIM_NAMES[i], "a non-negative integer", &other)),
        }
    }

    fn req_string(&mut self, i: usize) -> Result<String> {
        match self.take(i) {
            Some(Loose::Str(s)) => Ok(s.into_owned()),
            Some(other) => Err(wrong(CLAIM_NAMES[i], "a string", &other)),
            None => Err(missing(CLAIM_NAMES[i])),
        }
    }

    fn opt_string(&mut self, i: usize, null_ok: bool) -> Result<Option<String>> {
        match self.take(i) {
            None => Ok(None),
            Some(Loose::Null) if null_ok => Ok(None),
            Some(Loose::Str(s)) => Ok(Some(s.into_owned())),
            Some(other) => Err(wrong(CLAIM_NAMES[i], "a string", &other)),
        }
    }
}

/// Decodes and validates a claims payload (the JSON text of the second JWS segment).
///
/// `malformed_token`: not UTF-8, not JSON, not an object, duplicate keys.
/// `invalid_claims`: a required claim missing, a claim of the wrong type, an unknown
/// `type`, a `jti` or `token_name` out of its length range, a bad `allowed_ips` entry.
pub fn decode_claims(payload: &[u8]) -> Result<Claims> {
    let Ok(text) = std::str::from_utf8(payload) else {
        return Err(Error::with_message(
            ErrorCode::MalformedToken,
            "claims are not UTF-8",
        ));
    };
    let mut raw = RawClaims::default();
    // The claims as issuers write them are plain JSON (known claims, scalar values, no
    // whitespace or escapes): read those directly. Anything else — or anything the
    // shortcut declines, such as a repeated claim — is read, and judged, by serde_json.
    let plain = scan_plain_object(text, |key, value| match claim_index(key) {
        Some(i) if i != PARENT && raw.fields[i].is_none() => {
            raw.fields[i] = Some(value);
            true
        }
        _ => false,
    });
    if !plain {
        raw = RawClaims::default();
        parse_strict_str(text, |de| de.deserialize_map(RawVisitor(&mut raw))).map_err(|e| {
            Error::with_message(
                ErrorCode::MalformedToken,
                format!(
                    "claims are not a strict JSON object: {}",
                    json_error_kind(&e)
                ),
            )
        })?;
    }
    let kind = match raw.take(0) {
        Some(Loose::Str(s)) => PrincipalType::from_claim(&s)
            .ok_or_else(|| invalid("claim `type` must be \"user\" or \"reseller\""))?,
        Some(other) => return Err(wrong("type", "a string", &other)),
        None => return Err(missing("type")),
    };
    let id = raw.req_u64(1)?;
    let name = raw.req_string(2)?;
    let subject = match kind {
        PrincipalType::User => {
            let admin = match raw.take(3) {
                Some(Loose::True) => true,
                Some(Loose::False) => false,
                Some(other) => return Err(wrong("admin", "a boolean", &other)),
                None => return Err(missing("admin")),
            };
            Subject::User {
                id,
                name,
                admin,
                sms_from: raw.opt_string(4, true)?,
                user_group_id: raw.opt_u64(5, true)?,
            }
        }
        PrincipalType::Reseller => Subject::Reseller { id, name },
    };
    let iat = raw.req_u64(6)?;
    let exp = raw.opt_u64(7, false)?;
    let nbf = raw.opt_u64(8, false)?;
    let jti = raw.req_string(9)?;
    if !valid_jti(&jti) {
        return Err(invalid("claim `jti` must be 1-128 characters"));
    }
    let token_name = raw.opt_string(10, false)?;
    if matches!(&token_name, Some(n) if !valid_token_name(n)) {
        return Err(invalid("claim `token_name` must be 1-255 characters"));
    }
    let allowed_ips = match raw.take(11) {
        None => None,
        Some(Loose::StrArray(items)) => {
            let mut rules = Vec::with_capacity(items.len());
            for (i, text) in items.iter().enumerate() {
                let rule = IpRule::parse(text).map_err(|e| {
                    invalid(format!(
                        "claim `allowed_ips[{i}]` is not a valid rule: {}",
                        e.message()
                    ))
                })?;
                rules.push(rule);
            }
            Some(rules)
        }
        Some(other) => return Err(wrong("allowed_ips", "an array of IP/CIDR strings", &other)),
    };
    let parent = match raw.parent.take() {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(msg)) => return Err(invalid(msg)),
    };
    Ok(Claims {
        subject,
        iat,
        exp,
        nbf,
        jti,
        token_name,
        allowed_ips,
        parent,
    })
}

/// A description of a serde_json error that never quotes the input.
pub(crate) fn json_error_kind(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.contains(crate::json::DUPLICATE_KEY) {
        "duplicate key".to_owned()
    } else {
        format!("{:?} error at column {}", e.classify(), e.column())
    }
}

impl serde::Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.subject.kind().as_str())?;
        m.serialize_entry("id", &self.subject.id())?;
        m.serialize_entry("name", self.subject.name())?;
        if let Subject::User {
            admin,
            sms_from,
            user_group_id,
            ..
        } = &self.subject
        {
            m.serialize_entry("admin", admin)?;
            m.serialize_entry("sms_from", sms_from)?;
            m.serialize_entry("user_group_id", user_group_id)?;
        }
        m.serialize_entry("iat", &self.iat)?;
        if let Some(exp) = self.exp {
            m.serialize_entry("exp", &exp)?;
        }
        if let Some(nbf) = self.nbf {
            m.serialize_entry("nbf", &nbf)?;
        }
        m.serialize_entry("jti", &self.jti)?;
        if let Some(name) = &self.token_name {
            m.serialize_entry("token_name", name)?;
        }
        if let Some(ips) = &self.allowed_ips {
            m.serialize_entry("allowed_ips", &DisplaySeq(ips))?;
        }
        if let Some(p) = &self.parent {
            m.serialize_entry("parent", &ParentOut(p))?;
        }
        m.end()
    }
}

struct DisplaySeq<'a>(&'a [IpRule]);

impl serde::Serialize for DisplaySeq<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| r.to_string()))
    }
}

struct ParentOut<'a>(&'a Principal);

impl serde::Serialize for ParentOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", self.0.kind.as_str())?;
        m.serialize_entry("id", &self.0.id)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_count_characters() {
        assert!(!valid_jti(""));
        assert!(valid_jti(&"a".repeat(128)));
        assert!(!valid_jti(&"a".repeat(129)));
        assert!(valid_jti(&"é".repeat(128)), "256 bytes, 128 characters");
        assert!(!valid_jti(&"é".repeat(129)));
        assert!(valid_jti(&"😀".repeat(128)), "512 bytes, 128 characters");
        assert!(valid_token_name(&"é".repeat(255)));
        assert!(!valid_token_name(&"é".repeat(256)));
        assert!(!valid_token_name(""));
    }

    #[test]
    fn claim_index_agrees_with_claim_names() {
        for (i, name) in CLAIM_NAMES.iter().enumerate() {
            assert_eq!(claim_index(name), Some(i), "{name}");
        }
        for other in ["", "Type", "ids", "jti ", "allowed_ip", "x"] {
            assert_eq!(claim_index(other), None, "{other:?}");
        }
    }
}
