//! Asymmetric keys, private or public, behind one `match` over the algorithm families:
//! `eddsa.rs` (Ed25519, RFC 8037), `ecdsa.rs` (P-256/384/521, RFC 7518 §3.4) and `rsa.rs`
//! (RS256 … PS512, RFC 7518 §3.3 and §3.5). Each family file holds its key type, its raw and
//! DER forms and its signing and verification rules; `pem.rs` reads PEM text into them.

use zeroize::Zeroizing;

use super::ecdsa::{Curve, EcKey};
use super::eddsa::Ed25519Key;
use super::rsa::RsaKey;
use super::{invalid, Algorithm, SigOutput};
use crate::error::Result;

/// An asymmetric key of one of the supported families.
#[derive(Clone)]
pub(crate) enum AsymKey {
    /// EdDSA (Ed25519).
    Ed25519(Ed25519Key),
    /// ES256, ES384, ES512.
    Ec(EcKey),
    /// RS256 … PS512.
    Rsa(RsaKey),
}

/// The public half of a key, as a JWK writes it.
pub(crate) enum PublicParts<'a> {
    /// `OKP` / `Ed25519`: `x`.
    Okp([u8; 32]),
    /// `EC`: `crv`, `x`, `y`.
    Ec(Curve, &'a [u8], &'a [u8]),
    /// `RSA`: `n`, `e`.
    Rsa(&'a [u8], &'a [u8]),
}

