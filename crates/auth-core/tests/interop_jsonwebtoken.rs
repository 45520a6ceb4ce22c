//! Interoperability with the `jsonwebtoken` crate (11, RustCrypto backend) for every algorithm
//! both implement: RS256/384/512, PS256/384/512, ES256, ES384 and EdDSA (jsonwebtoken has no
//! ES512; tests/vectors/asymmetric2.json and the Python and C suites cover it). Both ways:
//! tokens minted here verify there (with our PEM keys and with our JWK Set), tokens minted there
//! verify here (with our public key and with jsonwebtoken's own JWK), and what must fail fails
//! on both sides (a tampered token; a header algorithm other than the key's).

use auth_core::*;
use base64::Engine as _;
use jsonwebtoken as jwt;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;

const ALGS: [(Algorithm, jwt::Algorithm); 9] = [
    (Algorithm::RS256, jwt::Algorithm::RS256),
    (Algorithm::RS384, jwt::Algorithm::RS384),
    (Algorithm::RS512, jwt::Algorithm::RS512),
    (Algorithm::PS256, jwt::Algorithm::PS256),
    (Algorithm::PS384, jwt::Algorithm::PS384),
    (Algorithm::PS512, jwt::Algorithm::PS512),
    (Algorithm::ES256, jwt::Algorithm::ES256),
    (Algorithm::ES384, jwt::Algorithm::ES384),
    (Algorithm::EdDSA, jwt::Algorithm::EdDSA),
];

fn provider() {
    let _ = jwt::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

fn validation(alg: jwt::Algorithm) -> jwt::Validation {
    let mut v = jwt::Validation::new(alg);
    v.validate_exp = false;
    v.required_spec_claims.clear();
    v
}

/// The DER body of a PEM text.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// Splits one DER element off `der`: (tag, contents, the rest).
fn der_element(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let (tag, first) = (der[0], der[1] as usize);
    let (len, start) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        (
            der[2..2 + n].iter().fold(0, |a, &b| a << 8 | b as usize),
            2 + n,
        )
    };
    (tag, &der[start..start + len], &der[start + len..])
}

/// The key bytes jsonwebtoken's `from_*_der` take, from our SPKI PEM: the subjectPublicKey
/// BIT STRING (PKCS#1 `RSAPublicKey`, the SEC1 point, or the raw Ed25519 key).
fn spki_key(public_pem: &str) -> Vec<u8> {
    let der = pem_der(public_pem);
    let (_, spki, _) = der_element(&der);
    let (_, _, rest) = der_element(spki); // AlgorithmIdentifier
    let (tag, bits, _) = der_element(rest);
    assert_eq!(
        (tag, bits[0]),
        (0x03, 0),
        "a BIT STRING without unused bits"
    );
    bits[1..].to_vec()
}

fn decoding_key(alg: Algorithm, public_pem: &str) -> jwt::DecodingKey {
    let key = spki_key(public_pem);
    match alg {
        Algorithm::EdDSA => jwt::DecodingKey::from_ed_der(&key),
        Algorithm::ES256 | Algorithm::ES384 => jwt::DecodingKey::from_ec_der(&key),
        _ => jwt::DecodingKey::from_rsa_der(&key),
    }
}

/// jsonwebtoken's signing key from our PKCS#8 PEM (for RSA, the PKCS#1 key inside it).
fn encoding_key(alg: Algorithm, private_pem: &str) -> jwt::EncodingKey {
    let der = pem_der(private_pem);
    match alg {
        Algorithm::EdDSA => jwt::EncodingKey::from_ed_der(&der),
        Algorithm::ES256 | Algorithm::ES384 => jwt::EncodingKey::from_ec_der(&der),
        _ => {
            let (_, pkcs8, _) = der_element(&der);
            let (_, _, rest) = der_element(pkcs8); // version
            let (_, _, rest) = der_element(rest); // AlgorithmIdentifier
            let (tag, pkcs1, _) = der_element(rest);
            assert_eq!(tag, 0x04, "PKCS#8 privateKey OCTET STRING");
            jwt::EncodingKey::from_rsa_der(pkcs1)
        }
    }
}

fn verify(ring: impl Into<SharedKeyRing>, token: &str) -> Result<Claims> {
    Verifier::new(ring).verify_with(token, &VerifyRequest::at(NOW + 1))
}

fn code<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    r.unwrap_err().code().as_str()
}

