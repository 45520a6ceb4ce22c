//! Asymmetric keys, private or public, behind one `match` over the algorithm families:
//! `eddsa.rs` (Ed25519, RFC 8037) and `ecdsa.rs` (P-256, ES256, RFC 7518 §3.4). Each family
//! file holds its key type, its raw and PEM forms and its signing and verification rules; a
//! new family (RSA next) is a new file and one more arm in each `match` here.

use super::ecdsa::P256Key;
use super::eddsa::Ed25519Key;
use super::{invalid, Algorithm, SigOutput};
use crate::error::Result;

/// An asymmetric key of one of the supported families.
#[derive(Clone)]
pub(crate) enum AsymKey {
    /// EdDSA (Ed25519).
    Ed25519(Ed25519Key),
    /// ES256 (P-256).
    P256(P256Key),
}

impl AsymKey {
    /// The algorithm the key is pinned to.
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            AsymKey::Ed25519(_) => Algorithm::EdDSA,
            AsymKey::P256(_) => Algorithm::ES256,
        }
    }

    pub(crate) fn is_private(&self) -> bool {
        match self {
            AsymKey::Ed25519(k) => k.is_private(),
            AsymKey::P256(k) => k.is_private(),
        }
    }

    pub(crate) fn public_only(&self) -> AsymKey {
        match self {
            AsymKey::Ed25519(k) => AsymKey::Ed25519(k.public_only()),
            AsymKey::P256(k) => AsymKey::P256(k.public_only()),
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
            Algorithm::EdDSA => Ok(AsymKey::Ed25519(Ed25519Key::from_seed(bytes))),
            Algorithm::ES256 => P256Key::from_scalar(bytes).map(AsymKey::P256),
            _ => Err(invalid(format!("{alg} is not an asymmetric algorithm"))),
        }
    }

    /// An Ed25519 public key from its 32 bytes: a point on the curve, not of small order.
    pub(crate) fn ed25519_public(x: &[u8]) -> Result<AsymKey> {
        Ed25519Key::from_public_bytes(x).map(AsymKey::Ed25519)
    }

    /// A P-256 public key from its affine coordinates (32 bytes each): a point on the curve.
    pub(crate) fn p256_public(x: &[u8], y: &[u8]) -> Result<AsymKey> {
        P256Key::from_coordinates(x, y).map(AsymKey::P256)
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
            AsymKey::Ed25519(k) => (k.public_bytes(), None),
            AsymKey::P256(k) => {
                let (x, y) = k.coordinates();
                (x, Some(y))
            }
        }
    }

    /// The raw private bytes (Ed25519 seed, P-256 scalar), wiped on drop.
    pub(crate) fn private_bytes(&self) -> Option<zeroize::Zeroizing<[u8; 32]>> {
        match self {
            AsymKey::Ed25519(k) => k.private_bytes(),
            AsymKey::P256(k) => k.private_bytes(),
        }
    }

    /// The signature of `msg` (see each family's rules). `None` for a public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        match self {
            AsymKey::Ed25519(k) => k.sign(msg),
            AsymKey::P256(k) => k.sign(msg),
        }
    }

    /// Whether `sig` is a valid signature of `msg` under the family's rules.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            AsymKey::Ed25519(k) => k.verify(msg, sig),
            AsymKey::P256(k) => k.verify(msg, sig),
        }
    }

    /// The private key as PKCS#8 PEM.
    pub(crate) fn private_pem(&self) -> Result<zeroize::Zeroizing<String>> {
        let pem = match self {
            AsymKey::Ed25519(k) => k.private_pem(),
            AsymKey::P256(k) => k.private_pem(),
        };
        pem.unwrap_or_else(|| Err(invalid("a public key has no private PEM")))
    }

    /// The public key as SPKI PEM.
    pub(crate) fn public_pem(&self) -> Result<String> {
        match self {
            AsymKey::Ed25519(k) => k.public_pem(),
            AsymKey::P256(k) => k.public_pem(),
        }
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
                if let Some(k) = Ed25519Key::from_private_pem(pem) {
                    return Ok(AsymKey::Ed25519(k));
                }
                P256Key::from_private_pem(pem)
                    .map(AsymKey::P256)
                    .ok_or_else(|| invalid("not a PKCS#8 Ed25519 or P-256 private key"))
            }
            Some("PUBLIC KEY") => {
                if let Some(k) = Ed25519Key::from_public_pem(pem) {
                    return k.map(AsymKey::Ed25519);
                }
                P256Key::from_public_pem(pem)
                    .map(AsymKey::P256)
                    .ok_or_else(|| invalid("not an SPKI Ed25519 or P-256 public key"))
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
