//! JWK (RFC 7517, 7518 §6.2 and §6.3, 8037) and JWK Set reading and writing for EdDSA,
//! ECDSA (P-256, P-384, P-521) and RSA keys.
//!
//! The reader is strict (docs/keys.md): the text is a strict JSON object (no duplicate
//! key, bounded nesting and size); every key has a valid `kid`, unique in the set; `kty`,
//! `crv` and `alg` agree (`OKP`/`Ed25519`/`EdDSA`, `EC`/`P-256`/`ES256`, `EC`/`P-384`/`ES384`,
//! `EC`/`P-521`/`ES512`, `RSA` with `RS256` … `PS512`; `alg` may be absent, and an RSA key
//! without it is RS256); `x`, `y` and `d` are canonical unpadded base64url of the curve's
//! size; `n` and `e` have no leading zero octet and follow the RSA rules of `rsa.rs`; the
//! point is on the curve (and, for Ed25519, not of small order); a private member (`d`, `p`,
//! `q`, `dp`, `dq`, `qi`, `oth`) where a public key is expected is refused, and a `d` that
//! does not match `x`/`y` is refused. Every failure is `invalid_key` naming the key.
//!
//! RFC 7517 §4.2 and §4.3 limit a key to its `use` and `key_ops`: in a set, a key whose `use`
//! is not `sig`, whose `key_ops` lacks `verify`, or whose `alg` is a JWE algorithm is left
//! out (never used to verify); given alone to [`Key::from_jwk`], it is refused.
//! Members this reader does not know (`x5t`, `x5c`, …) are ignored, as RFC 7517 §4 says.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::asym::{AsymKey, PublicParts};
use super::ecdsa::Curve;
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

/// What a JWK Set entry is.
enum Entry {
    Key(Key),
    /// A key for another purpose (`use` other than `sig`, `key_ops` without `verify`, a JWE
    /// algorithm): not read, not used.
    Skipped,
}

/// Reads one JWK object into a key (`private_ok`: whether `d` is accepted).
fn key_from_object(jwk: &Map<String, Value>, private_ok: bool) -> Result<Entry> {
    let kid = member(jwk, "kid")?.ok_or_else(|| invalid("`kid` is missing"))?;
    super::validate_kid(kid)?;
    key_body(jwk, private_ok).map_err(|e| super::named(kid, e))
}

/// Whether `alg` names a JWE key-management algorithm (RFC 7518 §4): an encryption key.
fn is_encryption_alg(alg: &str) -> bool {
    [
        "RSA1_5", "RSA-OAEP", "ECDH-ES", "A128", "A192", "A256", "dir", "PBES2",
    ]
    .iter()
    .any(|p| alg.starts_with(p))
}

/// The `key_ops` member: `None` when absent, else whether it lists the operation wanted.
fn key_ops_allow(jwk: &Map<String, Value>, wanted: &str) -> Result<Option<bool>> {
    let Some(ops) = jwk.get("key_ops") else {
        return Ok(None);
    };
    let ops: Vec<&str> = ops
        .as_array()
        .and_then(|ops| ops.iter().map(Value::as_str).collect::<Option<_>>())
        .ok_or_else(|| invalid("`key_ops` must be an array of strings"))?;
    for (i, op) in ops.iter().enumerate() {
        if ops[..i].contains(op) {
            return Err(invalid("`key_ops` lists an operation twice"));
        }
    }
    Ok(Some(ops.contains(&wanted)))
}

