//! The token API's management, served for real: `GET /token`, `GET /token/account/{id}`,
//! `DELETE /token/{id}`, and last uses recorded off the request path — in one process and in
//! two sharing a database file.

mod common;

use std::sync::Arc;

use auth_server::{create_demo_accounts, Db, LoginLimits, Passwords};
use common::*;
use http::StatusCode;
use serde_json::Value;

fn two_processes(name: &str) -> (std::path::PathBuf, Svc, Svc) {
    let dir =
        std::env::temp_dir().join(format!("auth-server-manage-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("accounts.sqlite");
    let _ = std::fs::remove_file(&path);
    let db = Arc::new(Db::open(&path).unwrap());
    let passwords = Passwords::new(CHEAP).unwrap();
    create_demo_accounts(&db, &passwords).unwrap();
    add_test_accounts(&db, &passwords);
    let a = service_on(db, &[], LoginLimits::default());
    let b = service_on(
        Arc::new(Db::open(&path).unwrap()),
        &[],
        LoginLimits::default(),
    );
    (dir, a, b)
}

async fn create(s: &Svc, auth: &str, path: &str, body: &str) -> Value {
    let a = s.authed("POST", path, auth, body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()
}

async fn list(s: &Svc, auth: &str, path: &str) -> Vec<Value> {
    let a = s.authed("GET", path, auth, "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()["tokens"].as_array().unwrap().clone()
}

fn by_id<'a>(tokens: &'a [Value], id: &str) -> &'a Value {
    tokens
        .iter()
        .find(|t| t["token_id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed in {tokens:?}"))
}

#[tokio::test]
async fn a_created_token_is_listed_by_id_never_by_text() {
    let s = service();
    let login = s.user_token().await;
    let auth = bearer(&login);
    let named = create(
        &s,
        &auth,
        "/token",
        r#"{"token": {"name": "CI", "ttl": 3600, "allowed_ips": ["10.0.0.0/8"]}}"#,
    )
    .await;
    let fixed = create(&s, &auth, "/token", r#"{"token": {"name": "forever"}}"#).await;
    let a = s.authed("GET", "/token", &auth, "").await;
    assert_eq!(a.status, StatusCode::OK);
    for token in [&named, &fixed] {
        assert!(
            !a.body.contains(token["token"].as_str().unwrap()),
            "the listing holds a token's text"
        );
    }
    assert!(!a.body.contains(&login));
    let tokens = a.json()["tokens"].as_array().unwrap().clone();
    let n = by_id(&tokens, named["token_id"].as_str().unwrap());
    assert_eq!(
        (n["name"].as_str(), n["kind"].as_str()),
        (Some("CI"), Some("named"))
    );
    assert_eq!(n["allowed_ips"], serde_json::json!(["10.0.0.0/8"]));
    assert_eq!(n["revoked"], false);
    assert_eq!(n["last_used"], Value::Null);
    assert!(n["expires"].as_u64().unwrap() > n["created"].as_u64().unwrap());
    let f = by_id(&tokens, fixed["token_id"].as_str().unwrap());
    assert_eq!(
        (f["kind"].as_str(), &f["expires"]),
        (Some("static"), &Value::Null)
    );
    assert!(
        tokens.iter().any(|t| t["kind"] == "login"),
        "the login token is listed too"
    );
    // XML by Accept.
    let a = s
        .call(
            "GET",
            "/token",
            "127.0.0.1",
            &[("authorization", &auth), ("accept", "application/xml")],
            "",
        )
        .await;
    assert!(
        a.body
            .starts_with("<response><status>1</status><message>OK</message><tokens><token>"),
        "{}",
        a.body
    );
    // Another account sees none of them.
    let other = s.login_as("other@example.com").await;
    let theirs = list(&s, &bearer(&other), "/token").await;
    assert!(theirs.iter().all(|t| t["token_id"] != named["token_id"]));
}

#[tokio::test]
async fn a_reseller_sees_and_revokes_its_sub_accounts_tokens() {
    let s = service();
    let reseller = bearer(&s.reseller_token().await);
    let made = create(
        &s,
        &reseller,
        "/token/account/12542",
        r#"{"token": {"name": "sub", "ttl": 600}}"#,
    )
    .await;
    let id = made["token_id"].as_str().unwrap();
    let tokens = list(&s, &reseller, "/token/account/12542").await;
    assert_eq!(by_id(&tokens, id)["name"], "sub");
    // Someone else's account, an unknown one: one answer; a malformed id: 400.
    let foreign = s.authed("GET", "/token/account/777", &reseller, "").await;
    let unknown = s
        .authed("GET", "/token/account/999999", &reseller, "")
        .await;
    assert_eq!(
        (foreign.status, unknown.status),
        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN)
    );
    assert_eq!(foreign.body, unknown.body);
    assert_eq!(
        s.authed("GET", "/token/account/12x", &reseller, "")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // A user who does not own the account cannot revoke its token; the reseller can.
    let user = s.login_as("other@example.com").await;
    let user = bearer(&user);
    let theirs = s.authed("DELETE", &format!("/token/{id}"), &user, "").await;
    let nothing = s.authed("DELETE", "/token/no-such-token", &user, "").await;
    assert_eq!(
        (theirs.status, &theirs.body),
        (nothing.status, &nothing.body),
        "a foreign id is answered like an unknown one"
    );
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    let done = s
        .authed("DELETE", &format!("/token/{id}"), &reseller, "")
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["token_id"], id);
    let a = s
        .authed(
            "GET",
            "/a/auth",
            &bearer(made["token"].as_str().unwrap()),
            "",
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        by_id(&list(&s, &reseller, "/token/account/12542").await, id)["revoked"],
        true
    );
    let long = "x".repeat(200);
    assert_eq!(
        s.authed("DELETE", &format!("/token/{long}"), &reseller, "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_deletion_reaches_the_other_process_and_last_uses_stay_monotonic() {
    let (dir, a, b) = two_processes("two");
    let login = a.user_token().await;
    let made = create(
        &a,
        &bearer(&login),
        "/token",
        r#"{"token": {"name": "ci", "ttl": 3600}}"#,
    )
    .await;
    let (id, token) = (
        made["token_id"].as_str().unwrap(),
        made["token"].as_str().unwrap(),
    );
    // Used through process B from one address, through A from another.
    let used_b = b
        .call(
            "GET",
            "/a/auth",
            "203.0.113.7",
            &[("authorization", &bearer(token))],
            "",
        )
        .await;
    assert_eq!(used_b.status, StatusCode::NO_CONTENT);
    assert_eq!(b.state.flush_last_used().unwrap(), 1);
    let shown = by_id(&list(&a, &bearer(&login), "/token").await, id).clone();
    assert_eq!(shown["last_used"]["ip"], "203.0.113.7");
    let at = shown["last_used"]["at"].as_u64().unwrap();
    // Many uses between two writes are one write.
    for _ in 0..5 {
        a.call(
            "GET",
            "/a/auth",
            "198.51.100.9",
            &[("authorization", &bearer(token))],
            "",
        )
        .await;
    }
    assert_eq!(
        a.state.flush_last_used().unwrap(),
        2,
        "one row for the token, one for the login token"
    );
    let shown = by_id(&list(&a, &bearer(&login), "/token").await, id).clone();
    assert!(shown["last_used"]["at"].as_u64().unwrap() >= at);
    // Revoked in A: refused in B after B reads the database's log.
    assert_eq!(
        a.authed("DELETE", &format!("/token/{id}"), &bearer(&login), "")
            .await
            .status,
        StatusCode::OK
    );
    b.state.sync_revocations().unwrap();
    let refused = b
        .call(
            "GET",
            "/a/some-endpoint",
            "203.0.113.7",
            &[("authorization", &bearer(token))],
            "",
        )
        .await;
    assert_eq!(refused.json()["error"]["code"], "token_revoked");
    drop((a, b));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn named_callers_manage_nothing_and_the_quota_is_a_clear_error() {
    let s = service();
    let login = bearer(&s.user_token().await);
    let named = create(
        &s,
        &login,
        "/token",
        r#"{"token": {"name": "ci", "ttl": 60}}"#,
    )
    .await;
    let as_named = bearer(named["token"].as_str().unwrap());
    assert_eq!(
        s.authed("GET", "/token", &as_named, "").await.status,
        StatusCode::FORBIDDEN
    );
    let id = named["token_id"].as_str().unwrap();
    assert_eq!(
        s.authed("DELETE", &format!("/token/{id}"), &as_named, "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let small = {
        let db = Arc::new(Db::open_in_memory().unwrap());
        create_demo_accounts(&db, &Passwords::new(CHEAP).unwrap()).unwrap();
        service_configured(db, &[], LoginLimits::default(), |c| c.max_named_tokens = 1)
    };
    let login = bearer(&small.user_token().await);
    create(&small, &login, "/token", r#"{"token": {"name": "one"}}"#).await;
    let full = small
        .authed("POST", "/token", &login, r#"{"token": {"name": "two"}}"#)
        .await;
    assert_eq!(full.status, StatusCode::FORBIDDEN);
    assert_eq!(full.json()["error"], "token_quota_exceeded");
    // Login tokens never count against the quota.
    assert_eq!(list(&small, &login, "/token").await.len(), 2);
}
