//! Differential test, part 1: the reference verifier and ours agree on every case of
//! `tests/vectors/tokens.json` (see `differential/mod.rs`).

mod differential;

use std::path::PathBuf;

use auth_core::*;
use base64::Engine as _;
use serde_json::Value;

use differential::agreement::{Case, Tally};
use differential::reference::{RefKey, RefRing, B64};

fn load_vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/tokens.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ring_from_vector(spec: &Value) -> RefRing {
    RefRing {
        keys: spec["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| RefKey {
                kid: k["kid"].as_str().unwrap().into(),
                alg: Algorithm::parse(k["alg"].as_str().unwrap()).unwrap(),
                secret: B64.decode(k["secret"].as_str().unwrap()).unwrap(),
            })
            .collect(),
        default_kid: spec["default_kid"].as_str().map(str::to_owned),
    }
}

#[test]
fn reference_agrees_on_every_token_vector() {
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .ok();
    let v = load_vectors();
    let mut tally = Tally::default();
    let audience_cases = v["cases_audience"].as_array().unwrap();
    for c in v["cases"].as_array().unwrap().iter().chain(audience_cases) {
        let mut options = VerifyOptions::default();
        if let Some(o) = c.get("options") {
            options.leeway = o["leeway"].as_u64().unwrap_or(options.leeway);
            options.max_clock_skew = o["max_clock_skew"]
                .as_u64()
                .unwrap_or(options.max_clock_skew);
            options.max_token_size = o["max_token_size"]
                .as_u64()
                .map_or(options.max_token_size, |x| x as usize);
            for a in o["audience"].as_array().into_iter().flatten() {
                options.add_audience(a.as_str().unwrap());
            }
            options.issuer = o["issuer"].as_str().map(str::to_owned);
        }
        // Revocation cases are compared on their verdict before revocation.
        tally.run(&Case {
            ring: ring_from_vector(&v["rings"][c["ring"].as_str().unwrap()]),
            token: c["token"].as_str().unwrap().as_bytes().to_vec(),
            now: c["now"].as_u64().unwrap(),
            options,
            client_ip: c["client_ip"]
                .as_str()
                .map(|ip| parse_client_ip(ip).unwrap()),
            what: format!("vector {:?}", c["name"].as_str().unwrap()),
        });
    }
    tally.assert_clean(30, 100);
}