fn key_body(jwk: &Map<String, Value>, private_ok: bool) -> Result<Entry> {
    let kid = member(jwk, "kid")?.unwrap_or_default();
    let kty = member(jwk, "kty")?.ok_or_else(|| invalid("`kty` is missing"))?;
    let crv = member(jwk, "crv")?;
    let alg_member = member(jwk, "alg")?;
    let private = private_ok && jwk.contains_key("d");
    // RFC 7517 §4.2 and §4.3: the key is for the use and the operations listed, no other.
    let wanted = if private { "sign" } else { "verify" };
    let other_use = match member(jwk, "use")? {
        None | Some("sig") => None,
        Some(u) => Some(format!(
            "`use` is {u:?}: only signature keys (\"sig\") are read"
        )),
    };
    let other_use = other_use.or_else(|| {
        alg_member
            .filter(|a| is_encryption_alg(a))
            .map(|a| format!("`alg` {a:?} is an encryption algorithm"))
    });
    let ops_refuse = match key_ops_allow(jwk, wanted)? {
        Some(false) => Some(format!(
            "`key_ops` does not list \"{wanted}\": the key may not be used to {wanted}"
        )),
        _ => None,
    };
    if let Some(why) = other_use.or(ops_refuse) {
        // In a set, such a key is someone else's (an encryption key beside the signing keys):
        // it is left out. Asked for alone, it is refused.
        return if private_ok {
            Err(invalid(why))
        } else {
            Ok(Entry::Skipped)
        };
    }
    if jwk.contains_key("k") {
        return Err(invalid("member `k` (a symmetric secret) is never read"));
    }
    let alg = match (kty, crv) {
        ("OKP", Some("Ed25519")) => Algorithm::EdDSA,
        ("EC", Some(c)) => Curve::from_jwk_name(c)
            .map(Curve::algorithm)
            .ok_or_else(|| invalid(format!("`crv` {c:?} is not P-256, P-384 or P-521")))?,
        ("OKP", Some(c)) => {
            return Err(invalid(format!(
                "`crv` {c:?} does not match `kty` {kty:?} or is not supported"
            )))
        }
        ("OKP" | "EC", None) => return Err(invalid("`crv` is missing")),
        ("RSA", _) => match alg_member {
            None => super::pem::DEFAULT_RSA_ALGORITHM,
            Some(a) => Algorithm::from_name(a)
                .filter(|a| a.is_rsa())
                .ok_or_else(|| {
                    invalid(format!("`alg` {a:?} is not RS256 … PS512 for an RSA key"))
                })?,
        },
        (other, _) => {
            return Err(invalid(format!(
                "`kty` {other:?} is not supported (OKP Ed25519, EC P-256/P-384/P-521, RSA)"
            )))
        }
    };
    if let Some(a) = alg_member {
        if a != alg.as_str() {
            return Err(invalid(format!(
                "`alg` {a:?} does not match the {kty} {} key (want {alg})",
                crv.unwrap_or_default()
            )));
        }
    }
    for name in PRIVATE_MEMBERS {
        if jwk.contains_key(name) && !(private && name == "d" && kty != "RSA") {
            return Err(invalid(if private_ok && kty == "RSA" {
                "an RSA private key is read from PEM (PKCS#8 or PKCS#1), not from a JWK".to_owned()
            } else {
                format!("private member `{name}` where a public key is expected")
            }));
        }
    }
    let public = if kty == "RSA" {
        let n = b64_member(jwk, "n")?.ok_or_else(|| invalid("`n` is missing"))?;
        let e = b64_member(jwk, "e")?.ok_or_else(|| invalid("`e` is missing"))?;
        AsymKey::rsa_public(alg, &n, &e)?
    } else {
        let x = b64_member(jwk, "x")?.ok_or_else(|| invalid("`x` is missing"))?;
        let y = b64_member(jwk, "y")?;
        match Curve::for_algorithm(alg) {
            None => {
                if y.is_some() {
                    return Err(invalid("an OKP key has no `y`"));
                }
                AsymKey::ed25519_public(&x)?
            }
            Some(curve) => {
                let y = y.ok_or_else(|| invalid("`y` is missing"))?;
                AsymKey::ec_public(curve, &x, &y)?
            }
        }
    };
    let key = match b64_member(jwk, "d")? {
        None => public,
        Some(d) => {
            let private = AsymKey::from_raw_private(alg, &d)?;
            if !private.same_public(&public) {
                return Err(invalid("`d` does not match the public key in `x`/`y`"));
            }
            private
        }
    };
    Key::from_asym(kid, key).map(Entry::Key)
}

