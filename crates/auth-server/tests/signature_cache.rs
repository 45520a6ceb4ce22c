//! The bearer verifier's signature cache (docs/signature-cache.md): on by default, reported
//! at `/metrics`, never letting a logged-out token through, and off with a capacity of 0.

mod common;

use std::sync::Arc;

use auth_core::{Algorithm, Key, KeyRing};
use auth_server::Db;
use common::{bearer, Svc};
use http::StatusCode;

fn es256_service(capacity: usize) -> Svc {
    let db = Arc::new(Db::open_in_memory().unwrap());
    let passwords = auth_server::Passwords::new(common::CHEAP).unwrap();
    auth_server::create_demo_accounts(&db, &passwords).unwrap();
    common::add_test_accounts(&db, &passwords);
    common::service_configured(db, &[], Default::default(), |c| {
        let raw: Vec<u8> = (1..=32).collect();
        c.keys = KeyRing::single(Key::new("es", Algorithm::ES256, &raw).unwrap());
        c.signature_cache = capacity;
    })
}

/// The value of `auth_signature_cache_total{event="EVENT"}` (None: not reported).
async fn events(svc: &Svc, event: &str) -> Option<f64> {
    let page = svc.call("GET", "/metrics", "127.0.0.1", &[], "").await;
    assert_eq!(page.status, StatusCode::OK);
    let prefix = format!("auth_signature_cache_total{{event=\"{event}\"}} ");
    page.body
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|v| v.parse().unwrap())
}

#[tokio::test]
async fn a_repeated_token_is_a_hit_and_a_logout_still_refuses_it() {
    let svc = es256_service(100);
    let token = svc.user_token().await;
    for _ in 0..3 {
        let a = svc
            .authed("GET", "/a/some-endpoint", &bearer(&token), "")
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    assert_eq!(events(&svc, "miss").await, Some(1.0));
    assert_eq!(events(&svc, "insert").await, Some(1.0));
    assert_eq!(events(&svc, "hit").await, Some(2.0));
    let page = svc.call("GET", "/metrics", "127.0.0.1", &[], "").await;
    assert!(
        page.body.contains("auth_signature_cache_entries 1\n"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("auth_signature_cache_capacity "),
        "{}",
        page.body
    );

    let logout = svc
        .authed("DELETE", "/a/session.json", &bearer(&token), "")
        .await;
    assert_eq!(logout.status, StatusCode::OK);
    let after = svc
        .authed("GET", "/a/some-endpoint", &bearer(&token), "")
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    assert_eq!(
        events(&svc, "hit").await,
        Some(4.0),
        "the signature was cached; revocation was not"
    );
}

#[tokio::test]
async fn a_capacity_of_zero_turns_the_cache_off() {
    let svc = es256_service(0);
    let token = svc.user_token().await;
    for _ in 0..2 {
        let a = svc
            .authed("GET", "/a/some-endpoint", &bearer(&token), "")
            .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    assert_eq!(events(&svc, "hit").await, None);
    let page = svc.call("GET", "/metrics", "127.0.0.1", &[], "").await;
    assert!(!page.body.contains("signature_cache"), "{}", page.body);
}
