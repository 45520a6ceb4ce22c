//! End-to-end tests of the `authctl` binary (SPEC §8): every command, every exit code.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A fixed 43-character secret (as `keygen` would print).
const SECRET: &str = "Q2hhbmdlLW1lLXRoaXMtaXMtYS10ZXN0LXNlY3JldC0";
/// A fixed clock for mint and verify.
const NOW: u64 = 1_700_000_000;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// The stderr error object, checked to be exactly one line of JSON with a
    /// string `error` and `message`.
    fn error(&self) -> Value {
        let line = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(
            !line.is_empty() && !line.contains('\n'),
            "stderr is not one line: {:?}",
            self.stderr
        );
        let v: Value = serde_json::from_str(line).expect("stderr is JSON");
        assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
        v
    }

    fn code_str(&self) -> String {
        self.error()["error"].as_str().unwrap().to_string()
    }

    /// Asserts a failure with this exit code and error code, and nothing on stdout.
    fn fails(&self, exit: i32, code: &str) {
        assert_eq!(
            self.code, exit,
            "stdout {:?} stderr {:?}",
            self.stdout, self.stderr
        );
        assert_eq!(self.code_str(), code, "stderr {:?}", self.stderr);
        assert_eq!(self.stdout, "", "nothing on stdout on failure");
    }

    /// Asserts success and returns stdout without its final newline.
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "stderr {:?}", self.stderr);
        assert_eq!(self.stderr, "");
        self.stdout
            .strip_suffix('\n')
            .expect("output ends with a newline")
    }

    fn json(&self) -> Value {
        serde_json::from_str(self.ok()).expect("stdout is JSON")
    }
}

struct Run {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// `authctl ARGS` with no secret in the environment.
fn authctl(args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authctl"));
    cmd.args(args).env_remove("AUTHCTL_SECRET");
    Run { cmd, stdin: None }
}

/// `authctl ARGS` with `AUTHCTL_SECRET=SECRET`.
fn with_secret(args: &[&str]) -> Run {
    authctl(args).secret(SECRET)
}

impl Run {
    fn secret(mut self, s: &str) -> Self {
        self.cmd.env("AUTHCTL_SECRET", s);
        self
    }

    fn stdin(mut self, bytes: &[u8]) -> Self {
        self.stdin = Some(bytes.to_vec());
        self
    }

    fn run(mut self) -> Out {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("authctl runs");
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            // The binary may stop reading early (oversized input): ignore EPIPE.
            let _ = stdin.write_all(&bytes);
        }
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().expect("exited normally"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

/// A file in a fresh temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8]) -> TempFile {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "authctl-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn now_arg(t: u64) -> String {
    format!("--now={t}")
}

/// A user token minted with SECRET at NOW, plus extra mint options.
fn mint_user(extra: &[&str]) -> String {
    let now = now_arg(NOW);
    let mut args = vec!["mint", "user", "--id", "123", "--name", "alice", &now];
    args.extend_from_slice(extra);
    with_secret(&args).run().ok().to_string()
}

fn verify_at(token: &str, t: u64, extra: &[&str]) -> Out {
    let now = now_arg(t);
    let mut args = vec!["verify", &now];
    args.extend_from_slice(extra);
    args.push(token);
    with_secret(&args).run()
}

// ---------------------------------------------------------------- keygen

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

// ---------------------------------------------------------------- mint + verify

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

// ---------------------------------------------------------------- keys

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
    authctl(&["verify", &now_arg(NOW), &token])
        .secret(&format!("{SECRET}\n"))
        .run()
        .fails(1, "bad_signature");
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
    // key options are accepted before the subcommand too
    with_secret(&["--kid=k1", "verify", &token]).run().ok();

    let hs512 = with_secret(&["mint", "user", "--id", "1", "--name", "a", "--alg", "HS512"])
        .run()
        .ok()
        .to_string();
    with_secret(&["verify", "--alg", "HS512", &hs512])
        .run()
        .ok();
    with_secret(&["verify", &hs512])
        .run()
        .fails(1, "algorithm_not_allowed");
}

// ---------------------------------------------------------------- verify input

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

// ---------------------------------------------------------------- argument forms

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

// ---------------------------------------------------------------- inspect

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

// ---------------------------------------------------------------- check-ip

fn check_ip(args: &[&str]) -> Out {
    let mut all = vec!["check-ip"];
    all.extend_from_slice(args);
    authctl(&all).run()
}

#[test]
fn check_ip_rules_allow_and_deny() {
    let rules = ["--rule", "10.0.0.0/8", "--rule", "2001:db8::/32"];
    for (addr, allowed) in [
        ("10.1.2.3", true),
        ("::ffff:10.9.9.9", true),
        ("2001:db8::1", true),
        ("11.0.0.1", false),
        ("2001:db9::1", false),
    ] {
        let mut args = rules.to_vec();
        args.push(addr);
        let out = check_ip(&args);
        if allowed {
            assert_eq!(out.ok(), "allow", "{addr}");
        } else {
            assert_eq!((out.code, out.stdout.as_str()), (1, "deny\n"), "{addr}");
            assert_eq!(out.stderr, "");
        }
    }
}

#[test]
fn check_ip_bad_rule_or_address_exits_2() {
    check_ip(&["--rule", "192.168.2.5/24", "192.168.2.5"]).fails(2, "invalid_ip_rule");
    check_ip(&["--rule", "10.0.0.0/8", "--rule", "010.0.0.0/8", "10.0.0.1"])
        .fails(2, "invalid_ip_rule");
    check_ip(&["--rule", "10.0.0.0/8", "10.0.0.1:80"]).fails(2, "invalid_ip_address");
    check_ip(&["--rule", "10.0.0.0/8", "10.1"]).fails(2, "invalid_ip_address");
    check_ip(&["--regex", "10\\..*", "10.0.0.01"]).fails(2, "invalid_ip_address");
    check_ip(&["--regex", "(", "10.0.0.1"]).fails(2, "invalid_regex");
    check_ip(&["--regex", "", "10.0.0.1"]).fails(2, "invalid_regex");
}

#[test]
fn check_ip_regex_is_full_match_unless_search() {
    let re = r"192\.168\.1\.1";
    assert_eq!(check_ip(&["--regex", re, "192.168.1.1"]).ok(), "allow");
    let out = check_ip(&["--regex", re, "192.168.1.10"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, "deny\n"));
    assert_eq!(
        check_ip(&["--regex", re, "--search", "192.168.1.10"]).ok(),
        "allow"
    );
    // canonical text: mapped addresses are matched as IPv4
    assert_eq!(
        check_ip(&["--regex", re, "::ffff:192.168.1.1"]).ok(),
        "allow"
    );
    // a pattern beginning with `-` in `=` form
    assert_eq!(
        check_ip(&["--regex=-?10\\.0\\.0\\.1", "10.0.0.1"]).ok(),
        "allow"
    );
}

#[test]
fn check_ip_needs_exactly_one_of_rule_or_regex() {
    for args in [
        vec!["10.0.0.1"],
        vec!["--rule", "10.0.0.0/8", "--regex", "10.*", "10.0.0.1"],
        vec!["--rule", "10.0.0.0/8", "--search", "10.0.0.1"],
        vec!["--search", "10.0.0.1"],
        vec!["--rule", "10.0.0.0/8"],
    ] {
        check_ip(&args).fails(2, "invalid_request");
    }
}

// ---------------------------------------------------------------- demo

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
