//! Custom claims (docs/token-format.md): any JSON members beside the ones this library
//! owns, minted from a JSON object and read back, strictly, after verification.

use serde_json::{Map, Value};

use super::Claims;
use crate::error::{Error, ErrorCode, Result};
use crate::json::MAX_DEPTH;

/// The claim names this library owns (docs/token-format.md); minting a custom claim with
/// one of these names is refused.
pub const RESERVED_CLAIMS: [&str; 16] = [
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
    "aud",
    "iss",
    "scope",
];

/// The index of a claim in [`RESERVED_CLAIMS`] (a `match` compiles to a length switch
/// and one comparison, instead of a scan over the names).
pub(super) fn claim_index(key: &str) -> Option<usize> {
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
        "aud" => 13,
        "iss" => 14,
        "scope" => 15,
        _ => return None,
    })
}

/// Most custom claims a token may carry.
pub const MAX_EXTRA_CLAIMS: usize = 64;

fn bad_request(msg: impl Into<String>) -> Error {
    Error::with_message(ErrorCode::InvalidRequest, msg.into())
}

/// Nesting of a value: 0 for a scalar, 1 for a flat array or object, and so on.
fn depth(v: &Value) -> u32 {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Checks custom claims for minting: no reserved name, at most [`MAX_EXTRA_CLAIMS`],
/// nesting within the bound verifiers apply → `invalid_request` naming the claim.
pub fn check_extra_claims(extra: &Map<String, Value>) -> Result<()> {
    if extra.len() > MAX_EXTRA_CLAIMS {
        return Err(bad_request(format!(
            "at most {MAX_EXTRA_CLAIMS} custom claims, got {}",
            extra.len()
        )));
    }
    for (name, value) in extra {
        if RESERVED_CLAIMS.contains(&name.as_str()) {
            return Err(bad_request(format!(
                "custom claim {name:?} is a name this library owns"
            )));
        }
        // The claims object is one level; a claim's value may nest below it.
        if depth(value) + 1 >= MAX_DEPTH {
            return Err(bad_request(format!(
                "custom claim {name:?} nests deeper than {} levels",
                MAX_DEPTH - 2
            )));
        }
    }
    Ok(())
}

/// Custom claims from JSON text: a strict JSON object (no duplicate keys, bounded
/// nesting), checked by [`check_extra_claims`]. Anything else → `invalid_request`.
///
/// ```
/// let extra = auth_core::parse_extra_claims(r#"{"roles":["admin"],"tenant":"read"}"#).unwrap();
/// assert_eq!(extra["tenant"], "read");
/// for bad in [r#"{"exp":1}"#, r#"{"a":1,"a":2}"#, "[1]", "{"] {
///     assert_eq!(auth_core::parse_extra_claims(bad).unwrap_err().code().as_str(), "invalid_request");
/// }
/// ```
pub fn parse_extra_claims(text: &str) -> Result<Map<String, Value>> {
    match super::value::parse_strict_value(text) {
        Ok(Value::Object(m)) => {
            check_extra_claims(&m)?;
            Ok(m)
        }
        Ok(_) => Err(bad_request("custom claims must be a JSON object")),
        Err(e) => Err(bad_request(format!(
            "custom claims are not strict JSON: {}",
            super::json_error_kind(&e)
        ))),
    }
}

impl Claims {
    /// The custom claims: every member of the token's claims that this library does not
    /// own, as JSON values (empty when there are none).
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// One custom claim read into `T` through serde: `Ok(None)` when absent,
    /// `invalid_claims` naming it when it does not have `T`'s shape.
    ///
    /// ```
    /// use auth_core::{Claims, Subject};
    /// let mut c = Claims::new(Subject::reseller(1, "r"), 0, "j");
    /// c.extra.insert("roles".into(), serde_json::json!(["a", "b"]));
    /// let roles: Vec<String> = c.extra_claim("roles").unwrap().unwrap();
    /// assert_eq!(roles, ["a", "b"]);
    /// assert!(c.extra_claim::<u32>("roles").is_err());
    /// assert!(c.extra_claim::<u32>("other").unwrap().is_none());
    /// ```
    pub fn extra_claim<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        match self.extra.get(name) {
            None => Ok(None),
            Some(v) => T::deserialize(v).map(Some).map_err(|_| {
                Error::with_message(
                    ErrorCode::InvalidClaims,
                    format!("custom claim {name:?} does not have the expected type"),
                )
            }),
        }
    }

    /// All custom claims read into one `T` (typically a struct with
    /// `#[derive(Deserialize)]`) → `invalid_claims` when they do not fit.
    pub fn extra_claims_as<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(&Value::Object(self.extra.clone())).map_err(|e| {
            Error::with_message(
                ErrorCode::InvalidClaims,
                format!(
                    "custom claims do not have the expected shape: {}",
                    super::json_error_kind(&e)
                ),
            )
        })
    }

    /// The custom claims as compact JSON object text (`{}` when there are none).
    pub fn extra_json(&self) -> String {
        Value::Object(self.extra.clone()).to_string()
    }
}
