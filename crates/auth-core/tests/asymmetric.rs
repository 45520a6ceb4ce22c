//! EdDSA and ES256 keys: minting and verifying, the strict signature rules, PEM, JWK and
//! JWK Sets, verify-only rings, and interoperability with `jsonwebtoken` both ways.

use auth_core::*;
use base64::Engine as _;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;
const ALGS: [Algorithm; 2] = [Algorithm::EdDSA, Algorithm::ES256];

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

/// A fixed private key per algorithm (raw 32 bytes), so failures reproduce.
fn private_key(kid: &str, alg: Algorithm, seed: u8) -> Key {
    let raw: Vec<u8> = (0..32u8)
        .map(|i| seed.wrapping_mul(31).wrapping_add(i))
        .collect();
    Key::new(kid, alg, &raw).unwrap()
}

fn mint(key: &Key) -> Minted {
    let mut req = MintRequest::new(Subject::user(7, "alice", false));
    req.now = Some(NOW);
    req.token_id = Some("fixed-token-id".into());
    Issuer::new(KeyRing::single(key.clone()))
        .mint(&req)
        .unwrap()
}

fn verify(ring: impl Into<SharedKeyRing>, token: &str) -> Result<Claims> {
    Verifier::new(ring).verify_with(token, &VerifyRequest::at(NOW + 1))
}

fn code(r: Result<impl std::fmt::Debug>) -> &'static str {
    r.unwrap_err().code().as_str()
}

/// `token` with its signature replaced by `sig`.
fn with_signature(token: &str, sig: &[u8]) -> String {
    let cut = token.rfind('.').unwrap();
    format!("{}.{}", &token[..cut], b64(sig))
}

fn signature(token: &str) -> Vec<u8> {
    unb64(&token[token.rfind('.').unwrap() + 1..])
}

#[test]
fn private_keys_mint_and_public_keys_only_verify() {
    for alg in ALGS {
        let key = private_key("k1", alg, 1);
        assert!(key.is_private());
        let minted = mint(&key);
        let header = inspect_unverified(minted.token.as_bytes(), 8192)
            .unwrap()
            .header;
        assert_eq!(
            header,
            json!({"alg": alg.as_str(), "typ": "JWT", "kid": "k1"})
        );
        assert_eq!(signature(&minted.token).len(), 64, "{alg}");
        assert_eq!(
            verify(KeyRing::single(key.clone()), &minted.token).unwrap(),
            minted.claims
        );

        let public = key.to_public().unwrap();
        assert!(!public.is_private());
        let verify_only = KeyRing::single(public);
        assert_eq!(
            verify(verify_only.clone(), &minted.token).unwrap(),
            minted.claims
        );
        let err = Issuer::new(verify_only)
            .mint(&MintRequest::new(Subject::reseller(1, "r")))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{alg}");
        assert!(err.message().contains("\"k1\""), "{}", err.message());
        assert!(err.message().contains("cannot mint"), "{}", err.message());
    }
}

#[test]
fn a_ring_mixes_key_types_each_pinned_to_its_algorithm() {
    let mut ring = KeyRing::new();
    ring.add(
        Key::new(
            "h",
            Algorithm::HS256,
            b"a shared secret of at least 32 bytes",
        )
        .unwrap(),
    )
    .unwrap();
    ring.add(private_key("e", Algorithm::EdDSA, 2)).unwrap();
    ring.add(private_key("p", Algorithm::ES256, 3).to_public().unwrap())
        .unwrap();
    let shared = SharedKeyRing::from(ring);
    let issuer = Issuer::new(shared.clone());
    let mut req = MintRequest::new(Subject::user(1, "u", false));
    req.now = Some(NOW);
    for kid in ["h", "e"] {
        shared.set_active(kid).unwrap();
        let t = issuer.mint(&req).unwrap().token;
        assert!(verify(shared.clone(), &t).is_ok(), "{kid}");
    }
    shared.set_active("p").unwrap();
    assert_eq!(code(issuer.mint(&req)), "invalid_key");
    // Only the asymmetric keys are exported, public halves only.
    let jwks: Value = serde_json::from_str(&shared.to_jwks()).unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, ["e", "p"]);
    assert!(jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k.get("d").is_none()));
}

