//! The registered claims profile (docs/profiles.md): the RFC 7519 §4.1 claims of a token an
//! identity provider minted — `iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti` — plus `scope`
//! (RFC 9068 §2.2.3) when present, every other member kept as a custom claim.
//!
//! Read as strictly as the seeds profile ([`decode_claims`](crate::decode_claims)): a strict
//! JSON object (no duplicate key at any depth, nesting bounded), strings where strings,
//! NumericDates as integers in [0, 2^53 − 1] (a fractional NumericDate, which RFC 7519
//! allows, is refused: this library never writes one and a token is accepted only with
//! values it could have written), `aud` a string or a non-empty array of strings, `jti`
//! 1–128 characters (what revocation keys on), `scope` a strict scope list.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use super::valid_jti;
use crate::error::{Error, ErrorCode, Result};
use crate::scope::ScopeSet;
use crate::ttl::MAX_TIME;

/// One registered claim of RFC 7519 §4.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegisteredClaim {
    /// `iss`: the issuer.
    Iss,
    /// `sub`: the subject.
    Sub,
    /// `aud`: the audiences.
    Aud,
    /// `exp`: expiry.
    Exp,
    /// `nbf`: not before.
    Nbf,
    /// `iat`: issued at.
    Iat,
    /// `jti`: the token id.
    Jti,
}

impl RegisteredClaim {
    /// Every registered claim, in the order they are checked.
    pub const ALL: [RegisteredClaim; 7] = [
        RegisteredClaim::Iss,
        RegisteredClaim::Sub,
        RegisteredClaim::Aud,
        RegisteredClaim::Exp,
        RegisteredClaim::Nbf,
        RegisteredClaim::Iat,
        RegisteredClaim::Jti,
    ];

    /// The claim's name (`"exp"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            RegisteredClaim::Iss => "iss",
            RegisteredClaim::Sub => "sub",
            RegisteredClaim::Aud => "aud",
            RegisteredClaim::Exp => "exp",
            RegisteredClaim::Nbf => "nbf",
            RegisteredClaim::Iat => "iat",
            RegisteredClaim::Jti => "jti",
        }
    }

    /// The claim named exactly `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        RegisteredClaim::ALL.into_iter().find(|c| c.name() == name)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for RegisteredClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The registered claims a token must carry (PyJWT's `require`, jsonwebtoken's
/// `required_spec_claims`). The default is `exp` alone: a token from another issuer that
/// never expires is refused unless the verifier says otherwise ([`RequiredClaims::NONE`]).
///
/// ```
/// use auth_core::{RegisteredClaim, RequiredClaims};
/// let r = RequiredClaims::parse(&["exp", "sub"]).unwrap();
/// assert!(r.contains(RegisteredClaim::Sub) && !r.contains(RegisteredClaim::Iss));
/// assert_eq!(r.names(), ["sub", "exp"]);
/// assert_eq!(RequiredClaims::default().names(), ["exp"]);
/// assert_eq!(RequiredClaims::parse(&["type"]).unwrap_err().code().as_str(), "invalid_request");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequiredClaims(u8);

impl Default for RequiredClaims {
    fn default() -> Self {
        RequiredClaims::NONE.with(RegisteredClaim::Exp)
    }
}

impl fmt::Debug for RequiredClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

impl RequiredClaims {
    /// No claim required.
    pub const NONE: RequiredClaims = RequiredClaims(0);

    /// This set with `claim` added.
    #[must_use]
    pub const fn with(self, claim: RegisteredClaim) -> Self {
        RequiredClaims(self.0 | claim.bit())
    }

    /// Whether `claim` is required.
    pub const fn contains(self, claim: RegisteredClaim) -> bool {
        self.0 & claim.bit() != 0
    }

    /// The set of these names (`"iss"`, `"sub"`, `"aud"`, `"exp"`, `"nbf"`, `"iat"`,
    /// `"jti"`; an empty list requires nothing) → `invalid_request` naming any other.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self> {
        names.iter().try_fold(RequiredClaims::NONE, |set, name| {
            let name = name.as_ref();
            RegisteredClaim::from_name(name)
                .map(|c| set.with(c))
                .ok_or_else(|| {
                    Error::with_message(
                        ErrorCode::InvalidRequest,
                        format!(
                            "{name:?} is not a registered claim that can be required \
                         (iss, sub, aud, exp, nbf, iat, jti)"
                        ),
                    )
                })
        })
    }

    /// The required claims' names, in [`RegisteredClaim::ALL`]'s order.
    pub fn names(self) -> Vec<&'static str> {
        RegisteredClaim::ALL
            .into_iter()
            .filter(|c| self.contains(*c))
            .map(RegisteredClaim::name)
            .collect()
    }
}

