//! Scopes and the OAuth endpoints served for real: scoped tokens from `POST /token`,
//! per-route requirements, `/a/auth?scope=`, RFC 7662 introspection and RFC 7009 revocation
//! with bearer callers and Basic clients.

mod common;

use std::sync::Arc;

use auth_server::{demo_scopes, Db, LoginLimits, OAuthClients, Passwords};
use base64::Engine;
use common::*;
use http::StatusCode;
use serde_json::Value;

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// The demo service with the demo vocabulary and one OAuth client; returns its secret too.
fn scoped_service() -> (Svc, String) {
    let db = Arc::new(Db::open_in_memory().unwrap());
    let passwords = Passwords::new(CHEAP).unwrap();
    auth_server::create_demo_accounts(&db, &passwords).unwrap();
    add_test_accounts(&db, &passwords);
    let (secret, digest) = OAuthClients::generate_secret().unwrap();
    let svc = service_configured(db, &[], LoginLimits::default(), |c| {
        c.scopes = demo_scopes();
        c.oauth_clients
            .add_entry(&format!("gateway={digest}"))
            .unwrap();
    });
    (svc, secret)
}

fn basic(id: &str, secret: &str) -> String {
    let raw = format!("{id}:{secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

async fn scoped_token(s: &Svc, login: &str, scopes: &str) -> (String, String) {
    let body = format!(r#"{{"token": {{"name": "ci", "ttl": 3600, "scopes": {scopes}}}}}"#);
    let a = s.authed("POST", "/token", &bearer(login), &body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    (
        v["token"].as_str().unwrap().to_owned(),
        v["token_id"].as_str().unwrap().to_owned(),
    )
}

async fn introspect(s: &Svc, auth: &str, form: &str) -> (StatusCode, Value) {
    let a = s
        .call(
            "POST",
            "/oauth/introspect",
            "127.0.0.1",
            &[("authorization", auth), FORM],
            form,
        )
        .await;
    assert_eq!(a.headers["cache-control"], "no-store");
    (
        a.status,
        serde_json::from_str(&a.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_scoped_token_reaches_only_its_routes() {
    let (s, _) = scoped_service();
    let login = s.user_token().await;
    let (sms, _) = scoped_token(&s, &login, r#"["sms:send"]"#).await;
    let auth = bearer(&sms);
    assert_eq!(
        s.authed("GET", "/a/auth?scope=sms:send", &auth, "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let a = s
        .authed("GET", "/a/auth?scope=sms:send+account", &auth, "")
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.headers["www-authenticate"],
        r#"Bearer error="insufficient_scope", scope="account sms:send""#
    );
    assert!(a.body.is_empty());
    // An undeclared scope in the proxy's configuration is the server's problem, not a 401.
    let a = s.authed("GET", "/a/auth?scope=typo", &auth, "").await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    let a = s.authed("GET", "/a/auth?scope=a&scope=b", &auth, "").await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    // The token API needs `tokens`; /a/some-endpoint needs `account`.
    let a = s
        .authed("POST", "/token", &auth, r#"{"token": {"name": "x"}}"#)
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(a.json()["error"], "insufficient_scope");
    let a = s.authed("GET", "/a/some-endpoint", &auth, "").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // The login token has no scope claim: it holds everything.
    let a = s
        .authed("GET", "/a/some-endpoint", &bearer(&login), "")
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        s.authed("GET", "/a/auth?scope=sms+account", &bearer(&login), "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn delegation_never_widens_scopes() {
    let (s, _) = scoped_service();
    let login = s.reseller_token().await;
    let (narrow, _) = scoped_token(&s, &login, r#"["sms", "tokens"]"#).await;
    let a = s
        .authed(
            "POST",
            "/token",
            &bearer(&narrow),
            r#"{"token": {"name": "x", "scopes": ["account"]}}"#,
        )
        .await;
    // A named token may not create tokens at all under the default policy: not_permitted,
    // whatever the scopes. The scope rule itself is checked on a login caller below.
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let a = s
        .authed(
            "POST",
            "/token/account/12542",
            &bearer(&login),
            "<token><name>x</name><scopes><scope>sms:read</scope></scopes></token>",
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["scopes"], serde_json::json!(["sms:read"]));
    let a = s
        .authed(
            "POST",
            "/token",
            &bearer(&login),
            r#"{"token": {"name": "x", "scopes": ["billing"]}}"#,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert_eq!(a.json()["error"], "invalid_scope");
}

#[tokio::test]
async fn introspection_answers_active_or_nothing() {
    let (s, secret) = scoped_service();
    let login = s.user_token().await;
    let (sms, jti) = scoped_token(&s, &login, r#"["sms"]"#).await;
    // A Basic client and a bearer token holding `introspect` (the login token) may ask.
    for caller in [basic("gateway", &secret), bearer(&login)] {
        let (status, v) = introspect(
            &s,
            &caller,
            &format!("token={sms}&token_type_hint=access_token"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(v["active"], true);
        assert_eq!(v["scope"], "sms sms:read sms:send");
        assert_eq!(v["sub"], "user:123");
        assert_eq!(v["jti"], jti.as_str());
        assert_eq!(v["token_type"], "Bearer");
        assert!(v["exp"].as_u64().is_some() && v["iat"].as_u64().is_some());
    }
    // Every inactive answer is the same bytes, whatever the cause.
    let restricted = {
        let a = s
            .authed(
                "POST",
                "/token",
                &bearer(&login),
                r#"{"token": {"name": "ip", "allowed_ips": ["192.0.2.0/24"]}}"#,
            )
            .await;
        a.json()["token"].as_str().unwrap().to_owned()
    };
    let tampered = format!("{}AAAA", &sms[..sms.len() - 4]);
    let caller = basic("gateway", &secret);
    let mut bodies = Vec::new();
    for form in [
        format!("token={tampered}"),
        "token=not-a-token".to_owned(),
        format!("token={restricted}"),
        format!("token={restricted}&client_ip=198.51.100.1"),
    ] {
        let a = s
            .call(
                "POST",
                "/oauth/introspect",
                "127.0.0.1",
                &[("authorization", &caller), FORM],
                &form,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK);
        bodies.push(a.body);
    }
    assert!(
        bodies.iter().all(|b| b == r#"{"active":false}"#),
        "{bodies:?}"
    );
    let (_, v) = introspect(
        &s,
        &caller,
        &format!("token={restricted}&client_ip=192.0.2.7"),
    )
    .await;
    assert_eq!(v["active"], true, "the allowed address makes it active");
    // Unauthorized callers: no credentials, a wrong secret, a token without `introspect`.
    let (status, v) = introspect(&s, "", &format!("token={sms}")).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let a = s
        .call(
            "POST",
            "/oauth/introspect",
            "127.0.0.1",
            &[("authorization", &basic("gateway", "wrong")), FORM],
            "token=x",
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    let (status, v) = introspect(&s, &bearer(&sms), &format!("token={sms}")).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    // Bad forms: not a form, a parameter twice, no token.
    let a = s
        .call(
            "POST",
            "/oauth/introspect",
            "127.0.0.1",
            &[("authorization", &caller)],
            &format!("token={sms}"),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    for form in ["token=a&token=b", "", "token_type_hint=x"] {
        let (status, v) = introspect(&s, &caller, form).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{form}"
        );
    }
}

#[tokio::test]
async fn revocation_answers_200_and_revokes_only_what_the_caller_may() {
    let (s, secret) = scoped_service();
    let login = s.user_token().await;
    let (mine, _) = scoped_token(&s, &login, r#"["sms:send"]"#).await;
    let revoke = |auth: String, form: String| {
        let s = &s;
        async move {
            s.call(
                "POST",
                "/oauth/revoke",
                "127.0.0.1",
                &[("authorization", &auth), FORM],
                &form,
            )
            .await
        }
    };
    let works = |tok: &str| format!("Bearer {tok}");
    // Someone else's token: 200, and nothing happens.
    let other = s.login_as("other@example.com").await;
    let a = revoke(bearer(&login), format!("token={other}")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    assert_eq!(
        s.authed("GET", "/a/some-endpoint", &works(&other), "")
            .await
            .status,
        StatusCode::OK
    );
    // Garbage: 200.
    assert_eq!(
        revoke(bearer(&login), "token=garbage".into()).await.status,
        StatusCode::OK
    );
    // A scoped token without `tokens` may revoke itself only.
    let a = revoke(bearer(&mine), format!("token={login}")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        s.authed("GET", "/a/some-endpoint", &works(&login), "")
            .await
            .status,
        StatusCode::OK
    );
    // The login token revokes its own principal's named token.
    assert_eq!(
        revoke(bearer(&login), format!("token={mine}")).await.status,
        StatusCode::OK
    );
    let a = s
        .authed("GET", "/a/auth?scope=sms:send", &works(&mine), "")
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // A client revokes any token; it is recorded for restarts and other processes.
    assert_eq!(
        revoke(basic("gateway", &secret), format!("token={other}"))
            .await
            .status,
        StatusCode::OK
    );
    let a = s
        .authed("GET", "/a/some-endpoint", &works(&other), "")
        .await;
    assert_eq!(a.json()["error"]["code"], "token_revoked");
    let (_, v) = introspect(&s, &basic("gateway", &secret), &format!("token={other}")).await;
    assert_eq!(v, serde_json::json!({"active": false}));
    // No credentials: 401.
    assert_eq!(
        revoke(String::new(), format!("token={login}")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_openapi_description_is_served_and_names_every_route() {
    let (s, _) = scoped_service();
    let a = s.call("GET", "/openapi.json", "127.0.0.1", &[], "").await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["openapi"], "3.1.0");
    for path in [
        "/a/session.json",
        "/a/v1/resellers/login.json",
        "/a/v1/resellers/user/logout.json",
        "/a/some-endpoint",
        "/a/auth",
        "/token",
        "/token/account/{accountID}",
        "/token/{token_id}",
        "/oauth/introspect",
        "/oauth/revoke",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(v["paths"][path].is_object(), "{path} is not described");
    }
}
