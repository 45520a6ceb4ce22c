//! Keys and the key ring (docs/keys.md): HMAC keys pinned to one algorithm, looked up by `kid`.
//!
//! Each [`Key`] precomputes its HMAC state (the inner and outer padded key blocks) once,
//! so signing or verifying a token costs two hash compressions of the key less than
//! keying HMAC from scratch. The secret bytes themselves are not kept beyond that
//! keyed state, and neither `Debug` nor any error message shows them.
//!
//! The keyed state is wiped when dropped: `hmac` 0.13 and `sha2` 0.11 are built with their
//! `zeroize` feature, which zeroes every SHA-2 core (the precomputed inner and outer states,
//! and the per-call copies cloned from them) on drop, without `unsafe` in this crate.
//! Secrets made by [`generate_secret_for`] are wiped from the stack the same way.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use crate::error::{Error, ErrorCode, Result};

/// The HMAC algorithms a key can be pinned to. The token header never chooses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA-256 (the default).
    #[default]
    HS256,
    /// HMAC-SHA-384.
    HS384,
    /// HMAC-SHA-512.
    HS512,
}

impl Algorithm {
    /// The JOSE name, e.g. `"HS256"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
        }
    }

    /// Parses the exact JOSE name (`HS256`, `HS384`, `HS512`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "HS256" => Some(Algorithm::HS256),
            "HS384" => Some(Algorithm::HS384),
            "HS512" => Some(Algorithm::HS512),
            _ => None,
        }
    }

    /// Parses the exact JOSE name; anything else (including `none` and non-HMAC
    /// algorithms) → `invalid_key`.
    pub fn parse(name: &str) -> Result<Self> {
        Algorithm::from_name(name).ok_or_else(|| {
            Error::with_message(
                ErrorCode::InvalidKey,
                "algorithm must be HS256, HS384 or HS512",
            )
        })
    }

    /// Length of the MAC in bytes.
    pub const fn mac_len(self) -> usize {
        match self {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
        }
    }

    /// Shortest secret accepted for this algorithm: the hash output length (RFC 7518
    /// §3.2, docs/keys.md) — 32 bytes for HS256, 48 for HS384, 64 for HS512.
    pub const fn min_secret_len(self) -> usize {
        self.mac_len()
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bytes of randomness in a secret made by [`generate_secret`] (256 bits).
pub const GENERATED_SECRET_BYTES: usize = 32;

/// A new random secret for HS256: 32 bytes from `rng` as unpadded base64url
/// (43 characters). Same as [`generate_secret_for`] with [`Algorithm::HS256`].
///
/// ```
/// use auth_core::{generate_secret, Algorithm, Key, SystemRandom};
/// let secret = generate_secret(&SystemRandom).unwrap();
/// assert_eq!(secret.len(), 43);
/// Key::new("k1", Algorithm::HS256, secret.as_bytes()).unwrap();
/// ```
pub fn generate_secret(rng: &dyn crate::random::RandomSource) -> Result<String> {
    generate_secret_for(Algorithm::HS256, rng)
}

/// A new random secret long enough for `alg`, as unpadded base64url text. The text
/// itself is the secret (its UTF-8 bytes are the HMAC key), so it can be stored in an
/// environment variable or a file as it is.
///
/// It holds at least 32 random bytes and at least [`Algorithm::min_secret_len`]
/// characters: 43 characters for HS256 (32 bytes), 48 for HS384 (36 bytes), 64 for
/// HS512 (48 bytes).
///
/// ```
/// use auth_core::{generate_secret_for, Algorithm, Key, SystemRandom};
/// let secret = generate_secret_for(Algorithm::HS512, &SystemRandom).unwrap();
/// assert_eq!(secret.len(), 64);
/// Key::new("k1", Algorithm::HS512, secret.as_bytes()).unwrap();
/// ```
pub fn generate_secret_for(
    alg: Algorithm,
    rng: &dyn crate::random::RandomSource,
) -> Result<String> {
    // 3 random bytes → 4 characters.
    let n = GENERATED_SECRET_BYTES.max(alg.min_secret_len().div_ceil(4) * 3);
    let mut bytes = zeroize::Zeroizing::new([0u8; 48]);
    rng.fill(&mut bytes[..n])?;
    Ok(crate::jws::B64.encode(&bytes[..n]))
}

/// Shortest HMAC secret accepted for HS256, in bytes (see [`Algorithm::min_secret_len`]
/// for the others).
pub const MIN_SECRET_LEN: usize = 32;
/// Longest `kid` accepted, in bytes.
pub const MAX_KID_LEN: usize = 128;

#[derive(Clone)]
enum MacState {
    S256(Hmac<Sha256>),
    S384(Hmac<Sha384>),
    S512(Hmac<Sha512>),
}

/// A MAC output, up to 64 bytes, on the stack.
pub(crate) struct MacOutput {
    bytes: [u8; 64],
    len: usize,
}

impl MacOutput {
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// One HMAC key: a `kid`, its pinned algorithm and the precomputed keyed state.
#[derive(Clone)]
pub struct Key {
    inner: Arc<KeyInner>,
}

struct KeyInner {
    kid: String,
    alg: Algorithm,
    mac: MacState,
    /// base64url of the header this key mints with: `{"alg":..,"typ":"JWT","kid":..}`.
    header_b64: String,
}

impl Key {
    /// A key from its secret bytes.
    ///
    /// Errors: `weak_key` if the secret is shorter than the algorithm's hash output
    /// ([`Algorithm::min_secret_len`]: 32, 48 or 64 bytes, RFC 7518 §3.2) or is one byte
    /// value repeated (`[7u8; 32]`, all zeros: a placeholder, not a secret); `invalid_key`
    /// if the `kid` is empty, longer than 128 bytes or has characters other than ASCII
    /// letters, digits and `-_.:`.
    ///
    /// ```
    /// use auth_core::{Algorithm, Key};
    /// let secret: Vec<u8> = (0u8..32).collect();
    /// let key = Key::new("2026-11", Algorithm::HS256, &secret).unwrap();
    /// assert_eq!(key.kid(), "2026-11");
    /// assert_eq!(Key::new("k", Algorithm::HS256, b"short").unwrap_err().code().as_str(), "weak_key");
    /// assert_eq!(Key::new("k", Algorithm::HS512, &secret).unwrap_err().code().as_str(), "weak_key");
    /// assert_eq!(Key::new("k", Algorithm::HS256, &[7u8; 32]).unwrap_err().code().as_str(), "weak_key");
    /// ```
    pub fn new(kid: &str, alg: Algorithm, secret: &[u8]) -> Result<Key> {
        validate_kid(kid)?;
        if secret.len() < alg.min_secret_len() {
            return Err(Error::with_message(
                ErrorCode::WeakKey,
                format!(
                    "{alg} secret must be at least {} bytes, got {}",
                    alg.min_secret_len(),
                    secret.len()
                ),
            ));
        }
        if secret.iter().all(|&b| b == secret[0]) {
            return Err(Error::with_message(
                ErrorCode::WeakKey,
                "secret is a single byte value repeated",
            ));
        }
        let mac = match alg {
            Algorithm::HS256 => MacState::S256(keyed(secret)?),
            Algorithm::HS384 => MacState::S384(keyed(secret)?),
            Algorithm::HS512 => MacState::S512(keyed(secret)?),
        };
        // The header in the order docs/token-format.md writes it; the kid needs no escaping (checked above).
        let header = format!(r#"{{"alg":"{}","typ":"JWT","kid":"{kid}"}}"#, alg.as_str());
        let header_b64 = crate::jws::B64.encode(header);
        Ok(Key {
            inner: Arc::new(KeyInner {
                kid: kid.to_owned(),
                alg,
                mac,
                header_b64,
            }),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.inner.kid
    }

    /// The algorithm this key is pinned to.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.alg
    }

    pub(crate) fn header_b64(&self) -> &str {
        &self.inner.header_b64
    }

    /// HMAC of `parts` concatenated.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> MacOutput {
        let mut out = MacOutput {
            bytes: [0u8; 64],
            len: self.inner.alg.mac_len(),
        };
        fn run<M: Mac + Clone>(m: &M, parts: &[&[u8]], out: &mut [u8]) {
            let mut m = m.clone();
            for p in parts {
                m.update(p);
            }
            out.copy_from_slice(&m.finalize().into_bytes());
        }
        let n = out.len;
        match &self.inner.mac {
            MacState::S256(m) => run(m, parts, &mut out.bytes[..n]),
            MacState::S384(m) => run(m, parts, &mut out.bytes[..n]),
            MacState::S512(m) => run(m, parts, &mut out.bytes[..n]),
        }
        out
    }

    /// Constant-time check of `tag` against the HMAC of `msg`.
    pub(crate) fn verify_mac(&self, msg: &[u8], tag: &[u8]) -> bool {
        fn run<M: Mac + Clone>(m: &M, msg: &[u8], tag: &[u8]) -> bool {
            let mut m = m.clone();
            m.update(msg);
            m.verify_slice(tag).is_ok()
        }
        match &self.inner.mac {
            MacState::S256(m) => run(m, msg, tag),
            MacState::S384(m) => run(m, msg, tag),
            MacState::S512(m) => run(m, msg, tag),
        }
    }
}

fn keyed<M: Mac + KeyInit>(secret: &[u8]) -> Result<M> {
    <M as KeyInit>::new_from_slice(secret)
        .map_err(|_| Error::with_message(ErrorCode::InvalidKey, "unusable HMAC secret"))
}

fn validate_kid(kid: &str) -> Result<()> {
    let ok = !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(Error::with_message(
            ErrorCode::InvalidKey,
            "kid must be 1-128 characters of ASCII letters, digits and -_.:",
        ))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.inner.kid)
            .field("alg", &self.inner.alg)
            .finish_non_exhaustive()
    }
}

/// Keys by `kid`: one active key mints; every key in the ring verifies (rotation).
///
/// Cloning a ring is cheap (keys are shared). A ring is `Send + Sync`.
///
/// ```
/// use auth_core::{Algorithm, Key, KeyRing};
/// let mut ring = KeyRing::new();
/// ring.add(Key::new("old", Algorithm::HS256, b"an old secret of 32 bytes or more").unwrap()).unwrap();
/// ring.add(Key::new("new", Algorithm::HS256, b"a new secret of 32 bytes or more!").unwrap()).unwrap();
/// assert_eq!(ring.active().unwrap().kid(), "old"); // the first key added is active
/// ring.set_active("new").unwrap();                 // rotate: mint with "new"...
/// assert!(ring.get("old").is_some());              // ...while "old" still verifies
/// ring.remove("old").unwrap();                     // retire it when its tokens are gone
/// ```
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    keys: Vec<Key>,
    active: Option<usize>,
    default_kid: Option<String>,
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> Self {
        KeyRing::default()
    }

    /// A ring holding one key, active.
    pub fn single(key: Key) -> Self {
        KeyRing {
            keys: vec![key],
            active: Some(0),
            default_kid: None,
        }
    }

    /// Adds a key. The first key added becomes active. A `kid` already present → `invalid_key`.
    pub fn add(&mut self, key: Key) -> Result<()> {
        if self.get(key.kid()).is_some() {
            return Err(Error::with_message(
                ErrorCode::InvalidKey,
                format!("kid {:?} is already in the key ring", key.kid()),
            ));
        }
        self.keys.push(key);
        if self.active.is_none() {
            self.active = Some(self.keys.len() - 1);
        }
        Ok(())
    }

    /// Removes (retires) a key; its tokens stop verifying. Removing the active key
    /// leaves the ring with no active key until [`KeyRing::set_active`] is called.
    /// An unknown `kid` → `unknown_key`.
    pub fn remove(&mut self, kid: &str) -> Result<Key> {
        let idx = self
            .position(kid)
            .ok_or_else(|| Error::with_message(ErrorCode::UnknownKey, "no such kid"))?;
        let key = self.keys.remove(idx);
        self.active = match self.active {
            Some(a) if a == idx => None,
            Some(a) if a > idx => Some(a - 1),
            other => other,
        };
        if self.default_kid.as_deref() == Some(kid) {
            self.default_kid = None;
        }
        Ok(key)
    }

    /// Makes `kid` the key new tokens are minted with. An unknown `kid` → `unknown_key`.
    pub fn set_active(&mut self, kid: &str) -> Result<()> {
        let idx = self
            .position(kid)
            .ok_or_else(|| Error::with_message(ErrorCode::UnknownKey, "no such kid"))?;
        self.active = Some(idx);
        Ok(())
    }

    /// The key that mints, if any.
    pub fn active(&self) -> Option<&Key> {
        self.active.map(|i| &self.keys[i])
    }

    /// Sets the key that verifies tokens without a `kid` header when the ring holds
    /// several keys (`None` clears it). An unknown `kid` → `unknown_key`.
    pub fn set_default_kid(&mut self, kid: Option<&str>) -> Result<()> {
        if let Some(k) = kid {
            if self.position(k).is_none() {
                return Err(Error::with_message(ErrorCode::UnknownKey, "no such kid"));
            }
        }
        self.default_kid = kid.map(str::to_owned);
        Ok(())
    }

    /// The configured default kid.
    pub fn default_kid(&self) -> Option<&str> {
        self.default_kid.as_deref()
    }

    /// The key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&Key> {
        self.position(kid).map(|i| &self.keys[i])
    }

    /// The key that verifies a token: by `kid`, or — without one — the only key or
    /// the configured default. `unknown_key` otherwise.
    pub fn resolve(&self, kid: Option<&str>) -> Result<&Key> {
        let key = match kid {
            Some(k) => self.get(k),
            None if self.keys.len() == 1 => self.keys.first(),
            None => self.default_kid.as_deref().and_then(|k| self.get(k)),
        };
        key.ok_or_else(|| {
            Error::with_message(
                ErrorCode::UnknownKey,
                if kid.is_some() {
                    "kid is not in the key ring"
                } else {
                    "token has no kid and the key ring has several keys"
                },
            )
        })
    }

    /// Every key, in the order added.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn position(&self, kid: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.kid() == kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

    #[test]
    fn generated_secrets_are_long_enough_for_their_algorithm() {
        use crate::random::SystemRandom;
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let secret = generate_secret_for(alg, &SystemRandom).unwrap();
            assert!(secret.len() >= alg.min_secret_len(), "{alg}");
            assert!(secret.len() >= 43, "{alg}: at least 32 random bytes");
            Key::new("k", alg, secret.as_bytes()).unwrap();
        }
    }

    #[test]
    fn weak_and_invalid_keys_are_refused() {
        assert_eq!(
            Key::new("k", Algorithm::HS256, &[0u8; 31])
                .unwrap_err()
                .code(),
            ErrorCode::WeakKey
        );
        let secret: Vec<u8> = (0u8..64).collect();
        for (alg, min) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            assert!(Key::new("k", alg, &secret[..min]).is_ok(), "{alg}");
            assert_eq!(
                Key::new("k", alg, &secret[..min - 1]).unwrap_err().code(),
                ErrorCode::WeakKey,
                "{alg}"
            );
            for byte in [0u8, 7, 0xff] {
                assert_eq!(
                    Key::new("k", alg, &[byte; 64]).unwrap_err().code(),
                    ErrorCode::WeakKey,
                    "{alg} {byte}"
                );
            }
        }
        for kid in ["", "has space", "é", &"x".repeat(129)] {
            assert_eq!(
                Key::new(kid, Algorithm::HS256, &secret[..32])
                    .unwrap_err()
                    .code(),
                ErrorCode::InvalidKey,
                "{kid:?}"
            );
        }
    }

    #[test]
    fn ring_rotation_and_resolution() {
        let a = Key::new("a", Algorithm::HS256, &SECRET[..32]).unwrap();
        let b = Key::new("b", Algorithm::HS384, &SECRET[1..49]).unwrap();
        let mut ring = KeyRing::single(a.clone());
        assert_eq!(ring.resolve(None).unwrap().kid(), "a");
        ring.add(b).unwrap();
        assert_eq!(ring.add(a).unwrap_err().code(), ErrorCode::InvalidKey);
        assert_eq!(
            ring.resolve(None).unwrap_err().code(),
            ErrorCode::UnknownKey
        );
        ring.set_default_kid(Some("b")).unwrap();
        assert_eq!(ring.resolve(None).unwrap().kid(), "b");
        assert_eq!(ring.active().unwrap().kid(), "a");
        ring.set_active("b").unwrap();
        ring.remove("a").unwrap();
        assert_eq!(ring.active().unwrap().kid(), "b");
        assert_eq!(
            ring.resolve(Some("a")).unwrap_err().code(),
            ErrorCode::UnknownKey
        );
        ring.remove("b").unwrap();
        assert!(ring.active().is_none());
        assert!(ring.default_kid().is_none());
    }

    #[test]
    fn mac_matches_a_fresh_hmac() {
        let k = Key::new("a", Algorithm::HS256, &SECRET[..32]).unwrap();
        let mut m = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(&SECRET[..32]).unwrap();
        m.update(b"ab.cd");
        let want = m.finalize().into_bytes();
        assert_eq!(k.mac(&[b"ab", b".", b"cd"]).as_slice(), &want[..]);
        assert!(k.verify_mac(b"ab.cd", &want));
        assert!(!k.verify_mac(b"ab.ce", &want));
        assert!(!k.verify_mac(b"ab.cd", &want[..31]));
    }
}