/// The validated claims of a token read with the registered profile
/// ([`Verifier::verify_registered_with`](crate::Verifier::verify_registered_with)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// `iss`: the issuer.
    pub iss: Option<String>,
    /// `sub`: the subject.
    pub sub: Option<String>,
    /// `aud`: the audiences, a single string read as a one-element list.
    pub aud: Option<Vec<String>>,
    /// `exp`: expiry, UNIX seconds.
    pub exp: Option<u64>,
    /// `nbf`: not before, UNIX seconds.
    pub nbf: Option<u64>,
    /// `iat`: issued at, UNIX seconds.
    pub iat: Option<u64>,
    /// `jti`: the token id (1–128 characters); what revocation keys on.
    pub jti: Option<String>,
    /// `scope` (RFC 9068 §2.2.3), when the token has one. With the registered profile a
    /// token **without** the claim holds no scope (docs/profiles.md).
    pub scope: Option<ScopeSet>,
    /// Every other member of the claims object, read strictly.
    pub custom: Map<String, Value>,
}

fn invalid(msg: impl Into<Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidClaims, msg)
}

/// The JSON kind of `v`, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a non-integer number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong(name: &str, want: &str, got: &Value) -> Error {
    invalid(format!("claim `{name}` must be {want}, not {}", kind(got)))
}

struct Members {
    map: Map<String, Value>,
    required: RequiredClaims,
}

impl Members {
    /// The claim, or `invalid_claims` when it is required and missing.
    fn take(&mut self, claim: RegisteredClaim) -> Result<Option<Value>> {
        match self.map.remove(claim.name()) {
            None if self.required.contains(claim) => {
                Err(invalid(format!("claim `{claim}` is required")))
            }
            v => Ok(v),
        }
    }

    fn string(&mut self, claim: RegisteredClaim) -> Result<Option<String>> {
        match self.take(claim)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong(claim.name(), "a string", &other)),
        }
    }

    fn time(&mut self, claim: RegisteredClaim) -> Result<Option<u64>> {
        let want = "an integer NumericDate (UNIX seconds, 0 to 2^53 - 1)";
        match self.take(claim)? {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if v <= MAX_TIME => Ok(Some(v)),
                Some(_) => Err(invalid(format!("claim `{claim}` must be at most 2^53 - 1"))),
                None if n.is_f64() => Err(invalid(format!(
                    "claim `{claim}` must be {want}, not a fractional or out-of-range number"
                ))),
                None => Err(invalid(format!(
                    "claim `{claim}` must be {want}, not negative"
                ))),
            },
            Some(other) => Err(wrong(claim.name(), want, &other)),
        }
    }
}

/// Decodes and validates a claims payload with the registered profile, requiring the
/// claims in `required`.
///
/// `malformed_token`: not UTF-8, not a strict JSON object (duplicate keys at any depth,
/// nesting deeper than 31 levels). `invalid_claims`: a required claim missing, a claim of
/// the wrong type, a NumericDate that is negative, fractional or above 2^53 − 1, an empty
/// `aud` array, a `jti` out of 1–128 characters, a `scope` that is not a strict scope list.
///
/// ```
/// use auth_core::{decode_registered_claims, RequiredClaims};
/// let c = decode_registered_claims(br#"{"sub":"u1","exp":1700000000,"roles":["a"]}"#, RequiredClaims::default()).unwrap();
/// assert_eq!((c.sub.as_deref(), c.exp), (Some("u1"), Some(1_700_000_000)));
/// assert_eq!(c.custom["roles"][0], "a");
/// let e = decode_registered_claims(br#"{"sub":"u1"}"#, RequiredClaims::default()).unwrap_err();
/// assert_eq!(e.message(), "claim `exp` is required");
/// ```
pub fn decode_registered_claims(
    payload: &[u8],
    required: RequiredClaims,
) -> Result<RegisteredClaims> {
    let Ok(text) = std::str::from_utf8(payload) else {
        return Err(Error::with_message(
            ErrorCode::MalformedToken,
            "claims are not UTF-8",
        ));
    };
    let map = match super::value::parse_strict_value(text) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            return Err(Error::with_message(
                ErrorCode::MalformedToken,
                format!("claims are not a strict JSON object: {}", kind(&other)),
            ))
        }
        Err(e) => {
            return Err(Error::with_message(
                ErrorCode::MalformedToken,
                format!(
                    "claims are not a strict JSON object: {}",
                    super::json_error_kind(&e)
                ),
            ))
        }
    };
    let mut m = Members { map, required };
    let iss = m.string(RegisteredClaim::Iss)?;
    let sub = m.string(RegisteredClaim::Sub)?;
    let aud = match m.take(RegisteredClaim::Aud)? {
        None => None,
        Some(Value::String(s)) => Some(vec![s]),
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(invalid("claim `aud` must not be an empty array"))
        }
        Some(Value::Array(items)) => Some(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(wrong("aud", "a string or an array of strings", &other)),
                })
                .collect::<Result<Vec<_>>>()?,
        ),
        Some(other) => return Err(wrong("aud", "a string or an array of strings", &other)),
    };
    let exp = m.time(RegisteredClaim::Exp)?;
    let nbf = m.time(RegisteredClaim::Nbf)?;
    let iat = m.time(RegisteredClaim::Iat)?;
    let jti = m.string(RegisteredClaim::Jti)?;
    if matches!(&jti, Some(j) if !valid_jti(j)) {
        return Err(invalid("claim `jti` must be 1-128 characters"));
    }
    let scope = match m.map.remove("scope") {
        None => None,
        Some(Value::String(text)) => Some(
            ScopeSet::parse(&text)
                .map_err(|e| invalid(format!("claim `scope`: {}", e.message())))?,
        ),
        Some(other) => return Err(wrong("scope", "a string", &other)),
    };
    Ok(RegisteredClaims {
        iss,
        sub,
        aud,
        exp,
        nbf,
        iat,
        jti,
        scope,
        custom: m.map,
    })
}

