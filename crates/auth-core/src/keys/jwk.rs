//! JWK (RFC 7517, 7518 §6.2, 8037) and JWK Set reading and writing for EdDSA and ES256 keys.
//!
//! The reader is strict (docs/keys.md): the text is a strict JSON object (no duplicate
//! key, bounded nesting and size); every key has a valid `kid`, unique in the set; `kty`,
//! `crv` and `alg` agree (`OKP`/`Ed25519`/`EdDSA` or `EC`/`P-256`/`ES256`; `alg` may be
//! absent); `use`, if present, is `sig`; `key_ops`, if present, lists only `sign` and
//! `verify`, each once, and lists `verify` for a public key (`sign` for a private one):
//! RFC 7517 §4.3 limits the key to the operations listed; `x`, `y` and `d` are canonical unpadded base64url of exactly 32 bytes; the
//! point is on the curve (and, for Ed25519, not of small order); a private member (`d`,
//! or RSA / symmetric members) where a public key is expected is refused, and a `d` that
//! does not match `x`/`y` is refused. Every failure is `invalid_key` naming the key.
//! Members this reader does not know (`x5t`, …) are ignored, as RFC 7517 §4 says.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::asym::AsymKey;
use super::invalid;
use super::{Algorithm, Key, KeyRing};
use crate::error::{Error, Result};

/// Largest JWK or JWK Set text read, in bytes.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Most keys a JWK Set may hold.
pub const MAX_JWKS_KEYS: usize = 256;

/// Members that only private (or symmetric / RSA private) keys carry.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>> {
    if text.len() > MAX_JWKS_BYTES {
        return Err(invalid(format!(
            "{what} is larger than {MAX_JWKS_BYTES} bytes"
        )));
    }
    match crate::claims::value::parse_strict_value(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(invalid(format!("{what} is not a JSON object"))),
        Err(e) => Err(invalid(format!(
            "{what} is not strict JSON: {}",
            crate::claims::json_error_kind(&e)
        ))),
    }
}

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("`{name}` must be a string"))),
    }
}

fn b64_member(jwk: &Map<String, Value>, name: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    match member(jwk, name)? {
        None => Ok(None),
        Some(s) => crate::jws::B64
            .decode(s)
            .map(|v| Some(zeroize::Zeroizing::new(v)))
            .map_err(|_| invalid(format!("`{name}` is not canonical unpadded base64url"))),
    }
}

/// Reads one JWK object into a key (`private_ok`: whether `d` is accepted).
fn key_from_object(jwk: &Map<String, Value>, private_ok: bool) -> Result<Key> {
    let kid = member(jwk, "kid")?.ok_or_else(|| invalid("`kid` is missing"))?;
    super::validate_kid(kid)?;
    key_body(jwk, private_ok).map_err(|e| super::named(kid, e))
}

