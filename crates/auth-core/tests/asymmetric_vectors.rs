//! The shared asymmetric vectors: tests/vectors/asymmetric.json (EdDSA, ES256) and
//! asymmetric2.json (RS256/384/512, PS256/384/512, ES384, ES512 and a set mixing every key
//! type): tokens verified by a ring built from a published JWK Set, JWK Sets good and bad,
//! PEM keys. The C and Python suites run the same files with the same verdicts and codes.
//! Every case runs; the failures are listed together.

use auth_core::*;
use serde_json::Value;

const FILES: [&str; 2] = ["asymmetric.json", "asymmetric2.json"];

fn vectors(file: &str) -> Value {
    let path = format!("{}/../../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every case of list `list` of both files.
fn cases(list: &str) -> Vec<Value> {
    FILES
        .iter()
        .flat_map(|f| vectors(f)[list].as_array().unwrap().clone())
        .collect()
}

fn verdict<T>(r: &Result<T>) -> String {
    match r {
        Ok(_) => "valid".to_owned(),
        Err(e) => e.code().as_str().to_owned(),
    }
}

fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn token_cases() {
    let rings: Vec<Value> = FILES.iter().map(|f| vectors(f)["rings"].clone()).collect();
    let mut failures = Vec::new();
    let mut n = 0;
    for c in cases("cases") {
        n += 1;
        let name = c["name"].as_str().unwrap();
        let ring = c["ring"].as_str().unwrap();
        let jwks = rings.iter().find_map(|r| r[ring].as_str()).unwrap();
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
    assert!(n > 150, "{n} token cases");
    report(failures);
}

#[test]
fn jwks_cases() {
    let mut failures = Vec::new();
    for c in cases("jwks") {
        let name = c["name"].as_str().unwrap();
        let got = KeyRing::from_jwks(c["jwks"].as_str().unwrap());
        match (c["expect"].as_str().unwrap(), got) {
            ("ok", Ok(ring)) => {
                let kids: Vec<&str> = ring.keys().iter().map(Key::kid).collect();
                let want: Vec<&str> = c["kids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap())
                    .collect();
                if kids != want {
                    failures.push(format!("{name}: kids {kids:?}, want {want:?}"));
                }
                if ring.keys().iter().any(Key::is_private) {
                    failures.push(format!("{name}: a private key in a JWK Set ring"));
                }
            }
            ("ok", Err(e)) => failures.push(format!("{name}: refused: {e}")),
            (want, Ok(_)) => failures.push(format!("{name}: accepted, want {want}")),
            (want, Err(err)) => {
                if err.code().as_str() != want {
                    failures.push(format!("{name}: got {}, want {want}", err.code().as_str()));
                }
                if let Some(kid) = c["names"].as_str() {
                    if !err.message().contains(&format!("{kid:?}")) {
                        failures.push(format!(
                            "{name}: message {:?} names no {kid:?}",
                            err.message()
                        ));
                    }
                }
            }
        }
    }
    report(failures);
}

/// Reads a PEM case: pinned to the algorithm `pin` when the case has one, else as the key
/// type says (an RSA key, which cannot say RS or PS, is RS256).
fn read_pem(kid: &str, pem: &str, pin: Option<&str>) -> Result<Key> {
    match pin {
        Some(alg) => Key::from_pem_for(kid, Algorithm::parse(alg)?, pem),
        None => Key::from_pem(kid, pem),
    }
}

#[test]
fn pem_cases() {
    let mut failures = Vec::new();
    for c in cases("pem") {
        let name = c["name"].as_str().unwrap();
        let kid = c["kid"].as_str().unwrap();
        let got = read_pem(kid, c["pem"].as_str().unwrap(), c["pin"].as_str());
        let want = c["expect"].as_str().unwrap();
        let key = match (want, got) {
            ("invalid_key", Err(err)) => {
                if err.code() != ErrorCode::InvalidKey
                    || !err.message().contains(&format!("{kid:?}"))
                {
                    failures.push(format!(
                        "{name}: {} {:?}",
                        err.code().as_str(),
                        err.message()
                    ));
                }
                continue;
            }
            ("invalid_key", Ok(_)) => {
                failures.push(format!("{name}: accepted, want invalid_key"));
                continue;
            }
            (_, Err(e)) => {
                failures.push(format!("{name}: refused: {e}"));
                continue;
            }
            (_, Ok(key)) => key,
        };
        if key.algorithm().as_str() != c["alg"].as_str().unwrap() {
            failures.push(format!("{name}: algorithm {}", key.algorithm()));
        }
        if key.is_private() != (want == "private") {
            failures.push(format!("{name}: is_private {}", key.is_private()));
        }
        let ring = KeyRing::single(key);
        // The vector tokens were minted at a fixed time: verify there.
        let verified = Verifier::new(ring.clone()).verify_with(
            c["verifies"].as_str().unwrap(),
            &VerifyRequest::at(1_700_000_000),
        );
        if let Err(e) = verified {
            failures.push(format!("{name}: the vector token: {e}"));
        }
        let mut req = MintRequest::new(Subject::reseller(1, "r"));
        req.now = Some(1_700_000_000);
        let minted = Issuer::new(ring.clone()).mint(&req);
        let want_mint = if want == "private" {
            "valid"
        } else {
            "invalid_key"
        };
        if verdict(&minted) != want_mint {
            failures.push(format!("{name}: mint gave {}", verdict(&minted)));
        }
        if let Ok(m) = minted {
            // What the key mints, it verifies.
            if let Err(e) =
                Verifier::new(ring).verify_with(&m.token, &VerifyRequest::at(1_700_000_000))
            {
                failures.push(format!("{name}: its own token: {e}"));
            }
        }
    }
    report(failures);
}
