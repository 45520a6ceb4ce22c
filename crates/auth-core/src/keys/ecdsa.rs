//! ECDSA (RFC 7518 §3.4) on P-256 (ES256), P-384 (ES384) and P-521 (ES512), on `aws-lc-rs`:
//! raw keys, affine coordinates, PEM forms (PKCS#8 private, SPKI public), signing and
//! verification.
//!
//! Why `aws-lc-rs` (docs/keys.md, "The crypto backend"): its P-256 and P-384 verification are
//! the assembly of AWS-LC (BoringSSL's lineage, the code OpenSSL users run), a public key is
//! parsed once into a [`ParsedPublicKey`] and reused for every token, and it is the one
//! well-kept Rust backend with P-521. It builds with `cc` alone (no CMake, Go or Perl) and
//! brings in `aws-lc-sys` and `zeroize`, nothing else (`cargo tree -e normal`).
//!
//! Verification rules (docs/keys.md):
//! - signatures are the raw `r‖s` form only, of exactly twice the field size (64, 96 or 132
//!   bytes); a DER signature or any other length is refused; `r` and `s` must be in `[1, n−1]`;
//! - signatures with a high `S` are **accepted** (OpenSSL-based signers such as PyJWT with
//!   `cryptography` and libjwt do not normalize `S`, so refusing them would refuse about half
//!   of their tokens); this library always **mints** low-`S`, so every token it mints has one
//!   encoding. A second encoding of a token (its `s` replaced by `n − s`) carries the same
//!   claims and the same `jti`, so revocation still applies.
//!
//! The private key lives in AWS-LC's `EVP_PKEY`, whose scalar is cleared when freed
//! (`BN_clear_free`); copies made here are `Zeroizing`.

use aws_lc_rs::encoding::{AsBigEndian as _, AsDer as _};
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, KeyPair as _,
    ParsedPublicKey,
};
use zeroize::Zeroizing;

use super::{invalid, Algorithm, SigOutput};
use crate::error::Result;

/// One of the three NIST curves of RFC 7518 §3.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    pub(crate) fn for_algorithm(alg: Algorithm) -> Option<Curve> {
        match alg {
            Algorithm::ES256 => Some(Curve::P256),
            Algorithm::ES384 => Some(Curve::P384),
            Algorithm::ES512 => Some(Curve::P521),
            _ => None,
        }
    }

    /// The curve of a JWK `crv` name.
    pub(crate) fn from_jwk_name(crv: &str) -> Option<Curve> {
        match crv {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }

    /// The curve of its DER-encoded object identifier (the SPKI / PKCS#8 parameters).
    pub(crate) fn from_oid_der(oid: &[u8]) -> Option<Curve> {
        [Curve::P256, Curve::P384, Curve::P521]
            .into_iter()
            .find(|c| c.oid_der() == oid)
    }

    pub(crate) const fn algorithm(self) -> Algorithm {
        match self {
            Curve::P256 => Algorithm::ES256,
            Curve::P384 => Algorithm::ES384,
            Curve::P521 => Algorithm::ES512,
        }
    }

    pub(crate) const fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Bytes of a coordinate, of the private scalar and of each of `r` and `s`.
    pub(crate) const fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The object identifier's content bytes (secp256r1, secp384r1, secp521r1).
    const fn oid_der(self) -> &'static [u8] {
        match self {
            Curve::P256 => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            Curve::P384 => &[0x2b, 0x81, 0x04, 0x00, 0x22],
            Curve::P521 => &[0x2b, 0x81, 0x04, 0x00, 0x23],
        }
    }

    /// The group order `n`, big-endian, `field_len` bytes.
    fn order(self) -> &'static str {
        match self {
            Curve::P256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            Curve::P384 => concat!(
                "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf",
                "581a0db248b0a77aecec196accc52973"
            ),
            Curve::P521 => concat!(
                "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                "fffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b889",
                "9c47aebb6fb71e91386409"
            ),
        }
    }

    fn signing(self) -> &'static EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        }
    }

    fn verifying(self) -> &'static EcdsaVerificationAlgorithm {
        match self {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
            Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
        }
    }
}

