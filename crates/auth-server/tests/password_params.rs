//! Argon2 parameter changes through the real routes: a login replaces a hash made with other
//! parameters, and unknown logins are verified against dummies with the stored parameters.

mod common;

use std::sync::Arc;

use auth_server::{create_demo_accounts, Db, HashParams, LoginLimits, Passwords, StoredParams};
use common::*;
use http::StatusCode;

/// The parameters the accounts were hashed with before the change to [`CHEAP`].
const OLD: HashParams = HashParams {
    memory_kib: 128,
    iterations: 2,
    parallelism: 1,
};

const USER: &str = r#"{"login": "user@example.com", "password": "your_password"}"#;
const RESELLER: &str = r#"{"name": "reseller_name", "pass": "your_password"}"#;

fn old_db(db: Db) -> Arc<Db> {
    create_demo_accounts(&db, &Passwords::new(OLD).unwrap()).unwrap();
    Arc::new(db)
}

fn user_hash(db: &Db, login: &str) -> String {
    db.user_by_login(login).unwrap().unwrap().password_hash
}

fn reseller_hash(db: &Db, name: &str) -> String {
    db.reseller_by_name(name).unwrap().unwrap().password_hash
}

fn made_with(hash: &str, params: HashParams) -> bool {
    StoredParams::of(hash) == Some(StoredParams::current(params))
}

#[tokio::test]
async fn a_login_replaces_a_hash_made_with_other_parameters() {
    let db = old_db(Db::open_in_memory().unwrap());
    let svc = service_on(db.clone(), &[], LoginLimits::default());
    assert!(made_with(&user_hash(&db, "user@example.com"), OLD));

    let a = svc
        .call("POST", "/a/session.json", "127.0.0.1", &[], USER)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let new = user_hash(&db, "user@example.com");
    assert!(new.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{new}");
    let a = svc
        .call(
            "POST",
            "/a/v1/resellers/login.json",
            "127.0.0.1",
            &[],
            RESELLER,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(made_with(&reseller_hash(&db, "reseller_name"), CHEAP));

    // The new hashes hold the same passwords; a current hash is not replaced again.
    let a = svc
        .call("POST", "/a/session.json", "127.0.0.1", &[], USER)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(user_hash(&db, "user@example.com"), new);
    let a = svc
        .call(
            "POST",
            "/a/v1/resellers/login.json",
            "127.0.0.1",
            &[],
            RESELLER,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);

    // A wrong password changes nothing.
    let wrong = r#"{"login": "sub-account@example.com", "password": "not it"}"#;
    let a = svc
        .call("POST", "/a/session.json", "127.0.0.1", &[], wrong)
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    assert!(made_with(&user_hash(&db, "sub-account@example.com"), OLD));
}

#[tokio::test]
async fn a_rehash_that_cannot_be_stored_does_not_fail_the_login() {
    let dir = std::env::temp_dir().join(format!("auth-server-rehash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("accounts.sqlite");
    let _ = std::fs::remove_file(&path);
    let db = old_db(Db::open(&path).unwrap());
    // Another connection makes the hashes impossible to update.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER frozen BEFORE UPDATE OF password_hash ON users
             BEGIN SELECT RAISE(ABORT, 'password hashes are frozen'); END;",
        )
        .unwrap();
    let svc = service_on(db.clone(), &[], LoginLimits::default());
    let a = svc
        .call("POST", "/a/session.json", "127.0.0.1", &[], USER)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(made_with(&user_hash(&db, "user@example.com"), OLD));
    drop((svc, db));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn unknown_logins_are_verified_with_the_parameters_of_the_stored_hashes() {
    // Every account (two users, one reseller) still has an OLD hash.
    let svc = service_on(
        old_db(Db::open_in_memory().unwrap()),
        &[],
        LoginLimits::default(),
    );
    let passwords = svc.state.passwords();
    let old = StoredParams::current(OLD);
    assert_eq!(passwords.dummy_sets(), vec![(old, 3)]);
    for i in 0..50 {
        assert_eq!(
            passwords.dummy_params(&format!("nobody{i}@example.com")),
            old
        );
    }
    let unknown = r#"{"login": "nobody@example.com", "password": "your_password"}"#;
    let a = svc
        .call("POST", "/a/session.json", "127.0.0.1", &[], unknown)
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);

    // Accounts of both kinds: each name gets one of the two sets, always the same.
    let db = old_db(Db::open_in_memory().unwrap());
    add_test_accounts(&db, &Passwords::new(CHEAP).unwrap());
    let svc = service_on(db, &[], LoginLimits::default());
    let passwords = svc.state.passwords();
    let cheap = StoredParams::current(CHEAP);
    assert_eq!(passwords.dummy_sets(), vec![(cheap, 4), (old, 3)]);
    let mut seen = Vec::new();
    for i in 0..200 {
        let name = format!("nobody{i}@example.com");
        let got = passwords.dummy_params(&name);
        assert!(got == old || got == cheap, "{got:?}");
        assert_eq!(passwords.dummy_params(&name), got);
        if !seen.contains(&got) {
            seen.push(got);
        }
    }
    assert_eq!(seen.len(), 2, "both sets are used");
}
