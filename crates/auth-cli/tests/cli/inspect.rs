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
