//! ECDSA with P-256 and SHA-256 (ES256, RFC 7518 §3.4) on RustCrypto's `p256`: raw keys,
//! affine coordinates, PEM forms (PKCS#8 private, SPKI public), signing and verification.
//!
//! Verification rules (docs/keys.md):
//! - signatures are the raw 64-byte `r‖s` form only (a DER signature or any other length is
//!   refused); `r` and `s` must be in `[1, n−1]`;
//! - signatures with a high `S` are **accepted** (OpenSSL-based signers such as PyJWT with
//!   `cryptography` and libjwt do not normalize `S`, so refusing them would refuse about half
//!   of their tokens); this library always **mints** low-`S`, so every token it mints has one
//!   encoding. A second encoding of a token (its `s` replaced by `n − s`) carries the same
//!   claims and the same `jti`, so revocation still applies.
//!
//! The private key is wiped from memory on drop (`ecdsa`'s zeroize).

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::FromEncodedPoint as _;
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};

use super::{invalid, SigOutput};
use crate::error::Result;

/// A P-256 key: always the public half, the private half when it mints.
#[derive(Clone)]
pub(crate) struct P256Key {
    signing: Option<Box<SigningKey>>,
    verifying: VerifyingKey,
}

impl P256Key {
    /// A private key from its 32-byte big-endian scalar, which must be in `[1, n−1]`.
    pub(crate) fn from_scalar(scalar: &[u8; 32]) -> Result<P256Key> {
        SigningKey::from_slice(scalar)
            .map(P256Key::private)
            .map_err(|_| invalid("the P-256 private scalar is 0 or not below the group order"))
    }

    fn private(k: SigningKey) -> P256Key {
        P256Key {
            verifying: *k.verifying_key(),
            signing: Some(Box::new(k)),
        }
    }

    /// A public key from its affine coordinates (32 bytes each): a point on the curve.
    pub(crate) fn from_coordinates(x: &[u8], y: &[u8]) -> Result<P256Key> {
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
                .map(VerifyingKey::from)
                .ok_or_else(|| invalid("the P-256 public key is not a point on the curve"))?;
        Ok(P256Key {
            signing: None,
            verifying,
        })
    }

    pub(crate) fn is_private(&self) -> bool {
        self.signing.is_some()
    }

    pub(crate) fn public_only(&self) -> P256Key {
        P256Key {
            signing: None,
            verifying: self.verifying,
        }
    }

    /// The affine `x` and `y` of the public key.
    pub(crate) fn coordinates(&self) -> ([u8; 32], [u8; 32]) {
        let point = self.verifying.to_encoded_point(false);
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        // An uncompressed point of a valid key always has both coordinates.
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        (x, y)
    }

    /// The 32-byte private scalar, wiped on drop.
    pub(crate) fn private_bytes(&self) -> Option<zeroize::Zeroizing<[u8; 32]>> {
        self.signing.as_ref().map(|k| {
            let mut out = zeroize::Zeroizing::new([0u8; 32]);
            out.copy_from_slice(&k.to_bytes());
            out
        })
    }

    /// The signature of `msg` as raw `r‖s` with a low `S`; `None` for a public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        let sig: Signature = self.signing.as_ref()?.sign(msg);
        let sig = sig.normalize_s().unwrap_or(sig);
        Some(SigOutput::from_slice(&sig.to_bytes()))
    }

    /// Whether `sig` (raw `r‖s`, 64 bytes) is a valid signature of `msg`.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        if sig.len() != 64 {
            return false;
        }
        match Signature::from_slice(sig) {
            Ok(sig) => self.verifying.verify(msg, &sig).is_ok(),
            Err(_) => false,
        }
    }

    /// The private key as PKCS#8 PEM; `None` for a public key.
    pub(crate) fn private_pem(&self) -> Option<Result<zeroize::Zeroizing<String>>> {
        let k = self.signing.as_ref()?;
        Some(
            k.to_pkcs8_pem(LineEnding::LF)
                .map_err(|_| invalid("the private key cannot be encoded as PKCS#8")),
        )
    }

    /// The public key as SPKI PEM.
    pub(crate) fn public_pem(&self) -> Result<String> {
        self.verifying
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| invalid("the public key cannot be encoded as SPKI"))
    }

    /// A PKCS#8 P-256 private key, if `pem` is one.
    pub(crate) fn from_private_pem(pem: &str) -> Option<P256Key> {
        SigningKey::from_pkcs8_pem(pem).ok().map(P256Key::private)
    }

    /// An SPKI P-256 public key, if `pem` is one.
    pub(crate) fn from_public_pem(pem: &str) -> Option<P256Key> {
        VerifyingKey::from_public_key_pem(pem)
            .ok()
            .map(|verifying| P256Key {
                signing: None,
                verifying,
            })
    }
}
