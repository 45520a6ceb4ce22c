//! Interoperability: tokens minted here verify in `jsonwebtoken`, tokens built by
//! hand (header and claims JSON, HMAC by the `hmac`/`sha2` crates) verify here.

use auth_core::*;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Sha256, Sha384, Sha512};

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8] = b"interop-secret-interop-secret-32";

/// A test secret of `len` distinct-enough bytes starting at `seed` (a secret of one
/// repeated byte is `weak_key`).
fn test_secret(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

/// jsonwebtoken picks its crypto backend from a process-wide provider; choose the
/// `rust_crypto` one explicitly so no feature combination can make it panic.
fn jwt_provider() {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn ring(alg: Algorithm, secret: &[u8]) -> KeyRing {
    KeyRing::single(Key::new("kid-1", alg, secret).unwrap())
}

fn jwt_validation(alg: jsonwebtoken::Algorithm) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    // The tokens are minted at a fixed past time; check exp by hand below.
    v.validate_exp = false;
    v.required_spec_claims.clear();
    v
}

#[test]
fn minted_tokens_verify_in_jsonwebtoken() {
    jwt_provider();
    for (alg, jalg, secret) in [
        (
            Algorithm::HS256,
            jsonwebtoken::Algorithm::HS256,
            &test_secret(7, 32)[..],
        ),
        (
            Algorithm::HS384,
            jsonwebtoken::Algorithm::HS384,
            &test_secret(8, 48)[..],
        ),
        (
            Algorithm::HS512,
            jsonwebtoken::Algorithm::HS512,
            &test_secret(9, 64)[..],
        ),
    ] {
        let issuer = Issuer::new(ring(alg, secret));
        let mut req = MintRequest::new(Subject::User {
            id: 42,
            name: "Zoë".into(),
            admin: true,
            sms_from: Some("ACME".into()),
            user_group_id: Some(3),
        });
        req.now = Some(NOW);
        req.token_name = Some("integration".into());
        req.set_allowed_ips(&["192.168.2.0/24", "2a01:cb1d:2b9:ef02::/64"])
            .unwrap();
        req.parent = Some(Principal::reseller(1));
        let minted = issuer.mint(&req).unwrap();

        let data = jsonwebtoken::decode::<Value>(
            &minted.token,
            &jsonwebtoken::DecodingKey::from_secret(secret),
            &jwt_validation(jalg),
        )
        .unwrap();
        assert_eq!(data.header.alg, jalg);
        assert_eq!(data.header.kid.as_deref(), Some("kid-1"));
        assert_eq!(data.header.typ.as_deref(), Some("JWT"));
        assert_eq!(data.claims, minted.claims.to_json_value());
        assert_eq!(data.claims["exp"], json!(NOW + 86_400));
        assert_eq!(data.claims["type"], json!("user"));

        // And a wrong secret fails there too.
        assert!(jsonwebtoken::decode::<Value>(
            &minted.token,
            &jsonwebtoken::DecodingKey::from_secret(&test_secret(0, 64)),
            &jwt_validation(jalg),
        )
        .is_err());
    }
}

#[test]
fn jsonwebtoken_minted_tokens_verify_here() {
    jwt_provider();
    let claims = json!({
        "type": "reseller", "id": 1, "name": "reseller_name",
        "iat": NOW, "exp": NOW + 3600, "jti": "jwt-lib-1",
        "allowed_ips": ["10.0.0.0/8"], "aud": "this-service"
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("kid-1".into());
    let token = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    // RFC 7519 §4.1.3: the token names an audience, so only a verifier of that audience takes it.
    let ip = parse_client_ip("10.1.2.3").unwrap();
    let err = Verifier::new(ring(Algorithm::HS256, SECRET))
        .verify_with(&token, &VerifyRequest::at(NOW + 10).client_ip(ip))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidClaims);
    let mut options = VerifyOptions::default();
    options.add_audience("this-service");
    let verifier = Verifier::with_options(ring(Algorithm::HS256, SECRET), options);
    let got = verifier
        .verify_with(&token, &VerifyRequest::at(NOW + 10).client_ip(ip))
        .unwrap();
    assert_eq!(got.subject, Subject::reseller(1, "reseller_name"));
    assert_eq!(got.exp, Some(NOW + 3600));
    assert_eq!(got.jti, "jwt-lib-1");
    assert_eq!(got.audience, Some(vec!["this-service".to_owned()]));
    let err = verifier
        .verify_with(&token, &VerifyRequest::at(NOW + 3600).client_ip(ip))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenExpired);
}

fn hand_token(alg: &str, header: &Value, claims: &Value, secret: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let tag = match alg {
        "HS256" => {
            let mut m = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
            m.update(signing_input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        "HS384" => {
            let mut m = <Hmac<Sha384> as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
            m.update(signing_input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut m = <Hmac<Sha512> as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
            m.update(signing_input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
    };
    format!("{signing_input}.{}", b64(&tag))
}

#[test]
fn hand_built_tokens_verify_here() {
    let claims = json!({
        "type": "user", "id": 7, "name": "bob", "admin": false, "sms_from": null,
        "user_group_id": null, "iat": NOW, "jti": "hand-1"
    });
    for (alg, ours, secret) in [
        ("HS256", Algorithm::HS256, &test_secret(1, 32)[..]),
        ("HS384", Algorithm::HS384, &test_secret(2, 48)[..]),
        ("HS512", Algorithm::HS512, &test_secret(3, 64)[..]),
    ] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "kid-1"});
        let token = hand_token(alg, &header, &claims, secret);
        let verifier = Verifier::new(ring(ours, secret));
        let got = verifier
            .verify_with(&token, &VerifyRequest::at(NOW))
            .unwrap();
        assert!(got.is_static(), "no exp: a static token");
        assert_eq!(got.to_json_value(), claims);

        // The same claims signed under another algorithm's name are refused.
        let other = if alg == "HS256" { "HS512" } else { "HS256" };
        let forged = hand_token(
            other,
            &json!({"alg": other, "kid": "kid-1"}),
            &claims,
            secret,
        );
        assert_eq!(
            verifier
                .verify_with(&forged, &VerifyRequest::at(NOW))
                .unwrap_err()
                .code(),
            ErrorCode::AlgorithmNotAllowed
        );
    }
}

#[test]
fn our_header_is_the_documented_one() {
    let issuer = Issuer::new(ring(Algorithm::HS256, SECRET));
    let mut req = MintRequest::new(Subject::reseller(1, "r"));
    req.now = Some(NOW);
    let token = issuer.mint(&req).unwrap().token;
    let got = inspect_unverified(token.as_bytes(), 8192).unwrap();
    assert_eq!(
        got.header,
        json!({"alg": "HS256", "typ": "JWT", "kid": "kid-1"})
    );
    // Byte for byte, in the order docs/token-format.md writes it.
    let header_b64 = token.split('.').next().unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header_b64)
        .unwrap();
    assert_eq!(header, br#"{"alg":"HS256","typ":"JWT","kid":"kid-1"}"#);
}
