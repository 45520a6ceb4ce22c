//! The JSON body of `POST /token`:
//! `{"token": {"name": ..., "ttl": ..., "allowed_ips": [...], "scopes": [...]}}`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{build_request, check_body, invalid_request, invalid_ttl, refuse_bom, TokenFields};
use crate::error::Result;
use crate::json::{parse_strict, SeenKeys, Skip, Str, DUPLICATE_KEY};
use crate::token_api::CreateTokenRequest;
use crate::ttl::Lifetime;

impl CreateTokenRequest {
    /// Reads a JSON body:
    /// `{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["192.168.2.0/24"]}}`.
    ///
    /// The body is at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) of UTF-8 (a byte-order mark
    /// is `invalid_request`, as in [`from_xml`](Self::from_xml)) holding one
    /// JSON object with a `token` object; other members at either level are ignored. Errors:
    /// - `invalid_request`: too large, not UTF-8, not strict JSON (trailing data, nesting
    ///   deeper than 32 levels in an ignored member),
    ///   a duplicate key in the top-level or `token` object, no `token` object, `name`
    ///   missing or not a string of 1–255 characters, `allowed_ips` not an array (`null`
    ///   included) or an entry that is not a string, `scopes` not an array or an entry
    ///   that is not a string;
    /// - `invalid_scope`: a `scopes` entry that is not a scope name, one given twice, an
    ///   empty `scopes` (leave it out to keep the caller's);
    /// - `invalid_ttl`: `ttl` neither null nor a JSON integer, or above `i64::MAX`;
    /// - `invalid_ip_rule`: an `allowed_ips` entry that is not a strict IP/CIDR rule (the
    ///   message names its index).
    ///
    /// Strings are taken exactly as written: `"a\r\nb"` keeps its CR (an XML body gets the
    /// same name only from `&#13;`, since XML turns a raw CR LF into LF). Reading takes time
    /// linear in the body's size (duplicate keys are found with a hash set past 8 keys).
    ///
    /// `ttl` absent or `null` means unlimited ([`Lifetime::Static`]); an integer is kept as
    /// [`Lifetime::Ttl`] for the issuer's policy to check. Fields are checked in the order
    /// `name`, `ttl`, `allowed_ips`. A TTL of 0 or less, or above the issuer's maximum, is
    /// refused by [`create_token`](crate::create_token) (`invalid_ttl`).
    ///
    /// ```
    /// use auth_core::{CreateTokenRequest, ErrorCode, Lifetime};
    ///
    /// let req = CreateTokenRequest::from_json(
    ///     br#"{"token": {"name": "Best token ever", "ttl": 2678400,
    ///          "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#,
    /// ).unwrap();
    /// assert_eq!(req.name, "Best token ever");
    /// assert_eq!(req.lifetime, Lifetime::Ttl(2_678_400));
    /// assert_eq!(req.allowed_ips.len(), 3);
    ///
    /// // No ttl: a static (unlimited) token.
    /// let req = CreateTokenRequest::from_json(br#"{"token": {"name": "forever"}}"#).unwrap();
    /// assert_eq!(req.lifetime, Lifetime::Static);
    ///
    /// let err = CreateTokenRequest::from_json(br#"{"token": {"name": "x", "allowed_ips": ["192.168.2.5/24"]}}"#)
    ///     .unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    /// ```
    pub fn from_json(body: &[u8]) -> Result<CreateTokenRequest> {
        check_body(body)?;
        let text = std::str::from_utf8(body)
            .map_err(|_| invalid_request("the body is not valid UTF-8"))?;
        let body = refuse_bom(text)?.as_bytes();
        let top = parse_strict(body, |de| de.deserialize_any(ObjectOr(TopReader)))
            .map_err(|e| invalid_request(format!("invalid JSON body: {}", json_problem(&e))))?;
        let fields = match top {
            None => return Err(invalid_request("the body must be a JSON object")),
            Some(None) => return Err(invalid_request("the body has no \"token\" object")),
            Some(Some(None)) => return Err(invalid_request("\"token\" must be a JSON object")),
            Some(Some(Some(fields))) => fields,
        };
        build_request(fields)
    }
}

impl TokenFields for JsonTokenFields {
    fn name(&mut self) -> Result<Option<String>> {
        match self.name.take() {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid_request("token name must be a string")),
        }
    }

    fn lifetime(&mut self) -> Result<Lifetime> {
        json_ttl(self.ttl.as_ref())
    }

    fn scope_names(&mut self) -> Result<Option<Vec<String>>> {
        match self.scopes.take() {
            None => Ok(None),
            Some(serde_json::Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    serde_json::Value::String(s) => Ok(s),
                    _ => Err(invalid_request(format!("scopes[{i}] must be a string"))),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(invalid_request("scopes must be an array of scope names")),
        }
    }

    fn ip_texts(&mut self) -> Result<Vec<String>> {
        match self.allowed_ips.take() {
            None => Ok(Vec::new()),
            Some(serde_json::Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    serde_json::Value::String(s) => Ok(s),
                    _ => Err(invalid_request(format!(
                        "allowed_ips[{i}] must be a string"
                    ))),
                })
                .collect(),
            Some(_) => Err(invalid_request(
                "allowed_ips must be an array of IP/CIDR strings",
            )),
        }
    }
}

