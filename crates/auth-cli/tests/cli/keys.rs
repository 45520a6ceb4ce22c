//! `keygen` and the key options: `AUTHCTL_SECRET`, `--key-file`, `--kid`, `--alg`.

use crate::support::{authctl, mint_user, now_arg, with_secret, TempFile, NOW, SECRET};

#[test]
fn keygen_prints_43_base64url_characters_and_differs_between_runs() {
    let a = authctl(&["keygen"]).run().ok().to_string();
    let b = authctl(&["keygen"]).run().ok().to_string();
    for s in [&a, &b] {
        assert_eq!(s.len(), 43, "{s}");
        assert!(
            s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
            "{s}"
        );
    }
    assert_ne!(a, b);
}

#[test]
fn a_keygen_secret_is_usable_as_a_key() {
    let secret = authctl(&["keygen"]).run().ok().to_string();
    let token = authctl(&["mint", "reseller", "--id", "1", "--name", "r"])
        .secret(&secret)
        .run()
        .ok()
        .to_string();
    authctl(&["verify", &token]).secret(&secret).run().ok();
    // and only with that secret
    with_secret(&["verify", &token])
        .run()
        .fails(1, "bad_signature");
}

#[test]
fn key_file_secret_with_or_without_one_trailing_newline_is_the_same_key() {
    let token = mint_user(&[]);
    for contents in [SECRET.to_string(), format!("{SECRET}\n")] {
        let file = TempFile::new(contents.as_bytes());
        let out = authctl(&["verify", "--key-file", file.path(), &now_arg(NOW), &token]).run();
        assert_eq!(out.json()["id"], 123, "{contents:?}");
    }
    // minting from a key file verifies with the environment secret too
    let file = TempFile::new(format!("{SECRET}\n").as_bytes());
    let minted = authctl(&[
        "mint",
        "user",
        "--id=9",
        "--name=z",
        "--key-file",
        file.path(),
    ])
    .run()
    .ok()
    .to_string();
    with_secret(&["verify", &minted]).run().ok();
}

#[test]
fn key_file_keeps_everything_but_one_trailing_newline() {
    let token = mint_user(&[]);
    for contents in [
        format!("{SECRET}\n\n"),
        format!("{SECRET}\r\n"),
        format!("{SECRET} "),
        format!("\n{SECRET}"),
    ] {
        let file = TempFile::new(contents.as_bytes());
        authctl(&["verify", "--key-file", file.path(), &now_arg(NOW), &token])
            .run()
            .fails(1, "bad_signature");
    }
}

#[test]
fn environment_secret_is_used_as_is() {
    let token = mint_user(&[]);
    // other bytes are part of the secret: a leading newline or a trailing space
    for secret in [format!("\n{SECRET}"), format!("{SECRET} ")] {
        authctl(&["verify", &now_arg(NOW), &token])
            .secret(&secret)
            .run()
            .fails(1, "bad_signature");
    }
}

#[test]
fn environment_secret_ending_in_a_line_break_is_refused_with_a_reason() {
    let token = mint_user(&[]);
    for secret in [
        format!("{SECRET}\n"),
        format!("{SECRET}\r\n"),
        format!("{SECRET}\r"),
    ] {
        for args in [
            vec!["verify", &token],
            vec!["mint", "user", "--id", "1", "--name", "a"],
        ] {
            let out = authctl(&args).secret(&secret).run();
            out.fails(2, "invalid_key");
            let message = out.error()["message"].as_str().unwrap().to_string();
            assert!(message.contains("ends with a line break"), "{message}");
            assert!(message.contains("--key-file"), "{message}");
            assert!(!message.contains(SECRET), "never echo the secret");
        }
    }
    // `--help` says so
    let help = authctl(&["verify", "--help"]).run().ok().to_string();
    assert!(
        help.contains("a value ending in a line break is refused"),
        "{help}"
    );
}

#[test]
fn secret_configuration_errors_exit_2() {
    let token = mint_user(&[]);
    // no secret at all
    authctl(&["verify", &token]).run().fails(2, "invalid_key");
    authctl(&["mint", "user", "--id", "1", "--name", "a"])
        .run()
        .fails(2, "invalid_key");
    // both sources
    let file = TempFile::new(SECRET.as_bytes());
    with_secret(&["verify", "--key-file", file.path(), &token])
        .run()
        .fails(2, "invalid_key");
    // a missing key file
    authctl(&["verify", "--key-file", "/nonexistent/authctl/key", &token])
        .run()
        .fails(2, "invalid_key");
    // weak secrets
    authctl(&["verify", &token])
        .secret("hunter2")
        .run()
        .fails(2, "weak_key");
    authctl(&["verify", &token])
        .secret("")
        .run()
        .fails(2, "weak_key");
    let short = TempFile::new(b"hunter2\n");
    authctl(&["verify", "--key-file", short.path(), &token])
        .run()
        .fails(2, "weak_key");
    // bad kid, bad algorithm
    with_secret(&["verify", "--kid", "bad kid", &token])
        .run()
        .fails(2, "invalid_key");
    with_secret(&["verify", "--kid", "", &token])
        .run()
        .fails(2, "invalid_key");
    with_secret(&["verify", "--alg", "none", &token])
        .run()
        .fails(2, "invalid_key");
}

