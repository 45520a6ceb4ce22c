//! The shared EdDSA / ES256 vectors (tests/vectors/asymmetric.json): tokens verified by a
//! ring built from the published JWK Set, JWK Sets good and bad, PEM keys. The C and
//! Python suites run the same file with the same verdicts and codes.

use auth_core::*;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/asymmetric.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn verdict<T>(r: &Result<T>) -> String {
    match r {
        Ok(_) => "valid".to_owned(),
        Err(e) => e.code().as_str().to_owned(),
    }
}

#[test]
fn token_cases() {
    let v = vectors();
    let mut failures = Vec::new();
    for c in v["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let jwks = v["rings"][c["ring"].as_str().unwrap()].as_str().unwrap();
        let verifier = Verifier::new(KeyRing::from_jwks(jwks).unwrap());
        let got = verifier.verify_with(
            c["token"].as_str().unwrap(),
            &VerifyRequest::at(c["now"].as_u64().unwrap()),
        );
        let want = c["expect"].as_str().unwrap();
        if verdict(&got) != want {
            failures.push(format!("{name}: got {}, want {want}", verdict(&got)));
        } else if let Ok(claims) = got {
            if claims.to_json_value() != c["claims"] {
                failures.push(format!("{name}: claims {}", claims.to_json()));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn jwks_cases() {
    let v = vectors();
    for c in v["jwks"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let got = KeyRing::from_jwks(c["jwks"].as_str().unwrap());
        match c["expect"].as_str().unwrap() {
            "ok" => {
                let ring = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                let kids: Vec<&str> = ring.keys().iter().map(Key::kid).collect();
                let want: Vec<&str> = c["kids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap())
                    .collect();
                assert_eq!(kids, want, "{name}");
                assert!(ring.keys().iter().all(|k| !k.is_private()), "{name}");
            }
            want => {
                let err = got.unwrap_err();
                assert_eq!(err.code().as_str(), want, "{name}");
                if let Some(kid) = c["names"].as_str() {
                    assert!(
                        err.message().contains(&format!("{kid:?}")),
                        "{name}: {}",
                        err.message()
                    );
                }
            }
        }
    }
}

#[test]
fn pem_cases() {
    let v = vectors();
    for c in v["pem"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let kid = c["kid"].as_str().unwrap();
        let got = Key::from_pem(kid, c["pem"].as_str().unwrap());
        let want = c["expect"].as_str().unwrap();
        if want == "invalid_key" {
            let err = got.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidKey, "{name}");
            assert!(
                err.message().contains(&format!("{kid:?}")),
                "{name}: {}",
                err.message()
            );
            continue;
        }
        let key = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            key.algorithm().as_str(),
            c["alg"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(key.is_private(), want == "private", "{name}");
        let ring = KeyRing::single(key);
        let token = c["verifies"].as_str().unwrap();
        // The vector tokens were minted at a fixed time: verify there.
        Verifier::new(ring.clone())
            .verify_with(token, &VerifyRequest::at(1_700_000_000))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut req = MintRequest::new(Subject::reseller(1, "r"));
        req.now = Some(1_700_000_000);
        let minted = Issuer::new(ring).mint(&req);
        assert_eq!(
            verdict(&minted),
            if want == "private" {
                "valid"
            } else {
                "invalid_key"
            },
            "{name}"
        );
    }
}
