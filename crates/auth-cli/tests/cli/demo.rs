//! `demo`: every step runs and checks out.

use crate::support::authctl;

#[test]
fn demo_runs_every_step_and_exits_0() {
    let out = authctl(&["demo"]).run();
    let text = out.ok();
    assert!(!text.contains("UNEXPECTED"), "{text}");
    for needle in [
        "keygen",
        "rotation",
        "unknown_key",
        "user login token",
        "ip_not_allowed",
        "static token",
        "token_expired",
        "token_not_yet_valid",
        "issued_in_future",
        "bad_signature",
        "algorithm_not_allowed",
        "token_too_large",
        "invalid_ttl",
        "invalid_ip_rule",
        "full match",
        "search mode",
        "token_revoked",
        "login_ip_denied",
        "reseller_ip_denied",
        "POST /token",
        "<response><status>1</status>",
        r#"{"status": 1, "message": "OK""#,
        "not_permitted",
        "error code table",
        "demo complete",
    ] {
        assert!(text.contains(needle), "demo does not mention {needle:?}");
    }
    // the demo never prints its secrets: no 43-character base64url words
    assert!(!text.split_whitespace().any(|w| w.len() == 43
        && w.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')));
}