#[test]
fn error_messages_never_echo_the_secret() {
    let weak = "hunter2-secret-text";
    let token = mint_user(&[]);
    let out = authctl(&["verify", &token]).secret(weak).run();
    out.fails(2, "weak_key");
    assert!(!out.stderr.contains(weak));
    let file = TempFile::new(weak.as_bytes());
    let out = authctl(&["verify", "--key-file", file.path(), &token]).run();
    assert!(!out.stderr.contains(weak));
    let out = with_secret(&["verify", "garbage"]).run();
    assert!(!out.stderr.contains(SECRET));
}

#[test]
fn kid_and_algorithm_must_match_the_token() {
    let token = with_secret(&["mint", "user", "--id", "1", "--name", "a", "--kid", "k1"])
        .run()
        .ok()
        .to_string();
    with_secret(&["verify", "--kid", "k1", &token]).run().ok();
    with_secret(&["verify", "--kid", "k2", &token])
        .run()
        .fails(1, "unknown_key");
    // key options belong to the subcommand: before it they are a usage error that says so
    let out = with_secret(&["--kid=k1", "verify", &token]).run();
    out.fails(2, "invalid_request");
    assert!(out.stderr.contains("key options go after the subcommand"));

    // An HS512 key needs a 64-byte secret (RFC 7518 §3.2).
    let long = authctl(&["keygen", "--alg", "HS512"])
        .run()
        .ok()
        .to_string();
    let hs512 = authctl(&["mint", "user", "--id", "1", "--name", "a", "--alg", "HS512"])
        .secret(&long)
        .run()
        .ok()
        .to_string();
    authctl(&["verify", "--alg", "HS512", &hs512])
        .secret(&long)
        .run()
        .ok();
    authctl(&["verify", &hs512])
        .secret(&long)
        .run()
        .fails(1, "algorithm_not_allowed");
}

#[test]
fn keygen_makes_a_secret_long_enough_for_the_algorithm() {
    for (alg, len) in [("HS256", 43), ("HS384", 48), ("HS512", 64)] {
        let secret = authctl(&["keygen", "--alg", alg]).run().ok().to_string();
        assert_eq!(secret.len(), len, "{alg}: {secret}");
        let token = authctl(&["mint", "reseller", "--id", "1", "--name", "r", "--alg", alg])
            .secret(&secret)
            .run()
            .ok()
            .to_string();
        authctl(&["verify", "--alg", alg, &token])
            .secret(&secret)
            .run()
            .ok();
    }
    authctl(&["keygen", "--alg", "RS1"])
        .run()
        .fails(2, "invalid_key");
}

#[test]
fn secrets_shorter_than_the_hash_output_or_of_one_byte_are_weak() {
    // SECRET has 43 bytes: enough for HS256, not for HS384 (48) or HS512 (64).
    for alg in ["HS384", "HS512"] {
        with_secret(&["mint", "user", "--id", "1", "--name", "a", "--alg", alg])
            .run()
            .fails(2, "weak_key");
    }
    authctl(&["mint", "user", "--id", "1", "--name", "a"])
        .secret(&"x".repeat(64))
        .run()
        .fails(2, "weak_key");
}

#[test]
fn a_pem_key_or_a_json_document_is_never_taken_as_an_hmac_secret() {
    let pem = authctl(&["keygen", "--alg", "EdDSA"])
        .run()
        .ok()
        .to_string();
    let pem_file = TempFile::new(pem.as_bytes());
    let jwks = authctl(&["jwks", "--key-file", pem_file.path(), "--kid", "k"])
        .run()
        .ok()
        .to_string();
    let jwks_file = TempFile::new(jwks.as_bytes());
    for file in [&pem_file, &jwks_file] {
        for args in [
            vec![
                "mint",
                "user",
                "--id",
                "1",
                "--name",
                "a",
                "--key-file",
                file.path(),
            ],
            vec!["verify", "--key-file", file.path(), "x.y.z"],
        ] {
            let out = authctl(&args).run();
            out.fails(2, "invalid_key");
            assert!(out.error()["message"]
                .as_str()
                .unwrap()
                .contains("not an HMAC secret"));
        }
    }
    // The same text in the environment is refused too.
    authctl(&["mint", "user", "--id", "1", "--name", "a"])
        .secret(jwks.trim_end())
        .run()
        .fails(2, "invalid_key");
    // With the algorithm that reads it, the PEM key is a key.
    authctl(&[
        "mint",
        "user",
        "--id",
        "1",
        "--name",
        "a",
        "--alg",
        "EdDSA",
        "--key-file",
        pem_file.path(),
    ])
    .run()
    .ok();
}