impl Key {
    /// An asymmetric key from PEM: an unencrypted PKCS#8 private key (mints and verifies),
    /// an SPKI public key (verifies only), or a PKCS#1 RSA key (`RSA PUBLIC KEY`,
    /// `RSA PRIVATE KEY`). The key type sets the algorithm; an RSA key is pinned to RS256
    /// ([`Key::from_pem_for`] pins it to another). Anything else → `invalid_key` naming the key.
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
        let key = super::pem::from_pem(pem, None).map_err(|e| super::named(kid, e))?;
        Key::from_asym(kid, key)
    }

    /// Like [`Key::from_pem`], pinned to `alg`, which must fit the key: an RSA key to any of
    /// RS256 … PS512, an EC key to the algorithm of its curve, an Ed25519 key to EdDSA.
    ///
    /// ```
    /// use auth_core::{Algorithm, Key, SystemRandom};
    /// let rsa = Key::generate("r", Algorithm::RS256, &SystemRandom).unwrap();
    /// let pem = rsa.public_key_pem().unwrap();
    /// let pss = Key::from_pem_for("r", Algorithm::PS256, &pem).unwrap();
    /// assert_eq!(pss.algorithm(), Algorithm::PS256);
    /// let err = Key::from_pem_for("r", Algorithm::ES256, &pem).unwrap_err();
    /// assert_eq!(err.code().as_str(), "invalid_key");
    /// ```
    pub fn from_pem_for(kid: &str, alg: Algorithm, pem: &str) -> Result<Key> {
        super::validate_kid(kid)?;
        let key = super::pem::from_pem(pem, Some(alg)).map_err(|e| super::named(kid, e))?;
        Key::from_asym(kid, key)
    }

    /// An asymmetric key from one JWK (text of a JSON object), read as strictly as
    /// [`KeyRing::from_jwks`] reads each key: EdDSA and ECDSA private (with `d`) or public,
    /// RSA public (an RSA private key is read from PEM).
    pub fn from_jwk(text: &str) -> Result<Key> {
        match key_from_object(&parse_object(text, "JWK")?, true)? {
            Entry::Key(k) => Ok(k),
            Entry::Skipped => Err(invalid("the JWK is not a signature key")),
        }
    }

    /// The public JWK of an asymmetric key (`kid`, `kty`, `crv`/`x`/`y` or `n`/`e`, `alg`,
    /// `use: "sig"`). An HMAC key has none → `invalid_key`.
    pub fn to_public_jwk(&self) -> Result<Value> {
        let Some(a) = self.asym() else {
            return Err(self.hmac_has_no_public_form());
        };
        let b64 = |b: &[u8]| crate::jws::B64.encode(b);
        let (kid, alg) = (self.kid(), self.algorithm().as_str());
        Ok(match a.public_parts() {
            PublicParts::Okp(x) => json!({
                "kty": "OKP", "crv": "Ed25519", "x": b64(&x),
                "kid": kid, "alg": alg, "use": "sig",
            }),
            PublicParts::Ec(curve, x, y) => json!({
                "kty": "EC", "crv": curve.jwk_name(), "x": b64(x), "y": b64(y),
                "kid": kid, "alg": alg, "use": "sig",
            }),
            PublicParts::Rsa(n, e) => json!({
                "kty": "RSA", "n": b64(n), "e": b64(e),
                "kid": kid, "alg": alg, "use": "sig",
            }),
        })
    }

    /// The private JWK of an EdDSA or ECDSA private key (the public JWK with `d`), wiped
    /// from memory when dropped. A public, RSA or HMAC key → `invalid_key` (an RSA private
    /// key is written as PEM: [`Key::private_key_pem`]).
    pub fn to_private_jwk(&self) -> Result<zeroize::Zeroizing<String>> {
        let mut jwk = self.to_public_jwk()?;
        let d = self
            .asym()
            .and_then(AsymKey::private_bytes)
            .ok_or_else(|| {
                super::named(
                    self.kid(),
                    invalid("a public key has no private JWK; an RSA key is written as PEM"),
                )
            })?;
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
    /// rules in docs/keys.md): every failure is `invalid_key` naming the key. A key for
    /// another purpose (`use` other than `sig`, `key_ops` without `verify`, a JWE `alg`) is
    /// left out, so a provider's set with an encryption key beside its signing keys is read.
    /// An RSA key without `alg` is pinned to RS256. Every key is public; the first is the ring's active key, so minting with it is a clear
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
            let entry = key_from_object(obj, false).map_err(|e| {
                Error::with_message(e.code(), format!("keys[{i}]: {}", e.message()))
            })?;
            let Entry::Key(key) = entry else { continue };
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

    /// The public keys of the ring's asymmetric keys as JWK Set text, in the order
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
