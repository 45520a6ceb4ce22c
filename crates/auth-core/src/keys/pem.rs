//! PEM key text (RFC 7468) into asymmetric keys: unencrypted PKCS#8 private keys
//! (`PRIVATE KEY`), SPKI public keys (`PUBLIC KEY`) and PKCS#1 RSA keys (`RSA PUBLIC KEY`,
//! `RSA PRIVATE KEY`). The DER structures are read with RustCrypto's `pkcs8` / `spki` /
//! `pkcs1` (already in the tree through `ed25519-dalek`); the key's algorithm identifier picks
//! the family, never the caller's wish: an algorithm given with the text must agree with it.
//!
//! An RSA key does not say whether it signs PKCS#1 v1.5 or PSS: it is pinned to the
//! algorithm given, RS256 when none is.

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::Decode as _;

use super::asym::AsymKey;
use super::ecdsa::{Curve, EcKey};
use super::eddsa::Ed25519Key;
use super::invalid;
use super::rsa::{pkcs1_components, RsaKey};
use super::Algorithm;
use crate::error::Result;

const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// The algorithm an RSA key without a stated one is pinned to.
pub(crate) const DEFAULT_RSA_ALGORITHM: Algorithm = Algorithm::RS256;

/// The family an algorithm identifier names.
enum Family {
    Ed25519,
    Ec(Curve),
    Rsa,
}

fn family(alg: &pkcs8::spki::AlgorithmIdentifierRef<'_>) -> Result<Family> {
    if alg.oid == ED25519 {
        return Ok(Family::Ed25519);
    }
    if alg.oid == RSA_ENCRYPTION {
        return Ok(Family::Rsa);
    }
    if alg.oid == RSASSA_PSS {
        return Err(invalid(
            "RSASSA-PSS-restricted keys (id-RSASSA-PSS) are not read: use an rsaEncryption key \
             and pin it to PS256, PS384 or PS512",
        ));
    }
    if alg.oid == EC_PUBLIC_KEY {
        let curve = alg
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .and_then(|oid| Curve::from_oid_der(oid.as_bytes()));
        return curve.map(Family::Ec).ok_or_else(|| {
            invalid("the EC key's curve is not P-256, P-384 or P-521 (named curves only)")
        });
    }
    Err(invalid(format!(
        "key algorithm {} is not Ed25519, EC or RSA",
        alg.oid
    )))
}

/// The algorithm a key of `family` is pinned to, given what the caller asked for.
fn pin(family: &Family, wanted: Option<Algorithm>) -> Result<Algorithm> {
    let natural = match family {
        Family::Ed25519 => Algorithm::EdDSA,
        Family::Ec(c) => c.algorithm(),
        Family::Rsa => match wanted {
            Some(a) if a.is_rsa() => return Ok(a),
            None => return Ok(DEFAULT_RSA_ALGORITHM),
            Some(a) => {
                return Err(invalid(format!(
                    "the key is an RSA key: it can be RS256 … PS512, not {a}"
                )))
            }
        },
    };
    match wanted {
        Some(a) if a != natural => Err(invalid(format!("the key is a {natural} key, not {a}"))),
        _ => Ok(natural),
    }
}

/// A key from PEM text, pinned to `wanted` when given (it must fit the key).
pub(crate) fn from_pem(text: &str, wanted: Option<Algorithm>) -> Result<AsymKey> {
    let label = text
        .trim_start()
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.split_once("-----"))
        .map(|(label, _)| label);
    let decode = || {
        pkcs8::der::pem::decode_vec(text.trim().as_bytes())
            .map(|(_, der)| zeroize::Zeroizing::new(der))
            .map_err(|_| invalid("the PEM text is not well formed (RFC 7468)"))
    };
    match label {
        Some("PRIVATE KEY") => {
            let der = decode()?;
            let info = pkcs8::PrivateKeyInfo::from_der(&der)
                .map_err(|_| invalid("not a DER PKCS#8 PrivateKeyInfo"))?;
            let family = family(&info.algorithm)?;
            let alg = pin(&family, wanted)?;
            match family {
                Family::Ed25519 => Ed25519Key::from_private_pem(text)
                    .map(AsymKey::Ed25519)
                    .ok_or_else(|| invalid("not a valid PKCS#8 Ed25519 private key")),
                Family::Ec(curve) => EcKey::from_pkcs8(curve, &der).map(AsymKey::Ec),
                Family::Rsa => RsaKey::from_pkcs8(alg, &der).map(AsymKey::Rsa),
            }
        }
        Some("PUBLIC KEY") => {
            let der = decode()?;
            let spki = pkcs8::spki::SubjectPublicKeyInfoRef::from_der(&der)
                .map_err(|_| invalid("not a DER SubjectPublicKeyInfo"))?;
            let family = family(&spki.algorithm)?;
            let alg = pin(&family, wanted)?;
            let bits = spki
                .subject_public_key
                .as_bytes()
                .ok_or_else(|| invalid("the SPKI public key is not whole octets"))?;
            match family {
                Family::Ed25519 => Ed25519Key::from_public_pem(text)
                    .unwrap_or_else(|| Err(invalid("not a valid SPKI Ed25519 public key")))
                    .map(AsymKey::Ed25519),
                Family::Ec(curve) => EcKey::from_point(curve, bits).map(AsymKey::Ec),
                Family::Rsa => {
                    let (n, e) = pkcs1_components(bits)?;
                    RsaKey::from_components(alg, &n, &e).map(AsymKey::Rsa)
                }
            }
        }
        Some("RSA PUBLIC KEY") => {
            let alg = pin(&Family::Rsa, wanted)?;
            let (n, e) = pkcs1_components(&decode()?)?;
            RsaKey::from_components(alg, &n, &e).map(AsymKey::Rsa)
        }
        Some("RSA PRIVATE KEY") => {
            let alg = pin(&Family::Rsa, wanted)?;
            RsaKey::from_pkcs1_private(alg, &decode()?).map(AsymKey::Rsa)
        }
        Some("ENCRYPTED PRIVATE KEY") => Err(invalid(
            "encrypted PKCS#8 is not read: decrypt it first (openssl pkcs8 -nocrypt)",
        )),
        Some("EC PRIVATE KEY") => Err(invalid(
            "SEC1 EC keys are not read: convert to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)",
        )),
        Some(other) if other.len() <= 40 => Err(invalid(format!(
            "PEM label {other:?} is not PRIVATE KEY, PUBLIC KEY, RSA PUBLIC KEY or RSA PRIVATE KEY"
        ))),
        _ => Err(invalid("not PEM text (no -----BEGIN ...----- line)")),
    }
}