#[test]
fn tampering_is_a_bad_signature() {
    for alg in ALGS {
        let key = private_key("k1", alg, 4);
        let ring = KeyRing::single(key.to_public().unwrap());
        let token = mint(&key).token;
        // Another payload under the same signature.
        let parts: Vec<&str> = token.split('.').collect();
        let other = b64(br#"{"type":"user","id":8,"name":"alice","admin":true,"sms_from":null,"user_group_id":null,"iat":1700000000,"jti":"x"}"#);
        let forged = format!("{}.{}.{}", parts[0], other, parts[2]);
        assert_eq!(
            code(verify(ring.clone(), &forged)),
            "bad_signature",
            "{alg}"
        );
        // Every single-bit flip of the signature.
        let sig = signature(&token);
        for bit in (0..512).step_by(37) {
            let mut s = sig.clone();
            s[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                code(verify(ring.clone(), &with_signature(&token, &s))),
                "bad_signature"
            );
        }
        // Other lengths, empty included.
        for len in [0, 32, 63, 65] {
            let mut s = sig.clone();
            s.resize(len, 0);
            assert_eq!(
                code(verify(ring.clone(), &with_signature(&token, &s))),
                "bad_signature"
            );
        }
        // Another key of the same type.
        let other_ring = KeyRing::single(private_key("k1", alg, 5));
        assert_eq!(code(verify(other_ring, &token)), "bad_signature");
    }
}

#[test]
fn the_header_never_chooses_the_algorithm() {
    let es = private_key("k1", Algorithm::ES256, 6);
    let pem = es.public_key_pem().unwrap();
    let ring = KeyRing::single(es.to_public().unwrap());
    let payload = b64(br#"{"type":"reseller","id":1,"name":"r","iat":1700000000,"jti":"j"}"#);
    // The classic confusion: HS256 keyed with the public key's bytes.
    for alg in ["HS256", "EdDSA", "ES384", "none", "es256"] {
        let header = b64(format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"k1"}}"#).as_bytes());
        let input = format!("{header}.{payload}");
        use hmac::{Hmac, Mac};
        let mut m =
            <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(pem.as_bytes()).unwrap();
        m.update(input.as_bytes());
        let token = format!("{input}.{}", b64(&m.finalize().into_bytes()));
        assert_eq!(
            code(verify(ring.clone(), &token)),
            "algorithm_not_allowed",
            "{alg}"
        );
    }
    // And an HMAC key is never fed an asymmetric algorithm.
    let hs = KeyRing::single(Key::new("k1", Algorithm::HS256, pem.as_bytes()).unwrap());
    let t = mint(&es).token;
    assert_eq!(code(verify(hs, &t)), "algorithm_not_allowed");
}

#[test]
fn es256_signatures_are_raw_and_minted_low_s() {
    use p256::ecdsa::Signature;
    let key = private_key("k1", Algorithm::ES256, 7);
    let ring = KeyRing::single(key.to_public().unwrap());
    for i in 0..16u64 {
        let mut req = MintRequest::new(Subject::user(i, "u", false));
        req.now = Some(NOW);
        let token = Issuer::new(KeyRing::single(key.clone()))
            .mint(&req)
            .unwrap()
            .token;
        let sig = Signature::from_slice(&signature(&token)).unwrap();
        assert!(
            sig.normalize_s().is_none(),
            "minted signatures have a low S"
        );
        // DER: refused, whatever its length.
        let der = sig.to_der();
        assert_eq!(
            code(verify(
                ring.clone(),
                &with_signature(&token, der.as_bytes())
            )),
            "bad_signature"
        );
        // High S (what OpenSSL-based signers produce half the time): accepted.
        let high = Signature::from_scalars(sig.r(), -sig.s()).unwrap();
        assert!(verify(ring.clone(), &with_signature(&token, &high.to_bytes())).is_ok());
        // r or s of zero, or s ≥ n: refused.
        let mut zero_s = sig.to_bytes().to_vec();
        zero_s[32..].fill(0);
        assert_eq!(
            code(verify(ring.clone(), &with_signature(&token, &zero_s))),
            "bad_signature"
        );
        let mut big_s = sig.to_bytes().to_vec();
        big_s[32..].fill(0xff);
        assert_eq!(
            code(verify(ring.clone(), &with_signature(&token, &big_s))),
            "bad_signature"
        );
    }
}

#[test]
fn eddsa_non_canonical_s_is_refused() {
    // The group order L, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let key = private_key("k1", Algorithm::EdDSA, 8);
    let ring = KeyRing::single(key.to_public().unwrap());
    let token = mint(&key).token;
    let sig = signature(&token);
    // S + L: the same scalar mod L, a second encoding that lax verifiers accept.
    let mut s = sig.clone();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s[32 + i]) + u16::from(L[i]) + carry;
        s[32 + i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    assert!(verify(ring.clone(), &token).is_ok());
    assert_eq!(
        code(verify(ring, &with_signature(&token, &s))),
        "bad_signature"
    );
}

#[test]
fn pem_round_trips_and_refuses_what_it_cannot_read() {
    for alg in ALGS {
        let key = Key::generate("g", alg, &SystemRandom).unwrap();
        let private = key.private_key_pem().unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = Key::from_pem("g", &private).unwrap();
        assert!(again.is_private());
        assert_eq!(again.algorithm(), alg);
        assert_eq!(
            again.public_key_pem().unwrap(),
            key.public_key_pem().unwrap()
        );
        let public = Key::from_pem("g", &key.public_key_pem().unwrap()).unwrap();
        assert!(!public.is_private());
        assert_eq!(code(public.private_key_pem()), "invalid_key");
        let t = mint(&again).token;
        assert!(verify(KeyRing::single(public), &t).is_ok());
    }
    let hs = Key::new(
        "h",
        Algorithm::HS256,
        b"a shared secret of at least 32 bytes",
    )
    .unwrap();
    assert_eq!(code(hs.public_key_pem()), "invalid_key");
    assert_eq!(code(hs.to_public()), "invalid_key");
    assert_eq!(
        code(Key::generate("h", Algorithm::HS256, &SystemRandom)),
        "invalid_key"
    );
    let good = Key::generate("g", Algorithm::EdDSA, &SystemRandom)
        .unwrap()
        .private_key_pem()
        .unwrap();
    for bad in [
        String::new(),
        "junk".to_owned(),
        good.replace("PRIVATE KEY", "EC PRIVATE KEY"),
        good.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
        good.replace("PRIVATE KEY", "CERTIFICATE"),
        good.replacen('M', "N", 1),
        good[..good.len() - 30].to_owned(),
    ] {
        let err = Key::from_pem("badkey", &bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{bad}");
        assert!(err.message().contains("\"badkey\""), "{}", err.message());
    }
    assert_eq!(code(Key::from_pem("bad kid", &good)), "invalid_key");
    // Raw private keys: 32 bytes; a P-256 scalar ≥ n is refused.
    assert_eq!(
        code(Key::new("r", Algorithm::ES256, &[0xff; 33])),
        "weak_key"
    );
    assert_eq!(
        code(Key::new(
            "r",
            Algorithm::ES256,
            &(1u8..32).collect::<Vec<_>>()
        )),
        "weak_key"
    );
    let mut over = [0xffu8; 32];
    over[31] = 0xfe;
    assert_eq!(code(Key::new("r", Algorithm::ES256, &over)), "invalid_key");
    assert_eq!(
        code(Key::new(
            "r",
            Algorithm::EdDSA,
            &[1u8; 40]
                .iter()
                .enumerate()
                .map(|(i, b)| b + i as u8)
                .collect::<Vec<_>>()
        )),
        "invalid_key"
    );
}

fn sample_jwks() -> (KeyRing, String) {
    let mut ring = KeyRing::new();
    ring.add(private_key("ed", Algorithm::EdDSA, 9)).unwrap();
    ring.add(private_key("ec", Algorithm::ES256, 10)).unwrap();
    let jwks = ring.to_jwks();
    (ring, jwks)
}

#[test]
fn a_jwks_makes_a_verify_only_ring() {
    let (ring, jwks) = sample_jwks();
    let doc: Value = serde_json::from_str(&jwks).unwrap();
    assert_eq!(doc["keys"][0]["kty"], "OKP");
    assert_eq!(doc["keys"][0]["use"], "sig");
    assert_eq!(doc["keys"][1]["crv"], "P-256");
    assert_eq!(unb64(doc["keys"][1]["y"].as_str().unwrap()).len(), 32);
    let verify_only = KeyRing::from_jwks(&jwks).unwrap();
    assert_eq!(
        verify_only.to_jwks(),
        jwks,
        "export, import and export again agree"
    );
    for kid in ["ed", "ec"] {
        let key = ring.get(kid).unwrap();
        let t = mint(key).token;
        assert!(verify(verify_only.clone(), &t).is_ok());
        assert!(!verify_only.get(kid).unwrap().is_private());
        // A private JWK round-trips too.
        let private = Key::from_jwk(&key.to_private_jwk().unwrap()).unwrap();
        assert!(private.is_private());
        let again = mint(&private).token;
        assert_eq!(
            again.rsplit_once('.').unwrap().0,
            t.rsplit_once('.').unwrap().0,
            "same header and claims"
        );
        assert!(verify(verify_only.clone(), &again).is_ok(), "same key");
    }
    assert_eq!(
        code(Issuer::new(verify_only).mint(&MintRequest::new(Subject::reseller(1, "r")))),
        "invalid_key"
    );
}

#[test]
fn keys_for_other_uses_are_left_out_of_a_set_and_refused_alone() {
    let (ring, jwks) = sample_jwks();
    let t = mint(ring.get("ed").unwrap()).token;
    for (member, value) in [
        ("use", json!("enc")),
        ("key_ops", json!(["encrypt"])),
        ("key_ops", json!(["sign"])),
        ("alg", json!("RSA-OAEP")),
        ("alg", json!("ECDH-ES+A128KW")),
    ] {
        let mut doc: Value = serde_json::from_str(&jwks).unwrap();
        doc["keys"][0][member] = value.clone();
        let set = KeyRing::from_jwks(&doc.to_string()).unwrap();
        assert!(set.get("ed").is_none(), "{member}: {value}");
        assert!(set.get("ec").is_some(), "{member}: {value}");
        assert_eq!(code(verify(set, &t)), "unknown_key", "{member}: {value}");
        let alone = Key::from_jwk(&doc["keys"][0].to_string()).unwrap_err();
        assert_eq!(alone.code(), ErrorCode::InvalidKey, "{member}: {value}");
    }
    // `key_ops` listing `verify` among others is a signature key.
    let mut doc: Value = serde_json::from_str(&jwks).unwrap();
    doc["keys"][0]["key_ops"] = json!(["verify", "encrypt"]);
    let set = KeyRing::from_jwks(&doc.to_string()).unwrap();
    assert!(verify(set, &t).is_ok());
}

/// A JWKS whose first key is `f(first key)`; the refusal must be `invalid_key` naming it.
fn refused(edit: impl Fn(&mut serde_json::Map<String, Value>), which: usize) -> Error {
    let (_, jwks) = sample_jwks();
    let mut doc: Value = serde_json::from_str(&jwks).unwrap();
    edit(doc["keys"][which].as_object_mut().unwrap());
    KeyRing::from_jwks(&doc.to_string()).unwrap_err()
}

#[test]
fn jwks_refusals_name_the_key() {
    let (ring, _) = sample_jwks();
    let d_ed = ring.get("ed").unwrap().to_private_jwk().unwrap();
    let d_ed: Value = serde_json::from_str(&d_ed).unwrap();
    type Edit = Box<dyn Fn(&mut serde_json::Map<String, Value>)>;
    let set = |k: &'static str, v: Value| -> Edit {
        Box::new(move |m| {
            m.insert(k.into(), v.clone());
        })
    };
    let del = |k: &'static str| -> Edit {
        Box::new(move |m| {
            m.remove(k);
        })
    };
    let cases: Vec<(usize, Edit, &str)> = vec![
        (0, set("kty", json!("EC")), "crv"),
        (0, set("crv", json!("X25519")), "crv"),
        (0, set("alg", json!("ES256")), "alg"),
        (1, set("alg", json!("EdDSA")), "alg"),
        (1, set("crv", json!("P-384")), "want ES384"),
        (1, set("crv", json!("P-192")), "crv"),
        (0, set("kty", json!("RSA")), "not RS256"),
        (0, set("kty", json!("oct")), "kty"),
        (0, del("kty"), "kty"),
        (0, del("x"), "`x`"),
        (1, del("y"), "`y`"),
        (0, set("y", json!("AA")), "no `y`"),
        (0, set("d", d_ed["d"].clone()), "private member `d`"),
        (1, set("p", json!("AQAB")), "private member `p`"),
        (0, set("k", json!("AQAB")), "`k`"),
        (0, set("x", json!("not base64!")), "base64url"),
        (0, set("x", json!(b64(&[1u8; 31]))), "32 bytes"),
        (1, set("y", json!(b64(&[1u8; 33]))), "32 bytes"),
        (
            1,
            set("y", json!(b64(&[1u8; 32]))),
            "not a point on the curve",
        ),
        (0, set("x", json!(b64(&[0u8; 32]))), "small order"),
        (0, set("x", json!(1)), "must be a string"),
        (0, set("kid", json!("has space")), "kid"),
    ];
    for (i, (which, edit, want)) in cases.iter().enumerate() {
        let err = refused(edit, *which);
        assert_eq!(err.code(), ErrorCode::InvalidKey, "case {i}");
        assert!(err.message().contains(want), "case {i}: {}", err.message());
        let kid = ["ed", "ec"][*which];
        if *want != "kid" {
            assert!(
                err.message().contains(&format!("{kid:?}")),
                "case {i}: {}",
                err.message()
            );
        }
    }
    let err = refused(
        |m| {
            m.insert("kid".into(), json!("ec"));
        },
        0,
    );
    assert!(
        err.message().contains("duplicate `kid`"),
        "{}",
        err.message()
    );
    for bad in [
        "",
        "[]",
        "{}",
        r#"{"keys":{}}"#,
        r#"{"keys":[1]}"#,
        r#"{"keys":[],"keys":[]}"#,
        r#"{"keys":[{"kid":"a","kid":"a"}]}"#,
    ] {
        assert_eq!(code(KeyRing::from_jwks(bad)), "invalid_key", "{bad}");
    }
    let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(MAX_JWKS_BYTES));
    assert_eq!(code(KeyRing::from_jwks(&huge)), "invalid_key");
    // An empty set is a ring with no keys (every token: unknown_key).
    assert!(KeyRing::from_jwks(r#"{"keys":[]}"#).unwrap().is_empty());
}

#[test]
fn refreshing_a_shared_ring_from_a_jwks_is_atomic() {
    let (ring, jwks) = sample_jwks();
    let shared = SharedKeyRing::new();
    let verifier = Verifier::new(shared.clone());
    let t = mint(ring.get("ec").unwrap()).token;
    assert_eq!(
        code(verifier.verify_with(&t, &VerifyRequest::at(NOW))),
        "unknown_key"
    );
    shared.replace_from_jwks(&jwks).unwrap();
    assert!(verifier.verify_with(&t, &VerifyRequest::at(NOW)).is_ok());
    let broken = jwks.replace("P-256", "P-521");
    assert_eq!(
        shared.replace_from_jwks(&broken).unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(shared.kids(), ["ed", "ec"], "a bad set changes nothing");
    assert!(verifier.verify_with(&t, &VerifyRequest::at(NOW)).is_ok());
}

// --- jsonwebtoken, both ways -------------------------------------------------------------

fn jwt_provider() {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

fn jalg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    match alg {
        Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        _ => unreachable!(),
    }
}

fn validation(alg: Algorithm) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(jalg(alg));
    v.validate_exp = false;
    v.required_spec_claims.clear();
    v
}

#[test]
fn our_tokens_and_jwks_work_in_jsonwebtoken() {
    jwt_provider();
    for alg in ALGS {
        let key = Key::generate("kid-1", alg, &SystemRandom).unwrap();
        let minted = mint(&key);
        // The public key bytes jsonwebtoken takes: Ed25519 `x`, or the SEC1 point 04‖x‖y.
        let jwk = key.to_public_jwk().unwrap();
        let x = unb64(jwk["x"].as_str().unwrap());
        let dk = match alg {
            Algorithm::EdDSA => jsonwebtoken::DecodingKey::from_ed_der(&x),
            _ => {
                let mut point = vec![4u8];
                point.extend(x);
                point.extend(unb64(jwk["y"].as_str().unwrap()));
                jsonwebtoken::DecodingKey::from_ec_der(&point)
            }
        };
        let got = jsonwebtoken::decode::<Value>(&minted.token, &dk, &validation(alg)).unwrap();
        assert_eq!(got.claims, minted.claims.to_json_value());
        // Through our JWKS.
        let set: jsonwebtoken::jwk::JwkSet =
            serde_json::from_str(&KeyRing::single(key.clone()).to_jwks()).unwrap();
        let jwk = set.find("kid-1").unwrap();
        let dk = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        assert!(
            jsonwebtoken::decode::<Value>(&minted.token, &dk, &validation(alg)).is_ok(),
            "{alg}"
        );
    }
}

#[test]
fn jsonwebtoken_tokens_and_jwks_work_here() {
    jwt_provider();
    for alg in ALGS {
        let key = Key::generate("kid-2", alg, &SystemRandom).unwrap();
        // Our PKCS#8 PEM's DER body, as jsonwebtoken takes it.
        let pem = key.private_key_pem().unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let ek = match alg {
            Algorithm::EdDSA => jsonwebtoken::EncodingKey::from_ed_der(&der),
            _ => jsonwebtoken::EncodingKey::from_ec_der(&der),
        };
        let mut header = jsonwebtoken::Header::new(jalg(alg));
        header.kid = Some("kid-2".into());
        header.typ = Some("JWT".into());
        let claims =
            json!({"type": "reseller", "id": 5, "name": "r", "iat": NOW, "jti": "their-token"});
        let token = jsonwebtoken::encode(&header, &claims, &ek).unwrap();
        // With the public key from our PEM...
        let got = verify(KeyRing::single(key.to_public().unwrap()), &token).unwrap();
        assert_eq!(got.jti, "their-token");
        // ...and from the JWKS jsonwebtoken writes for its own key.
        use jsonwebtoken::jwk;
        let mut jwk = match alg {
            // jsonwebtoken 11 derives the JWK of an EC key; an Ed25519 JWK is built from its
            // parts (the raw public key) with jsonwebtoken's own types and serializer.
            Algorithm::ES256 => jwk::Jwk::from_encoding_key(&ek, jalg(alg)).unwrap(),
            _ => jwk::Jwk {
                common: jwk::CommonParameters::default(),
                algorithm: jwk::AlgorithmParameters::OctetKeyPair(jwk::OctetKeyPairParameters {
                    key_type: jwk::OctetKeyPairType::OctetKeyPair,
                    curve: jwk::EllipticCurve::Ed25519,
                    x: key.to_public_jwk().unwrap()["x"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                }),
            },
        };
        jwk.common.key_id = Some("kid-2".into());
        let jwks = serde_json::to_string(&jsonwebtoken::jwk::JwkSet { keys: vec![jwk] }).unwrap();
        let ring = KeyRing::from_jwks(&jwks).unwrap_or_else(|e| panic!("{alg}: {e} in {jwks}"));
        assert_eq!(verify(ring, &token).unwrap().jti, "their-token");
    }
}
