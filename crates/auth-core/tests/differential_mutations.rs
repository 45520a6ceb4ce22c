//! Differential test, part 3: generated mutations of the claims JSON text — escapes,
//! numbers at the range edges, duplicate keys, deep nesting — and of `allowed_ips` (lists
//! of every size up to 300, valid and invalid rules, escaped rule text, lists repeated and
//! lists differing in one rule, so the parsed-list cache is hit, missed and collided). The
//! fast path and the jsonwebtoken-based reference must agree on verdict, code and claims.

mod differential;
#[path = "differential/generate.rs"]
#[allow(dead_code)] // The mutators of part 2 are not used here.
mod generate;

use auth_core::*;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::{json, Map, Value};

use differential::agreement::{Case, Tally};
use generate::{assemble, base_claims, rings, Draw, NOW};

/// Rule texts the lists are drawn from: mostly valid, some refused by the strict parser.
const RULES: &[&str] = &[
    "192.168.2.0/24",
    "10.0.0.0/8",
    "10.1.2.3",
    "0.0.0.0/0",
    "::ffff:192.168.2.0/120",
    "2001:db8::/32",
    "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae",
    "::/0",
    "172.16.0.0/12",
    "100.64.0.0/10",
    "8.8.8.8",
    // Refused: host bits, leading zeros, prefix forms, whitespace, zone, junk.
    "10.0.0.1/8",
    "010.0.0.1",
    "10.0.0.0/08",
    "10.0.0.0/33",
    " 10.0.0.1",
    "fe80::1%eth0",
    "10.0.0",
    "",
    "1.2.3.4/",
];

/// A list of `n` rules: random, or a shared prefix (the same list over and over), or the
/// shared prefix with its last rule changed.
fn rule_list(rng: &mut TestRng, shared: &[String]) -> Vec<String> {
    match rng.below(4) {
        0 => shared.to_vec(),
        1 => {
            let mut l = shared.to_vec();
            if let Some(last) = l.last_mut() {
                *last = (*rng.pick(RULES)).to_string();
            }
            l
        }
        _ => {
            let n = *rng.pick(&[0usize, 1, 2, 3, 10, 64, 100, 300]);
            (0..n)
                .map(|i| {
                    if rng.chance(6) {
                        (*rng.pick(RULES)).to_string()
                    } else {
                        format!("10.{}.{}.0/24", i / 256, i % 256)
                    }
                })
                .collect()
        }
    }
}

/// JSON text of a string, with some characters written as `\u00XX` escapes.
fn escaped_string(rng: &mut TestRng, s: &str) -> String {
    let escape_all = rng.chance(3);
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() && (escape_all || rng.chance(8)) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            let shown = serde_json::to_string(&c.to_string()).unwrap();
            out.push_str(&shown[1..shown.len() - 1]);
        }
    }
    out.push('"');
    out
}

/// Numbers at the edges of what the claims accept (2^53 − 1) and of JSON integers.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "9007199254740991",
    "9007199254740992",
    "18446744073709551615",
    "18446744073709551616",
    "1.0",
    "1e3",
    "1E-2",
    "01",
    "1700000000",
    "1700086400",
    "1700000000.0",
    "17000000000000000000000000",
];

/// Appends `,"key":value` inside the object text (before its closing brace).
fn append_member(text: &mut String, key: &str, value: &str) {
    text.pop();
    if text.len() > 1 {
        text.push(',');
    }
    text.push_str(key);
    text.push(':');
    text.push_str(value);
    text.push('}');
}

fn nested(depth: usize, leaf: &str, arrays: bool) -> String {
    let (open, close) = if arrays { ("[", "]") } else { ("{\"k\":", "}") };
    format!("{}{leaf}{}", open.repeat(depth), close.repeat(depth))
}

