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

/// Every numbered section says on its next line which API it goes through.
#[test]
fn each_demo_section_names_its_api() {
    let out = authctl(&["demo"]).run();
    let lines: Vec<&str> = out.ok().lines().collect();
    let mut sections = 0;
    let mut apis = std::collections::BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("== ") {
            sections += 1;
            let via = lines[i + 1];
            let api = ["the library", "the login API", "the token API"]
                .into_iter()
                .find(|api| via.starts_with(&format!("   via: {api}")));
            assert!(api.is_some(), "section {line:?} is followed by {via:?}");
            apis.extend(api);
        }
    }
    assert!(sections >= 10, "{sections} sections");
    assert_eq!(apis.len(), 3, "all three APIs appear: {apis:?}");
}

/// The tokens the demo shows are real ones (not `<jwt>`), and without a key of one's own
/// the demo says how to get tokens that `authctl verify` accepts.
#[test]
fn demo_prints_real_tokens_and_how_to_verify_them() {
    let out = authctl(&["demo"]).run();
    let text = out.ok();
    assert!(!text.contains("<jwt>"), "placeholder instead of a token");
    assert!(text.contains(r#"export AUTHCTL_SECRET="$(authctl keygen)"; authctl demo"#));
    assert!(
        !text.contains("try: "),
        "no verify line without the reader's key"
    );
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .filter(|w| w.starts_with("eyJ") && w.matches('.').count() == 2)
        .collect();
    assert!(tokens.len() >= 8, "{} tokens shown", tokens.len());
    for token in tokens {
        let header = authctl(&["inspect", token]).run().json()["header"].clone();
        assert_eq!(header["alg"], "HS256", "{token}");
    }
}

/// With `AUTHCTL_SECRET` set, every `try:` line of the demo, run as printed with that
/// secret, verifies (exit 0).
#[test]
fn demo_try_lines_verify_with_the_readers_key() {
    use crate::support::SECRET;
    let out = authctl(&["demo"]).secret(SECRET).run();
    let text = out.ok();
    assert!(!text.contains(SECRET), "the secret is never printed");
    let commands: Vec<Vec<&str>> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("try: authctl "))
        .map(|c| c.split(' ').collect())
        .collect();
    assert!(commands.len() >= 5, "{} try: lines", commands.len());
    for args in &commands {
        assert_eq!(&args[..3], ["verify", "--kid", "2024-07"], "{args:?}");
        let claims = authctl(args).secret(SECRET).run().json();
        assert!(claims["jti"].is_string(), "{args:?}");
    }
    // another key does not verify them
    let other = "another-secret-of-at-least-32-bytes-long";
    authctl(&commands[0])
        .secret(other)
        .run()
        .fails(1, "bad_signature");
    // a weak or newline-ended AUTHCTL_SECRET is a configuration error before the demo runs
    authctl(&["demo"])
        .secret("short")
        .run()
        .fails(2, "weak_key");
    authctl(&["demo"])
        .secret(&format!("{SECRET}\n"))
        .run()
        .fails(2, "invalid_key");
}
