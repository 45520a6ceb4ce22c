//! Custom claims: minted from a JSON object, refused for names the library owns, read
//! back strictly after verification (map, one claim, or a whole struct through serde).

use auth_core::*;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;

fn ring() -> KeyRing {
    KeyRing::single(Key::new("k", Algorithm::EdDSA, &(1u8..33).collect::<Vec<_>>()).unwrap())
}

fn request() -> MintRequest {
    let mut req = MintRequest::new(Subject::user(7, "alice", false));
    req.now = Some(NOW);
    req
}

#[test]
fn custom_claims_round_trip() {
    let ring = ring();
    let mut req = request();
    req.set_extra_json(r#"{"roles":["admin","billing"],"perm":"read write","tenant":{"id":42,"eu":true},"ratio":0.5}"#)
        .unwrap();
    let minted = Issuer::new(ring.clone()).mint(&req).unwrap();
    let claims = Verifier::new(ring)
        .verify_with(&minted.token, &VerifyRequest::at(NOW))
        .unwrap();
    assert_eq!(claims, minted.claims);
    assert_eq!(claims.extra()["roles"], json!(["admin", "billing"]));
    assert_eq!(claims.extra().len(), 4);
    let roles: Vec<String> = claims.extra_claim("roles").unwrap().unwrap();
    assert_eq!(roles, ["admin", "billing"]);
    assert_eq!(
        claims.extra_claim::<u64>("perm").unwrap_err().code(),
        ErrorCode::InvalidClaims
    );

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Tenant {
        id: u64,
        eu: bool,
    }
    #[derive(serde::Deserialize)]
    struct Extra {
        roles: Vec<String>,
        tenant: Tenant,
    }
    let extra: Extra = claims.extra_claims_as().unwrap();
    assert_eq!(extra.tenant, Tenant { id: 42, eu: true });
    assert_eq!(extra.roles.len(), 2);
    // The wire shape and the JSON view carry them after the library's own claims.
    let json: Value = serde_json::from_str(&claims.to_json()).unwrap();
    assert_eq!(json["tenant"]["id"], 42);
    assert_eq!(json["type"], "user");
    assert_eq!(
        serde_json::from_str::<Value>(&claims.extra_json()).unwrap()["perm"],
        "read write"
    );
}

#[test]
fn numbers_beyond_integers_come_back_exactly_as_minted() {
    // Found by the key_formats fuzz target: a number too large for an integer is a float,
    // and reading its shortest text back must give the same float (serde_json's
    // `float_roundtrip`), or a verified token carries another value than was minted.
    let ring = ring();
    for text in [
        r#"{"a":{"b":36666666666666333333}}"#,
        r#"{"a":6.6666666666666665e41}"#,
        r#"{"a":[0.1,1e-300,1.7976931348623157e308,123456789012345678901234567890]}"#,
    ] {
        let mut req = request();
        req.set_extra_json(text).unwrap();
        let minted = Issuer::new(ring.clone()).mint(&req).unwrap();
        let claims = Verifier::new(ring.clone())
            .verify_with(&minted.token, &VerifyRequest::at(NOW))
            .unwrap();
        assert_eq!(claims.extra(), &req.extra, "{text}");
        assert_eq!(claims, minted.claims, "{text}");
    }
}

#[test]
fn owned_names_and_loose_json_are_refused_when_minting() {
    for name in RESERVED_CLAIMS {
        let mut req = request();
        let err = req
            .set_extra_json(&format!(r#"{{"{name}":1}}"#))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRequest, "{name}");
        assert!(err.message().contains(name), "{}", err.message());
        // Set directly, the issuer refuses it too.
        req.extra.insert(name.to_owned(), json!(1));
        assert_eq!(
            Issuer::new(ring()).mint(&req).unwrap_err().code(),
            ErrorCode::InvalidRequest,
            "{name}"
        );
    }
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(40), "]".repeat(40));
    let many = format!(
        "{{{}}}",
        (0..=MAX_EXTRA_CLAIMS)
            .map(|i| format!("\"c{i}\":1"))
            .collect::<Vec<_>>()
            .join(",")
    );
    for bad in [
        r#"{"a":1,"a":2}"#,
        r#"{"a":{"b":1,"b":2}}"#,
        "[]",
        "1",
        "{",
        r#"{"a":1} {}"#,
        &deep,
        &many,
    ] {
        let mut req = request();
        assert_eq!(
            req.set_extra_json(bad).unwrap_err().code(),
            ErrorCode::InvalidRequest,
            "{bad}"
        );
        assert!(req.extra.is_empty(), "nothing changed");
    }
    // Set by hand on a Claims value, an owned name is never written out twice.
    let mut c = Claims::new(Subject::reseller(1, "r"), NOW, "j");
    c.exp = Some(NOW + 10);
    c.extra.insert("exp".into(), json!(0));
    c.extra.insert("ok".into(), json!(1));
    assert_eq!(c.to_json().matches("\"exp\"").count(), 1);
    assert_eq!(c.to_json_value()["exp"], NOW + 10);
    assert_eq!(c.to_json_value()["ok"], 1);
    // Built in Rust, a value nested past the bound is refused at mint.
    let mut v = json!(1);
    for _ in 0..40 {
        v = json!([v]);
    }
    let mut req = request();
    req.extra.insert("deep".into(), v);
    assert_eq!(
        Issuer::new(ring()).mint(&req).unwrap_err().code(),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn tokens_with_loose_custom_claims_are_refused_when_verifying() {
    // Hand-signed with the same HMAC key: the payload decides.
    let secret = b"custom-claims-secret-of-32-bytes";
    let ring = KeyRing::single(Key::new("k", Algorithm::HS256, secret).unwrap());
    let sign = |payload: &str| -> String {
        use base64::Engine as _;
        use hmac::{Hmac, Mac};
        let b = |d: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d);
        let input = format!(
            "{}.{}",
            b(br#"{"alg":"HS256","typ":"JWT","kid":"k"}"#),
            b(payload.as_bytes())
        );
        let mut m = <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
        m.update(input.as_bytes());
        format!("{input}.{}", b(&m.finalize().into_bytes()))
    };
    let base = r#""type":"reseller","id":1,"name":"r","iat":1700000000,"jti":"j""#;
    let v = Verifier::new(ring);
    let ok = v
        .verify_with(
            sign(&format!(r#"{{{base},"sub":"x","n":{{"a":[1,2]}}}}"#)),
            &VerifyRequest::at(NOW),
        )
        .unwrap();
    assert_eq!(ok.extra()["n"], json!({"a": [1, 2]}));
    assert_eq!(ok.extra()["sub"], "x");
    let deep = format!(r#"{{{base},"d":{}1{}}}"#, "[".repeat(40), "]".repeat(40));
    for bad in [
        format!(r#"{{{base},"x":1,"x":1}}"#),
        format!(r#"{{{base},"x":{{"y":1,"y":2}}}}"#),
        format!(r#"{{{base},"x":[{{"y":1,"\u0079":2}}]}}"#),
        deep,
    ] {
        assert_eq!(
            v.verify_with(sign(&bad), &VerifyRequest::at(NOW))
                .unwrap_err()
                .code(),
            ErrorCode::MalformedToken,
            "{bad}"
        );
    }
}
