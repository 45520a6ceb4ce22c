//! RS256 … PS512, ES384 and ES512: minting and verifying, one algorithm per key, the RSA key
//! rules, signature lengths, PEM (SPKI, PKCS#8, PKCS#1) and JWK / JWK Set forms, and a set
//! mixing RSA, EC and OKP keys.

use std::sync::OnceLock;

use auth_core::*;
use base64::Engine as _;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;
const RSA: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

/// One RSA private key for the whole file (generating one takes a while), as PKCS#8 PEM.
fn rsa_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        let k = Key::generate("r", Algorithm::RS256, &SystemRandom).unwrap();
        k.private_key_pem().unwrap().to_string()
    })
}

fn rsa_key(kid: &str, alg: Algorithm) -> Key {
    Key::from_pem_for(kid, alg, rsa_pem()).unwrap()
}

fn mint(key: &Key) -> String {
    let mut req = MintRequest::new(Subject::user(7, "alice", false));
    req.now = Some(NOW);
    Issuer::new(KeyRing::single(key.clone()))
        .mint(&req)
        .unwrap()
        .token
}

fn verify(ring: impl Into<SharedKeyRing>, token: &str) -> Result<Claims> {
    Verifier::new(ring).verify_with(token, &VerifyRequest::at(NOW + 1))
}

fn code(r: Result<impl std::fmt::Debug>) -> &'static str {
    r.unwrap_err().code().as_str()
}

fn with_signature(token: &str, sig: &[u8]) -> String {
    let cut = token.rfind('.').unwrap();
    format!("{}.{}", &token[..cut], b64(sig))
}

fn signature(token: &str) -> Vec<u8> {
    unb64(&token[token.rfind('.').unwrap() + 1..])
}

#[test]
fn every_new_algorithm_mints_and_verifies_through_pem_and_jwk() {
    let mut keys: Vec<Key> = RSA.iter().map(|&a| rsa_key(a.as_str(), a)).collect();
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        keys.push(Key::generate(alg.as_str(), alg, &SystemRandom).unwrap());
    }
    for key in &keys {
        let alg = key.algorithm();
        let token = mint(key);
        let sig = signature(&token);
        assert_eq!(sig.len(), key.signature_len(), "{alg}");
        let by_pem = Key::from_pem_for(key.kid(), alg, &key.public_key_pem().unwrap()).unwrap();
        assert!(!by_pem.is_private());
        assert_eq!(
            verify(KeyRing::single(by_pem), &token)
                .unwrap()
                .subject
                .id(),
            7
        );
        let by_jwk = Key::from_jwk(&key.to_public_jwk().unwrap().to_string()).unwrap();
        assert_eq!(by_jwk.algorithm(), alg);
        assert!(verify(KeyRing::single(by_jwk.clone()), &token).is_ok());
        // Tampered payload, one byte more or less of signature, a flipped bit: refused.
        let parts: Vec<&str> = token.split('.').collect();
        let other = mint(&Key::generate("x", Algorithm::ES256, &SystemRandom).unwrap());
        let other_payload = other.split('.').nth(1).unwrap();
        let tampered = format!("{}.{}.{}", parts[0], other_payload, parts[2]);
        let ring = KeyRing::single(by_jwk);
        assert_eq!(
            code(verify(ring.clone(), &tampered)),
            "bad_signature",
            "{alg}"
        );
        let mut long = sig.clone();
        long.push(0);
        assert_eq!(
            code(verify(ring.clone(), &with_signature(&token, &long))),
            "bad_signature"
        );
        assert_eq!(
            code(verify(ring.clone(), &with_signature(&token, &sig[1..]))),
            "bad_signature",
            "{alg}"
        );
        let mut flipped = sig.clone();
        flipped[sig.len() / 2] ^= 1;
        assert_eq!(
            code(verify(ring, &with_signature(&token, &flipped))),
            "bad_signature"
        );
    }
}

