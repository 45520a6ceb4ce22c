//! Differential test, part 2: the reference verifier and ours agree on 8,000 generated
//! tokens (see `differential/mod.rs` and `differential/generate.rs`).

mod differential;
#[path = "differential/generate.rs"]
mod generate;

use auth_core::*;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::{json, Value};

use differential::agreement::{Case, Tally};
use generate::{
    assemble, base_claims, header_for, mutate_bytes, mutate_claims, mutate_json_text, rings, Draw,
    NOW,
};

#[test]
fn reference_agrees_on_generated_tokens() {
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .ok();
    let rings = rings();
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut tally = Tally::default();
    for i in 0..8000 {
        let ring = rng.pick(&rings).clone();
        let key = rng.pick(&ring.keys).clone();
        let mut claims = base_claims(&mut rng);
        let kind = rng.below(10);
        if kind < 4 {
            mutate_claims(&mut rng, &mut claims);
        }
        let header = if rng.chance(3) {
            // The exact header the issuer writes (the verifier's no-parse path).
            serde_json::to_vec(&json!({"alg": key.alg.as_str(), "kid": key.kid, "typ": "JWT"}))
                .unwrap()
        } else {
            header_for(&mut rng, &ring, &key)
        };
        let mut claims_text = serde_json::to_vec(&Value::Object(claims)).unwrap();
        if kind == 4 || kind == 5 {
            mutate_json_text(&mut rng, &mut claims_text);
        }
        // Usually signed with the right key; sometimes with another key or not at all.
        let signer = match rng.below(12) {
            0 => None,
            1 => Some(rng.pick(&ring.keys).clone()),
            _ => Some(key.clone()),
        };
        let mut token = assemble(&header, &claims_text, signer.as_ref());
        if kind == 6 || kind == 7 {
            for _ in 0..1 + rng.below(2) {
                mutate_bytes(&mut rng, &mut token);
            }
        }
        let mut options = VerifyOptions::default();
        if rng.chance(4) {
            options.leeway = *rng.pick(&[0u64, 1, 60, 86_400]);
            options.max_clock_skew = *rng.pick(&[0u64, 60, 3600]);
        }
        if rng.chance(8) {
            options.max_token_size = token.len() - 1 + rng.below(3);
        }
        let now =
            NOW + *rng.pick(&[0u64, 1, 86_399, 86_400, 86_401, 200_000]) - rng.below(2000) as u64;
        let client_ip = match rng.below(4) {
            0 => None,
            1 => Some("192.168.2.77".parse().unwrap()),
            2 => Some("::ffff:192.168.2.5".parse().unwrap()),
            _ => Some("10.1.2.3".parse().unwrap()),
        };
        tally.run(&Case {
            ring,
            token,
            now,
            options,
            client_ip,
            what: format!("generated #{i}"),
        });
    }
    eprintln!(
        "generated: {} accepted, rejected {:?}",
        tally.accepted, tally.rejected
    );
    tally.assert_clean(450, 5000);
    // Every class of verdict was exercised.
    for code in [
        "token_too_large",
        "malformed_token",
        "unsupported_header",
        "algorithm_not_allowed",
        "unknown_key",
        "bad_signature",
        "invalid_claims",
        "token_expired",
        "token_not_yet_valid",
        "issued_in_future",
        "ip_not_allowed",
    ] {
        assert!(
            tally.rejected.get(code).copied().unwrap_or(0) > 0,
            "no generated token was rejected with {code}: {:?}",
            tally.rejected
        );
    }
}
