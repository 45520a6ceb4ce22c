//! RSA signatures (RFC 7518 §3.3 RS256/384/512 and §3.5 PS256/384/512) on `aws-lc-rs`.
//!
//! Key rules (docs/keys.md):
//! - the modulus `n` is odd and 2048 to 8192 bits long; the public exponent `e` is odd, at
//!   least 3 and at most 2^32 − 1. An exponent of 3 is accepted: the attacks on small
//!   exponents (Bleichenbacher 2006) forge signatures against verifiers that read the padding
//!   loosely, and AWS-LC compares the whole encoded message (the `DigestInfo` of v1.5 in full);
//!   65537 is what every key made here uses;
//! - `n` and `e` are read without leading zero octets (RFC 7518 §6.3.1.1);
//! - one key is pinned to one algorithm: an RS256 key never verifies a PS256 token.
//!
//! Verification: the signature is exactly as long as the modulus (one byte more or less is
//! refused before any arithmetic); PSS uses MGF1 with the token's hash and a salt of the hash
//! length, as RFC 7518 §3.5 requires. The public key is parsed once ([`ParsedPublicKey`]).
//! The private key lives in AWS-LC's `EVP_PKEY` (cleared when freed).

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{
    self, KeyPair as _, ParsedPublicKey, RsaEncoding, RsaKeyPair, RsaParameters,
    RsaPublicKeyComponents,
};
use pkcs8::der::Decode as _;
use zeroize::Zeroizing;

use super::{invalid, Algorithm, SigOutput};
use crate::error::Result;

/// Smallest modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 8192;
/// Modulus of the keys [`crate::Key::generate`] makes for RS* and PS*, in bits.
pub const GENERATED_RSA_BITS: usize = 2048;

/// An RSA key pinned to one of RS256 … PS512.
#[derive(Clone)]
pub(crate) struct RsaKey {
    alg: Algorithm,
    signing: Option<RsaKeyPair>,
    verifying: ParsedPublicKey,
    n: Vec<u8>,
    e: Vec<u8>,
}

fn params(alg: Algorithm) -> Option<&'static RsaParameters> {
    Some(match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

fn encoding(alg: Algorithm) -> &'static dyn RsaEncoding {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_SHA512,
        _ => &signature::RSA_PKCS1_SHA256,
    }
}

/// Length of `n` in bits (no leading zero octet).
fn bits(n: &[u8]) -> usize {
    n.first()
        .map_or(0, |&b| (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize))
}

/// The rules on `n` and `e` that every reader applies.
fn check_components(n: &[u8], e: &[u8]) -> Result<()> {
    if n.first() == Some(&0) || e.first() == Some(&0) {
        return Err(invalid(
            "RSA `n` and `e` must not start with a zero octet (RFC 7518 §6.3.1.1)",
        ));
    }
    let n_bits = bits(n);
    if n_bits < MIN_RSA_BITS {
        return Err(invalid(format!(
            "the RSA key has {n_bits} bits: at least {MIN_RSA_BITS} are required"
        )));
    }
    if n_bits > MAX_RSA_BITS {
        return Err(invalid(format!(
            "the RSA key has {n_bits} bits: at most {MAX_RSA_BITS} are read"
        )));
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(invalid("the RSA modulus is even"));
    }
    let e_value = match e.len() {
        1..=4 => e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)),
        _ => {
            return Err(invalid(
                "the RSA public exponent is longer than 32 bits or empty",
            ))
        }
    };
    if e_value < 3 || e_value % 2 == 0 {
        return Err(invalid(format!(
            "the RSA public exponent {e_value} is not odd and at least 3"
        )));
    }
    Ok(())
}

/// `n` and `e` of a PKCS#1 `RSAPublicKey` DER.
pub(crate) fn pkcs1_components(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let key =
        pkcs1::RsaPublicKey::from_der(der).map_err(|_| invalid("not a DER PKCS#1 RSAPublicKey"))?;
    Ok((
        key.modulus.as_bytes().to_vec(),
        key.public_exponent.as_bytes().to_vec(),
    ))
}

