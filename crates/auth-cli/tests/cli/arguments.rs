//! Argument forms (`--name=value`, `--`), usage errors and help.

use crate::support::{authctl, with_secret, NOW};

#[test]
fn equals_form_and_double_dash_are_accepted() {
    let token = with_secret(&[
        "mint",
        "user",
        "--id=77",
        "--name=--dashing",
        "--ttl=120",
        "--now=1700000000",
        "--token-name=x",
    ])
    .run()
    .ok()
    .to_string();
    let claims = with_secret(&["verify", "--now=1700000100", "--leeway=0", "--", &token])
        .run()
        .json();
    assert_eq!(claims["id"], 77);
    assert_eq!(claims["name"], "--dashing");
    assert_eq!(claims["exp"], NOW + 120);
    // the stdin marker after `--`
    with_secret(&["verify", "--now=1700000100", "--", "-"])
        .stdin(token.as_bytes())
        .run()
        .ok();
    // a negative TTL in `=` form reaches the core
    with_secret(&["mint", "user", "--id=1", "--name=a", "--ttl=-5"])
        .run()
        .fails(2, "invalid_ttl");
    // after `--`, option-like text is the positional argument
    with_secret(&["verify", "--", "--now=5"])
        .run()
        .fails(1, "malformed_token");
    assert_eq!(
        authctl(&["check-ip", "--rule=10.0.0.0/8", "--", "10.1.2.3"])
            .run()
            .ok(),
        "allow"
    );
    authctl(&["inspect", "--", &token]).run().ok();
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for args in [
        vec!["frobnicate"],
        vec!["verify"],
        vec!["verify", "a", "b"],
        vec!["verify", "--now", "soon", "x"],
        vec!["verify", "--unknown", "x"],
        vec!["mint", "admin", "--id", "1", "--name", "a"],
        vec!["inspect"],
        vec!["check-ip"],
    ] {
        let out = with_secret(&args).run();
        assert_eq!(out.code, 2, "{args:?}");
        assert_eq!(out.code_str(), "invalid_request", "{args:?}");
    }
    // no subcommand: help on stderr, exit 2
    let out = authctl(&[]).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("Usage"));

    let help = authctl(&["--help"]).run();
    assert!(help.ok().contains("Usage: authctl"));
    assert!(authctl(&["verify", "--help"])
        .run()
        .ok()
        .contains("--max-clock-skew"));
    assert!(authctl(&["--version"]).run().ok().starts_with("authctl "));
}