/// An ECDSA key: always the public half, the private half when it mints.
#[derive(Clone)]
pub(crate) struct EcKey {
    curve: Curve,
    signing: Option<EcdsaKeyPair>,
    verifying: ParsedPublicKey,
    /// The uncompressed SEC1 point `04‖x‖y`.
    point: Vec<u8>,
}

impl EcKey {
    pub(crate) fn curve(&self) -> Curve {
        self.curve
    }

    /// A private key from its big-endian scalar of exactly `field_len` bytes, in `[1, n−1]`.
    pub(crate) fn from_scalar(curve: Curve, d: &[u8]) -> Result<EcKey> {
        if d.len() != curve.field_len() {
            return Err(invalid(format!(
                "an {} private key is exactly {} bytes, got {}",
                curve.algorithm(),
                curve.field_len(),
                d.len()
            )));
        }
        // RFC 5915 ECPrivateKey without its public key, which AWS-LC then computes:
        // SEQUENCE { INTEGER 1, OCTET STRING d, [0] { OID curve } } (every length < 128).
        let oid = curve.oid_der();
        let params_len = 2 + oid.len();
        let body_len = 3 + 2 + d.len() + 2 + params_len;
        let mut der = Zeroizing::new(Vec::with_capacity(2 + body_len));
        der.extend_from_slice(&[0x30, body_len as u8, 0x02, 0x01, 0x01, 0x04, d.len() as u8]);
        der.extend_from_slice(d);
        der.extend_from_slice(&[0xa0, params_len as u8, 0x06, oid.len() as u8]);
        der.extend_from_slice(oid);
        let pair = EcdsaKeyPair::from_private_key_der(curve.signing(), &der).map_err(|_| {
            invalid(format!(
                "the {} private scalar is 0 or not below the group order",
                curve.jwk_name()
            ))
        })?;
        EcKey::private(curve, pair)
    }

    fn private(curve: Curve, pair: EcdsaKeyPair) -> Result<EcKey> {
        let mut key = EcKey::from_point(curve, pair.public_key().as_ref())?;
        key.signing = Some(pair);
        Ok(key)
    }

    /// A public key from its uncompressed SEC1 point `04‖x‖y`: a point on the curve.
    pub(crate) fn from_point(curve: Curve, point: &[u8]) -> Result<EcKey> {
        if point.len() != 1 + 2 * curve.field_len() || point[0] != 0x04 {
            return Err(invalid(format!(
                "the {} public key is not an uncompressed point of {} bytes",
                curve.jwk_name(),
                1 + 2 * curve.field_len()
            )));
        }
        let verifying = ParsedPublicKey::new(curve.verifying(), point).map_err(|_| {
            invalid(format!(
                "the {} public key is not a point on the curve",
                curve.jwk_name()
            ))
        })?;
        Ok(EcKey {
            curve,
            signing: None,
            verifying,
            point: point.to_vec(),
        })
    }

    /// A public key from its affine coordinates (`field_len` bytes each).
    pub(crate) fn from_coordinates(curve: Curve, x: &[u8], y: &[u8]) -> Result<EcKey> {
        let n = curve.field_len();
        if x.len() != n || y.len() != n {
            return Err(invalid(format!(
                "{} coordinates are {n} bytes each, got {} and {}",
                curve.jwk_name(),
                x.len(),
                y.len()
            )));
        }
        let mut point = Vec::with_capacity(1 + 2 * n);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        EcKey::from_point(curve, &point)
    }

    /// A private key from PKCS#8 DER whose algorithm parameters named `curve`.
    pub(crate) fn from_pkcs8(curve: Curve, der: &[u8]) -> Result<EcKey> {
        let pair = EcdsaKeyPair::from_pkcs8(curve.signing(), der).map_err(|_| {
            invalid(format!(
                "not a valid PKCS#8 {} private key",
                curve.jwk_name()
            ))
        })?;
        EcKey::private(curve, pair)
    }

    pub(crate) fn is_private(&self) -> bool {
        self.signing.is_some()
    }

    pub(crate) fn public_only(&self) -> EcKey {
        EcKey {
            signing: None,
            ..self.clone()
        }
    }

    /// The affine `x` and `y` of the public key.
    pub(crate) fn coordinates(&self) -> (&[u8], &[u8]) {
        let n = self.curve.field_len();
        (&self.point[1..1 + n], &self.point[1 + n..])
    }