impl AsymKey {
    /// The algorithm the key is pinned to.
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            AsymKey::Ed25519(_) => Algorithm::EdDSA,
            AsymKey::Ec(k) => k.curve().algorithm(),
            AsymKey::Rsa(k) => k.algorithm(),
        }
    }

    pub(crate) fn is_private(&self) -> bool {
        match self {
            AsymKey::Ed25519(k) => k.is_private(),
            AsymKey::Ec(k) => k.is_private(),
            AsymKey::Rsa(k) => k.is_private(),
        }
    }

    pub(crate) fn public_only(&self) -> AsymKey {
        match self {
            AsymKey::Ed25519(k) => AsymKey::Ed25519(k.public_only()),
            AsymKey::Ec(k) => AsymKey::Ec(k.public_only()),
            AsymKey::Rsa(k) => AsymKey::Rsa(k.public_only()),
        }
    }

    /// A private key from its raw bytes: the 32-byte Ed25519 seed, or the big-endian ECDSA
    /// scalar (32, 48 or 66 bytes). RSA keys have no raw form.
    pub(crate) fn from_raw_private(alg: Algorithm, raw: &[u8]) -> Result<AsymKey> {
        if let Some(curve) = Curve::for_algorithm(alg) {
            return EcKey::from_scalar(curve, raw).map(AsymKey::Ec);
        }
        match alg {
            Algorithm::EdDSA => {
                let seed: &[u8; 32] = raw.try_into().map_err(|_| {
                    invalid(format!(
                        "an EdDSA private key is exactly 32 bytes, got {}",
                        raw.len()
                    ))
                })?;
                Ok(AsymKey::Ed25519(Ed25519Key::from_seed(seed)))
            }
            a if a.is_rsa() => Err(invalid(format!(
                "an {a} key has no raw form: read it from PEM or JWK, or generate one"
            ))),
            _ => Err(invalid(format!("{alg} is not an asymmetric algorithm"))),
        }
    }

    /// An Ed25519 public key from its 32 bytes: a point on the curve, not of small order.
    pub(crate) fn ed25519_public(x: &[u8]) -> Result<AsymKey> {
        Ed25519Key::from_public_bytes(x).map(AsymKey::Ed25519)
    }

    /// An ECDSA public key from its affine coordinates: a point on the curve.
    pub(crate) fn ec_public(curve: Curve, x: &[u8], y: &[u8]) -> Result<AsymKey> {
        EcKey::from_coordinates(curve, x, y).map(AsymKey::Ec)
    }

    /// An RSA public key pinned to `alg`, from `n` and `e`.
    pub(crate) fn rsa_public(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<AsymKey> {
        RsaKey::from_components(alg, n, e).map(AsymKey::Rsa)
    }

    /// A new random private key for `alg`. Ed25519 and ECDSA keys come from `rng`; RSA keys
    /// from AWS-LC's own generator (2048 bits, exponent 65537).
    pub(crate) fn generate(
        alg: Algorithm,
        rng: &dyn crate::random::RandomSource,
    ) -> Result<AsymKey> {
        if alg.is_hmac() {
            return Err(invalid(format!(
                "{alg} keys are secrets: generate one with generate_secret_for"
            )));
        }
        if alg.is_rsa() {
            return RsaKey::generate(alg).map(AsymKey::Rsa);
        }
        let len = alg.min_secret_len();
        // A scalar of 0 or at least n has probability below 2^-32: try again.
        for _ in 0..16 {
            let mut raw = Zeroizing::new(vec![0u8; len]);
            rng.fill(&mut raw[..])?;
            if alg == Algorithm::ES512 {
                raw[0] &= 0x01; // P-521 scalars have 521 bits.
            }
            if let Ok(k) = AsymKey::from_raw_private(alg, &raw[..]) {
                return Ok(k);
            }
        }
        Err(invalid("the random source gave no usable ECDSA scalar"))
    }

    /// The public half, as a JWK writes it.
    pub(crate) fn public_parts(&self) -> PublicParts<'_> {
        match self {
            AsymKey::Ed25519(k) => PublicParts::Okp(k.public_bytes()),
            AsymKey::Ec(k) => {
                let (x, y) = k.coordinates();
                PublicParts::Ec(k.curve(), x, y)
            }
            AsymKey::Rsa(k) => {
                let (n, e) = k.components();
                PublicParts::Rsa(n, e)
            }
        }
    }

    /// Whether two keys have the same public half.
    pub(crate) fn same_public(&self, other: &AsymKey) -> bool {
        match (self.public_parts(), other.public_parts()) {
            (PublicParts::Okp(a), PublicParts::Okp(b)) => a == b,
            (PublicParts::Ec(c1, x1, y1), PublicParts::Ec(c2, x2, y2)) => {
                c1 == c2 && x1 == x2 && y1 == y2
            }
            (PublicParts::Rsa(n1, e1), PublicParts::Rsa(n2, e2)) => n1 == n2 && e1 == e2,
            _ => false,
        }
    }

    /// The raw private bytes (Ed25519 seed, ECDSA scalar), wiped on drop; `None` for a public
    /// or an RSA key.
    pub(crate) fn private_bytes(&self) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            AsymKey::Ed25519(k) => k.private_bytes().map(|b| Zeroizing::new(b.to_vec())),
            AsymKey::Ec(k) => k.private_bytes(),
            AsymKey::Rsa(_) => None,
        }
    }

    /// Bytes of a signature: 64 (EdDSA, ES256), 96 (ES384), 132 (ES512), the modulus length
    /// (RSA).
    pub(crate) fn signature_len(&self) -> usize {
        match self {
            AsymKey::Rsa(k) => k.signature_len(),
            _ => self.algorithm().mac_len(),
        }
    }

    /// The signature of `msg` (see each family's rules). `None` for a public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        match self {
            AsymKey::Ed25519(k) => k.sign(msg),
            AsymKey::Ec(k) => k.sign(msg),
            AsymKey::Rsa(k) => k.sign(msg),
        }
    }

    /// Whether `sig` is a valid signature of `msg` under the family's rules.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            AsymKey::Ed25519(k) => k.verify(msg, sig),
            AsymKey::Ec(k) => k.verify(msg, sig),
            AsymKey::Rsa(k) => k.verify(msg, sig),
        }
    }

    /// The private key as PKCS#8 PEM.
    pub(crate) fn private_pem(&self) -> Result<Zeroizing<String>> {
        let der = match self {
            AsymKey::Ed25519(k) => k.private_pem(),
            AsymKey::Ec(k) => k
                .private_pkcs8()
                .map(|r| r.and_then(|d| pem("PRIVATE KEY", &d))),
            AsymKey::Rsa(k) => k
                .private_pkcs8()
                .map(|r| r.and_then(|d| pem("PRIVATE KEY", &d))),
        };
        der.unwrap_or_else(|| Err(invalid("a public key has no private PEM")))
    }

    /// The public key as SPKI PEM.
    pub(crate) fn public_pem(&self) -> Result<String> {
        let der = match self {
            AsymKey::Ed25519(k) => return k.public_pem(),
            AsymKey::Ec(k) => k.public_spki()?,
            AsymKey::Rsa(k) => k.public_spki()?,
        };
        pem("PUBLIC KEY", &der).map(|p| p.to_string())
    }
}

/// DER as PEM text with `label`, LF line endings.
fn pem(label: &str, der: &[u8]) -> Result<Zeroizing<String>> {
    pkcs8::der::pem::encode_string(label, pkcs8::der::pem::LineEnding::LF, der)
        .map(Zeroizing::new)
        .map_err(|_| invalid("the key cannot be written as PEM"))
}
