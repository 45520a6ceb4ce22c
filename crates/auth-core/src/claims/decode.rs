//! Strict decoding of a token's claims (docs/token-format.md, §3): the plain-JSON fast path, the strict
//! serde_json fallback, and the type and range check of every claim.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::{valid_jti, valid_token_name, Claims, Principal, PrincipalType, Subject};
use crate::error::{Error, ErrorCode, Result};
use crate::ip::parse_rule_set;
use crate::json::{parse_strict_str, scan_plain_object, Loose, SeenKeys, Str};
use crate::scope::ScopeSet;
use crate::ttl::MAX_TIME;

// The claims this library reads, by index: one list with the names custom claims may not take.
use super::extra::{claim_index, RESERVED_CLAIMS as CLAIM_NAMES};

/// The index of `parent` in [`CLAIM_NAMES`] (an object, read by [`ParentSeed`]).
const PARENT: usize = 12;

#[derive(Default)]
struct RawClaims<'de> {
    fields: [Option<Loose<'de>>; 16],
    parent: Option<std::result::Result<Principal, &'static str>>,
    /// Every other claim (custom claims), read strictly.
    extra: serde_json::Map<String, serde_json::Value>,
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
                    let value = map.next_value_seed(super::value::StrictValue(1))?;
                    raw.extra.insert(key.to_string(), value);
                    seen.insert_other(key).map_err(de::Error::custom)?;
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

/// docs/keys.md: NumericDates and ids are at most 2^53 − 1 ([`MAX_TIME`]), the bound minting
/// applies, so a token verifies only with values the library itself would write.
fn in_range(i: usize, v: u64) -> Result<u64> {
    if v <= MAX_TIME {
        Ok(v)
    } else {
        Err(invalid(format!(
            "claim `{}` must be at most 2^53 - 1",
            CLAIM_NAMES[i]
        )))
    }
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
            Some(Loose::UInt(v)) => in_range(i, v),
            Some(other) => Err(wrong(CLAIM_NAMES[i], "a non-negative integer", &other)),
            None => Err(missing(CLAIM_NAMES[i])),
        }
    }

    fn opt_u64(&mut self, i: usize, null_ok: bool) -> Result<Option<u64>> {
        match self.take(i) {
            None => Ok(None),
            Some(Loose::Null) if null_ok => Ok(None),
            Some(Loose::UInt(v)) => in_range(i, v).map(Some),
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
/// `type`, a `jti` or `token_name` out of its length range, a bad `allowed_ips` entry,
/// a time or id (`iat`, `exp`, `nbf`, `id`, `user_group_id`, `parent.id`) above
/// 2^53 − 1 ([`MAX_TIME`](crate::MAX_TIME)), an `aud` that is neither a string nor an
/// array of strings, an `iss` that is not a string, a `scope` that is not a strict scope
/// list ([`ScopeSet::parse`](crate::ScopeSet::parse)).
///
/// `aud` and `iss` are returned in [`Claims::audience`] and [`Claims::issuer`]; whether
/// they are acceptable is decided by [`Verifier`](crate::Verifier) (see
/// [`VerifyOptions::audiences`](crate::VerifyOptions::audiences)).
pub fn decode_claims(payload: &[u8]) -> Result<Claims> {
    let Ok(text) = std::str::from_utf8(payload) else {
        return Err(Error::with_message(
            ErrorCode::MalformedToken,
            "claims are not UTF-8",
        ));
    };
    // The claims as issuers write them are plain JSON (known claims, scalar values, no
    // whitespace or escapes): read those in one pass straight into `Claims`. Anything
    // else — or anything that shortcut declines, such as a repeated claim or a value of
    // the wrong type — is read, and judged, by the strict path below.
    if let Some(claims) = super::plain::read_plain_claims(text) {
        return Ok(claims);
    }
    decode_strict(text)
}

/// The strict path of [`decode_claims`]: `text` read by serde_json, every claim checked
/// in a fixed order, the first problem reported.
pub(super) fn decode_strict(text: &str) -> Result<Claims> {
    let mut raw = RawClaims::default();
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
        Some(Loose::StrArray(items)) => Some(parse_rule_set(&items, |i, e| {
            invalid(format!(
                "claim `allowed_ips[{i}]` is not a valid rule: {}",
                e.message()
            ))
        })?),
        Some(other) => return Err(wrong("allowed_ips", "an array of IP/CIDR strings", &other)),
    };
    let parent = match raw.parent.take() {
        None => None,
        Some(Ok(p)) if p.id > MAX_TIME => {
            return Err(invalid("claim `parent.id` must be at most 2^53 - 1"))
        }
        Some(Ok(p)) => Some(p),
        Some(Err(msg)) => return Err(invalid(msg)),
    };
    // RFC 7519 §4.1.3: a string or an array of strings. Whether the verifier is one of the
    // audiences is decided by the verifier (it knows its configuration).
    let audience = match raw.take(13) {
        None => None,
        Some(Loose::Str(s)) => Some(vec![s.into_owned()]),
        Some(Loose::StrArray(items)) => Some(items.into_iter().map(Cow::into_owned).collect()),
        Some(other) => return Err(wrong("aud", "a string or an array of strings", &other)),
    };
    let issuer = raw.opt_string(14, false)?;
    let scope = match raw.opt_string(15, false)? {
        None => None,
        Some(text) => Some(
            ScopeSet::parse(&text)
                .map_err(|e| invalid(format!("claim `scope`: {}", e.message())))?,
        ),
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
        audience,
        issuer,
        scope,
        extra: std::mem::take(&mut raw.extra),
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

#[cfg(test)]
mod tests {
    use super::*;

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
