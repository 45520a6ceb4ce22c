//! Token claims (docs/token-format.md): the user and reseller shapes as typed values.
//!
//! The code is laid out by what it decides: this file the claim types and the length rules
//! of `jti` and `token_name`, `decode.rs` the strict decoding of a token's claims
//! ([`decode_claims`]), `serialize.rs` the wire shape the claims are written in.

use std::fmt;

use crate::ip::IpRule;

mod decode;
mod extra;
mod plain;
mod registered;
mod serialize;
pub(crate) mod value;

pub use self::decode::decode_claims;
pub(crate) use self::decode::json_error_kind;
pub use self::extra::{check_extra_claims, parse_extra_claims, MAX_EXTRA_CLAIMS, RESERVED_CLAIMS};
pub use self::registered::{
    decode_registered_claims, RegisteredClaim, RegisteredClaims, RequiredClaims,
};
pub(crate) use self::serialize::write_plain_claims;

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

/// Who the token speaks for, with the fields of docs/token-format.md that depend on the type.
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

    /// `admin`: `Some` for a user, `None` for a reseller (which has no such claim).
    pub fn admin(&self) -> Option<bool> {
        match self {
            Subject::User { admin, .. } => Some(*admin),
            Subject::Reseller { .. } => None,
        }
    }

    /// `sms_from`: the user's value when set; `None` when absent or for a reseller.
    pub fn sms_from(&self) -> Option<&str> {
        match self {
            Subject::User { sms_from, .. } => sms_from.as_deref(),
            Subject::Reseller { .. } => None,
        }
    }

    /// `user_group_id`: the user's value when set; `None` when absent or for a reseller.
    pub fn user_group_id(&self) -> Option<u64> {
        match self {
            Subject::User { user_group_id, .. } => *user_group_id,
            Subject::Reseller { .. } => None,
        }
    }

    /// A subject of type `kind` from its fields, as bindings receive them. A user takes
    /// every field (`admin` absent is `false`); a reseller has only `id` and `name`, and
    /// any user-only field given for it (`admin: Some(true)`, `sms_from`, `user_group_id`)
    /// is refused as `invalid_request` rather than silently dropped (`admin: Some(false)`
    /// is accepted: it says nothing a reseller cannot mean).
    ///
    /// ```
    /// use auth_core::{PrincipalType, Subject};
    /// let s = Subject::from_parts(PrincipalType::User, 5, "bob", Some(true), None, Some(3)).unwrap();
    /// assert_eq!(s.admin(), Some(true));
    /// let err = Subject::from_parts(PrincipalType::Reseller, 1, "r", None, Some("X".into()), None).unwrap_err();
    /// assert_eq!(err.code().as_str(), "invalid_request");
    /// ```
    pub fn from_parts(
        kind: PrincipalType,
        id: u64,
        name: impl Into<String>,
        admin: Option<bool>,
        sms_from: Option<String>,
        user_group_id: Option<u64>,
    ) -> crate::Result<Subject> {
        match kind {
            PrincipalType::User => Ok(Subject::User {
                id,
                name: name.into(),
                admin: admin.unwrap_or(false),
                sms_from,
                user_group_id,
            }),
            PrincipalType::Reseller => {
                if admin == Some(true) || sms_from.is_some() || user_group_id.is_some() {
                    return Err(crate::Error::with_message(
                        crate::ErrorCode::InvalidRequest,
                        "a reseller has no admin, sms_from or user_group_id",
                    ));
                }
                Ok(Subject::reseller(id, name))
            }
        }
    }
}

/// The full, validated claim set of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
    /// `aud` (RFC 7519 §4.1.3): the audiences the token names, a single string read as a
    /// one-element list; `None` when absent. A verified token's audience always names one
    /// of [`VerifyOptions::audiences`](crate::VerifyOptions::audiences). Written back as a
    /// string when it has exactly one element, as an array otherwise.
    pub audience: Option<Vec<String>>,
    /// `iss` (RFC 7519 §4.1.1): the issuer, when the token names one.
    pub issuer: Option<String>,
    /// `scope` (RFC 9068 §2.2.3): what the token may do (docs/scopes.md). `None`: no claim,
    /// the token may do everything its principal may.
    pub scope: Option<crate::ScopeSet>,
    /// Custom claims: every other member of the claims object, read strictly (no
    /// duplicate key at any depth, bounded nesting). See [`Claims::extra_claim`]. An entry
    /// named like one of the library's claims ([`RESERVED_CLAIMS`]) is never written out.
    pub extra: serde_json::Map<String, serde_json::Value>,
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

/// `Ok` when `s` is an acceptable `jti` ([`valid_jti`]), else the `invalid_request` error
/// minting reports for it.
pub fn check_jti(s: &str) -> crate::Result<()> {
    if valid_jti(s) {
        Ok(())
    } else {
        Err(crate::Error::with_message(
            crate::ErrorCode::InvalidRequest,
            "token id must be 1-128 characters",
        ))
    }
}

/// `Ok` when `s` is an acceptable `token_name` ([`valid_token_name`]), else the
/// `invalid_request` error minting reports for it.
pub fn check_token_name(s: &str) -> crate::Result<()> {
    if valid_token_name(s) {
        Ok(())
    } else {
        Err(crate::Error::with_message(
            crate::ErrorCode::InvalidRequest,
            "token name must be 1-255 characters",
        ))
    }
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
    /// Claims for `subject`, issued at `iat` with token id `jti`, and nothing else: no
    /// expiry (static), no `nbf`, name, allow-list, parent, audience or issuer. Set the other fields as needed.
    pub fn new(subject: Subject, iat: u64, jti: impl Into<String>) -> Self {
        Claims {
            subject,
            iat,
            exp: None,
            nbf: None,
            jti: jti.into(),
            token_name: None,
            allowed_ips: None,
            parent: None,
            audience: None,
            issuer: None,
            scope: None,
            extra: serde_json::Map::new(),
        }
    }

    /// The principal this token speaks for.
    pub fn principal(&self) -> Principal {
        self.subject.principal()
    }

    /// Whether the token never expires (no `exp`).
    pub fn is_static(&self) -> bool {
        self.exp.is_none()
    }

    /// The claims as a JSON object in the wire shape of docs/token-format.md (what a token carries).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The claims as compact JSON text in the wire shape of docs/token-format.md.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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
        let r = Subject::reseller(1, "r");
        assert_eq!(
            (r.admin(), r.sms_from(), r.user_group_id()),
            (None, None, None)
        );
        let u = Subject::from_parts(PrincipalType::User, 2, "u", None, Some("S".into()), Some(4))
            .unwrap();
        assert_eq!(
            (u.admin(), u.sms_from(), u.user_group_id()),
            (Some(false), Some("S"), Some(4))
        );
        assert!(
            Subject::from_parts(PrincipalType::Reseller, 1, "r", Some(false), None, None).is_ok()
        );
        for (admin, sms, group) in [
            (Some(true), None, None),
            (None, Some("S".to_owned()), None),
            (None, None, Some(1)),
        ] {
            let e = Subject::from_parts(PrincipalType::Reseller, 1, "r", admin, sms, group)
                .unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidRequest);
        }
        assert_eq!(
            check_jti("").unwrap_err().code(),
            crate::ErrorCode::InvalidRequest
        );
        assert!(check_jti("x").is_ok());
        assert_eq!(
            check_token_name(&"a".repeat(256)).unwrap_err().code(),
            crate::ErrorCode::InvalidRequest
        );
        assert!(check_token_name("n").is_ok());
    }
}
