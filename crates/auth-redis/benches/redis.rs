//! Verify with the Redis-backed store against the in-memory store and against what hosts
//! write by hand (verify + a Redis `EXISTS` per request), side by side in one run. Starts
//! its own `redis-server` (tests/common). `cargo bench -p auth-redis`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::{
    Algorithm, Issuer, Key, KeyRing, MemoryRevocationStore, MintRequest, RevocationWriter, Subject,
    Verifier,
};
use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use criterion::{criterion_group, criterion_main, Criterion};

const REVOKED: usize = 10_000;
const EXP: u64 = 4_000_000_000;

fn bench(c: &mut Criterion) {
    let server = common::RedisServer::start();
    let ring = KeyRing::single(
        Key::new(
            "2026-01",
            Algorithm::HS256,
            b"a secret of at least 32 bytes....",
        )
        .unwrap(),
    );
    let minted = Issuer::new(ring.clone())
        .mint(&MintRequest::new(Subject::user(123, "alice", false)))
        .unwrap();
    let token = minted.token.clone();

    let memory = Arc::new(MemoryRevocationStore::new());
    let mut options = RedisStoreOptions::default();
    options.key_prefix = "bench:".into();
    let redis = Arc::new(RedisRevocationStore::connect(&server.url(), options).unwrap());
    for i in 0..REVOKED {
        let jti = format!("revoked-{i}");
        memory.revoke(&jti, Some(EXP), None).unwrap();
        RevocationWriter::revoke(&*redis, &jti, Some(EXP), None).unwrap();
    }
    redis.wait_current(Duration::from_secs(5)).unwrap();

    let mut v_memory = Verifier::new(ring.clone());
    v_memory.set_revocation_store(Some(memory));
    let mut v_redis = Verifier::new(ring.clone());
    v_redis.set_revocation_store(Some(redis));
    let v_plain = Verifier::new(ring);
    let mut con = server.con();
    let key = format!("bench:j:{}", minted.claims.jti);

    let mut g = c.benchmark_group("redis_revocation");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("verify, in-memory store", |b| {
        b.iter(|| v_memory.verify(&token).unwrap())
    });
    g.bench_function("verify, Redis store (local replica)", |b| {
        b.iter(|| v_redis.verify(&token).unwrap())
    });
    g.bench_function("verify + Redis EXISTS per request", |b| {
        b.iter(|| {
            let claims = v_plain.verify(&token).unwrap();
            let revoked: bool = redis::cmd("EXISTS").arg(&key).query(&mut con).unwrap();
            assert!(!revoked);
            claims
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
