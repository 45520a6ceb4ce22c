//! Keys and the key ring (docs/keys.md): keys pinned to one algorithm, looked up by `kid`.
//!
//! A key is an HMAC secret (HS256/384/512), an Ed25519 key (EdDSA, RFC 8037), an ECDSA key
//! (ES256/384/512, RFC 7518 §3.4) or an RSA key (RS256 … PS512, RFC 7518 §3.3 and §3.5),
//! private or public. One file per algorithm family: `mac.rs` holds the HMAC state,
//! `eddsa.rs` the Ed25519 keys, `ecdsa.rs` the P-256/384/521 keys and `rsa.rs` the RSA keys
//! (each with its raw and DER forms and its signing and verification rules), behind the one
//! `match` of `asym.rs`; `pem.rs` reads PEM text, `jwk.rs` is the JWK and JWK Set reader and
//! writer, `ring.rs` the [`KeyRing`].
//!
//! The crypto backends: HMAC stays on RustCrypto's `hmac` + `sha2` (measured at the keyed-HMAC
//! floor, PERFORMANCE.md); Ed25519 keys and signing stay on `ed25519-dalek`, and its
//! verification runs on `aws-lc-rs` with `verify_strict`'s rules (`eddsa.rs`); ECDSA and RSA
//! run on `aws-lc-rs` (AWS-LC's assembly, keys parsed once; see `ecdsa.rs` for why).
//!
//! HMAC keys:
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

use crate::error::{Error, ErrorCode, Result};

mod asym;
mod ecdsa;
mod eddsa;
mod jwk;
mod mac;
mod pem;
mod ring;
mod rsa;

pub(crate) use self::asym::AsymKey;
pub use self::jwk::{MAX_JWKS_BYTES, MAX_JWKS_KEYS};
use self::mac::MacState;
pub use self::ring::KeyRing;
pub use self::rsa::{GENERATED_RSA_BITS, MAX_RSA_BITS, MIN_RSA_BITS};

/// The algorithms a key can be pinned to. The token header never chooses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA-256 (the default).
    #[default]
    HS256,
    /// HMAC-SHA-384.
    HS384,
    /// HMAC-SHA-512.
    HS512,
    /// Ed25519 signatures (RFC 8037), with strict verification.
    EdDSA,
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4), raw 64-byte `r‖s` signatures.
    ES256,
    /// ECDSA on P-384 with SHA-384, raw 96-byte `r‖s` signatures.
    ES384,
    /// ECDSA on P-521 with SHA-512, raw 132-byte `r‖s` signatures.
    ES512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, salt of 32 bytes (RFC 7518 §3.5).
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, salt of 48 bytes.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, salt of 64 bytes.
    PS512,
}