/// `token` with one character of its payload changed.
fn tampered(token: &str) -> String {
    let i = token.find('.').unwrap() + 5;
    let mut bytes = token.as_bytes().to_vec();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn auth_core_tokens_verify_in_jsonwebtoken() {
    provider();
    for (ours, theirs) in ALGS {
        let key = Key::generate("ours-1", ours, &SystemRandom).unwrap();
        let mut req = MintRequest::new(Subject::user(7, "alice", false));
        req.now = Some(NOW);
        req.token_id = Some(format!("ours-{ours}"));
        let minted = Issuer::new(KeyRing::single(key.clone()))
            .mint(&req)
            .unwrap();

        // With our public key PEM (SPKI).
        let dk = decoding_key(ours, &key.public_key_pem().unwrap());
        let got = jwt::decode::<Value>(&minted.token, &dk, &validation(theirs))
            .unwrap_or_else(|e| panic!("{ours}: jsonwebtoken refused our token: {e}"));
        assert_eq!(got.claims, minted.claims.to_json_value(), "{ours}");
        assert_eq!(got.header.alg, theirs);
        assert_eq!(got.header.kid.as_deref(), Some("ours-1"));
        assert!(
            jwt::decode::<Value>(&tampered(&minted.token), &dk, &validation(theirs)).is_err(),
            "{ours}: jsonwebtoken accepted a tampered token"
        );

        // Through our JWK Set, as a verifier that fetches it would.
        let set: jwt::jwk::JwkSet =
            serde_json::from_str(&KeyRing::single(key.clone()).to_jwks()).unwrap();
        let jwk = set.find("ours-1").expect("our JWKS names the key");
        let dk = jwt::DecodingKey::from_jwk(jwk).unwrap();
        let got = jwt::decode::<Value>(&minted.token, &dk, &validation(theirs));
        assert!(got.is_ok(), "{ours}: through our JWKS: {got:?}");
    }
}

#[test]
fn jsonwebtoken_tokens_verify_here() {
    provider();
    for (ours, theirs) in ALGS {
        let key = Key::generate("theirs-1", ours, &SystemRandom).unwrap();
        let ek = encoding_key(ours, &key.private_key_pem().unwrap());
        let mut header = jwt::Header::new(theirs);
        header.kid = Some("theirs-1".into());
        let claims = json!({"type": "reseller", "id": 5, "name": "r", "iat": NOW,
                            "exp": NOW + 60, "jti": format!("theirs-{ours}"), "scope": "sms:send"});
        let token = jwt::encode(&header, &claims, &ek).unwrap();

        // With our public key.
        let public = KeyRing::single(key.to_public().unwrap());
        let got = verify(public.clone(), &token)
            .unwrap_or_else(|e| panic!("{ours}: jsonwebtoken's token refused: {e}"));
        assert_eq!(got.to_json_value(), claims, "{ours}");
        assert_eq!(
            code(verify(public, &tampered(&token))),
            "bad_signature",
            "{ours}"
        );

        // With jsonwebtoken's own JWK of the key (it writes `alg`, so an RSA key is pinned).
        // jsonwebtoken 11 derives no JWK from an Ed25519 key (tests/asymmetric.rs builds one).
        if ours == Algorithm::EdDSA {
            continue;
        }
        let mut jwk = jwt::jwk::Jwk::from_encoding_key(&ek, theirs).unwrap();
        jwk.common.key_id = Some("theirs-1".into());
        let set = serde_json::to_string(&jwt::jwk::JwkSet { keys: vec![jwk] }).unwrap();
        let ring = KeyRing::from_jwks(&set)
            .unwrap_or_else(|e| panic!("{ours}: jsonwebtoken's JWK Set refused: {e}\n{set}"));
        assert_eq!(ring.keys()[0].algorithm(), ours);
        assert!(verify(ring, &token).is_ok(), "{ours}: through their JWK");
    }
}

/// One RSA key pair, jsonwebtoken signing both RS256 and PS256 with it: a ring pinned to one
/// accepts that one only; the other is `algorithm_not_allowed` here, and refused there too.
#[test]
fn one_rsa_key_pinned_to_rs_or_ps() {
    provider();
    let key = Key::generate("r", Algorithm::RS256, &SystemRandom).unwrap();
    let private_pem = key.private_key_pem().unwrap();
    let public_pem = key.public_key_pem().unwrap();
    let ek = encoding_key(Algorithm::RS256, &private_pem);
    let claims = json!({"type": "reseller", "id": 5, "name": "r", "iat": NOW, "jti": "j"});
    let sign = |alg| {
        let mut header = jwt::Header::new(alg);
        header.kid = Some("r".into());
        jwt::encode(&header, &claims, &ek).unwrap()
    };
    let (rs, ps) = (sign(jwt::Algorithm::RS256), sign(jwt::Algorithm::PS256));
    for (alg, good, other) in [(Algorithm::RS256, &rs, &ps), (Algorithm::PS256, &ps, &rs)] {
        let ring = KeyRing::single(Key::from_pem_for("r", alg, &public_pem).unwrap());
        assert!(verify(ring.clone(), good).is_ok(), "{alg}");
        assert_eq!(code(verify(ring, other)), "algorithm_not_allowed", "{alg}");
    }
    // PKCS#1 v1.5 and PSS under one hash are different signatures: jsonwebtoken agrees.
    let dk = decoding_key(Algorithm::RS256, &public_pem);
    let with_other_sig = format!(
        "{}.{}",
        &rs[..rs.rfind('.').unwrap()],
        &ps[ps.rfind('.').unwrap() + 1..]
    );
    assert!(
        jwt::decode::<Value>(&with_other_sig, &dk, &validation(jwt::Algorithm::RS256)).is_err()
    );
    let ring = KeyRing::single(Key::from_pem_for("r", Algorithm::RS256, &public_pem).unwrap());
    assert_eq!(code(verify(ring, &with_other_sig)), "bad_signature");
}
