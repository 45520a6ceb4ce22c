//! A local replica too small for the revocations in Redis, against a real `redis-server`: it
//! must not claim to be current, and verification fails closed until the replica holds every
//! revocation again.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::{
    logout, Algorithm, ErrorCode, Issuer, Key, KeyRing, MintRequest, RevocationWriter, Subject,
    Verifier, VerifyRequest,
};
use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use common::{eventually, RedisServer};

fn options(prefix: &str) -> RedisStoreOptions {
    let mut o = RedisStoreOptions::default();
    o.key_prefix = prefix.to_owned();
    o.max_staleness = Duration::from_millis(300);
    o.io_timeout = Duration::from_millis(500);
    o
}

fn ring() -> KeyRing {
    KeyRing::single(Key::new("k", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap())
}

fn code(v: &Verifier, token: &str) -> Option<ErrorCode> {
    v.verify_with(token, &VerifyRequest::default())
        .err()
        .map(|e| e.code())
}

fn now() -> u64 {
    auth_core::system_now().unwrap()
}

#[test]
fn a_full_replica_that_dropped_a_revocation_fails_closed_until_it_fits() {
    let server = RedisServer::start();
    let mut small = options("full:");
    small.replica_capacity = 5;
    // Short-lived fillers are forgotten two seconds after they are written.
    small.expiry_grace = 1;
    let replica = Arc::new(RedisRevocationStore::connect(&server.url(), small).unwrap());
    let writer = RedisRevocationStore::connect(&server.url(), options("full:")).unwrap();
    let mut verifier = Verifier::new(ring());
    verifier.set_revocation_store(Some(replica.clone()));
    let minted = Issuer::new(ring())
        .mint(&MintRequest::new(Subject::user(7, "u", false)))
        .unwrap();
    assert_eq!(code(&verifier, &minted.token), None);

    // Another process fills the replica past its capacity, then logs the token out.
    let soon = now() + 1;
    for i in 0..5 {
        RevocationWriter::revoke(&writer, &format!("filler-{i}"), Some(soon), None).unwrap();
    }
    logout(&writer, &minted.claims, None).unwrap();
    eventually(Duration::from_secs(2), || replica.status().applied >= 6)
        .expect("the replica did not read the writes");

    // Redis acknowledged the logout, the replica could not hold it: the token must not verify,
    // and the store must not say it is current, whatever the time since its last read.
    assert!(!replica.is_jti_revoked(&minted.claims.jti, None));
    assert_eq!(
        code(&verifier, &minted.token),
        Some(ErrorCode::RevocationUnavailable)
    );
    let status = replica.status();
    assert!(!status.current, "{status:?}");
    let why = status.last_error.unwrap_or_default();
    assert!(why.contains("full"), "{why}");
    std::thread::sleep(Duration::from_millis(400));
    assert!(!replica.status().current);
    assert_eq!(
        code(&verifier, &minted.token),
        Some(ErrorCode::RevocationUnavailable)
    );
    assert!(replica.wait_current(Duration::from_millis(100)).is_err());

    // Once the fillers have expired there is room: the dropped revocation is applied and the
    // replica is current again.
    eventually(Duration::from_secs(8), || replica.status().current)
        .expect("the replica did not recover once there was room");
    assert!(replica.is_jti_revoked(&minted.claims.jti, None));
    assert_eq!(
        code(&verifier, &minted.token),
        Some(ErrorCode::TokenRevoked)
    );
}

#[test]
fn a_replica_too_small_for_the_snapshot_does_not_start() {
    let server = RedisServer::start();
    let writer = RedisRevocationStore::connect(&server.url(), options("snap:")).unwrap();
    for i in 0..4 {
        RevocationWriter::revoke(&writer, &format!("static-{i}"), None, None).unwrap();
    }
    let mut small = options("snap:");
    small.replica_capacity = 3;
    small.start_timeout = Some(Duration::from_millis(500));
    let err = RedisRevocationStore::connect(&server.url(), small.clone()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
    assert!(err.message().contains("full"), "{}", err.message());

    // Started without waiting, it stays closed and says why.
    small.start_timeout = None;
    let store = RedisRevocationStore::connect(&server.url(), small).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let status = store.status();
    assert!(!status.current, "{status:?}");
    assert!(status.last_error.unwrap_or_default().contains("full"));
}