impl RsaKey {
    /// A public key from its modulus and exponent (big-endian, no leading zeros).
    pub(crate) fn from_components(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<RsaKey> {
        let params =
            params(alg).ok_or_else(|| invalid(format!("{alg} is not an RSA algorithm")))?;
        check_components(n, e)?;
        let verifying = RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(params)
            .map_err(|_| invalid("the RSA public key is not valid"))?;
        Ok(RsaKey {
            alg,
            signing: None,
            verifying,
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    fn private(alg: Algorithm, pair: RsaKeyPair) -> Result<RsaKey> {
        let (n, e) = pkcs1_components(pair.public_key().as_ref())?;
        let mut key = RsaKey::from_components(alg, &n, &e)?;
        key.signing = Some(pair);
        Ok(key)
    }

    /// A private key from PKCS#8 DER (`BEGIN PRIVATE KEY`, algorithm rsaEncryption).
    pub(crate) fn from_pkcs8(alg: Algorithm, der: &[u8]) -> Result<RsaKey> {
        let pair = RsaKeyPair::from_pkcs8(der)
            .map_err(|e| invalid(format!("not a valid PKCS#8 RSA private key ({e})")))?;
        RsaKey::private(alg, pair)
    }

    /// A private key from PKCS#1 DER (`BEGIN RSA PRIVATE KEY`).
    pub(crate) fn from_pkcs1_private(alg: Algorithm, der: &[u8]) -> Result<RsaKey> {
        let pair = RsaKeyPair::from_der(der)
            .map_err(|e| invalid(format!("not a valid PKCS#1 RSA private key ({e})")))?;
        RsaKey::private(alg, pair)
    }

    /// A new private key of [`GENERATED_RSA_BITS`] bits and exponent 65537, from AWS-LC's
    /// generator (its own DRBG, seeded by the operating system).
    pub(crate) fn generate(alg: Algorithm) -> Result<RsaKey> {
        let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| invalid("RSA key generation failed"))?;
        RsaKey::private(alg, pair)
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        self.alg
    }

    pub(crate) fn is_private(&self) -> bool {
        self.signing.is_some()
    }

    pub(crate) fn public_only(&self) -> RsaKey {
        RsaKey {
            signing: None,
            ..self.clone()
        }
    }

    /// The modulus and public exponent, big-endian without leading zeros.
    pub(crate) fn components(&self) -> (&[u8], &[u8]) {
        (&self.n, &self.e)
    }

    /// Bytes of a signature: the modulus length.
    pub(crate) fn signature_len(&self) -> usize {
        self.n.len()
    }

    /// The signature of `msg`; `None` for a public key.
    pub(crate) fn sign(&self, msg: &[u8]) -> Option<SigOutput> {
        let pair = self.signing.as_ref()?;
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(
            encoding(self.alg),
            &aws_lc_rs::rand::SystemRandom::new(),
            msg,
            &mut sig,
        )
        .ok()?;
        Some(SigOutput::Heap(sig))
    }

    /// Whether `sig`, exactly as long as the modulus, is a valid signature of `msg`.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        sig.len() == self.n.len() && self.verifying.verify_sig(msg, sig).is_ok()
    }

    /// The private key as PKCS#8 DER; `None` for a public key.
    pub(crate) fn private_pkcs8(&self) -> Option<Result<Zeroizing<Vec<u8>>>> {
        let pair = self.signing.as_ref()?;
        Some(
            pair.as_der()
                .map(|der| Zeroizing::new(der.as_ref().to_vec()))
                .map_err(|_| invalid("the private key cannot be encoded as PKCS#8")),
        )
    }

    /// The public key as SPKI DER.
    pub(crate) fn public_spki(&self) -> Result<Vec<u8>> {
        RsaPublicKeyComponents {
            n: &self.n[..],
            e: &self.e[..],
        }
        .as_der()
        .map(|der| der.as_ref().to_vec())
        .map_err(|_| invalid("the public key cannot be encoded as SPKI"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_rules() {
        let mut n = vec![0xc5u8; 256];
        n[255] |= 1;
        let e = [1u8, 0, 1];
        assert!(check_components(&n, &e).is_ok());
        assert!(check_components(&n, &[3]).is_ok());
        for bad_e in [
            &[1u8][..],
            &[2],
            &[0, 1, 0, 1],
            &[1, 0, 0],
            &[1, 0, 0, 0, 1],
            &[],
        ] {
            assert!(check_components(&n, bad_e).is_err(), "{bad_e:?}");
        }
        assert!(check_components(&n[..255], &e).is_err(), "2040 bits");
        let mut even = n.clone();
        even[255] &= 0xfe;
        assert!(check_components(&even, &e).is_err());
        let mut lead = vec![0u8];
        lead.extend_from_slice(&n);
        assert!(check_components(&lead, &e).is_err());
        assert!(
            check_components(&vec![0xc5u8; 1025], &e).is_err(),
            "8200 bits"
        );
        assert_eq!(bits(&[0x01, 0]), 9);
    }

    #[test]
    fn sign_and_verify_every_rsa_algorithm() {
        let key = RsaKey::generate(Algorithm::RS256).unwrap();
        let der = key.private_pkcs8().unwrap().unwrap();
        for alg in [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ] {
            let k = RsaKey::from_pkcs8(alg, &der).unwrap();
            let sig = k.sign(b"msg").unwrap();
            assert_eq!(sig.as_slice().len(), 256);
            assert!(k.verify(b"msg", sig.as_slice()), "{alg}");
            assert!(!k.verify(b"msh", sig.as_slice()), "{alg}");
            assert!(!k.verify(b"msg", &sig.as_slice()[1..]), "{alg}");
            let (n, e) = k.components();
            let public = RsaKey::from_components(alg, n, e).unwrap();
            assert!(public.verify(b"msg", sig.as_slice()));
            // The same key pinned to another algorithm never verifies it.
            let other = if alg == Algorithm::PS256 {
                Algorithm::RS256
            } else {
                Algorithm::PS256
            };
            let pinned = RsaKey::from_components(other, n, e).unwrap();
            assert!(!pinned.verify(b"msg", sig.as_slice()), "{alg} vs {other}");
        }
    }
}
