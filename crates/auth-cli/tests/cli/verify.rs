//! `verify`: the token from stdin, rejections and their exit code, client addresses.

use crate::support::{authctl, mint_user, now_arg, verify_at, with_secret, TempFile, NOW};

#[test]
fn verify_reads_the_token_from_stdin_removing_one_newline() {
    let token = mint_user(&[]);
    for input in [format!("{token}\n"), token.clone()] {
        let out = with_secret(&["verify", &now_arg(NOW), "-"])
            .stdin(input.as_bytes())
            .run();
        assert_eq!(out.json()["name"], "alice");
    }
    for input in [
        format!("{token}\n\n"),
        format!("{token}\r\n"),
        format!(" {token}\n"),
    ] {
        with_secret(&["verify", &now_arg(NOW), "-"])
            .stdin(input.as_bytes())
            .run()
            .fails(1, "malformed_token");
    }
    with_secret(&["verify", "-"])
        .stdin(b"")
        .run()
        .fails(1, "malformed_token");
}

#[test]
fn oversized_stdin_is_token_too_large() {
    let huge = vec![b'A'; 1 << 20];
    with_secret(&["verify", "-"])
        .stdin(&huge)
        .run()
        .fails(1, "token_too_large");
}

#[test]
fn rejected_tokens_exit_1_with_the_reason_on_stderr() {
    let token = mint_user(&[]);
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let bad_sig = format!("{head}.{payload}.{flipped}{}", &sig[1..]);
    verify_at(&bad_sig, NOW, &[]).fails(1, "bad_signature");
    verify_at("not-a-token", NOW, &[]).fails(1, "malformed_token");
    // alg none: {"alg":"none","typ":"JWT"}
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    verify_at(&none, NOW, &[]).fails(1, "algorithm_not_allowed");
    verify_at(&"A".repeat(9000), NOW, &[]).fails(1, "token_too_large");
}

#[test]
fn allowed_ips_are_checked_against_the_client_address() {
    let token = mint_user(&[
        "--allowed-ip",
        "192.168.2.0/24",
        "--allowed-ip=2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae",
    ]);
    let claims = verify_at(&token, NOW, &["--ip", "192.168.2.2"]).json();
    assert_eq!(
        claims["allowed_ips"],
        serde_json::json!(["192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"])
    );
    verify_at(&token, NOW, &["--ip=::ffff:192.168.2.9"]).ok();
    verify_at(
        &token,
        NOW,
        &["--ip", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"],
    )
    .ok();
    verify_at(&token, NOW, &["--ip", "10.0.0.1"]).fails(1, "ip_not_allowed");
    verify_at(&token, NOW, &[]).fails(1, "ip_not_allowed");
    verify_at(&token, NOW, &["--ip", "192.168.2"]).fails(2, "invalid_ip_address");
    verify_at(&token, NOW, &["--ip", "010.0.0.1"]).fails(2, "invalid_ip_address");
    // a bad --ip is a usage error even for an unrestricted token
    verify_at(&mint_user(&[]), NOW, &["--ip", "nope"]).fails(2, "invalid_ip_address");
}

/// The `cases_audience` vectors of tests/vectors/tokens.json, verified with the ring
/// "main"'s key k1 through `--audience` and `--issuer`.
#[test]
fn audience_and_issuer_options_follow_the_vectors() {
    use base64::Engine as _;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/tokens.json"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let k1 = &v["rings"]["main"]["keys"][0];
    assert_eq!(k1["kid"], "k1");
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(k1["secret"].as_str().unwrap())
        .unwrap();
    let key = TempFile::new(&secret);
    let cases = v["cases_audience"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        assert_eq!(c["ring"], "main");
        let now = now_arg(c["now"].as_u64().unwrap());
        let mut args: Vec<String> = vec![
            "verify".into(),
            "--kid=k1".into(),
            "--key-file".into(),
            key.path().into(),
            now,
        ];
        for a in c["options"]["audience"].as_array().into_iter().flatten() {
            args.push(format!("--audience={}", a.as_str().unwrap()));
        }
        if let Some(iss) = c["options"]["issuer"].as_str() {
            args.push(format!("--issuer={iss}"));
        }
        args.push(c["token"].as_str().unwrap().into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = authctl(&args).run();
        match c["expect"].as_str().unwrap() {
            "valid" => assert_eq!(out.json(), c["claims"], "{}", c["name"]),
            code => out.fails(1, code),
        }
    }
}

/// A pasted `Authorization` value or a CR LF line ending is still `malformed_token`
/// (exit 1), with a hint saying what to remove.
#[test]
fn pasting_mistakes_get_a_hint_and_keep_their_code() {
    let token = mint_user(&[]);
    let hint_of = |out: &crate::support::Out| {
        out.fails(1, "malformed_token");
        out.error()["message"].as_str().unwrap().to_string()
    };
    for bearer in [format!("Bearer {token}"), format!("bearer {token}")] {
        let message = hint_of(&verify_at(&bearer, NOW, &[]));
        assert!(
            message.contains("hint: remove the `Bearer ` prefix: pass only the token"),
            "{message}"
        );
        let message = hint_of(
            &with_secret(&["verify", &now_arg(NOW), "-"])
                .stdin(format!("{bearer}\n").as_bytes())
                .run(),
        );
        assert!(message.contains("`Bearer `"), "{message}");
    }
    let message = hint_of(
        &with_secret(&["verify", &now_arg(NOW), "-"])
            .stdin(format!("{token}\r\n").as_bytes())
            .run(),
    );
    assert!(
        message.contains("hint: the text ends with a carriage return"),
        "{message}"
    );
    let message = hint_of(&verify_at(&format!(" {token}"), NOW, &[]));
    assert!(
        message.contains("hint: the text starts or ends with whitespace"),
        "{message}"
    );
    // no hint on an ordinary rejection
    let message = hint_of(&verify_at("not-a-token", NOW, &[]));
    assert!(!message.contains("hint"), "{message}");
    // inspect gives the same hint
    let out = authctl(&["inspect", &format!("Bearer {token}")]).run();
    assert!(hint_of(&out).contains("`Bearer `"));
}
