//! `mint user` / `mint reseller`, verified back: claims, lifetimes, bad arguments.

use crate::support::{mint_user, now_arg, verify_at, with_secret, NOW};

#[test]
fn mint_and_verify_a_user_token_with_every_claim() {
    let token = mint_user(&[
        "--admin",
        "--sms-from",
        "ACME",
        "--user-group-id",
        "7",
        "--token-name",
        "ci",
        "--jti",
        "tok-1",
    ]);
    let claims = verify_at(&token, NOW + 60, &[]).json();
    assert_eq!(claims["type"], "user");
    assert_eq!(claims["id"], 123);
    assert_eq!(claims["name"], "alice");
    assert_eq!(claims["admin"], true);
    assert_eq!(claims["sms_from"], "ACME");
    assert_eq!(claims["user_group_id"], 7);
    assert_eq!(claims["token_name"], "ci");
    assert_eq!(claims["jti"], "tok-1");
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + 86_400, "dynamic tokens live 24 hours");
}

#[test]
fn mint_and_verify_a_reseller_token() {
    let out = with_secret(&[
        "mint",
        "reseller",
        "--id",
        "1",
        "--name",
        "reseller_name",
        "--now",
        "1700000000",
    ])
    .run();
    let claims = verify_at(out.ok(), NOW, &[]).json();
    assert_eq!(claims["type"], "reseller");
    assert_eq!(claims["id"], 1);
    assert_eq!(claims["name"], "reseller_name");
    assert!(claims.get("admin").is_none());
    assert_eq!(
        claims["jti"].as_str().unwrap().len(),
        22,
        "a random 128-bit id"
    );
}

#[test]
fn user_only_options_are_refused_for_resellers() {
    with_secret(&["mint", "reseller", "--id", "1", "--name", "r", "--admin"])
        .run()
        .fails(2, "invalid_request");
}

#[test]
fn static_tokens_have_no_exp_and_never_expire() {
    let token = mint_user(&["--static"]);
    let claims = verify_at(&token, NOW + 100 * 365 * 86_400, &[]).json();
    assert!(claims.get("exp").is_none(), "{claims}");
}

#[test]
fn ttl_tokens_expire_at_iat_plus_ttl() {
    let token = mint_user(&["--ttl", "60"]);
    assert_eq!(verify_at(&token, NOW + 59, &[]).json()["exp"], NOW + 60);
    verify_at(&token, NOW + 60, &[]).fails(1, "token_expired");
    // leeway extends it
    verify_at(&token, NOW + 65, &["--leeway", "10"]).ok();
    verify_at(&token, NOW + 70, &["--leeway", "10"]).fails(1, "token_expired");
}

#[test]
fn dynamic_token_expires_after_24_hours() {
    let token = mint_user(&[]);
    verify_at(&token, NOW + 86_399, &[]).ok();
    verify_at(&token, NOW + 86_400, &[]).fails(1, "token_expired");
}

#[test]
fn bad_ttl_text_is_invalid_ttl_with_exit_2() {
    for ttl in [
        "0",
        "-5",
        "abc",
        "1.5",
        "",
        " ",
        "1e3",
        "99999999999999999999",
    ] {
        let out = with_secret(&["mint", "user", "--id", "1", "--name", "a", "--ttl", ttl]).run();
        out.fails(2, "invalid_ttl");
    }
    // over the 10-year maximum
    with_secret(&[
        "mint",
        "user",
        "--id",
        "1",
        "--name",
        "a",
        "--ttl=315360001",
    ])
    .run()
    .fails(2, "invalid_ttl");
}

#[test]
fn static_and_ttl_together_are_a_usage_error() {
    with_secret(&[
        "mint", "user", "--id", "1", "--name", "a", "--static", "--ttl", "60",
    ])
    .run()
    .fails(2, "invalid_request");
}

#[test]
fn bad_mint_arguments_exit_2() {
    for (args, code) in [
        (vec!["--id", "abc", "--name", "a"], "invalid_request"),
        (vec!["--id", "-1", "--name", "a"], "invalid_request"),
        (vec!["--name", "a"], "invalid_request"),
        (vec!["--id", "1"], "invalid_request"),
        (
            vec!["--id", "1", "--name", "a", "--user-group-id", "x"],
            "invalid_request",
        ),
        (
            vec!["--id", "1", "--name", "a", "--jti", ""],
            "invalid_request",
        ),
        (
            vec!["--id", "1", "--name", "a", "--now", "-1"],
            "invalid_request",
        ),
        (
            vec!["--id", "1", "--name", "a", "--allowed-ip", "192.168.2.5/24"],
            "invalid_ip_rule",
        ),
        (
            vec!["--id", "1", "--name", "a", "--allowed-ip", "010.0.0.1"],
            "invalid_ip_rule",
        ),
    ] {
        let mut all = vec!["mint", "user"];
        all.extend(args.iter().copied());
        let out = with_secret(&all).run();
        assert_eq!(out.code, 2, "{all:?}: {}", out.stderr);
        assert_eq!(out.code_str(), code, "{all:?}");
    }
}

#[test]
fn nbf_and_iat_in_the_future_are_rejected() {
    let token = mint_user(&["--nbf", &(NOW + 300).to_string()]);
    verify_at(&token, NOW, &[]).fails(1, "token_not_yet_valid");
    verify_at(&token, NOW + 300, &[]).ok();

    let future = with_secret(&[
        "mint",
        "user",
        "--id",
        "1",
        "--name",
        "a",
        &now_arg(NOW + 3600),
    ])
    .run()
    .ok()
    .to_string();
    verify_at(&future, NOW, &[]).fails(1, "issued_in_future");
    verify_at(&future, NOW, &["--max-clock-skew", "3600"]).ok();
}

#[test]
fn ttl_takes_durations_with_a_unit() {
    for (ttl, secs) in [
        ("90", 90),
        ("45s", 45),
        ("90m", 5400),
        ("1h", 3600),
        ("30d", 2_592_000),
        ("2w", 1_209_600),
        ("3650d", 315_360_000),
    ] {
        let token = mint_user(&["--ttl", ttl]);
        let claims = verify_at(&token, NOW, &[]).json();
        assert_eq!(claims["exp"], NOW + secs, "{ttl}");
    }
    // `=` form too
    let token = mint_user(&["--ttl=12h"]);
    assert_eq!(verify_at(&token, NOW, &[]).json()["exp"], NOW + 43_200);
}

#[test]
fn bad_durations_are_invalid_ttl_with_exit_2() {
    for ttl in [
        "0h",
        "0s",
        "060",
        "01h",
        "1 h",
        " 1h",
        "1h ",
        "1H",
        "1h30m",
        "1.5h",
        "h",
        "-1h",
        "+1h",
        "1y",
        "1ms",
        "3651d",
        "15250284452472w",
    ] {
        let out = with_secret(&["mint", "user", "--id", "1", "--name", "a", "--ttl", ttl]).run();
        out.fails(2, "invalid_ttl");
    }
    let out = with_secret(&["mint", "user", "--id", "1", "--name", "a", "--ttl", "1x"]).run();
    let message = out.error()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("30d"),
        "the message shows the syntax: {message}"
    );
}
