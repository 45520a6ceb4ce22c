//! One Rust verifier process of the fleet benchmark (crates/auth-redis/bench/fleet.py):
//! verifies a valid token in a loop against a Redis-backed store, and one probe token per
//! iteration (round robin) until every probe is revoked or the time is up. Prints `ready`,
//! then one JSON line: verifications, valid tokens refused, when each probe was first seen
//! revoked (UNIX seconds, wall clock), the replica's size.
//!
//! `fleet_verifier URL PREFIX SECRET TOKEN_FILE SECONDS` (TOKEN_FILE: the valid token on
//! the first line, then one probe token per line).

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auth_core::{Algorithm, ErrorCode, Key, KeyRing, Verifier};
use auth_redis::{RedisRevocationStore, RedisStoreOptions};

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, prefix, secret, file, seconds] = args.as_slice() else {
        eprintln!("usage: fleet_verifier URL PREFIX SECRET TOKEN_FILE SECONDS");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(file).expect("token file");
    let mut lines = text.lines();
    let valid = lines.next().expect("valid token").to_owned();
    let probes: Vec<String> = lines.map(str::to_owned).collect();
    let mut o = RedisStoreOptions::default();
    o.key_prefix = prefix.clone();
    o.start_timeout = Some(Duration::from_secs(600));
    let store = Arc::new(RedisRevocationStore::connect(url, o).expect("store"));
    let ring = KeyRing::single(Key::new("k", Algorithm::HS256, secret.as_bytes()).expect("key"));
    let mut verifier = Verifier::new(ring);
    verifier.set_revocation_store(Some(store.clone()));
    println!("ready");
    std::io::stdout().flush().ok();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds.parse().unwrap_or(60.0));
    let (mut verified, mut refused, mut unavailable) = (0u64, 0u64, 0u64);
    let mut seen: Vec<Option<f64>> = vec![None; probes.len()];
    let mut left = probes.len();
    let mut next = 0;
    while left > 0 && Instant::now() < deadline {
        match verifier.verify(&valid) {
            Ok(_) => verified += 1,
            Err(e) if e.code() == ErrorCode::RevocationUnavailable => unavailable += 1,
            Err(_) => refused += 1,
        }
        if seen[next].is_none() {
            if let Err(e) = verifier.verify(&probes[next]) {
                if e.code() == ErrorCode::TokenRevoked {
                    seen[next] = Some(now());
                    left -= 1;
                }
            }
        }
        next = (next + 1) % probes.len().max(1);
    }
    let stopped = now();
    let status = store.status();
    let detected: serde_json::Map<String, serde_json::Value> = seen
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (i.to_string(), t.into())))
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "lang": "rust", "verified": verified, "valid_refused": refused, "unavailable": unavailable,
            "detected": detected, "stopped": stopped, "entries": status.entries, "memory_bytes": store.approx_memory_bytes(),
        })
    );
}
