//! The one-pass reading of plain claims (docs/token-format.md, §3): the claims as issuers
//! write them — known claims only, scalar values, no whitespace or escapes — read straight
//! into typed fields, with no intermediate values to build and drop.
//!
//! This is a shortcut, never a judge: it returns `None` as soon as anything is not the
//! plain, valid form — a value of the wrong type or out of range, a repeated or unknown
//! claim, an array or object, a required claim missing, a `jti` or `token_name` of the
//! wrong length — and [`decode_claims`](super::decode_claims) then reads the text with
//! the strict path, which decides the verdict and its error. When it returns `Some`, the
//! strict path would have returned the same [`Claims`].

use std::borrow::Cow;

use super::extra::claim_index;
use super::{valid_jti, valid_token_name, Claims, PrincipalType, Subject};
use crate::json::{scan_plain_object, Loose};
use crate::scope::ScopeSet;
use crate::ttl::MAX_TIME;

/// The claims read so far, borrowed from the payload; `seen` has one bit per claim index.
#[derive(Default)]
struct Plain<'de> {
    seen: u32,
    kind: Option<PrincipalType>,
    id: u64,
    name: &'de str,
    admin: bool,
    sms_from: Option<&'de str>,
    user_group_id: Option<u64>,
    iat: u64,
    exp: Option<u64>,
    nbf: Option<u64>,
    jti: &'de str,
    token_name: Option<&'de str>,
    audience: Option<&'de str>,
    issuer: Option<&'de str>,
    scope: Option<&'de str>,
}

impl<'de> Plain<'de> {
    /// Stores one member; `false` declines it (and so the whole shortcut).
    fn member(&mut self, key: &str, value: Loose<'de>) -> bool {
        let Some(i) = claim_index(key) else {
            return false;
        };
        let bit = 1u32 << i;
        if self.seen & bit != 0 {
            return false;
        }
        self.seen |= bit;
        match (i, value) {
            (0, Loose::Str(Cow::Borrowed(s))) => match PrincipalType::from_claim(s) {
                Some(k) => self.kind = Some(k),
                None => return false,
            },
            (1, Loose::UInt(v)) if v <= MAX_TIME => self.id = v,
            (2, Loose::Str(Cow::Borrowed(s))) => self.name = s,
            (3, Loose::True) => self.admin = true,
            (3, Loose::False) => self.admin = false,
            (4 | 5, Loose::Null) => {}
            (4, Loose::Str(Cow::Borrowed(s))) => self.sms_from = Some(s),
            (5, Loose::UInt(v)) if v <= MAX_TIME => self.user_group_id = Some(v),
            (6, Loose::UInt(v)) if v <= MAX_TIME => self.iat = v,
            (7, Loose::UInt(v)) if v <= MAX_TIME => self.exp = Some(v),
            (8, Loose::UInt(v)) if v <= MAX_TIME => self.nbf = Some(v),
            (9, Loose::Str(Cow::Borrowed(s))) => self.jti = s,
            (10, Loose::Str(Cow::Borrowed(s))) => self.token_name = Some(s),
            (13, Loose::Str(Cow::Borrowed(s))) => self.audience = Some(s),
            (14, Loose::Str(Cow::Borrowed(s))) => self.issuer = Some(s),
            (15, Loose::Str(Cow::Borrowed(s))) => self.scope = Some(s),
            // Anything else — a wrong type, a value out of range, `allowed_ips` or
            // `parent` (never plain scalars) — is left to the strict path.
            _ => return false,
        }
        true
    }
}

/// The bits of the claims every token must carry: `type`, `id`, `name`, `iat`, `jti`.
const REQUIRED: u32 = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 6 | 1 << 9;
/// `admin`, also required of a user token.
const ADMIN: u32 = 1 << 3;

