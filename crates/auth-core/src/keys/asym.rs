//! Ed25519 (EdDSA, RFC 8037) and P-256 (ES256, RFC 7518 §3.4) keys, private or public,
//! and their PEM forms (PKCS#8 private, SPKI public), on RustCrypto's `ed25519-dalek`
//! and `p256`.
//!
//! Verification rules (docs/keys.md):
//! - EdDSA uses `ed25519-dalek`'s strict verification: a non-canonical `S`, a small-order
//!   `R` or public key is refused; public keys of small order are refused on import.
//! - ES256 signatures are the raw 64-byte `r‖s` form only (a DER signature or any other
//!   length is refused); `r` and `s` must be in `[1, n−1]`.
//! - ES256 signatures with a high `S` are **accepted** (OpenSSL-based signers such as
//!   PyJWT with `cryptography` and libjwt do not normalize `S`, so refusing them would
//!   refuse about half of their tokens); this library always **mints** low-`S`, so every
//!   token it mints has one encoding. A second encoding of a token (its `s` replaced by
//!   `n − s`) carries the same claims and the same `jti`, so revocation still applies.
//!
//! Private keys are wiped from memory on drop (`ed25519-dalek`'s and `ecdsa`'s zeroize).

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use p256::elliptic_curve::sec1::FromEncodedPoint as _;
use p256::pkcs8::LineEnding;
use signature_api::{Signer as _, Verifier as _};

use super::{Algorithm, SigOutput};
use crate::error::{Error, ErrorCode, Result};

/// The `signature` traits, through `ed25519-dalek`'s re-export.
mod signature_api {
    pub(super) use ed25519_dalek::{Signer, Verifier};
}

/// An Ed25519 or P-256 key: always the public half, the private half when it mints.
#[derive(Clone)]
pub(crate) enum AsymKey {
    Ed25519 {
        signing: Option<Box<ed25519_dalek::SigningKey>>,
        verifying: ed25519_dalek::VerifyingKey,
    },
    P256 {
        signing: Option<Box<p256::ecdsa::SigningKey>>,
        verifying: p256::ecdsa::VerifyingKey,
    },
}

pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::with_message(ErrorCode::InvalidKey, msg.into())
}

