//! EdDSA with Ed25519 (RFC 8037): keys, PEM forms (PKCS#8 private, SPKI public) and signing on
//! RustCrypto's `ed25519-dalek`; verification on `aws-lc-rs` (the public key parsed once,
//! AWS-LC's assembly: about 1.2 × faster than `ed25519-dalek`'s, PERFORMANCE.md) with the
//! strict rules of `ed25519-dalek`'s `verify_strict` (docs/keys.md), checked by the
//! `strict_rules_match_dalek` test below:
//! - `S` must be canonical (`S < L`): AWS-LC refuses any other;
//! - `R` must be a canonical encoding: AWS-LC compares the recomputed `R`'s canonical encoding
//!   with the signature's bytes, so no other encoding can match;
//! - `R` must not be of small order: its eight canonical encodings are refused here;
//! - public keys of small order are refused on import (`ed25519-dalek`'s `is_weak`).
//!
//! The private key is wiped from memory on drop (`ed25519-dalek`'s zeroize).

use aws_lc_rs::signature::{ParsedPublicKey, ED25519};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use super::{invalid, SigOutput};
use crate::error::Result;

/// The canonical encodings of the eight points of small order (orders 1, 2, 4 and 8): an `R`
/// that is one of them is refused, as `verify_strict` does.
const SMALL_ORDER_R: [[u8; 32]; 8] = {
    let mut out = [[0u8; 32]; 8];
    out[0][0] = 1; // (0, 1), order 1
    let mut i = 0;
    while i < 32 {
        out[1][i] = 0xff; // (0, −1), order 2: p − 1
        i += 1;
    }
    out[1][0] = 0xec;
    out[1][31] = 0x7f;
    // out[2] = (√−1, 0) and out[3] = (−√−1, 0), order 4: y = 0, the sign bit 0 or 1.
    out[3][31] = 0x80;
    // Order 8: y = ±0x05fc536d…c2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc26e895…,
    // each with both signs of x.
    let a: [u8; 32] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    let b: [u8; 32] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    out[4] = a;
    out[5] = a;
    out[5][31] |= 0x80;
    out[6] = b;
    out[7] = b;
    out[7][31] |= 0x80;
    out
};

/// An Ed25519 key: always the public half, the private half when it mints.
#[derive(Clone)]
pub(crate) struct Ed25519Key {
    signing: Option<Box<SigningKey>>,
    verifying: VerifyingKey,
    /// The same key for AWS-LC (`None` only if AWS-LC refused it: then `verify_strict`).
    parsed: Option<ParsedPublicKey>,
}

impl Ed25519Key {
    /// A private key from its 32-byte seed.
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Ed25519Key {
        Ed25519Key::private(SigningKey::from_bytes(seed))
    }

    fn private(k: SigningKey) -> Ed25519Key {
        let verifying = k.verifying_key();
        Ed25519Key {
            parsed: parse(&verifying),
            verifying,
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
            parsed: parse(&verifying),
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
            parsed: self.parsed.clone(),
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
        match &self.parsed {
            Some(parsed) => {
                !SMALL_ORDER_R.iter().any(|r| bytes[..32] == r[..])
                    && parsed.verify_sig(msg, sig).is_ok()
            }
            None => self
                .verifying
                .verify_strict(msg, &ed25519_dalek::Signature::from_bytes(bytes))
                .is_ok(),
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

/// The verifying key as AWS-LC parses it once (it takes every 32-byte key; `None` would
/// leave verification to `ed25519-dalek`'s `verify_strict`).
fn parse(verifying: &VerifyingKey) -> Option<ParsedPublicKey> {
    ParsedPublicKey::new(&ED25519, verifying.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_order_encodings_are_the_weak_points() {
        for r in SMALL_ORDER_R {
            let weak = VerifyingKey::from_bytes(&r).map(|k| k.is_weak());
            assert_eq!(weak.ok(), Some(true), "{r:02x?}");
        }
    }

    #[test]
    fn strict_rules_match_dalek() {
        let key = Ed25519Key::from_seed(&[9u8; 32]);
        assert!(key.parsed.is_some(), "AWS-LC verifies");
        let sig = key.sign(b"msg").unwrap();
        let sig = sig.as_slice().to_vec();
        assert!(key.verify(b"msg", &sig));
        // S + L: the same signature with a non-canonical S.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut high = sig.clone();
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(high[32 + i]) + u16::from(L[i]) + carry;
            high[32 + i] = v as u8;
            carry = v >> 8;
        }
        let dalek = |s: &[u8]| {
            let s = ed25519_dalek::Signature::from_slice(s).unwrap();
            key.verifying.verify_strict(b"msg", &s).is_ok()
        };
        assert!(!key.verify(b"msg", &high));
        assert!(!dalek(&high));
        // A small-order R with S = 0 against the identity-adjacent checks: both refuse.
        for r in SMALL_ORDER_R {
            let mut forged = [0u8; 64];
            forged[..32].copy_from_slice(&r);
            assert!(!key.verify(b"msg", &forged));
            assert!(!dalek(&forged));
        }
        assert!(!key.verify(b"msg", &sig[..63]));
    }
}
