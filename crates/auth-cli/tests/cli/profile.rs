//! `verify --profile registered [--require ...]`: another issuer's token, its claims as JSON.

use auth_core::{Algorithm, Key};

use crate::support::{mint_user, verify_at, SECRET};

fn idp_token(payload: &str) -> String {
    Key::new("default", Algorithm::HS256, SECRET.as_bytes())
        .unwrap()
        .sign_compact(payload.as_bytes())
        .unwrap()
}

const NOW: u64 = crate::support::NOW;

#[test]
fn a_registered_token_prints_its_claims() {
    let token = idp_token(
        r#"{"sub":"alice","iss":"https://idp.example","aud":"api","exp":1700000600,"roles":["a"]}"#,
    );
    let out = verify_at(
        &token,
        NOW,
        &[
            "--profile",
            "registered",
            "--require",
            "exp,sub,iss",
            "--audience",
            "api",
            "--issuer",
            "https://idp.example",
        ],
    );
    let claims = out.json();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], "api");
    assert_eq!(claims["roles"][0], "a");
    // The seeds profile refuses it (no `type`); the default profile is seeds.
    verify_at(&token, NOW, &["--audience", "api"]).fails(1, "invalid_claims");
}

#[test]
fn required_claims_types_times_and_scopes_are_checked() {
    let reg = ["--profile", "registered"];
    let no_exp = idp_token(r#"{"sub":"alice"}"#);
    verify_at(&no_exp, NOW, &reg).fails(1, "invalid_claims");
    let out = verify_at(&no_exp, NOW, &["--profile", "registered", "--require", ""]);
    assert_eq!(out.json()["sub"], "alice");
    verify_at(
        &no_exp,
        NOW,
        &["--profile", "registered", "--require", "sub,jti"],
    )
    .fails(1, "invalid_claims");
    let float = idp_token(r#"{"exp":1700000600.5}"#);
    verify_at(&float, NOW, &reg).fails(1, "invalid_claims");
    let dup = idp_token(r#"{"exp":1700000600,"exp":1700000600}"#);
    verify_at(&dup, NOW, &reg).fails(1, "malformed_token");
    let ok = idp_token(r#"{"exp":1700000600,"scope":"read"}"#);
    verify_at(&ok, NOW + 600, &reg).fails(1, "token_expired");
    let scoped = ["--profile", "registered", "--scope", "read"];
    assert_eq!(verify_at(&ok, NOW, &scoped).json()["scope"], "read");
    let unscoped = idp_token(r#"{"exp":1700000600}"#);
    verify_at(&unscoped, NOW, &scoped).fails(1, "insufficient_scope");
}

#[test]
fn a_seeds_token_under_the_registered_profile_and_bad_arguments() {
    let seeds = mint_user(&[]);
    let out = verify_at(
        &seeds,
        NOW,
        &["--profile", "registered", "--require", "exp,iat,jti"],
    );
    let claims = out.json();
    assert_eq!(claims["type"], "user", "a custom claim under this profile");
    assert_eq!(claims["iat"], NOW);
    verify_at(
        &seeds,
        NOW,
        &["--profile", "registered", "--require", "exp,type"],
    )
    .fails(2, "invalid_request");
    verify_at(&seeds, NOW, &["--require", "exp"]).fails(2, "invalid_request");
    verify_at(
        &seeds,
        NOW,
        &["--profile", "registered", "--ip", "192.0.2.1"],
    )
    .fails(2, "invalid_request");
    let out = verify_at(&seeds, NOW, &["--profile", "other"]);
    assert_eq!(out.code, 2);
}
