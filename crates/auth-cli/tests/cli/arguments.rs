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

#[test]
fn mint_without_a_kind_is_a_json_usage_error() {
    let out = with_secret(&["mint"]).run();
    out.fails(2, "invalid_request");
    let message = out.error()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("user") && message.contains("reseller"),
        "{message}"
    );
    // and `authctl` alone too
    authctl(&[]).run().fails(2, "invalid_request");
}

/// The key options appear in the help of the subcommands that use a key, and only there.
#[test]
fn key_options_are_shown_only_where_they_are_used() {
    let help = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--help");
        authctl(&all).run().ok().to_string()
    };
    for sub in [&["mint", "user"][..], &["mint", "reseller"], &["verify"]] {
        let text = help(sub);
        for option in ["--kid", "--key-file", "--alg", "Key options"] {
            assert!(text.contains(option), "{sub:?} --help lacks {option}");
        }
    }
    let keygen = help(&["keygen"]);
    assert!(
        keygen.contains("--alg") && !keygen.contains("--kid") && !keygen.contains("--key-file")
    );
    for sub in [&[][..], &["mint"], &["inspect"], &["check-ip"], &["demo"]] {
        let text = help(sub);
        for option in ["--kid", "--key-file", "--alg"] {
            assert!(!text.contains(option), "{sub:?} --help shows {option}");
        }
    }
    // and they are refused where they mean nothing
    authctl(&["inspect", "--kid", "k", "x"])
        .run()
        .fails(2, "invalid_request");
    authctl(&[
        "check-ip",
        "--alg",
        "HS256",
        "--rule",
        "10.0.0.0/8",
        "10.0.0.1",
    ])
    .run()
    .fails(2, "invalid_request");
}

/// The command lines of docs/cli.md and the README, as written.
#[test]
fn spec_command_lines_still_work() {
    let secret = authctl(&["keygen"]).run().ok().to_string();
    let run = |args: &[&str]| authctl(args).secret(&secret).run();
    let t = run(&[
        "mint",
        "reseller",
        "--id",
        "1",
        "--name",
        "reseller_name",
        "--ttl",
        "2678400",
        "--allowed-ip",
        "192.168.2.0/24",
    ])
    .ok()
    .to_string();
    assert_eq!(run(&["verify", "--ip", "192.168.2.7", &t]).json()["id"], 1);
    run(&["verify", "--ip", "10.0.0.1", &t]).fails(1, "ip_not_allowed");
    run(&[
        "verify",
        "--kid",
        "default",
        "--alg",
        "HS256",
        "--leeway",
        "0",
        "--max-clock-skew",
        "60",
        &t,
    ])
    .fails(1, "ip_not_allowed");
    let u = run(&[
        "mint",
        "user",
        "--id",
        "5",
        "--name",
        "u",
        "--admin",
        "--sms-from",
        "S",
        "--user-group-id",
        "3",
        "--static",
        "--token-name",
        "n",
        "--jti",
        "j",
        "--now",
        "1700000000",
        "--kid",
        "default",
    ])
    .ok()
    .to_string();
    assert_eq!(
        run(&["verify", "--now", "1700000001", &u]).json()["jti"],
        "j"
    );
    assert_eq!(run(&["inspect", &t]).json()["verified"], false);
    assert_eq!(
        authctl(&["check-ip", "--regex", r"192\.168\.1\.1", "192.168.1.10"])
            .run()
            .code,
        1
    );
}

/// `authctl completions SHELL` prints a completion script built from the real command
/// line: the bash one names every subcommand; an unknown shell is a usage error.
#[test]
fn completions_name_the_subcommands() {
    let out = authctl(&["completions", "bash"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    for sub in [
        "keygen",
        "jwks",
        "mint",
        "verify",
        "revoke",
        "inspect",
        "check-ip",
        "demo",
        "serve",
        "accounts",
        "completions",
    ] {
        assert!(out.stdout.contains(sub), "bash completion lacks {sub}");
    }
    assert!(out.stdout.contains("complete -F"), "a bash `complete` line");
    for shell in ["zsh", "fish"] {
        let out = authctl(&["completions", shell]).run();
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("check-ip"), "{shell}");
    }
    authctl(&["completions", "tcsh"])
        .run()
        .fails(2, "invalid_request");
}

/// `serve --max-password-checks` takes 1 to 1024; anything else is a usage error before the
/// service starts.
#[test]
fn max_password_checks_is_bounded() {
    for bad in ["0", "1025", "-1", "x"] {
        authctl(&[
            "serve",
            "--max-password-checks",
            bad,
            "--listen",
            "127.0.0.1:0",
        ])
        .secret("a secret of at least 32 bytes, for tests")
        .run()
        .fails(2, "invalid_request");
    }
}