/// The lifetime a JSON `ttl` member asks for: absent or `null` → [`Lifetime::Static`]
/// (unlimited); a JSON integer → [`Lifetime::Ttl`]; anything else (float, string, bool,
/// out of range) → `invalid_ttl`.
fn json_ttl(value: Option<&serde_json::Value>) -> Result<Lifetime> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(Lifetime::Static),
        Some(serde_json::Value::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Ok(Lifetime::Ttl(i)),
            (None, Some(_)) => Err(invalid_ttl("ttl is too large")),
            _ => Err(invalid_ttl("ttl must be an integer number of seconds")),
        },
        Some(_) => Err(invalid_ttl("ttl must be an integer number of seconds")),
    }
}

/// A description of a JSON error that never quotes the body.
fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = if text.contains(DUPLICATE_KEY) {
        "duplicate key"
    } else if text.contains("nesting too deep") || text.contains("recursion limit") {
        "nesting too deep"
    } else {
        match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Io => "read error",
        }
    };
    format!("{what} at line {}, column {}", e.line(), e.column())
}

// --- strict JSON reading ---------------------------------------------------------

/// Reads one JSON object's members.
trait MapReader<'de> {
    type Out;
    fn read<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Out, A::Error>;
}

/// Any JSON value: `Some(out)` for an object read by `R`, `None` for anything else
/// (consumed without quoting it in an error). Skipped values may nest at most
/// 32 levels deep, like the claims decoder's.
struct ObjectOr<R>(R);

impl<'de, R: MapReader<'de>> DeserializeSeed<'de> for ObjectOr<R> {
    type Value = Option<R::Out>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: MapReader<'de>> Visitor<'de> for ObjectOr<R> {
    type Value = Option<R::Out>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Self::Value, A::Error> {
        Skip(1).visit_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
        self.0.read(map).map(Some)
    }
}

/// The top-level object: its `token` member (`None` absent, `Some(None)` not an object).
struct TopReader;

impl<'de> MapReader<'de> for TopReader {
    type Out = Option<Option<JsonTokenFields>>;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Out, A::Error> {
        let mut seen = SeenKeys::default();
        let mut token = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.0 == "token" {
                seen.insert_known(0).map_err(de::Error::custom)?;
                token = Some(map.next_value_seed(ObjectOr(TokenReader))?);
            } else {
                seen.insert_other(key.0).map_err(de::Error::custom)?;
                map.next_value_seed(Skip(1))?;
            }
        }
        Ok(token)
    }
}

/// The raw members of the `token` object, checked after parsing.
#[derive(Default)]
struct JsonTokenFields {
    name: Option<serde_json::Value>,
    ttl: Option<serde_json::Value>,
    allowed_ips: Option<serde_json::Value>,
    scopes: Option<serde_json::Value>,
}

struct TokenReader;

impl<'de> MapReader<'de> for TokenReader {
    type Out = JsonTokenFields;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Out, A::Error> {
        let mut seen = SeenKeys::default();
        let mut out = JsonTokenFields::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let (bit, slot) = match key.0.as_ref() {
                "name" => (0, &mut out.name),
                "ttl" => (1, &mut out.ttl),
                "allowed_ips" => (2, &mut out.allowed_ips),
                "scopes" => (3, &mut out.scopes),
                _ => {
                    seen.insert_other(key.0).map_err(de::Error::custom)?;
                    map.next_value_seed(Skip(2))?;
                    continue;
                }
            };
            seen.insert_known(bit).map_err(de::Error::custom)?;
            *slot = Some(map.next_value::<serde_json::Value>()?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn ttl_member_absent_null_or_integer() {
        assert_eq!(json_ttl(None).unwrap(), Lifetime::Static);
        assert_eq!(json_ttl(Some(&json!(null))).unwrap(), Lifetime::Static);
        assert_eq!(
            json_ttl(Some(&json!(2678400))).unwrap(),
            Lifetime::Ttl(2678400)
        );
        assert_eq!(json_ttl(Some(&json!(-5))).unwrap(), Lifetime::Ttl(-5));
        for bad in [
            json!(1.5),
            json!("60"),
            json!(true),
            json!(u64::MAX),
            json!([1]),
        ] {
            assert_eq!(
                json_ttl(Some(&bad)).unwrap_err().code(),
                ErrorCode::InvalidTtl,
                "{bad}"
            );
        }
    }
}
