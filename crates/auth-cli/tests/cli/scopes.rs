//! Scopes from the command line (docs/scopes.md): `mint --scope` against a vocabulary file,
//! `verify --scope` with and without the hierarchy, and `oauth-client`.

use crate::support::{authctl, now_arg, verify_at, with_secret, TempFile, NOW};

const VOCABULARY: &str = r#"{"sms": {"includes": ["sms:send", "sms:read"]}, "sms:send": {}, "sms:read": {}, "account": {}}"#;

fn mint_scoped(vocab: &TempFile, scopes: &[&str]) -> String {
    let mut args = vec![
        "mint".to_owned(),
        "user".into(),
        "--id".into(),
        "7".into(),
        "--name".into(),
        "alice".into(),
        now_arg(NOW),
        "--scopes".into(),
        vocab.path().into(),
    ];
    for s in scopes {
        args.push("--scope".into());
        args.push((*s).into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    with_secret(&args).run().ok().trim().to_owned()
}

#[test]
fn a_minted_scope_is_required_with_its_hierarchy() {
    let vocab = TempFile::new(VOCABULARY.as_bytes());
    let token = mint_scoped(&vocab, &["sms"]);
    let out = verify_at(&token, NOW, &[]);
    assert_eq!(out.json()["scope"], "sms");
    // With the vocabulary, `sms` holds `sms:send`; without it names match exactly.
    verify_at(
        &token,
        NOW,
        &["--scope", "sms:send", "--scopes", vocab.path()],
    )
    .ok();
    verify_at(&token, NOW, &["--scope", "sms:send"]).fails(1, "insufficient_scope");
    verify_at(
        &token,
        NOW,
        &["--scope", "account", "--scopes", vocab.path()],
    )
    .fails(1, "insufficient_scope");
    // An undeclared requirement is the command's mistake, not the token's.
    verify_at(
        &token,
        NOW,
        &["--scope", "billing", "--scopes", vocab.path()],
    )
    .fails(2, "invalid_scope");
}

#[test]
fn minting_refuses_undeclared_or_malformed_scopes() {
    let vocab = TempFile::new(VOCABULARY.as_bytes());
    let base = [
        "mint",
        "user",
        "--id",
        "7",
        "--name",
        "a",
        "--scopes",
        vocab.path(),
    ];
    for bad in ["billing", "sms send", ""] {
        let mut args = base.to_vec();
        args.extend(["--scope", bad]);
        with_secret(&args).run().fails(2, "invalid_scope");
    }
    let broken = TempFile::new(br#"{"a": {"includes": ["b"]}}"#);
    with_secret(&[
        "mint",
        "user",
        "--id",
        "7",
        "--name",
        "a",
        "--scopes",
        broken.path(),
        "--scope",
        "a",
    ])
    .run()
    .fails(2, "invalid_scope");
    // --scope needs the vocabulary.
    let out = with_secret(&["mint", "user", "--id", "7", "--name", "a", "--scope", "sms"]).run();
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn oauth_client_prints_a_secret_and_the_serve_option() {
    let out = authctl(&["oauth-client", "--id", "gateway"]).run();
    let v = out.json();
    assert_eq!(v["client_id"], "gateway");
    let secret = v["client_secret"].as_str().unwrap();
    assert_eq!(secret.len(), 43);
    let option = v["serve_option"].as_str().unwrap();
    assert!(option.starts_with("--oauth-client gateway="), "{option}");
    assert_eq!(option.len(), "--oauth-client gateway=".len() + 64);
    authctl(&["oauth-client", "--id", "bad:id"])
        .run()
        .fails(2, "invalid_request");
}
