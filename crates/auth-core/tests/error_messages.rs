//! Refusals say what to do: the messages name the kid and the ring's kids, the times as
//! ISO-8601 UTC and how far apart they are.

use auth_core::{
    Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, Verifier, VerifyOptions, VerifyRequest,
};

const SECRET: &[u8] = b"an example secret of 32 bytes or more";
/// 2026-12-07T05:00:00Z.
const T: u64 = 1_796_619_600;

fn key(kid: &str) -> Key {
    Key::new(kid, Algorithm::HS256, SECRET).unwrap()
}

fn ring(kids: &[&str]) -> KeyRing {
    let mut ring = KeyRing::new();
    for kid in kids {
        ring.add(key(kid)).unwrap();
    }
    ring
}

/// A token minted at `T - ttl` that expires at `T`, with `nbf` when given.
fn mint(kid: &str, ttl: u64, nbf: Option<u64>) -> String {
    mint_at(kid, T - ttl, ttl, nbf)
}

fn mint_at(kid: &str, now: u64, ttl: u64, nbf: Option<u64>) -> String {
    let mut req = MintRequest::new(Subject::user(1, "a", false));
    req.now = Some(now);
    req.lifetime = auth_core::Lifetime::from_options(Some(ttl as i64), false).unwrap();
    req.not_before = nbf;
    Issuer::new(KeyRing::single(key(kid)))
        .mint(&req)
        .unwrap()
        .token
}

#[test]
fn unknown_kid_names_the_tokens_kid_and_the_rings_kids() {
    let token = mint("k9", 600, None);
    let err = Verifier::new(ring(&["k1", "k2"]))
        .verify_with(&token, &VerifyRequest::at(T - 1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"unknown_key: the token's kid "k9" is not in the key ring (kids: "k1", "k2")"#
    );
}

#[test]
fn the_kid_list_is_bounded_and_each_kid_shortened() {
    let long = "x".repeat(64);
    let mut kids: Vec<String> = (0..14).map(|i| format!("k{i}")).collect();
    kids[0] = long.clone();
    let kids: Vec<&str> = kids.iter().map(String::as_str).collect();
    let err = ring(&kids).resolve(Some(&"y".repeat(200))).unwrap_err();
    let msg = err.message();
    assert!(msg.contains(&format!("\"{}\"…", "y".repeat(40))), "{msg}");
    assert!(msg.contains(&format!("\"{}\"…", "x".repeat(40))), "{msg}");
    assert!(!msg.contains(&"x".repeat(41)), "{msg}");
    assert!(msg.contains("\"k9\" and 4 more"), "{msg}");
    assert!(!msg.contains("\"k10\""), "{msg}");
    // an untrusted kid is escaped, not printed raw
    let err = ring(&["k1"]).resolve(Some("a\"\n")).unwrap_err();
    assert!(err.message().contains(r#""a\"\n""#), "{}", err.message());
}

#[test]
fn a_token_without_kid_in_a_multi_key_ring_says_so() {
    let err = ring(&["k1", "k2"]).resolve(None).unwrap_err();
    assert_eq!(
        err.message(),
        r#"the token has no kid and the key ring holds 2 keys with no default kid (kids: "k1", "k2"): mint with a kid, or set a default kid"#
    );
}

#[test]
fn expired_gives_exp_now_and_the_distance_in_utc() {
    let token = mint("k1", 600, None); // exp = T
    let err = Verifier::new(ring(&["k1"]))
        .verify_with(&token, &VerifyRequest::at(T + 3600))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "token_expired: token expired at 2026-12-07T05:00:00Z (exp 1796619600), \
         now 2026-12-07T06:00:00Z (1796623200): 3600 s ago"
    );
    let mut options = VerifyOptions::default();
    options.leeway = 30;
    let err = Verifier::with_options(ring(&["k1"]), options)
        .verify_with(&token, &VerifyRequest::at(T + 30))
        .unwrap_err();
    assert!(err.message().ends_with(": 30 s ago (leeway 30 s)"), "{err}");
}

#[test]
fn not_yet_valid_gives_nbf_now_and_the_distance_in_utc() {
    let token = mint_at("k1", T - 7200, 86_400, Some(T)); // iat = T - 7200, nbf = T
    let err = Verifier::new(ring(&["k1"]))
        .verify_with(&token, &VerifyRequest::at(T - 90))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "token_not_yet_valid: token is not valid before 2026-12-07T05:00:00Z (nbf 1796619600), \
         now 2026-12-07T04:58:30Z (1796619510): valid in 90 s"
    );
}