fn key_body(jwk: &Map<String, Value>, private_ok: bool) -> Result<Key> {
    let kid = member(jwk, "kid")?.unwrap_or_default();
    let kty = member(jwk, "kty")?.ok_or_else(|| invalid("`kty` is missing"))?;
    let crv = member(jwk, "crv")?;
    let alg = match (kty, crv) {
        ("OKP", Some("Ed25519")) => Algorithm::EdDSA,
        ("EC", Some("P-256")) => Algorithm::ES256,
        ("OKP" | "EC", Some(c)) => {
            return Err(invalid(format!(
                "`crv` {c:?} does not match `kty` {kty:?} or is not supported"
            )))
        }
        ("OKP" | "EC", None) => return Err(invalid("`crv` is missing")),
        (other, _) => {
            return Err(invalid(format!(
                "`kty` {other:?} is not supported (OKP Ed25519 and EC P-256 only)"
            )))
        }
    };
    if let Some(a) = member(jwk, "alg")? {
        if a != alg.as_str() {
            return Err(invalid(format!(
                "`alg` {a:?} does not match the {kty} {} key (want {alg})",
                crv.unwrap_or_default()
            )));
        }
    }
    match member(jwk, "use")? {
        None | Some("sig") => {}
        Some(u) => {
            return Err(invalid(format!(
                "`use` is {u:?}: only signature keys (\"sig\") are read"
            )))
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let ops: Vec<&str> = ops
            .as_array()
            .and_then(|ops| ops.iter().map(Value::as_str).collect::<Option<_>>())
            .filter(|ops: &Vec<&str>| ops.iter().all(|o| matches!(*o, "sign" | "verify")))
            .ok_or_else(|| invalid("`key_ops` may only list \"sign\" and \"verify\""))?;
        if ops.len() == 2 && ops[0] == ops[1] {
            return Err(invalid("`key_ops` lists an operation twice"));
        }
        // RFC 7517 §4.3: the key is for the operations listed, and no other.
        let wanted = if private_ok && jwk.contains_key("d") {
            "sign"
        } else {
            "verify"
        };
        if !ops.contains(&wanted) {
            return Err(invalid(format!(
                "`key_ops` does not list \"{wanted}\": the key may not be used to {wanted}"
            )));
        }
    }
    for name in PRIVATE_MEMBERS {
        if jwk.contains_key(name) && !(private_ok && name == "d") {
            return Err(invalid(format!(
                "private member `{name}` where a public key is expected"
            )));
        }
    }
    if jwk.contains_key("k") {
        return Err(invalid("member `k` (a symmetric secret) is never read"));
    }
    let x = b64_member(jwk, "x")?.ok_or_else(|| invalid("`x` is missing"))?;
    let y = b64_member(jwk, "y")?;
    let public = match alg {
        Algorithm::EdDSA => {
            if y.is_some() {
                return Err(invalid("an OKP key has no `y`"));
            }
            AsymKey::ed25519_public(&x)?
        }
        _ => {
            let y = y.ok_or_else(|| invalid("`y` is missing"))?;
            AsymKey::p256_public(&x, &y)?
        }
    };
    let key = match b64_member(jwk, "d")? {
        None => public,
        Some(d) => {
            let private = AsymKey::from_raw_private(alg, &d)?;
            if private.public_coordinates() != public.public_coordinates() {
                return Err(invalid("`d` does not match the public key in `x`/`y`"));
            }
            private
        }
    };
    Key::from_asym(kid, key)
}

impl Key {
    /// An EdDSA or ES256 key from PEM: an unencrypted PKCS#8 private key (mints and
    /// verifies) or an SPKI public key (verifies only). The key type sets the algorithm.
    /// Anything else → `invalid_key` naming the key.
    ///
    /// ```
    /// use auth_core::{Algorithm, Key, SystemRandom};
    /// let private = Key::generate("a", Algorithm::EdDSA, &SystemRandom).unwrap();
    /// let public = Key::from_pem("a", &private.public_key_pem().unwrap()).unwrap();
    /// assert_eq!(public.algorithm(), Algorithm::EdDSA);
    /// assert!(!public.is_private());
    /// assert_eq!(Key::from_pem("a", "junk").unwrap_err().code().as_str(), "invalid_key");
    /// ```
    pub fn from_pem(kid: &str, pem: &str) -> Result<Key> {
        super::validate_kid(kid)?;
        let key = AsymKey::from_pem(pem).map_err(|e| super::named(kid, e))?;
        Key::from_asym(kid, key)
    }

    /// An EdDSA or ES256 key from one JWK (text of a JSON object), private (with `d`) or
    /// public, read as strictly as [`KeyRing::from_jwks`] reads each key.
    pub fn from_jwk(text: &str) -> Result<Key> {
        key_from_object(&parse_object(text, "JWK")?, true)
    }

    /// The public JWK of an EdDSA or ES256 key (`kid`, `kty`, `crv`, `x`, `y`, `alg`,
    /// `use: "sig"`). An HMAC key has none → `invalid_key`.
    pub fn to_public_jwk(&self) -> Result<Value> {
        let Some(a) = self.asym() else {
            return Err(self
                .to_public()
                .err()
                .unwrap_or_else(|| invalid("not exportable")));
        };
        let (x, y) = a.public_coordinates();
        let b64 = |b: &[u8]| crate::jws::B64.encode(b);
        Ok(match y {
            None => json!({
                "kty": "OKP", "crv": "Ed25519", "x": b64(&x),
                "kid": self.kid(), "alg": "EdDSA", "use": "sig",
            }),
            Some(y) => json!({
                "kty": "EC", "crv": "P-256", "x": b64(&x), "y": b64(&y),
                "kid": self.kid(), "alg": "ES256", "use": "sig",
            }),
        })
    }

    /// The private JWK of an EdDSA or ES256 private key (the public JWK with `d`), wiped
    /// from memory when dropped. A public or HMAC key → `invalid_key`.
    pub fn to_private_jwk(&self) -> Result<zeroize::Zeroizing<String>> {
        let mut jwk = self.to_public_jwk()?;
        let d = self
            .asym()
            .and_then(AsymKey::private_bytes)
            .ok_or_else(|| super::named(self.kid(), invalid("a public key has no private JWK")))?;
        let mut d_b64 = zeroize::Zeroizing::new(crate::jws::B64.encode(&d[..]));
        if let Value::Object(m) = &mut jwk {
            m.insert("d".to_owned(), Value::String(std::mem::take(&mut *d_b64)));
        }
        let text = zeroize::Zeroizing::new(jwk.to_string());
        if let Value::Object(m) = &mut jwk {
            if let Some(Value::String(s)) = m.get_mut("d") {
                zeroize::Zeroize::zeroize(s);
            }
        }
        Ok(text)
    }
}

impl KeyRing {
    /// A verify-only ring from JWK Set text (`{"keys": [...]}`), read strictly (see the
    /// rules in docs/keys.md): every failure is `invalid_key` naming the key. Every key is
    /// public; the first is the ring's active key, so minting with it is a clear
    /// `invalid_key` (a public key cannot mint).
    ///
    /// ```
    /// use auth_core::{Algorithm, Key, KeyRing, SystemRandom};
    /// let issuer_ring = KeyRing::single(Key::generate("k1", Algorithm::ES256, &SystemRandom).unwrap());
    /// let jwks = issuer_ring.to_jwks();
    /// let verify_only = KeyRing::from_jwks(&jwks).unwrap();
    /// assert!(!verify_only.get("k1").unwrap().is_private());
    /// let bad = KeyRing::from_jwks(r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1"}]}"#).unwrap_err();
    /// assert_eq!(bad.code().as_str(), "invalid_key");
    /// ```
    pub fn from_jwks(text: &str) -> Result<KeyRing> {
        let doc = parse_object(text, "JWK Set")?;
        let keys = match doc.get("keys") {
            Some(Value::Array(keys)) => keys,
            Some(_) => return Err(invalid("JWK Set `keys` is not an array")),
            None => return Err(invalid("JWK Set has no `keys` member")),
        };
        if keys.len() > MAX_JWKS_KEYS {
            return Err(invalid(format!(
                "JWK Set has more than {MAX_JWKS_KEYS} keys"
            )));
        }
        let mut ring = KeyRing::new();
        for (i, jwk) in keys.iter().enumerate() {
            let Value::Object(obj) = jwk else {
                return Err(invalid(format!("JWK Set keys[{i}] is not an object")));
            };
            let key = key_from_object(obj, false).map_err(|e| {
                Error::with_message(e.code(), format!("keys[{i}]: {}", e.message()))
            })?;
            if ring.get(key.kid()).is_some() {
                return Err(invalid(format!(
                    "keys[{i}]: key {:?}: duplicate `kid` in the JWK Set",
                    key.kid()
                )));
            }
            ring.add(key)?;
        }
        Ok(ring)
    }

    /// The public keys of the ring's EdDSA and ES256 keys as JWK Set text, in the order
    /// added (HMAC secrets are never exported and are left out).
    pub fn to_jwks(&self) -> String {
        let keys: Vec<Value> = self
            .keys()
            .iter()
            .filter_map(|k| k.to_public_jwk().ok())
            .collect();
        json!({ "keys": keys }).to_string()
    }
}