impl RegisteredClaims {
    /// One custom claim read into `T` through serde: `Ok(None)` when absent,
    /// `invalid_claims` naming it when it does not have `T`'s shape.
    pub fn custom_claim<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        match self.custom.get(name) {
            None => Ok(None),
            Some(v) => T::deserialize(v).map(Some).map_err(|_| {
                invalid(format!(
                    "custom claim {name:?} does not have the expected type"
                ))
            }),
        }
    }

    /// The custom claims as compact JSON object text (`{}` when there are none).
    pub fn custom_json(&self) -> String {
        Value::Object(self.custom.clone()).to_string()
    }

    /// Every claim as one JSON object: the registered claims present (`aud` a string when
    /// it has one element, `scope` its canonical text: the names sorted) and the custom claims.
    pub fn to_json_value(&self) -> Value {
        let mut out = Map::new();
        let mut put = |name: &str, v: Option<Value>| {
            if let Some(v) = v {
                out.insert(name.to_owned(), v);
            }
        };
        put("iss", self.iss.clone().map(Value::String));
        put("sub", self.sub.clone().map(Value::String));
        put(
            "aud",
            self.aud.as_ref().map(|a| match a.as_slice() {
                [one] => Value::String(one.clone()),
                many => Value::from(many.to_vec()),
            }),
        );
        put("exp", self.exp.map(Value::from));
        put("nbf", self.nbf.map(Value::from));
        put("iat", self.iat.map(Value::from));
        put("jti", self.jti.clone().map(Value::String));
        put(
            "scope",
            self.scope.as_ref().map(|s| Value::from(s.as_str())),
        );
        for (k, v) in &self.custom {
            out.insert(k.clone(), v.clone());
        }
        Value::Object(out)
    }

    /// [`to_json_value`](Self::to_json_value) as compact JSON text.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }
}

impl crate::keys::Key {
    /// Signs `payload` as it is (no claim is checked or added) into a compact JWS with this
    /// key's header — for issuers of the registered profile's tokens and for tests; the
    /// seeds profile mints with [`Issuer`](crate::Issuer). A public key → `invalid_key`.
    ///
    /// ```
    /// use auth_core::{Algorithm, Key};
    /// let key = Key::new("k1", Algorithm::HS256, b"an example secret of 32 bytes or more").unwrap();
    /// let token = key.sign_compact(br#"{"sub":"a","exp":1}"#).unwrap();
    /// assert_eq!(token.split('.').count(), 3);
    /// ```
    pub fn sign_compact(&self, payload: &[u8]) -> Result<String> {
        let header = self.header_b64();
        let mut token = String::with_capacity(header.len() + payload.len() * 4 / 3 + 96);
        token.push_str(header);
        token.push('.');
        base64_simd::URL_SAFE_NO_PAD.encode_append(payload, &mut token);
        let sig = self.sign(token.as_bytes())?;
        token.push('.');
        base64_simd::URL_SAFE_NO_PAD.encode_append(sig.as_slice(), &mut token);
        Ok(token)
    }
}

#[cfg(test)]
mod tests;
