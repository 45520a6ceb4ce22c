//! The claims a verifier accepts are no wider than what minting writes and what the
//! verifier is configured for: `aud` and `iss` (RFC 7519 §4.1.1, §4.1.3), times and ids
//! within 2^53 − 1 both ways, and HMAC secrets as long as the hash output (RFC 7518 §3.2).

use auth_core::{
    Algorithm, ErrorCode, Issuer, Key, KeyRing, MintRequest, Principal, Subject, Verifier,
    VerifyOptions, VerifyRequest, MAX_TIME,
};
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8] = b"claims-hardening-secret-of-32-bytes";

fn ring() -> KeyRing {
    KeyRing::single(Key::new("k", Algorithm::HS256, SECRET).unwrap())
}

/// A token signed with the ring's key whose claims are the base user claims with
/// `extra` merged in (a `null` in `extra` removes the claim).
fn token(extra: Value) -> String {
    let mut claims = json!({
        "type": "user", "id": 7, "name": "alice", "admin": false,
        "iat": NOW, "exp": NOW + 3600, "jti": "hardening",
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("k".into());
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

fn verify(token: &str, options: VerifyOptions) -> auth_core::Result<auth_core::Claims> {
    Verifier::with_options(ring(), options).verify_with(token, &VerifyRequest::at(NOW))
}

fn code<T: std::fmt::Debug>(r: auth_core::Result<T>) -> ErrorCode {
    r.unwrap_err().code()
}

fn audiences(list: &[&str]) -> VerifyOptions {
    let mut o = VerifyOptions::default();
    for a in list {
        o.add_audience(*a);
    }
    o
}

#[test]
fn a_token_with_aud_is_refused_by_a_verifier_without_an_audience() {
    for aud in [json!("other-service"), json!(["a", "b"]), json!([])] {
        let t = token(json!({ "aud": aud }));
        assert_eq!(
            code(verify(&t, VerifyOptions::default())),
            ErrorCode::InvalidClaims,
            "{aud}"
        );
    }
    // A token without aud is not affected, whatever the verifier expects.
    let t = token(json!({}));
    verify(&t, VerifyOptions::default()).unwrap();
    verify(&t, audiences(&["api"])).unwrap();
}

#[test]
fn aud_must_name_one_of_the_configured_audiences() {
    let opts = audiences(&["api", "billing"]);
    let claims = verify(&token(json!({"aud": "api"})), opts.clone()).unwrap();
    assert_eq!(claims.audience, Some(vec!["api".to_owned()]));
    assert_eq!(claims.to_json_value()["aud"], json!("api"));
    let claims = verify(&token(json!({"aud": ["other", "billing"]})), opts.clone()).unwrap();
    assert_eq!(
        claims.audience,
        Some(vec!["other".to_owned(), "billing".to_owned()])
    );
    assert_eq!(claims.to_json_value()["aud"], json!(["other", "billing"]));
    for aud in [
        json!("other-service"),
        json!("API"),
        json!(["other", "x"]),
        json!([]),
    ] {
        assert_eq!(
            code(verify(&token(json!({ "aud": aud })), opts.clone())),
            ErrorCode::InvalidClaims,
            "{aud}"
        );
    }
}

#[test]
fn aud_of_the_wrong_type_is_invalid_claims() {
    let opts = audiences(&["api"]);
    for aud in [
        json!(1),
        json!(true),
        json!({"api": 1}),
        json!(["api", 1]),
        json!([["api"]]),
    ] {
        assert_eq!(
            code(verify(&token(json!({ "aud": aud })), opts.clone())),
            ErrorCode::InvalidClaims,
            "{aud}"
        );
    }
}

#[test]
fn a_configured_issuer_must_be_present_and_equal() {
    let mut opts = VerifyOptions::default();
    opts.set_issuer(Some("https://auth.example".into()));
    let claims = verify(&token(json!({"iss": "https://auth.example"})), opts.clone()).unwrap();
    assert_eq!(claims.issuer.as_deref(), Some("https://auth.example"));
    for iss in [json!("https://evil.example"), json!(""), json!(1)] {
        assert_eq!(
            code(verify(&token(json!({ "iss": iss })), opts.clone())),
            ErrorCode::InvalidClaims,
            "{iss}"
        );
    }
    assert_eq!(
        code(verify(&token(json!({})), opts)),
        ErrorCode::InvalidClaims
    );
    // Without a configured issuer, iss is returned but not checked (it must be a string).
    let claims = verify(&token(json!({"iss": "anyone"})), VerifyOptions::default()).unwrap();
    assert_eq!(claims.issuer.as_deref(), Some("anyone"));
    assert_eq!(
        code(verify(&token(json!({"iss": 5})), VerifyOptions::default())),
        ErrorCode::InvalidClaims
    );
}

#[test]
fn times_and_ids_past_two_to_the_53_are_refused_at_verify() {
    let over = MAX_TIME + 1;
    for (claim, value) in [
        ("exp", over),
        ("nbf", over),
        ("exp", u64::MAX),
        ("id", over),
        ("id", u64::MAX),
        ("user_group_id", over),
    ] {
        let t = token(json!({ claim: value }));
        assert_eq!(
            code(verify(&t, VerifyOptions::default())),
            ErrorCode::InvalidClaims,
            "{claim}={value}"
        );
    }
    let t = token(json!({"parent": {"type": "reseller", "id": over}}));
    assert_eq!(
        code(verify(&t, VerifyOptions::default())),
        ErrorCode::InvalidClaims
    );
    // iat is checked for its range before the clock: past 2^53 − 1 is invalid_claims,
    // not issued_in_future.
    let t = token(json!({"iat": over, "exp": null}));
    assert_eq!(
        code(verify(&t, VerifyOptions::default())),
        ErrorCode::InvalidClaims
    );
    // The bound itself is accepted.
    let t = token(json!({"exp": MAX_TIME, "id": MAX_TIME, "user_group_id": MAX_TIME}));
    let c = verify(&t, VerifyOptions::default()).unwrap();
    assert_eq!(c.exp, Some(MAX_TIME));
    assert_eq!(c.subject.id(), MAX_TIME);
}

#[test]
fn ids_past_two_to_the_53_are_not_minted() {
    let issuer = Issuer::new(ring());
    let mint = |req: MintRequest| {
        let mut req = req;
        req.now = Some(NOW);
        issuer.mint(&req)
    };
    let err = mint(MintRequest::new(Subject::reseller(MAX_TIME + 1, "r"))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    let err = mint(MintRequest::new(Subject::User {
        id: 1,
        name: "u".into(),
        admin: false,
        sms_from: None,
        user_group_id: Some(u64::MAX),
    }))
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    let mut req = MintRequest::new(Subject::reseller(1, "r"));
    req.parent = Some(Principal::reseller(MAX_TIME + 1));
    assert_eq!(mint(req).unwrap_err().code(), ErrorCode::InvalidRequest);

    // At the bound, minted and verified.
    let minted = mint(MintRequest::new(Subject::reseller(MAX_TIME, "r"))).unwrap();
    let c = Verifier::new(ring())
        .verify_with(&minted.token, &VerifyRequest::at(NOW))
        .unwrap();
    assert_eq!(c.subject.id(), MAX_TIME);
}

#[test]
fn hmac_secrets_must_be_as_long_as_the_hash_output() {
    let secret: Vec<u8> = (0u8..=255).collect();
    for (alg, min) in [
        (Algorithm::HS256, 32),
        (Algorithm::HS384, 48),
        (Algorithm::HS512, 64),
    ] {
        assert_eq!(alg.min_secret_len(), min);
        Key::new("k", alg, &secret[..min]).unwrap();
        let err = Key::new("k", alg, &secret[..min - 1]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::WeakKey, "{alg}");
    }
}

#[test]
fn a_secret_of_one_repeated_byte_is_weak() {
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        for b in [0u8, 7, b'a', 0xff] {
            let err = Key::new("k", alg, &[b; 128]).unwrap_err();
            assert_eq!(err.code(), ErrorCode::WeakKey, "{alg} {b}");
        }
    }
    // Two distinct values are enough not to be called degenerate.
    let mut s = [b'a'; 32];
    s[31] = b'b';
    Key::new("k", Algorithm::HS256, &s).unwrap();
}