/// The claims of a plain, valid payload, or `None` (see the module documentation).
pub(super) fn read_plain_claims(text: &str) -> Option<Claims> {
    let mut p = Plain::default();
    if !scan_plain_object(text, |key, value| p.member(key, value)) {
        return None;
    }
    if p.seen & REQUIRED != REQUIRED || !valid_jti(p.jti) {
        return None;
    }
    if matches!(p.token_name, Some(n) if !valid_token_name(n)) {
        return None;
    }
    let scope = match p.scope {
        None => None,
        Some(text) => Some(ScopeSet::parse(text).ok()?),
    };
    let subject = match p.kind? {
        PrincipalType::User if p.seen & ADMIN == 0 => return None,
        PrincipalType::User => Subject::User {
            id: p.id,
            name: p.name.to_owned(),
            admin: p.admin,
            sms_from: p.sms_from.map(str::to_owned),
            user_group_id: p.user_group_id,
        },
        // A reseller's `admin`, `sms_from` and `user_group_id` are not read (as on the
        // strict path); this path has declined them unless they were plain and typed.
        PrincipalType::Reseller => Subject::Reseller {
            id: p.id,
            name: p.name.to_owned(),
        },
    };
    Some(Claims {
        subject,
        iat: p.iat,
        exp: p.exp,
        nbf: p.nbf,
        jti: p.jti.to_owned(),
        token_name: p.token_name.map(str::to_owned),
        allowed_ips: None,
        parent: None,
        audience: p.audience.map(|a| vec![a.to_owned()]),
        issuer: p.issuer.map(str::to_owned),
        scope,
        extra: serde_json::Map::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::decode::decode_strict;

    /// Whenever the one-pass reading answers, the strict path returns the same claims.
    fn agrees(text: &str) -> bool {
        match read_plain_claims(text) {
            Some(fast) => {
                assert_eq!(
                    Ok(fast),
                    decode_strict(text).map_err(|e| e.code()),
                    "{text}"
                );
                true
            }
            None => false,
        }
    }

    const USER: &str = r#"{"type":"user","id":12,"name":"al","admin":true,"sms_from":null,"user_group_id":7,"iat":5,"exp":9,"jti":"abcdefghijklmnopqrstuv"}"#;
    const RESELLER: &str = r#"{"type":"reseller","id":3,"name":"Zoë","iat":1,"nbf":2,"jti":"j","token_name":"t","aud":"a","iss":"i","scope":"sms account"}"#;

    #[test]
    fn plain_tokens_are_read_in_one_pass() {
        assert!(agrees(USER) && agrees(RESELLER));
        assert!(agrees(
            r#"{"type":"reseller","id":3,"name":"x","admin":false,"sms_from":"s","user_group_id":null,"iat":9007199254740991,"jti":"j"}"#
        ));
    }

    #[test]
    fn what_is_not_plain_and_valid_is_left_to_the_strict_path() {
        for text in [
            r#"{"type":"user","id":1,"name":"a","iat":1,"jti":"j"}"#,
            r#"{"type":"admin","id":1,"name":"a","iat":1,"jti":"j"}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":""}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","token_name":""}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":9007199254740992,"jti":"j"}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"exp":null,"jti":"j"}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","x":1}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","id":1}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","allowed_ips":["1.2.3.4"]}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","parent":{"type":"user","id":1}}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","aud":["a"]}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":"1","jti":"j"}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","scope":"a  b"}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","scope":""}"#,
            r#"{"type":"reseller","id":1,"name":"a","iat":1,"jti":"j","scope":["a"]}"#,
            r#"{"type":"reseller","id":1,"name":"a\u0062","iat":1,"jti":"j"}"#,
        ] {
            assert!(!agrees(text), "{text}");
        }
    }

    #[test]
    fn damaged_tokens_never_differ_from_the_strict_path() {
        let replacements = b" \"\\:,{}[]0123456789-.etrufalsn\x01";
        for base in [USER, RESELLER] {
            for i in 0..base.len() {
                for &r in replacements {
                    let mut bytes = base.as_bytes().to_vec();
                    bytes[i] = r;
                    if let Ok(text) = std::str::from_utf8(&bytes) {
                        agrees(text);
                    }
                }
            }
        }
    }
}