impl Algorithm {
    /// Every algorithm, in the order of the C ABI's `AuthAlgorithm` values.
    pub const ALL: [Algorithm; 13] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ];

    /// The JOSE name, e.g. `"HS256"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
        }
    }

    /// Parses the exact JOSE name (`HS256` … `PS512`; case-sensitive, RFC 7518 §3.1).
    pub fn from_name(name: &str) -> Option<Self> {
        Algorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Parses the exact JOSE name; anything else (including `none`) → `invalid_key`.
    pub fn parse(name: &str) -> Result<Self> {
        Algorithm::from_name(name).ok_or_else(|| {
            Error::with_message(
                ErrorCode::InvalidKey,
                "algorithm must be HS256, HS384, HS512, EdDSA, ES256, ES384, ES512, RS256, \
                 RS384, RS512, PS256, PS384 or PS512",
            )
        })
    }

    /// Length of the MAC or signature in bytes: 32/48/64 for HMAC, 64 for EdDSA and ES256,
    /// 96 for ES384, 132 for ES512; 0 for RSA, whose signature is as long as the key's
    /// modulus ([`Key::signature_len`]).
    pub const fn mac_len(self) -> usize {
        match self {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            Algorithm::HS512 | Algorithm::EdDSA | Algorithm::ES256 => 64,
            Algorithm::ES384 => 96,
            Algorithm::ES512 => 132,
            _ => 0,
        }
    }

    /// Shortest secret accepted for this algorithm: the hash output length (RFC 7518
    /// §3.2, docs/keys.md) — 32 bytes for HS256, 48 for HS384, 64 for HS512; for EdDSA
    /// and ECDSA the raw private key, exactly 32 (EdDSA, ES256), 48 (ES384) or 66 (ES512)
    /// bytes. RSA keys have no raw form (0): they are read from PEM or JWK.
    pub const fn min_secret_len(self) -> usize {
        match self {
            Algorithm::EdDSA | Algorithm::ES256 => 32,
            Algorithm::ES384 => 48,
            Algorithm::ES512 => 66,
            _ => self.mac_len(),
        }
    }

    /// Whether this is an HMAC algorithm (HS256/384/512), whose key is a shared secret.
    pub const fn is_hmac(self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }

    /// Whether this is an RSA algorithm (RS256 … PS512).
    pub const fn is_rsa(self) -> bool {
        matches!(
            self,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        )
    }

    /// Whether this is an ECDSA algorithm (ES256, ES384, ES512).
    pub const fn is_ecdsa(self) -> bool {
        matches!(self, Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512)
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

/// An `invalid_key` error: what every key reader answers for a key it cannot use.
pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::with_message(ErrorCode::InvalidKey, msg.into())
}

/// A MAC or signature: up to 132 bytes on the stack (HMAC, EdDSA, ECDSA), an RSA
/// signature (256 to 1024 bytes) on the heap.
pub(crate) enum SigOutput {
    Inline { bytes: [u8; 132], len: usize },
    Heap(Vec<u8>),
}

impl SigOutput {
    pub(crate) fn from_slice(s: &[u8]) -> Self {
        if s.len() > 132 {
            return SigOutput::Heap(s.to_vec());
        }
        let mut bytes = [0u8; 132];
        bytes[..s.len()].copy_from_slice(s);
        SigOutput::Inline {
            bytes,
            len: s.len(),
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            SigOutput::Inline { bytes, len } => &bytes[..*len],
            SigOutput::Heap(v) => v,
        }
    }
}

/// What a key signs and verifies with.
#[derive(Clone)]
enum Material {
    Hmac(MacState),
    Asym(AsymKey),
}

/// One key: a `kid`, its pinned algorithm and its key material — an HMAC secret's keyed
/// state, or an Ed25519 / P-256 private or public key.
#[derive(Clone)]
pub struct Key {
    inner: Arc<KeyInner>,
}

struct KeyInner {
    kid: String,
    alg: Algorithm,
    material: Material,
    /// base64url of the header this key mints with: `{"alg":..,"typ":"JWT","kid":..}`.
    header_b64: String,
}

impl Key {
    /// A key from its secret bytes.
    ///
    /// For HS256/384/512 the bytes are the HMAC secret. For EdDSA and ES256 they are the
    /// raw private key: the 32-byte Ed25519 seed (RFC 8032) or the 32-byte big-endian P-256
    /// scalar (a scalar of 0 or not below the group order → `invalid_key`); PEM and JWK
    /// forms are read by [`Key::from_pem`] and [`Key::from_jwk`].
    ///
    /// Errors: `weak_key` if the secret is shorter than the algorithm's hash output
    /// ([`Algorithm::min_secret_len`]: 32, 48 or 64 bytes, RFC 7518 §3.2) or is one byte
    /// value repeated (`[7u8; 32]`, all zeros: a placeholder, not a secret); `invalid_key`
    /// if the `kid` is empty, longer than 128 bytes or has characters other than ASCII
    /// letters, digits and `-_.:`, or an EdDSA/ES256 private key is not exactly 32 bytes.
    ///
    /// ```
    /// use auth_core::{Algorithm, Key};
    /// let secret: Vec<u8> = (0u8..32).collect();
    /// let key = Key::new("2026-11", Algorithm::HS256, &secret).unwrap();
    /// assert_eq!(key.kid(), "2026-11");
    /// assert_eq!(Key::new("k", Algorithm::HS256, b"short").unwrap_err().code().as_str(), "weak_key");
    /// assert_eq!(Key::new("k", Algorithm::HS512, &secret).unwrap_err().code().as_str(), "weak_key");
    /// assert_eq!(Key::new("k", Algorithm::HS256, &[7u8; 32]).unwrap_err().code().as_str(), "weak_key");
    /// let ed = Key::new("ed", Algorithm::EdDSA, &secret).unwrap();
    /// assert!(ed.is_private());
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
        let material = match MacState::new(alg, secret)? {
            Some(mac) => Material::Hmac(mac),
            None => {
                Material::Asym(AsymKey::from_raw_private(alg, secret).map_err(|e| named(kid, e))?)
            }
        };
        Ok(Key::build(kid, alg, material))
    }

    fn build(kid: &str, alg: Algorithm, material: Material) -> Key {
        // The header in the order docs/token-format.md writes it; the kid needs no escaping (checked).
        let header = format!(r#"{{"alg":"{}","typ":"JWT","kid":"{kid}"}}"#, alg.as_str());
        let header_b64 = crate::jws::B64.encode(header);
        Key {
            inner: Arc::new(KeyInner {
                kid: kid.to_owned(),
                alg,
                material,
                header_b64,
            }),
        }
    }

    /// An EdDSA or ES256 key from its key object (already checked).
    pub(crate) fn from_asym(kid: &str, key: AsymKey) -> Result<Key> {
        validate_kid(kid)?;
        Ok(Key::build(kid, key.algorithm(), Material::Asym(key)))
    }

    /// A new random EdDSA or ES256 private key from `rng` (for an HMAC algorithm, make
    /// a secret with [`generate_secret_for`] instead: `invalid_key`).
    ///
    /// ```
    /// use auth_core::{Algorithm, Key, SystemRandom};
    /// let key = Key::generate("2026-11", Algorithm::ES256, &SystemRandom).unwrap();
    /// let pem = key.private_key_pem().unwrap();
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    /// ```
    pub fn generate(
        kid: &str,
        alg: Algorithm,
        rng: &dyn crate::random::RandomSource,
    ) -> Result<Key> {
        validate_kid(kid)?;
        let key = AsymKey::generate(alg, rng)?;
        Key::from_asym(kid, key)
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.inner.kid
    }

    /// The algorithm this key is pinned to.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.alg
    }

    /// Whether this key can mint: an HMAC secret or an EdDSA/ES256 private key.
    pub fn is_private(&self) -> bool {
        match &self.inner.material {
            Material::Hmac(_) => true,
            Material::Asym(a) => a.is_private(),
        }
    }

    /// The same key with only its public half (EdDSA/ES256), for a verify-only ring.
    /// An HMAC key has no public half → `invalid_key`.
    pub fn to_public(&self) -> Result<Key> {
        match &self.inner.material {
            Material::Asym(a) => Ok(Key::build(
                self.kid(),
                self.algorithm(),
                Material::Asym(a.public_only()),
            )),
            Material::Hmac(_) => Err(self.hmac_has_no_public_form()),
        }
    }

    /// The private key as PKCS#8 PEM (EdDSA/ES256 private keys only, else `invalid_key`).
    /// The text is wiped from memory when dropped.
    pub fn private_key_pem(&self) -> Result<zeroize::Zeroizing<String>> {
        match &self.inner.material {
            Material::Asym(a) => a.private_pem().map_err(|e| named(self.kid(), e)),
            Material::Hmac(_) => Err(self.hmac_has_no_public_form()),
        }
    }

    /// The public key as SPKI PEM (EdDSA/ES256 only, else `invalid_key`).
    pub fn public_key_pem(&self) -> Result<String> {
        match &self.inner.material {
            Material::Asym(a) => a.public_pem().map_err(|e| named(self.kid(), e)),
            Material::Hmac(_) => Err(self.hmac_has_no_public_form()),
        }
    }

    pub(crate) fn asym(&self) -> Option<&AsymKey> {
        match &self.inner.material {
            Material::Asym(a) => Some(a),
            Material::Hmac(_) => None,
        }
    }

    pub(crate) fn hmac_has_no_public_form(&self) -> Error {
        Error::with_message(
            ErrorCode::InvalidKey,
            format!(
                "key {:?} is an HMAC secret: it has no public form and is never exported",
                self.kid()
            ),
        )
    }

    pub(crate) fn header_b64(&self) -> &str {
        &self.inner.header_b64
    }

    /// The MAC or signature of `msg`. A public key cannot sign → `invalid_key` naming it.
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<SigOutput> {
        match &self.inner.material {
            Material::Hmac(m) => Ok(m.mac(&[msg])),
            Material::Asym(a) => a.sign(msg).ok_or_else(|| {
                Error::with_message(
                    ErrorCode::InvalidKey,
                    format!(
                        "key {:?} is a public {} key: it verifies tokens but cannot mint them",
                        self.kid(),
                        self.algorithm()
                    ),
                )
            }),
        }
    }

    /// Bytes of this key's MAC or signature: [`Algorithm::mac_len`], or for an RSA key the
    /// length of its modulus.
    pub fn signature_len(&self) -> usize {
        match &self.inner.material {
            Material::Hmac(_) => self.inner.alg.mac_len(),
            Material::Asym(a) => a.signature_len(),
        }
    }

    /// Checks `sig` over `msg` with this key's pinned algorithm: the HMAC compared in
    /// constant time, an Ed25519 signature strictly, a raw 64-byte P-256 `r‖s`.
    pub(crate) fn verify_signature(&self, msg: &[u8], sig: &[u8]) -> bool {
        match &self.inner.material {
            Material::Hmac(m) => sig.len() == self.inner.alg.mac_len() && m.verify(msg, sig),
            Material::Asym(a) => a.verify(msg, sig),
        }
    }

    /// HMAC of `parts` concatenated (HMAC keys only; test helper).
    #[cfg(test)]
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> SigOutput {
        match &self.inner.material {
            Material::Hmac(m) => m.mac(parts),
            Material::Asym(_) => unreachable!("not an HMAC key"),
        }
    }
}

/// `e` with its message prefixed by the key it is about.
pub(crate) fn named(kid: &str, e: Error) -> Error {
    Error::with_message(e.code(), format!("key {kid:?}: {}", e.message()))
}

pub(crate) fn validate_kid(kid: &str) -> Result<()> {
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
            .field("private", &self.is_private())
            .finish_non_exhaustive()
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
        use ::hmac::{Hmac, Mac};
        let mut m =
            <Hmac<sha2::Sha256> as ::hmac::digest::KeyInit>::new_from_slice(&SECRET[..32]).unwrap();
        m.update(b"ab.cd");
        let want = m.finalize().into_bytes();
        assert_eq!(k.mac(&[b"ab", b".", b"cd"]).as_slice(), &want[..]);
        assert!(k.verify_signature(b"ab.cd", &want));
        assert!(!k.verify_signature(b"ab.ce", &want));
        assert!(!k.verify_signature(b"ab.cd", &want[..31]));
    }
}
