//! Generated tokens for the differential test: valid claims of random shapes, and
//! mutations of claims, JSON text, headers and bytes. All draws come from proptest's
//! deterministic generator (`TestRng`), through the small [`Draw`] adaptor.

use auth_core::*;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use proptest::prelude::RngExt as _;
use proptest::test_runner::TestRng;
use serde_json::{json, Map, Value};
use sha2::{Sha256, Sha384, Sha512};

use crate::differential::reference::{RefKey, RefRing, B64, CLAIMS};

/// The draws the generators make, on proptest's generator.
pub trait Draw {
    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize;
    /// One of `items` (not empty).
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T;
    /// True one time in `one_in`.
    fn chance(&mut self, one_in: u32) -> bool;
}

impl Draw for TestRng {
    fn below(&mut self, n: usize) -> usize {
        self.random_range(0..n)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, one_in: u32) -> bool {
        self.random_ratio(1, one_in)
    }
}

pub const NOW: u64 = 1_700_000_000;

pub fn rings() -> Vec<RefRing> {
    let key = |kid: &str, alg, fill: u8, len: usize| RefKey {
        kid: kid.into(),
        alg,
        // Distinct bytes: a secret of one repeated byte is `weak_key`.
        secret: (0..len).map(|i| fill.wrapping_add(i as u8)).collect(),
    };
    let three = vec![
        key("k1", Algorithm::HS256, 1, 32),
        key("k2", Algorithm::HS384, 2, 48),
        key("k3", Algorithm::HS512, 3, 64),
    ];
    vec![
        RefRing {
            keys: vec![key("k1", Algorithm::HS256, 1, 32)],
            default_kid: None,
        },
        RefRing {
            keys: three.clone(),
            default_kid: None,
        },
        RefRing {
            keys: three,
            default_kid: Some("k2".into()),
        },
    ]
}