    /// The private scalar, `field_len` bytes, wiped on drop.
    pub(crate) fn private_bytes(&self) -> Option<Zeroizing<Vec<u8>>> {
        let pair = self.signing.as_ref()?;
        let bin = pair.private_key().as_be_bytes().ok()?;
        Some(Zeroizing::new(bin.as_ref().to_vec()))
    }

    /// The signature of `msg` as raw `r‖s` with a low `S`; `None` for a public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        let pair = self.signing.as_ref()?;
        let sig = pair.sign(&aws_lc_rs::rand::SystemRandom::new(), msg).ok()?;
        let mut raw = sig.as_ref().to_vec();
        low_s(&mut raw[self.curve.field_len()..], self.curve.order());
        Some(SigOutput::from_slice(&raw))
    }

    /// Whether `sig` (raw `r‖s`, twice the field size) is a valid signature of `msg`.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        sig.len() == 2 * self.curve.field_len() && self.verifying.verify_sig(msg, sig).is_ok()
    }

    /// The private key as PKCS#8 DER; `None` for a public key.
    pub(crate) fn private_pkcs8(&self) -> Option<Result<Zeroizing<Vec<u8>>>> {
        let pair = self.signing.as_ref()?;
        Some(
            pair.to_pkcs8v1()
                .map(|doc| Zeroizing::new(doc.as_ref().to_vec()))
                .map_err(|_| invalid("the private key cannot be encoded as PKCS#8")),
        )
    }

    /// The public key as SPKI DER.
    pub(crate) fn public_spki(&self) -> Result<Vec<u8>> {
        self.verifying
            .as_der()
            .map(|der| der.as_ref().to_vec())
            .map_err(|_| invalid("the public key cannot be encoded as SPKI"))
    }
}

/// Replaces `s` (big-endian, as long as the order) by `n − s` when that is smaller, so a
/// minted signature has one encoding (the low-`S` form).
fn low_s(s: &mut [u8], order_hex: &str) {
    let order: Vec<u8> = (0..order_hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&order_hex[i..i + 2], 16).ok())
        .collect();
    if order.len() != s.len() {
        return;
    }
    let mut diff = vec![0u8; s.len()];
    let mut borrow = 0i16;
    for i in (0..s.len()).rev() {
        let mut v = i16::from(order[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(v < 0);
        if v < 0 {
            v += 256;
        }
        diff[i] = v as u8;
    }
    if borrow == 0 && diff.as_slice() < &*s {
        s.copy_from_slice(&diff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_s_flips_only_the_high_half() {
        // With n = 0x..51 (P-256), s = n − 1 is high → becomes 1; s = 1 stays.
        let order = Curve::P256.order();
        let mut n: Vec<u8> = (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(&order[i..i + 2], 16).unwrap())
            .collect();
        n[31] -= 1;
        low_s(&mut n, order);
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(n, one);
        let mut s = one;
        low_s(&mut s, order);
        assert_eq!(s, one);
    }

    #[test]
    fn every_curve_signs_low_s_and_verifies() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let mut d = vec![0u8; curve.field_len()];
            d[curve.field_len() - 1] = 7;
            let key = EcKey::from_scalar(curve, &d).unwrap();
            for _ in 0..8 {
                let sig = key.sign(b"msg").unwrap();
                let sig = sig.as_slice();
                assert_eq!(sig.len(), 2 * curve.field_len());
                assert!(key.verify(b"msg", sig));
                assert!(!key.verify(b"msh", sig));
                let mut s = sig[curve.field_len()..].to_vec();
                let before = s.clone();
                low_s(&mut s, curve.order());
                assert_eq!(s, before, "{curve:?}: minted S is already low");
            }
            let (x, y) = key.coordinates();
            let public = EcKey::from_coordinates(curve, x, y).unwrap();
            assert!(!public.is_private());
            assert_eq!(key.private_bytes().unwrap().as_slice(), &d[..]);
            assert!(EcKey::from_scalar(curve, &vec![0u8; curve.field_len()]).is_err());
            assert!(EcKey::from_scalar(curve, &vec![0xffu8; curve.field_len()]).is_err());
        }
    }
}
