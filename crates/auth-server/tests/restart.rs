//! A restart on the same database file: accounts, named tokens, revocations and the cutoff of
//! a password change survive.

mod common;

use std::sync::Arc;

use auth_server::{create_demo_accounts, Db, LoginLimits, Passwords};
use common::*;
use http::StatusCode;

#[tokio::test]
async fn accounts_named_tokens_and_revocations_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("auth-server-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("accounts.sqlite");
    let _ = std::fs::remove_file(&path);

    let (static_token, kept_token, user_token) = {
        let db = Arc::new(Db::open(&path).unwrap());
        create_demo_accounts(&db, &Passwords::new(CHEAP).unwrap()).unwrap();
        let s = service_on(db, &[], LoginLimits::default());
        let auth = bearer(&s.user_token().await);
        let mk = |name: &'static str| {
            let s = &s;
            let auth = auth.clone();
            async move {
                let body = format!(r#"{{"token": {{"name": "{name}"}}}}"#);
                let a = s
                    .call(
                        "POST",
                        "/token",
                        "127.0.0.1",
                        &[("authorization", &auth)],
                        &body,
                    )
                    .await;
                assert_eq!(a.status, StatusCode::OK, "{}", a.body);
                a.json()["token"].as_str().unwrap().to_owned()
            }
        };
        let static_token = mk("revoked static").await;
        let kept_token = mk("kept static").await;
        // Logout with the static token revokes it for good; the login token too.
        let st = bearer(&static_token);
        assert_eq!(
            s.authed("DELETE", "/a/session.json", &st, "").await.status,
            StatusCode::OK
        );
        assert_eq!(
            s.authed("DELETE", "/a/session.json", &auth, "")
                .await
                .status,
            StatusCode::OK
        );
        // A password change made while running.
        let hash = Passwords::new(CHEAP)
            .unwrap()
            .hash(b"new password")
            .unwrap();
        assert!(s
            .state
            .db()
            .set_user_password("user@example.com", &hash)
            .unwrap());
        (static_token, kept_token, auth)
    };

    // A new process on the same file; the demo accounts are not re-created over the change.
    let db = Arc::new(Db::open(&path).unwrap());
    assert!(!create_demo_accounts(&db, &Passwords::new(CHEAP).unwrap()).unwrap());
    let s = service_on(db, &[], LoginLimits::default());
    let call = |token: String| {
        let s = &s;
        async move {
            let auth = if token.starts_with("Bearer ") {
                token
            } else {
                bearer(&token)
            };
            s.authed("GET", "/a/some-endpoint", &auth, "").await
        }
    };
    let revoked = call(static_token.clone()).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.json()["error"]["code"], "token_revoked");
    assert_eq!(
        call(user_token).await.json()["error"]["code"],
        "token_revoked"
    );
    // The password change revoked every token of the account, the named one kept across the
    // restart too: its cutoff was recorded with it and loaded at start.
    assert_eq!(
        call(kept_token.clone()).await.json()["error"]["code"],
        "token_revoked"
    );

    let jti = auth_core::Verifier::new(keys())
        .verify(&static_token)
        .unwrap()
        .jti;
    let row = s.state.db().named_token(&jti).unwrap().unwrap();
    assert!(row.revoked);
    assert_eq!(row.expires_at, None);
    let old = r#"{"login": "user@example.com", "password": "your_password"}"#;
    assert_eq!(
        s.call("POST", "/a/session.json", "127.0.0.1", &[], old)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let new = r#"{"login": "user@example.com", "password": "new password"}"#;
    assert_eq!(
        s.call("POST", "/a/session.json", "127.0.0.1", &[], new)
            .await
            .status,
        StatusCode::OK
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
