//! What happens to tokens when their account changes: a block or a password change made by
//! another process (`authctl accounts` on the same database file) revokes every token of the
//! account in every service process; `revoke_account` and a token revocation likewise; token
//! creation refuses blocked callers and bounds each account's named tokens.

mod common;

use std::sync::Arc;

use auth_core::{Issuer, MintRequest, Principal, PrincipalType, Subject};
use auth_server::{create_demo_accounts, Db, LoginLimits, Passwords};
use common::*;
use http::StatusCode;

/// A database file with the demo accounts, and a second handle on it: another process.
fn shared_file(name: &str) -> (std::path::PathBuf, Arc<Db>, Db) {
    let dir = std::env::temp_dir().join(format!("auth-server-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("accounts.sqlite");
    let _ = std::fs::remove_file(&path);
    let db = Arc::new(Db::open(&path).unwrap());
    create_demo_accounts(&db, &Passwords::new(CHEAP).unwrap()).unwrap();
    let other = Db::open(&path).unwrap();
    (dir, db, other)
}

async fn named_token(s: &Svc, auth: &str, path: &str, name: &str) -> common::Answer {
    let body = format!(r#"{{"token": {{"name": "{name}"}}}}"#);
    s.authed("POST", path, auth, &body).await
}

async fn code_at_auth(s: &Svc, token: &str) -> (StatusCode, String) {
    let a = s
        .authed("GET", "/a/some-endpoint", &bearer(token), "")
        .await;
    let code = if a.status == StatusCode::OK {
        String::new()
    } else {
        a.json()["error"]["code"].as_str().unwrap().to_owned()
    };
    (a.status, code)
}

#[tokio::test]
async fn blocking_a_user_elsewhere_revokes_its_tokens_in_every_process() {
    let (dir, db, other) = shared_file("block");
    let a = service_on(db.clone(), &[], LoginLimits::default());
    let b = service_on(db, &[], LoginLimits::default());
    let login = a.user_token().await;
    let named = named_token(&a, &bearer(&login), "/token", "ci").await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    let named = named.json()["token"].as_str().unwrap().to_owned();
    for s in [&a, &b] {
        assert_eq!(code_at_auth(s, &named).await.0, StatusCode::OK);
    }

    // `authctl accounts block user user@example.com`, from another process.
    assert!(other.set_user_blocked("user@example.com", true).unwrap());
    for s in [&a, &b] {
        s.state.sync_revocations().unwrap();
        for token in [&login, &named] {
            assert_eq!(code_at_auth(s, token).await.1, "token_revoked");
        }
    }
    // A token the cutoff does not cover (issued later, e.g. by `authctl mint`) still creates
    // nothing for a blocked account.
    let mut later = MintRequest::new(Subject::user(123, "John Doe", false));
    later.now = Some(auth_core::system_now().unwrap() + 30);
    let later = Issuer::new(keys()).mint(&later).unwrap().token;
    let refused = named_token(&a, &bearer(&later), "/token", "x").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.json()["error"], "not_permitted");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_reseller_block_revokes_the_tokens_it_minted_for_sub_accounts() {
    let (dir, db, other) = shared_file("reseller");
    let s = service_on(db, &[], LoginLimits::default());
    let login = s.reseller_token().await;
    let sub = named_token(&s, &bearer(&login), "/token/account/12542", "sub").await;
    assert_eq!(sub.status, StatusCode::OK, "{}", sub.body);
    let sub = sub.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(code_at_auth(&s, &sub).await.0, StatusCode::OK);
    assert!(other.set_reseller_blocked("reseller_name", true).unwrap());
    s.state.sync_revocations().unwrap();
    assert_eq!(code_at_auth(&s, &sub).await.1, "token_revoked");
    assert_eq!(code_at_auth(&s, &login).await.1, "token_revoked");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn revoking_an_account_or_one_token_from_another_process_reaches_the_service() {
    let (dir, db, other) = shared_file("revoke");
    let s = service_on(db, &[], LoginLimits::default());
    let login = s.user_token().await;
    let mk = |name: &'static str| {
        let (s, login) = (&s, login.clone());
        async move {
            let a = named_token(s, &bearer(&login), "/token", name).await;
            a.json()["token"].as_str().unwrap().to_owned()
        }
    };
    let (one, two) = (mk("one").await, mk("two").await);
    let jti = auth_core::Verifier::new(keys()).verify(&one).unwrap().jti;
    // `authctl accounts revoke-token ID`: that token only.
    let row = other.named_token(&jti).unwrap().unwrap();
    other
        .record_revocation(&jti, row.expires_at, auth_core::system_now().unwrap())
        .unwrap();
    s.state.sync_revocations().unwrap();
    assert_eq!(code_at_auth(&s, &one).await.1, "token_revoked");
    assert_eq!(code_at_auth(&s, &two).await.0, StatusCode::OK);
    // `authctl accounts revoke user user@example.com`: every token, the account not blocked.
    assert!(other
        .revoke_account(PrincipalType::User, "user@example.com")
        .unwrap());
    assert!(!other
        .revoke_account(PrincipalType::User, "nobody@example.com")
        .unwrap());
    s.state.sync_revocations().unwrap();
    assert_eq!(code_at_auth(&s, &two).await.1, "token_revoked");
    assert_eq!(
        other.cutoffs().unwrap().first().map(|c| c.0),
        Some(Principal::user(123))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_account_holds_at_most_its_quota_of_named_tokens_revoked_or_not() {
    let db = Arc::new(Db::open_in_memory().unwrap());
    create_demo_accounts(&db, &Passwords::new(CHEAP).unwrap()).unwrap();
    let mut config = auth_server::ServerConfig::new(keys());
    config.hash_params = CHEAP;
    config.max_named_tokens = 2;
    let state = auth_server::AppState::new(
        config,
        db,
        Arc::new(auth_core::MemoryRevocationStore::new()),
    )
    .unwrap();
    let s = Svc {
        app: auth_server::router(state.clone()),
        state,
    };
    let login = bearer(&s.user_token().await);
    let first = named_token(&s, &login, "/token", "a").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        named_token(&s, &login, "/token", "b").await.status,
        StatusCode::OK
    );
    // Revoking one does not free its place: its revocation is kept until it expires.
    let a = bearer(first.json()["token"].as_str().unwrap());
    assert_eq!(
        s.authed("DELETE", "/a/session.json", &a, "").await.status,
        StatusCode::OK
    );
    let full = named_token(&s, &login, "/token", "c").await;
    assert_eq!(full.status, StatusCode::FORBIDDEN, "{}", full.body);
    assert_eq!(full.json()["error"], "token_quota_exceeded");
    // The quota is the account's: another account still creates tokens, and logs out.
    let reseller = bearer(&s.reseller_token().await);
    assert_eq!(
        named_token(&s, &reseller, "/token", "r").await.status,
        StatusCode::OK
    );
    assert_eq!(
        s.authed("GET", "/a/v1/resellers/user/logout.json", &reseller, "")
            .await
            .status,
        StatusCode::OK
    );
}

/// A memory store that counts the writes it is asked for.
#[derive(Default)]
struct CountingStore {
    inner: auth_core::MemoryRevocationStore,
    writes: std::sync::atomic::AtomicUsize,
}

impl auth_core::RevocationStore for CountingStore {
    fn is_revoked(&self, query: &auth_core::RevocationQuery<'_>) -> bool {
        self.inner.is_revoked(query)
    }
}

impl auth_core::RevocationWriter for CountingStore {
    fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> auth_core::Result<()> {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.revoke(jti, exp, now)
    }

    fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> auth_core::Result<()> {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.revoke_principal_before(principal, before, now)
    }
}

impl auth_server::Revoker for CountingStore {}

#[tokio::test]
async fn the_log_does_not_write_again_what_the_store_already_holds() {
    // With a shared store (Redis) every process follows the database's log: a logout this
    // process wrote there already must not be written a second time (one write per logout,
    // not one per process).
    let db = Arc::new(Db::open_in_memory().unwrap());
    create_demo_accounts(&db, &Passwords::new(CHEAP).unwrap()).unwrap();
    let store = Arc::new(CountingStore::default());
    let mut config = auth_server::ServerConfig::new(keys());
    config.hash_params = CHEAP;
    let state = auth_server::AppState::new(config, db.clone(), store.clone()).unwrap();
    let s = Svc {
        app: auth_server::router(state.clone()),
        state,
    };
    let login = bearer(&s.user_token().await);
    assert_eq!(
        s.authed("DELETE", "/a/session.json", &login, "")
            .await
            .status,
        StatusCode::OK
    );
    let writes = store.writes.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(writes, 1);
    s.state.sync_revocations().unwrap();
    assert_eq!(
        store.writes.load(std::sync::atomic::Ordering::SeqCst),
        writes
    );
    // What another process recorded is written once.
    assert!(db
        .revoke_account(PrincipalType::Reseller, "reseller_name")
        .unwrap());
    s.state.sync_revocations().unwrap();
    s.state.sync_revocations().unwrap();
    assert_eq!(
        store.writes.load(std::sync::atomic::Ordering::SeqCst),
        writes + 1
    );
}
