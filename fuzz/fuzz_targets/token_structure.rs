//! A header and a claims JSON text, base64url-encoded and correctly signed with each key
//! of the ring, then verified: this reaches the header and claims parsers past the MAC.
//!
//! Accepted claims must re-serialize (`Claims::to_json`) to JSON that serde_json reads
//! with the same `type`, `id` and `jti`, and every claim the core read must equal what
//! serde_json reads from the signed claims text (a differential check of the strict
//! claims parser).
#![no_main]

use auth_core::{Algorithm, Claims};
use auth_core_fuzz::{fixture, sign_raw, verify_and_check};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|input: (Vec<u8>, Vec<u8>)| {
    let (header, claims) = input;
    let f = fixture();
    for (alg, secret) in [(Algorithm::HS256, &f.k1), (Algorithm::HS512, &f.k3)] {
        let token = sign_raw(&header, &claims, alg, secret);
        let (bare, with_ip) = verify_and_check(token.as_bytes());
        for c in [bare, with_ip].iter().flatten() {
            check_claims(&header, &claims, c);
        }
    }
});

fn check_claims(header: &[u8], raw: &[u8], c: &Claims) {
    // Both segments were accepted as strict JSON objects: serde_json must agree.
    let h: Value = serde_json::from_slice(header).expect("accepted header is not JSON");
    assert!(h.is_object(), "accepted header is not an object");

    let json = c.to_json();
    let out: Value = serde_json::from_str(&json).expect("to_json() is not JSON");
    assert_eq!(out["type"].as_str(), Some(c.subject.kind().as_str()));
    assert_eq!(out["id"].as_u64(), Some(c.subject.id()));
    assert_eq!(out["jti"].as_str(), Some(c.jti.as_str()));
    assert_eq!(out, c.to_json_value(), "to_json and to_json_value disagree");

    let original: Value = serde_json::from_slice(raw).expect("accepted claims are not JSON");
    let original = original
        .as_object()
        .expect("accepted claims are not an object");
    for (k, v) in out.as_object().expect("claims render as an object") {
        let got = original.get(k);
        match k.as_str() {
            "allowed_ips" => {
                let texts = got
                    .and_then(Value::as_array)
                    .expect("allowed_ips accepted but not an array");
                let parsed: Vec<_> = texts
                    .iter()
                    .map(|t| {
                        auth_core::IpRule::parse(t.as_str().expect("rule is a string"))
                            .expect("accepted rule does not parse")
                    })
                    .collect();
                assert_eq!(Some(&parsed), c.allowed_ips.as_ref());
            }
            "parent" => {
                let p = got.expect("parent rendered but absent");
                assert_eq!(p.get("type"), v.get("type"), "parent type");
                assert_eq!(p.get("id"), v.get("id"), "parent id");
            }
            _ => match got {
                Some(g) => assert_eq!(g, v, "claim `{k}`: core read {v}, serde_json reads {g}"),
                None => assert!(
                    v.is_null() || (k == "admin" && v == &Value::Bool(false)),
                    "claim `{k}` rendered as {v} but absent from the token"
                ),
            },
        }
    }
}