fn mac(alg: Algorithm, secret: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(secret: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    match alg {
        Algorithm::HS256 => run::<Hmac<Sha256>>(secret, msg),
        Algorithm::HS384 => run::<Hmac<Sha384>>(secret, msg),
        Algorithm::HS512 => run::<Hmac<Sha512>>(secret, msg),
        other => panic!("the differential tests use HMAC keys only, not {other}"),
    }
}

/// A token from header and claims JSON text, signed with `key` (or not at all).
pub fn assemble(header: &[u8], claims: &[u8], key: Option<&RefKey>) -> Vec<u8> {
    let mut t = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let sig = key.map_or_else(Vec::new, |k| mac(k.alg, &k.secret, t.as_bytes()));
    t.push('.');
    t.push_str(&B64.encode(sig));
    t.into_bytes()
}

/// A valid claims object of a random shape.
pub fn base_claims(rng: &mut TestRng) -> Map<String, Value> {
    let mut c = Map::new();
    if rng.chance(2) {
        c.insert("type".into(), json!("user"));
        c.insert("admin".into(), json!(rng.chance(2)));
        match rng.below(3) {
            0 => {}
            1 => {
                c.insert("sms_from".into(), Value::Null);
            }
            _ => {
                c.insert("sms_from".into(), json!("ACME"));
            }
        }
        match rng.below(3) {
            0 => {}
            1 => {
                c.insert("user_group_id".into(), Value::Null);
            }
            _ => {
                c.insert("user_group_id".into(), json!(rng.below(1000)));
            }
        }
    } else {
        c.insert("type".into(), json!("reseller"));
    }
    c.insert("id".into(), json!(rng.below(100_000)));
    c.insert(
        "name".into(),
        json!(*rng.pick(&["alice", "Zoë \"Z\" Ünal", "r\u{e9}seller", ""])),
    );
    let iat = NOW - rng.below(1000) as u64;
    c.insert("iat".into(), json!(iat));
    if !rng.chance(4) {
        c.insert("exp".into(), json!(iat + 86_400));
    }
    if rng.chance(4) {
        c.insert("nbf".into(), json!(iat));
    }
    c.insert(
        "jti".into(),
        json!(*rng.pick(&["q5yJ0nN2B1xS8mVw4TzEaQ", "2", "token-\u{1F600}"])),
    );
    if rng.chance(3) {
        c.insert("token_name".into(), json!("Best token ever"));
    }
    if rng.chance(3) {
        c.insert(
            "allowed_ips".into(),
            json!(["192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"]),
        );
    }
    if rng.chance(4) {
        c.insert("parent".into(), json!({"type": "reseller", "id": 1}));
    }
    if rng.chance(4) {
        c.insert("custom".into(), json!({"nested": [1, 2, {"a": null}]}));
    }
    c
}

/// Values of every JSON kind, including the ones a strict reader must tell apart.
fn odd_value(rng: &mut TestRng) -> Value {
    let texts = [
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1.0",
        "1e3",
        "-0",
        "18446744073709551615",
        "18446744073709551616",
        "\"\"",
        "\"user\"",
        "\"User\"",
        "\"reseller\"",
        "\"x\"",
        "[]",
        "[\"10.0.0.0/8\"]",
        "[\"10.0.0.1/8\"]",
        "[\"::ffff:10.0.0.1\"]",
        "[1]",
        "{}",
        "{\"type\":\"user\",\"id\":3}",
        "{\"type\":\"admin\",\"id\":3}",
        "{\"type\":\"user\",\"id\":-3}",
    ];
    let text: &str = texts[rng.below(texts.len())];
    serde_json::from_str(text).unwrap()
}

fn long_string(chars: usize, c: char) -> Value {
    json!(std::iter::repeat_n(c, chars).collect::<String>())
}

/// Mutates a claims object: drop, retype or add claims.
pub fn mutate_claims(rng: &mut TestRng, c: &mut Map<String, Value>) {
    for _ in 0..1 + rng.below(2) {
        let name = *rng.pick(CLAIMS);
        match rng.below(6) {
            0 => {
                c.remove(name);
            }
            1 | 2 => {
                c.insert(name.into(), odd_value(rng));
            }
            3 => {
                let (n, ch) = *rng.pick(&[
                    (0, 'a'),
                    (128, 'a'),
                    (129, 'a'),
                    (128, 'é'),
                    (255, 'x'),
                    (256, 'x'),
                ]);
                c.insert(name.into(), long_string(n, ch));
            }
            4 => {
                // Deep nesting inside an ignored and a known claim.
                let levels = *rng.pick(&[3usize, 8, 40, 64]);
                let mut v = json!(1);
                for _ in 0..levels {
                    v = if rng.chance(2) {
                        json!([v])
                    } else {
                        json!({"k": v})
                    };
                }
                let target = if rng.chance(2) { "custom" } else { name };
                c.insert(target.into(), v);
            }
            _ => {
                let t = NOW as i64 + *rng.pick(&[-100_000i64, -86_400, -1, 0, 1, 59, 61, 100_000]);
                c.insert(name.into(), json!(t));
            }
        }
    }
}

/// One text edit.
type Edit = dyn Fn(&mut Vec<u8>);

/// Text-level edits of JSON that a parser, not a type check, must catch.
pub fn mutate_json_text(rng: &mut TestRng, text: &mut Vec<u8>) {
    let edits: &[&Edit] = &[
        &|t| t.extend_from_slice(b" "),
        &|t| t.extend_from_slice(b"x"),
        &|t| t.extend_from_slice(b"{}"),
        &|t| {
            t.pop();
            t.extend_from_slice(b",}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"iat\":1}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"type\":\"user\"}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"x\":1,\"x\":1}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"j\\u0074i\":\"dup\"}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"custom\":{\"a\":1,\"a\":2}}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"parent\":{\"type\":\"user\",\"id\":1,\"id\":1}}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"z\":NaN}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b"/*c*/}")
        },
        &|t| t.insert(0, b' '),
        &|t| t.splice(0..0, *b"\xef\xbb\xbf").for_each(drop),
        &|t| t.extend_from_slice(b"\xff"),
        &|t| {
            let s = String::from_utf8_lossy(t).replace("\"name\":\"", "\"name\":\"\\ud800");
            *t = s.into_bytes();
        },
        &|t| {
            let s = String::from_utf8_lossy(t).replace("\"name\":\"", "\"name\":\"\\u00e9\\n\\\"");
            *t = s.into_bytes();
        },
        &|t| {
            let s = String::from_utf8_lossy(t).replace("\"name\":\"", "\"name\":\"\t");
            *t = s.into_bytes();
        },
        &|t| *t = b"[1,2]".to_vec(),
        &|t| *t = b"\"claims\"".to_vec(),
        &|t| *t = b"".to_vec(),
    ];
    (rng.pick(edits))(text);
}

/// A header: usually sensible, often not.
pub fn header_for(rng: &mut TestRng, ring: &RefRing, key: &RefKey) -> Vec<u8> {
    let mut h = Map::new();
    let alg =
        match rng.below(12) {
            0 => json!(*rng
                .pick(&["none", "NONE", "None", "HS256", "HS384", "HS512", "hs256", "RS256", ""])),
            1 => odd_value(rng),
            _ => json!(key.alg.as_str()),
        };
    if !rng.chance(15) {
        h.insert("alg".into(), alg);
    }
    match rng.below(10) {
        0 => {}
        1 => {
            h.insert("kid".into(), json!(*rng.pick(&["nope", "K1", ""])));
        }
        2 => {
            h.insert("kid".into(), odd_value(rng));
        }
        _ => {
            h.insert("kid".into(), json!(key.kid));
        }
    }
    match rng.below(6) {
        0 => {}
        1 => {
            h.insert(
                "typ".into(),
                json!(*rng.pick(&["jwt", "JOSE", "JWT ", "at+jwt"])),
            );
        }
        2 => {
            h.insert("typ".into(), odd_value(rng));
        }
        _ => {
            h.insert("typ".into(), json!("JWT"));
        }
    }
    if rng.chance(6) {
        let p = *rng.pick(&[
            "crit", "b64", "cty", "jwk", "jku", "x5u", "x5c", "x5t", "zip", "extra",
        ]);
        h.insert(p.into(), odd_value(rng));
    }
    let _ = ring;
    let mut text = serde_json::to_vec(&Value::Object(h)).unwrap();
    if rng.chance(10) {
        mutate_json_text(rng, &mut text);
    }
    text
}

/// Byte-level damage to a whole token.
pub fn mutate_bytes(rng: &mut TestRng, token: &mut Vec<u8>) {
    let alphabet = b"AQgw_-09azAZ.=+/ \n\x00\xc3\xa9";
    let pos = rng.below(token.len() + 1);
    match rng.below(4) {
        0 if pos < token.len() => token[pos] = *rng.pick(alphabet),
        1 => token.insert(pos, *rng.pick(alphabet)),
        2 if pos < token.len() => {
            token.remove(pos);
        }
        _ => {
            // Change the final character of a segment: non-canonical trailing bits.
            let ends: Vec<usize> = (0..token.len())
                .filter(|&i| i + 1 == token.len() || token[i + 1] == b'.')
                .collect();
            if let Some(&i) = ends.get(rng.below(ends.len().max(1))) {
                token[i] = *rng.pick(b"AQgwBRhx");
            }
        }
    }
}