impl AsymKey {
    /// The algorithm the key is pinned to.
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            AsymKey::Ed25519 { .. } => Algorithm::EdDSA,
            AsymKey::P256 { .. } => Algorithm::ES256,
        }
    }

    pub(crate) fn is_private(&self) -> bool {
        match self {
            AsymKey::Ed25519 { signing, .. } => signing.is_some(),
            AsymKey::P256 { signing, .. } => signing.is_some(),
        }
    }

    pub(crate) fn public_only(&self) -> AsymKey {
        match self {
            AsymKey::Ed25519 { verifying, .. } => AsymKey::Ed25519 {
                signing: None,
                verifying: *verifying,
            },
            AsymKey::P256 { verifying, .. } => AsymKey::P256 {
                signing: None,
                verifying: *verifying,
            },
        }
    }

    /// A private key from its raw 32 bytes (Ed25519 seed, P-256 big-endian scalar).
    pub(crate) fn from_raw_private(alg: Algorithm, raw: &[u8]) -> Result<AsymKey> {
        let bytes: &[u8; 32] = raw.try_into().map_err(|_| {
            invalid(format!(
                "an {alg} private key is exactly 32 bytes, got {}",
                raw.len()
            ))
        })?;
        match alg {
            Algorithm::EdDSA => Ok(AsymKey::ed25519_private(
                ed25519_dalek::SigningKey::from_bytes(bytes),
            )),
            Algorithm::ES256 => p256::ecdsa::SigningKey::from_slice(bytes)
                .map(AsymKey::p256_private)
                .map_err(|_| invalid("the P-256 private scalar is 0 or not below the group order")),
            _ => Err(invalid(format!("{alg} is not an asymmetric algorithm"))),
        }
    }

    pub(crate) fn ed25519_private(k: ed25519_dalek::SigningKey) -> AsymKey {
        AsymKey::Ed25519 {
            verifying: k.verifying_key(),
            signing: Some(Box::new(k)),
        }
    }

    pub(crate) fn p256_private(k: p256::ecdsa::SigningKey) -> AsymKey {
        AsymKey::P256 {
            verifying: *k.verifying_key(),
            signing: Some(Box::new(k)),
        }
    }

    /// An Ed25519 public key from its 32 bytes: a point on the curve, not of small order.
    pub(crate) fn ed25519_public(x: &[u8]) -> Result<AsymKey> {
        let bytes: &[u8; 32] = x.try_into().map_err(|_| {
            invalid(format!(
                "an Ed25519 public key is 32 bytes, got {}",
                x.len()
            ))
        })?;
        let verifying = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| invalid("the Ed25519 public key is not a point on the curve"))?;
        if verifying.is_weak() {
            return Err(invalid("the Ed25519 public key is of small order"));
        }
        Ok(AsymKey::Ed25519 {
            signing: None,
            verifying,
        })
    }

    /// A P-256 public key from its affine coordinates (32 bytes each): a point on the curve.
    pub(crate) fn p256_public(x: &[u8], y: &[u8]) -> Result<AsymKey> {
        if x.len() != 32 || y.len() != 32 {
            return Err(invalid(format!(
                "P-256 coordinates are 32 bytes each, got {} and {}",
                x.len(),
                y.len()
            )));
        }
        let point = p256::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
        let verifying =
            Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&point))
                .map(p256::ecdsa::VerifyingKey::from)
                .ok_or_else(|| invalid("the P-256 public key is not a point on the curve"))?;
        Ok(AsymKey::P256 {
            signing: None,
            verifying,
        })
    }

    /// A new random private key for `alg` (EdDSA or ES256).
    pub(crate) fn generate(
        alg: Algorithm,
        rng: &dyn crate::random::RandomSource,
    ) -> Result<AsymKey> {
        if alg.is_hmac() {
            return Err(invalid(format!(
                "{alg} keys are secrets: generate one with generate_secret_for"
            )));
        }
        // A P-256 scalar of 0 or at least n has probability below 2^-32: try again.
        for _ in 0..16 {
            let mut raw = zeroize::Zeroizing::new([0u8; 32]);
            rng.fill(&mut raw[..])?;
            if let Ok(k) = AsymKey::from_raw_private(alg, &raw[..]) {
                return Ok(k);
            }
        }
        Err(invalid("the random source gave no usable P-256 scalar"))
    }

    /// The 32-byte public key (Ed25519) or the affine `x` and `y` (P-256).
    pub(crate) fn public_coordinates(&self) -> ([u8; 32], Option<[u8; 32]>) {
        match self {
            AsymKey::Ed25519 { verifying, .. } => (verifying.to_bytes(), None),
            AsymKey::P256 { verifying, .. } => {
                let point = verifying.to_encoded_point(false);
                let mut x = [0u8; 32];
                let mut y = [0u8; 32];
                // An uncompressed point of a valid key always has both coordinates.
                if let (Some(px), Some(py)) = (point.x(), point.y()) {
                    x.copy_from_slice(px);
                    y.copy_from_slice(py);
                }
                (x, Some(y))
            }
        }
    }

    /// The raw private bytes (Ed25519 seed, P-256 scalar), wiped on drop.
    pub(crate) fn private_bytes(&self) -> Option<zeroize::Zeroizing<[u8; 32]>> {
        match self {
            AsymKey::Ed25519 { signing, .. } => signing
                .as_ref()
                .map(|k| zeroize::Zeroizing::new(k.to_bytes())),
            AsymKey::P256 { signing, .. } => signing.as_ref().map(|k| {
                let mut out = zeroize::Zeroizing::new([0u8; 32]);
                out.copy_from_slice(&k.to_bytes());
                out
            }),
        }
    }

    /// The signature of `msg`: Ed25519, or P-256 as raw `r‖s` with a low `S`. `None` for a
    /// public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        match self {
            AsymKey::Ed25519 { signing, .. } => {
                let sig: ed25519_dalek::Signature = signing.as_ref()?.sign(msg);
                Some(SigOutput::from_slice(&sig.to_bytes()))
            }
            AsymKey::P256 { signing, .. } => {
                let sig: p256::ecdsa::Signature = signing.as_ref()?.sign(msg);
                let sig = sig.normalize_s().unwrap_or(sig);
                Some(SigOutput::from_slice(&sig.to_bytes()))
            }
        }
    }

    /// Whether `sig` is a valid signature of `msg` under the rules of the module docs.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            AsymKey::Ed25519 { verifying, .. } => {
                let Ok(bytes) = <&[u8; 64]>::try_from(sig) else {
                    return false;
                };
                let sig = ed25519_dalek::Signature::from_bytes(bytes);
                verifying.verify_strict(msg, &sig).is_ok()
            }
            AsymKey::P256 { verifying, .. } => {
                if sig.len() != 64 {
                    return false;
                }
                match p256::ecdsa::Signature::from_slice(sig) {
                    Ok(sig) => verifying.verify(msg, &sig).is_ok(),
                    Err(_) => false,
                }
            }
        }
    }

    /// The private key as PKCS#8 PEM.
    pub(crate) fn private_pem(&self) -> Result<zeroize::Zeroizing<String>> {
        let pem = match self {
            AsymKey::Ed25519 {
                signing: Some(k), ..
            } => k.to_pkcs8_pem(LineEnding::LF),
            AsymKey::P256 {
                signing: Some(k), ..
            } => k.to_pkcs8_pem(LineEnding::LF),
            _ => return Err(invalid("a public key has no private PEM")),
        };
        pem.map_err(|_| invalid("the private key cannot be encoded as PKCS#8"))
    }

    /// The public key as SPKI PEM.
    pub(crate) fn public_pem(&self) -> Result<String> {
        match self {
            AsymKey::Ed25519 { verifying, .. } => verifying.to_public_key_pem(LineEnding::LF),
            AsymKey::P256 { verifying, .. } => verifying.to_public_key_pem(LineEnding::LF),
        }
        .map_err(|_| invalid("the public key cannot be encoded as SPKI"))
    }

    /// A key from PEM text: an unencrypted PKCS#8 private key (`BEGIN PRIVATE KEY`) or an
    /// SPKI public key (`BEGIN PUBLIC KEY`), Ed25519 or P-256. Anything else → `invalid_key`.
    pub(crate) fn from_pem(pem: &str) -> Result<AsymKey> {
        let label = pem
            .trim_start()
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.split_once("-----"))
            .map(|(label, _)| label);
        match label {
            Some("PRIVATE KEY") => {
                if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(AsymKey::ed25519_private(k));
                }
                p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
                    .map(AsymKey::p256_private)
                    .map_err(|_| invalid("not a PKCS#8 Ed25519 or P-256 private key"))
            }
            Some("PUBLIC KEY") => {
                if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
                    return AsymKey::ed25519_public(k.as_bytes());
                }
                p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
                    .map(|verifying| AsymKey::P256 {
                        signing: None,
                        verifying,
                    })
                    .map_err(|_| invalid("not an SPKI Ed25519 or P-256 public key"))
            }
            Some("ENCRYPTED PRIVATE KEY") => Err(invalid(
                "encrypted PKCS#8 is not read: decrypt it first (openssl pkcs8 -nocrypt)",
            )),
            Some("EC PRIVATE KEY") => Err(invalid(
                "SEC1 EC keys are not read: convert to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)",
            )),
            Some(other) if other.len() <= 40 => Err(invalid(format!(
                "PEM label {other:?} is not PRIVATE KEY or PUBLIC KEY"
            ))),
            _ => Err(invalid("not PEM text (no -----BEGIN ...----- line)")),
        }
    }
}