#[test]
fn one_rsa_key_one_algorithm() {
    let tokens: Vec<(Algorithm, String)> =
        RSA.iter().map(|&a| (a, mint(&rsa_key("r", a)))).collect();
    for &pinned in &RSA {
        let ring = KeyRing::single(rsa_key("r", pinned).to_public().unwrap());
        for (alg, token) in &tokens {
            let got = verify(ring.clone(), token);
            if *alg == pinned {
                assert!(got.is_ok(), "{alg}");
            } else {
                assert_eq!(code(got), "algorithm_not_allowed", "{alg} under {pinned}");
            }
        }
        // The header names the key's algorithm but the signature is the other padding.
        let (_, rs) = &tokens[0];
        let (_, ps) = &tokens[3];
        let ps_sig_in_rs = with_signature(rs, &signature(ps));
        if pinned == Algorithm::RS256 {
            assert_eq!(code(verify(ring.clone(), &ps_sig_in_rs)), "bad_signature");
        }
    }
    // The public key's PEM as an HMAC secret: the HS256 header never reaches the RSA key,
    // and an HMAC key is never fed an RSA token.
    let public_pem = rsa_key("r", Algorithm::RS256).public_key_pem().unwrap();
    let hs = Key::new("r", Algorithm::HS256, public_pem.as_bytes()).unwrap();
    let forged = mint(&hs);
    let rsa_ring = KeyRing::single(rsa_key("r", Algorithm::RS256).to_public().unwrap());
    assert_eq!(code(verify(rsa_ring, &forged)), "algorithm_not_allowed");
    assert_eq!(
        code(verify(KeyRing::single(hs), &tokens[0].1)),
        "algorithm_not_allowed"
    );
}

fn rsa_jwk() -> serde_json::Map<String, Value> {
    let jwk = rsa_key("r1", Algorithm::RS256).to_public_jwk().unwrap();
    jwk.as_object().unwrap().clone()
}

fn jwk_error(edit: impl Fn(&mut serde_json::Map<String, Value>)) -> Error {
    let mut jwk = rsa_jwk();
    edit(&mut jwk);
    KeyRing::from_jwks(&json!({ "keys": [jwk] }).to_string()).unwrap_err()
}

#[test]
fn rsa_jwk_rules() {
    let n = unb64(rsa_jwk()["n"].as_str().unwrap());
    assert_eq!(n.len(), 256);
    let cases: Vec<(Value, Value, &str)> = vec![
        (
            json!("n"),
            json!(b64(&[&[0u8][..], &n].concat())),
            "zero octet",
        ),
        (json!("e"), json!(b64(&[0, 1, 0, 1])), "zero octet"),
        (json!("n"), json!(b64(&n[..128])), "1024 bits"),
        (json!("e"), json!(b64(&[1])), "at least 3"),
        (json!("e"), json!(b64(&[1, 0, 0])), "not odd"),
        (json!("e"), json!(b64(&[1, 0, 0, 0, 1])), "32 bits"),
        (
            json!("n"),
            json!(b64(&[&n[..255], &[n[255] & 0xfe]].concat())),
            "even",
        ),
        (json!("d"), json!(b64(&n)), "private member `d`"),
        (json!("p"), json!(b64(&n[..128])), "private member `p`"),
        (json!("qi"), json!(b64(&n[..128])), "private member `qi`"),
        (json!("alg"), json!("ES256"), "not RS256"),
        (json!("alg"), json!("HS256"), "not RS256"),
        (json!("n"), json!(b64(&n) + "="), "base64url"),
    ];
    for (member, value, want) in cases {
        let err = jwk_error(|m| {
            m.insert(member.as_str().unwrap().to_owned(), value.clone());
        });
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{member} {want}");
        assert!(err.message().contains(want), "{member}: {}", err.message());
        assert!(err.message().contains("\"r1\""), "{}", err.message());
    }
    let err = jwk_error(|m| {
        m.remove("e");
    });
    assert!(
        err.message().contains("`e` is missing"),
        "{}",
        err.message()
    );
    // Without `alg`, an RSA key is RS256; `alg` PS256 pins it to PSS.
    let mut jwk = rsa_jwk();
    jwk.remove("alg");
    let ring = KeyRing::from_jwks(&json!({ "keys": [jwk.clone()] }).to_string()).unwrap();
    assert_eq!(ring.get("r1").unwrap().algorithm(), Algorithm::RS256);
    jwk.insert("alg".into(), json!("PS256"));
    let ring = KeyRing::from_jwks(&json!({ "keys": [jwk] }).to_string()).unwrap();
    assert_eq!(ring.get("r1").unwrap().algorithm(), Algorithm::PS256);
    // An exponent of 3 is read (docs/keys.md says why).
    let mut three = rsa_jwk();
    three.insert("e".into(), json!(b64(&[3])));
    assert!(KeyRing::from_jwks(&json!({ "keys": [three] }).to_string()).is_ok());
}

