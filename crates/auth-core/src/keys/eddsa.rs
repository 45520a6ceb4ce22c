//! EdDSA with Ed25519 (RFC 8037) on RustCrypto's `ed25519-dalek`: raw keys, PEM forms
//! (PKCS#8 private, SPKI public), signing and strict verification.
//!
//! Verification uses `ed25519-dalek`'s strict rules (docs/keys.md): a non-canonical `S`, a
//! small-order `R` or public key is refused; public keys of small order are refused on
//! import. The private key is wiped from memory on drop (`ed25519-dalek`'s zeroize).

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use super::{invalid, SigOutput};
use crate::error::Result;

/// An Ed25519 key: always the public half, the private half when it mints.
#[derive(Clone)]
pub(crate) struct Ed25519Key {
    signing: Option<Box<SigningKey>>,
    verifying: VerifyingKey,
}

impl Ed25519Key {
    /// A private key from its 32-byte seed.
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Ed25519Key {
        Ed25519Key::private(SigningKey::from_bytes(seed))
    }

    fn private(k: SigningKey) -> Ed25519Key {
        Ed25519Key {
            verifying: k.verifying_key(),
            signing: Some(Box::new(k)),
        }
    }

    /// A public key from its 32 bytes: a point on the curve, not of small order.
    pub(crate) fn from_public_bytes(x: &[u8]) -> Result<Ed25519Key> {
        let bytes: &[u8; 32] = x.try_into().map_err(|_| {
            invalid(format!(
                "an Ed25519 public key is 32 bytes, got {}",
                x.len()
            ))
        })?;
        let verifying = VerifyingKey::from_bytes(bytes)
            .map_err(|_| invalid("the Ed25519 public key is not a point on the curve"))?;
        if verifying.is_weak() {
            return Err(invalid("the Ed25519 public key is of small order"));
        }
        Ok(Ed25519Key {
            signing: None,
            verifying,
        })
    }

    pub(crate) fn is_private(&self) -> bool {
        self.signing.is_some()
    }

    pub(crate) fn public_only(&self) -> Ed25519Key {
        Ed25519Key {
            signing: None,
            verifying: self.verifying,
        }
    }

    /// The 32-byte public key.
    pub(crate) fn public_bytes(&self) -> [u8; 32] {
        self.verifying.to_bytes()
    }

    /// The 32-byte seed, wiped on drop.
    pub(crate) fn private_bytes(&self) -> Option<zeroize::Zeroizing<[u8; 32]>> {
        self.signing
            .as_ref()
            .map(|k| zeroize::Zeroizing::new(k.to_bytes()))
    }

    /// The signature of `msg`; `None` for a public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        let sig: ed25519_dalek::Signature = self.signing.as_ref()?.sign(msg);
        Some(SigOutput::from_slice(&sig.to_bytes()))
    }

    /// Whether `sig` (64 bytes) is a valid signature of `msg` under the strict rules.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; 64]>::try_from(sig) else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(bytes);
        self.verifying.verify_strict(msg, &sig).is_ok()
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

    /// A PKCS#8 Ed25519 private key, if `pem` is one.
    pub(crate) fn from_private_pem(pem: &str) -> Option<Ed25519Key> {
        SigningKey::from_pkcs8_pem(pem)
            .ok()
            .map(Ed25519Key::private)
    }

    /// An SPKI Ed25519 public key, if `pem` is one (then checked as [`Self::from_public_bytes`]).
    pub(crate) fn from_public_pem(pem: &str) -> Option<Result<Ed25519Key>> {
        let k = VerifyingKey::from_public_key_pem(pem).ok()?;
        Some(Ed25519Key::from_public_bytes(k.as_bytes()))
    }
}
