//! Propagation latency between two stores on loopback (p50/p99 over 2,000 revocations), the
//! rate a running replica applies a burst from the stream, and the catch-up rate of a
//! process starting against N revocations (N from the first argument, default 1,000,000).
//! Starts its own `redis-server`.
//!
//! `cargo run --release -p auth-redis --example propagation [-- N]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use auth_core::RevocationWriter;
use auth_redis::{RedisRevocationStore, RedisStoreOptions};

const EXP: u64 = 4_000_000_000;

fn options(prefix: &str) -> RedisStoreOptions {
    let mut o = RedisStoreOptions::default();
    o.key_prefix = prefix.into();
    o.start_timeout = Some(Duration::from_secs(600));
    o
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N"))
        .unwrap_or(1_000_000);
    let server = common::RedisServer::start();

    // 1. Propagation: write in A, spin until B (another store, its own connection) has it.
    let a = RedisRevocationStore::connect(&server.url(), options("p:")).unwrap();
    let b = RedisRevocationStore::connect(&server.url(), options("p:")).unwrap();
    let mut lat = Vec::new();
    for i in 0..2_000 {
        let jti = format!("prop-{i}");
        let t0 = Instant::now();
        RevocationWriter::revoke(&a, &jti, Some(EXP), None).unwrap();
        let ack = t0.elapsed();
        while !b.is_jti_revoked(&jti, None) {
            std::hint::spin_loop();
        }
        lat.push(t0.elapsed());
        if i == 0 {
            println!("first write acknowledged in {ack:?}");
        }
    }
    lat.sort();
    println!(
        "propagation write->other replica: p50 {:?}  p99 {:?}  max {:?}",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat[lat.len() - 1]
    );

    // 2. Bulk data written straight in the documented layout (keys + stream, pipelined).
    let mut con = server.con();
    let t0 = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(5_000) {
        let mut pipe = redis::pipe();
        for i in chunk {
            let jti = format!("bulk-{i:08}");
            pipe.cmd("SET")
                .arg(format!("c:j:{jti}"))
                .arg(format!("{EXP:020}"))
                .arg("EXAT")
                .arg(EXP + 3_600)
                .ignore();
            pipe.cmd("XADD")
                .arg("c:stream")
                .arg("MAXLEN")
                .arg("~")
                .arg(2_000_000)
                .arg("*")
                .arg(&["t", "j", "v"])
                .arg(&jti)
                .arg("e")
                .arg(format!("{EXP:020}"))
                .ignore();
        }
        pipe.query::<()>(&mut con).unwrap();
    }
    println!("loaded {n} revocations into Redis in {:?}", t0.elapsed());

    // 3. Catch-up of a process starting against them (snapshot of the keys).
    let t0 = Instant::now();
    let fresh = RedisRevocationStore::connect(&server.url(), options("c:")).unwrap();
    let took = t0.elapsed();
    let s = fresh.status();
    assert_eq!(s.entries, n);
    println!(
        "catch-up of a new process: {n} in {took:?} = {:.0} revocations/s; replica ~{} bytes/entry",
        n as f64 / took.as_secs_f64(),
        fresh.approx_memory_bytes() / n.max(1)
    );

    // 4. A running replica applying a burst from the stream.
    let follower = RedisRevocationStore::connect(&server.url(), options("f:")).unwrap();
    let burst = n.min(200_000);
    let t0 = Instant::now();
    for chunk in (0..burst).collect::<Vec<_>>().chunks(5_000) {
        let mut pipe = redis::pipe();
        for i in chunk {
            pipe.cmd("XADD")
                .arg("f:stream")
                .arg("*")
                .arg(&["t", "j", "v"])
                .arg(format!("burst-{i}"))
                .arg("e")
                .arg(format!("{EXP:020}"))
                .ignore();
        }
        pipe.query::<()>(&mut con).unwrap();
    }
    while follower.status().entries < burst {
        std::thread::sleep(Duration::from_millis(1));
    }
    let took = t0.elapsed();
    println!(
        "stream burst of {burst} applied by a running replica in {took:?} = {:.0}/s (writes included)",
        burst as f64 / took.as_secs_f64()
    );
}