#[test]
fn a_set_mixing_rsa_ec_and_okp_keys() {
    let mut issuer = KeyRing::new();
    issuer.add(rsa_key("rsa", Algorithm::PS384)).unwrap();
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ] {
        issuer
            .add(Key::generate(alg.as_str(), alg, &SystemRandom).unwrap())
            .unwrap();
    }
    let jwks = issuer.to_jwks();
    let doc: Value = serde_json::from_str(&jwks).unwrap();
    let crvs: Vec<&str> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["crv"].as_str().unwrap_or(k["kty"].as_str().unwrap()))
        .collect();
    assert_eq!(crvs, ["RSA", "P-256", "P-384", "P-521", "Ed25519"]);
    let verify_only = KeyRing::from_jwks(&jwks).unwrap();
    assert_eq!(verify_only.to_jwks(), jwks);
    for key in issuer.keys() {
        let token = mint(key);
        let claims = verify(verify_only.clone(), &token).unwrap();
        assert_eq!(claims.subject.name(), "alice", "{}", key.kid());
    }
    // EC coordinates must be the curve's size, and the point on the curve.
    let mut bad: Value = doc.clone();
    bad["keys"][2]["y"] = json!(b64(&[1u8; 48]));
    let err = KeyRing::from_jwks(&bad.to_string()).unwrap_err();
    assert!(
        err.message().contains("not a point on the curve"),
        "{}",
        err.message()
    );
    bad["keys"][2]["y"] = json!(b64(&[1u8; 32]));
    let err = KeyRing::from_jwks(&bad.to_string()).unwrap_err();
    assert!(err.message().contains("48 bytes"), "{}", err.message());
}

#[test]
fn rsa_pem_forms() {
    let key = rsa_key("r", Algorithm::RS512);
    let token = mint(&key);
    let spki = key.public_key_pem().unwrap();
    assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
    // PKCS#1 RSAPublicKey: the SPKI's BIT STRING content (after its 24-byte header for 2048 bits).
    let der = base64::engine::general_purpose::STANDARD
        .decode(
            spki.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .unwrap();
    let pkcs1 = &der[24..];
    let body = base64::engine::general_purpose::STANDARD.encode(pkcs1);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pkcs1_pem = format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    );
    let public = Key::from_pem_for("r", Algorithm::RS512, &pkcs1_pem).unwrap();
    assert!(verify(KeyRing::single(public), &token).is_ok());
    // Without an algorithm, an RSA PEM is RS256.
    assert_eq!(
        Key::from_pem("r", &spki).unwrap().algorithm(),
        Algorithm::RS256
    );
    // An algorithm that does not fit the key is refused.
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS256] {
        let err = Key::from_pem_for("r", alg, &spki).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{alg}");
    }
    let ec = Key::generate("e", Algorithm::ES384, &SystemRandom).unwrap();
    let err = Key::from_pem_for("e", Algorithm::ES256, &ec.public_key_pem().unwrap()).unwrap_err();
    assert!(err.message().contains("ES384"), "{}", err.message());
    // RSA private keys: PKCS#8 round trip, no private JWK, no raw form.
    let again = Key::from_pem_for("r", Algorithm::RS512, &key.private_key_pem().unwrap()).unwrap();
    assert!(again.is_private());
    assert_eq!(
        again.to_private_jwk().unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        Key::new("r", Algorithm::RS256, &[5u8; 300])
            .unwrap_err()
            .code(),
        ErrorCode::WeakKey
    );
}

#[test]
fn ecdsa_private_keys_have_the_curve_size() {
    for (alg, len) in [(Algorithm::ES384, 48), (Algorithm::ES512, 66)] {
        let raw: Vec<u8> = (0..len as u8)
            .map(|i| i.wrapping_mul(7) % 0x7f + 1)
            .collect();
        let mut raw = raw;
        raw[0] = 1;
        let key = Key::new("k", alg, &raw).unwrap();
        let jwk: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
        assert_eq!(unb64(jwk["d"].as_str().unwrap()), raw);
        assert_eq!(unb64(jwk["x"].as_str().unwrap()).len(), len);
        let back = Key::from_jwk(&jwk.to_string()).unwrap();
        assert!(verify(KeyRing::single(back.to_public().unwrap()), &mint(&key)).is_ok());
        assert_eq!(code(Key::new("k", alg, &raw[1..])), "weak_key");
        let mut over = raw.clone();
        over.push(1);
        assert_eq!(code(Key::new("k", alg, &over)), "invalid_key");
        let mut beyond_order = vec![0xff; len];
        beyond_order[len - 1] = 0xfe;
        assert_eq!(code(Key::new("k", alg, &beyond_order)), "invalid_key");
    }
}
