//! `inspect`: header and claims without verifying.

use crate::support::{authctl, mint_user};

#[test]
fn inspect_shows_header_and_claims_marked_unverified() {
    let token = mint_user(&["--jti", "abc"]);
    let out = authctl(&["inspect", &token]).run().json();
    assert_eq!(out["verified"], false);
    assert_eq!(out["warning"], "signature NOT verified");
    assert_eq!(out["header"]["alg"], "HS256");
    assert_eq!(out["header"]["kid"], "default");
    assert_eq!(out["claims"]["jti"], "abc");
    assert_eq!(out["claims"]["name"], "alice");

    // no key needed, and a forged signature still inspects (it is not verified)
    let forged = format!("{}.AAAA", token.rsplit_once('.').unwrap().0);
    let out = authctl(&["inspect", &forged]).run().json();
    assert_eq!(out["verified"], false);
    assert_eq!(out["claims"]["id"], 123);

    let out = authctl(&["inspect", "-"])
        .stdin(format!("{token}\n").as_bytes())
        .run()
        .json();
    assert_eq!(out["claims"]["jti"], "abc");
}

#[test]
fn inspect_of_something_undecodable_exits_1() {
    authctl(&["inspect", "garbage"])
        .run()
        .fails(1, "malformed_token");
    authctl(&["inspect", "e30.bm90IGpzb24.x"])
        .run()
        .fails(1, "malformed_token");
    authctl(&["inspect", &"A".repeat(9000)])
        .run()
        .fails(1, "token_too_large");
}

/// `inspect` puts ISO-8601 UTC times beside the UNIX seconds and says whether `exp` passed.
#[test]
fn inspect_shows_utc_times_and_whether_the_token_expired() {
    use crate::support::NOW;
    let token = mint_user(&["--ttl", "3600", "--nbf", "1700000000"]);
    let at = |now: u64| {
        authctl(&["inspect", "--now", &now.to_string(), &token])
            .run()
            .json()
    };
    let out = at(NOW + 60);
    assert_eq!(out["claims"]["iat"], NOW, "the UNIX seconds are kept");
    assert_eq!(out["utc"]["iat"], "2023-11-14T22:13:20Z");
    assert_eq!(out["utc"]["nbf"], "2023-11-14T22:13:20Z");
    assert_eq!(out["utc"]["exp"], "2023-11-14T23:13:20Z");
    assert_eq!(out["utc"]["now"], "2023-11-14T22:14:20Z");
    assert_eq!(out["now"], NOW + 60);
    assert_eq!(out["expired"], false);
    assert_eq!(at(NOW + 3600)["expired"], true);

    // a static token never expires; without --now the system clock decides
    let out = authctl(&["inspect", &mint_user(&["--static"])])
        .run()
        .json();
    assert_eq!(out["expired"], false);
    assert!(out["utc"]["now"].as_str().unwrap().ends_with('Z'));
    assert!(out["utc"].get("exp").is_none());
}