/// One claims text: a valid object, then text-level mutations.
fn claims_text(rng: &mut TestRng, shared: &[String]) -> (String, bool) {
    let mut map: Map<String, Value> = base_claims(rng);
    map.remove("allowed_ips");
    let mut text = serde_json::to_string(&Value::Object(map.clone())).unwrap();
    let mut has_rules = false;
    if rng.chance(2) {
        has_rules = true;
        let list = rule_list(rng, shared);
        let items: Vec<String> = list
            .iter()
            .map(|r| {
                if rng.chance(5) {
                    escaped_string(rng, r)
                } else {
                    serde_json::to_string(r).unwrap()
                }
            })
            .collect();
        let value = match rng.below(12) {
            0 => format!("[{}]", nested(1, &items.join(","), true)),
            1 => "[\"10.0.0.0/8\",1]".to_string(),
            2 => "\"10.0.0.0/8\"".to_string(),
            _ => format!("[{}]", items.join(",")),
        };
        let key = if rng.chance(10) {
            "\"allowed\\u005fips\""
        } else {
            "\"allowed_ips\""
        };
        append_member(&mut text, key, &value);
        if rng.chance(15) {
            // A duplicate allowed_ips.
            append_member(&mut text, "\"allowed_ips\"", "[\"10.0.0.0/8\"]");
        }
    }
    for _ in 0..rng.below(3) {
        match rng.below(6) {
            0 => {
                // A number claim replaced by an edge value (drop the original first).
                let key = *rng.pick(&["id", "iat", "exp", "nbf", "user_group_id"]);
                let number: &str = NUMBERS[rng.below(NUMBERS.len())];
                if let Some(start) = text.find(&format!("\"{key}\":")) {
                    let from = start + key.len() + 3;
                    let end = text[from..]
                        .find([',', '}'])
                        .map_or(text.len(), |e| from + e);
                    text.replace_range(from..end, number);
                } else {
                    append_member(&mut text, &format!("\"{key}\""), number);
                }
            }
            1 => {
                // Duplicate keys, plain or escaped.
                let (key, value) = *rng.pick(&[
                    ("\"jti\"", "\"dup\""),
                    ("\"j\\u0074i\"", "\"dup\""),
                    ("\"iat\"", "1700000000"),
                    ("\"type\"", "\"user\""),
                    ("\"custom\"", "1"),
                ]);
                append_member(&mut text, key, value);
                if key == "\"custom\"" {
                    append_member(&mut text, key, value);
                }
            }
            2 => {
                // Escapes in the string claims.
                let name = escaped_string(rng, "Zoë \"Z\" / \\ ünal\u{1F600}");
                if let Some(start) = text.find("\"name\":\"") {
                    let from = start + 7;
                    let end = from + 1 + text[from + 1..].find('"').unwrap_or(0) + 1;
                    if !text[from..end].contains('\\') {
                        text.replace_range(from..end, &name);
                    }
                }
            }
            3 => {
                // Deep nesting around the verifier's 32-level bound.
                let depth = *rng.pick(&[1usize, 30, 31, 32, 33, 40]);
                let v = nested(depth, "1", rng.chance(2));
                append_member(&mut text, "\"custom\"", &v);
            }
            4 => {
                // Odd escapes: surrogate pairs, a lone surrogate, an escaped slash.
                let v = *rng.pick(&[
                    "\"\\ud83d\\ude00\"",
                    "\"\\ud800\"",
                    "\"a\\/b\"",
                    "\"\\u0000\"",
                ]);
                append_member(&mut text, "\"custom2\"", v);
            }
            _ => {
                // Whitespace between tokens (declined by the plain scanner).
                text = text.replacen(',', " ,\n", 1);
            }
        }
    }
    (text, has_rules)
}

#[test]
fn reference_agrees_on_mutated_claims_and_allow_lists() {
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .ok();
    let rings = rings();
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut tally = Tally::default();
    // A few lists that recur across cases, as a service's tokens do.
    let shared: Vec<Vec<String>> = (0..4)
        .map(|k| {
            (0..[2usize, 20, 100, 250][k])
                .map(|i| format!("172.{}.{}.0/24", 16 + k, i))
                .collect()
        })
        .collect();
    for i in 0..3000 {
        let ring = rng.pick(&rings).clone();
        let key = rng.pick(&ring.keys).clone();
        let header =
            serde_json::to_vec(&json!({"alg": key.alg.as_str(), "kid": key.kid, "typ": "JWT"}))
                .unwrap();
        let list = rng.pick(&shared).clone();
        let (claims, has_rules) = claims_text(&mut rng, &list);
        let token = assemble(&header, claims.as_bytes(), Some(&key));
        let mut options = VerifyOptions::default();
        options.max_token_size = 64 * 1024;
        let client_ip = match rng.below(if has_rules { 5 } else { 3 }) {
            0 => None,
            1 => Some("10.0.1.7".parse().unwrap()),
            2 => Some("::ffff:192.168.2.5".parse().unwrap()),
            3 => Some(
                format!("172.{}.{}.9", 16 + rng.below(4), rng.below(256))
                    .parse()
                    .unwrap(),
            ),
            _ => Some("2001:db8::1".parse().unwrap()),
        };
        tally.run(&Case {
            ring,
            token,
            now: NOW + rng.below(100) as u64,
            options,
            client_ip,
            what: format!("mutation #{i}"),
        });
    }
    eprintln!(
        "mutations: {} accepted, rejected {:?}",
        tally.accepted, tally.rejected
    );
    tally.assert_clean(300, 1000);
    for code in ["malformed_token", "invalid_claims", "ip_not_allowed"] {
        assert!(
            tally.rejected.get(code).copied().unwrap_or(0) > 0,
            "no mutated token was rejected with {code}: {:?}",
            tally.rejected
        );
    }
}
