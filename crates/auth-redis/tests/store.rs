//! The Redis-backed store against a real `redis-server`: propagation between stores,
//! catch-up of a new store, verification codes, and the failure posture.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::{
    logout, Algorithm, Claims, ErrorCode, Issuer, Key, KeyRing, MintRequest, Principal,
    RevocationQuery, RevocationStatus, RevocationStore, RevocationWriter, Subject, Verifier,
    VerifyRequest,
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

fn mint(user: u64) -> (String, Claims) {
    let m = Issuer::new(ring())
        .mint(&MintRequest::new(Subject::user(user, "u", false)))
        .unwrap();
    (m.token.clone(), m.claims.clone())
}

fn verifier(store: Arc<RedisRevocationStore>) -> Verifier {
    let mut v = Verifier::new(ring());
    v.set_revocation_store(Some(store));
    v
}

fn code(v: &Verifier, token: &str) -> Option<ErrorCode> {
    v.verify_with(token, &VerifyRequest::default())
        .err()
        .map(|e| e.code())
}

#[test]
fn a_write_in_one_store_reaches_another_and_a_new_one() {
    let server = RedisServer::start();
    let a = Arc::new(RedisRevocationStore::connect(&server.url(), options("t1:")).unwrap());
    let b = Arc::new(RedisRevocationStore::connect(&server.url(), options("t1:")).unwrap());
    let other_app = RedisRevocationStore::connect(&server.url(), options("t1other:")).unwrap();
    let (token, claims) = mint(1);
    let vb = verifier(b.clone());
    assert_eq!(code(&vb, &token), None);

    logout(&*a, &claims, None).unwrap();
    // Applied locally at once, and in the other store within 100 ms.
    assert!(a.is_jti_revoked(&claims.jti, None));
    let took = eventually(Duration::from_millis(100), || code(&vb, &token).is_some())
        .expect("revocation not seen by the other store within 100 ms");
    assert_eq!(
        code(&vb, &token),
        Some(ErrorCode::TokenRevoked),
        "took {took:?}"
    );

    // A principal cutoff, and a static token's revocation.
    let (token2, claims2) = mint(2);
    a.revoke_principal_before(Principal::user(2), claims2.iat, None)
        .unwrap();
    RevocationWriter::revoke(&*a, "static-one", None, None).unwrap();
    eventually(Duration::from_millis(100), || code(&vb, &token2).is_some())
        .expect("cutoff not propagated");
    assert_eq!(code(&vb, &token2), Some(ErrorCode::TokenRevoked));
    // An earlier cutoff never lowers the later one, in Redis either.
    a.revoke_principal_before(Principal::user(2), 5, None)
        .unwrap();

    // A store started afterwards catches up from the keys.
    let c = Arc::new(RedisRevocationStore::connect(&server.url(), options("t1:")).unwrap());
    assert_eq!(
        code(&verifier(c.clone()), &token),
        Some(ErrorCode::TokenRevoked)
    );
    assert_eq!(
        code(&verifier(c.clone()), &token2),
        Some(ErrorCode::TokenRevoked)
    );
    assert_eq!(c.principal_cutoff(Principal::user(2)), Some(claims2.iat));
    assert!(c.is_jti_revoked("static-one", Some(u64::MAX - 1)));
    assert!(c.status().snapshots >= 1 && c.status().connected && c.status().current);

    // Another prefix is another application: nothing of it is revoked.
    assert!(!other_app.is_jti_revoked(&claims.jti, None));
    assert_eq!(
        other_app.revocation_status(&RevocationQuery::for_claims(&claims)),
        RevocationStatus::NotRevoked
    );

    // Redis holds the per-jti key with an expiry (the token's exp plus the grace), and the
    // static one without.
    let mut con = server.con();
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{{t1:}}j:{}", claims.jti))
        .query(&mut con)
        .unwrap();
    assert!(ttl > 0, "ttl {ttl}");
    let ttl: i64 = redis::cmd("TTL")
        .arg("{t1:}j:static-one")
        .query(&mut con)
        .unwrap();
    assert_eq!(ttl, -1);
    let cutoff: String = redis::cmd("HGET")
        .arg("{t1:}cutoffs")
        .arg("user:2")
        .query(&mut con)
        .unwrap();
    assert_eq!(cutoff.parse::<u64>().unwrap(), claims2.iat);

    // Bad input is refused before anything is written.
    let err = RevocationWriter::revoke(&*a, "", None, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
}

#[test]
fn bad_url_and_unreachable_server_fail_with_codes() {
    let err = RedisRevocationStore::connect("http://nope", options("x:")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    let mut o = options("x:");
    o.start_timeout = Some(Duration::from_millis(300));
    // A closed port: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err =
        RedisRevocationStore::connect(&format!("redis://127.0.0.1:{port}"), o.clone()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
    // Without waiting, the store starts but fails closed.
    o.start_timeout = None;
    let s = RedisRevocationStore::connect(&format!("redis://127.0.0.1:{port}"), o).unwrap();
    let (_, claims) = mint(3);
    assert_eq!(
        s.revocation_status(&RevocationQuery::for_claims(&claims)),
        RevocationStatus::Unavailable
    );
    let err = s.revoke_claims(&claims, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
    // ...but it holds that revocation locally.
    assert!(s.is_jti_revoked(&claims.jti, None));
}

#[test]
fn password_from_the_url() {
    let server = RedisServer::start_with(&["--requirepass", "s3cret"]);
    let url = format!("redis://:s3cret@127.0.0.1:{}/0", server.port);
    let s = RedisRevocationStore::connect(&url, options("pw:")).unwrap();
    RevocationWriter::revoke(&s, "j1", Some(4_000_000_000), None).unwrap();
    let mut o = options("pw:");
    o.start_timeout = Some(Duration::from_millis(500));
    let wrong = format!("redis://:wrong@127.0.0.1:{}/0", server.port);
    let err = RedisRevocationStore::connect(&wrong, o).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
    assert!(!err.message().contains("wrong"), "{}", err.message());
}

#[test]
fn far_future_expiry_is_stored_and_propagated() {
    let server = RedisServer::start();
    let a = RedisRevocationStore::connect(&server.url(), options("far:")).unwrap();
    let b = RedisRevocationStore::connect(&server.url(), options("far:")).unwrap();
    RevocationWriter::revoke(&a, "far", Some(u64::MAX - 5), None).unwrap();
    eventually(Duration::from_secs(1), || b.is_jti_revoked("far", None))
        .expect("far-future revocation not propagated");
}
