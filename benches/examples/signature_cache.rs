//! The signature cache's targets as ratios measured side by side (docs/signature-cache.md):
//! each operation is timed in each of R interleaved rounds, each ratio is computed per round,
//! and the table shows the median ratio with the p25–p75 spread (as `examples/targets.rs`).
//!
//! ```text
//! cargo run -p auth-benches --release --example signature_cache -- [--rounds R] [--ms MS]
//! ```
//!
//! Operations: an HS256 verify (no cache, the reference), the same with HMAC caching forced
//! on, repeated ES256 and EdDSA verifies with the cache, ES256 without it, and the cached
//! ES256 verify on 1 and on 2 threads sharing one verifier (the cache's contention: the same
//! token, so the same shard), beside the HS256 verify on 1 and 2 threads (nothing shared:
//! what the machine's two cores give).

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use auth_benches::{unix_now, user_request};
use auth_core::{
    Algorithm, Issuer, Key, KeyRing, SignatureCache, SignatureCacheOptions, Verifier, VerifyRequest,
};

fn fixture(alg: Algorithm, cache: Option<SignatureCacheOptions>, now: u64) -> (String, Verifier) {
    let key = match alg {
        Algorithm::HS256 => Key::new("k1", alg, auth_benches::SECRET),
        _ => Key::new("k1", alg, &(1u8..=32).collect::<Vec<u8>>()),
    }
    .expect("key");
    let ring = KeyRing::single(key);
    let token = Issuer::new(ring.clone())
        .mint(&user_request(now))
        .expect("mint")
        .token;
    let mut verifier = Verifier::new(ring);
    verifier.set_signature_cache(cache.map(|o| Arc::new(SignatureCache::with_options(o))));
    let at = VerifyRequest::at(now + 1);
    verifier.verify_with(&token, &at).expect("verifies");
    (token, verifier)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let rounds = value("--rounds", 11) as usize;
    let round_time = Duration::from_millis(value("--ms", 100));
    let now = unix_now();
    let at = VerifyRequest::at(now + 1);
    let on = SignatureCacheOptions::with_capacity(10_000);
    let mut hmac_on = on.clone();
    hmac_on.include_hmac = true;
    let fixtures = [
        ("hs256", fixture(Algorithm::HS256, None, now)),
        (
            "hs256_cached",
            fixture(Algorithm::HS256, Some(hmac_on), now),
        ),
        (
            "es256_cached",
            fixture(Algorithm::ES256, Some(on.clone()), now),
        ),
        (
            "eddsa_cached",
            fixture(Algorithm::EdDSA, Some(on.clone()), now),
        ),
        ("es256_uncached", fixture(Algorithm::ES256, None, now)),
    ];
    let es = &fixtures[2].1;
    let hs = &fixtures[0].1;
    type Body<'a> = Box<dyn Fn(u64) + 'a>;
    let mut ops: Vec<(String, Body, u64, Vec<f64>)> = Vec::new();
    for (name, (token, verifier)) in &fixtures {
        let body: Body = Box::new(move |n| {
            for _ in 0..n {
                black_box(verifier.verify_with(black_box(token), &at).is_ok());
            }
        });
        ops.push((name.to_string(), body, 0, Vec::new()));
    }
    for (threads, name, (token, verifier)) in [
        (1usize, "es256_cached", es),
        (2, "es256_cached", es),
        (1, "hs256", hs),
        (2, "hs256", hs),
    ] {
        let body: Body = Box::new(move |n| {
            let start = Barrier::new(threads);
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|| {
                        start.wait();
                        for _ in 0..n {
                            black_box(verifier.verify_with(black_box(token), &at).is_ok());
                        }
                    });
                }
            });
        });
        ops.push((format!("{name}_threads_{threads}"), body, 0, Vec::new()));
    }
    for op in ops.iter_mut() {
        let mut n = 1u64;
        loop {
            let t = Instant::now();
            (op.1)(n);
            let e = t.elapsed();
            if e >= round_time / 8 {
                op.2 = ((round_time.as_secs_f64() / (e.as_secs_f64() / n as f64)) as u64).max(2);
                break;
            }
            n *= 4;
        }
    }
    for _ in 0..rounds {
        for op in ops.iter_mut() {
            let t = Instant::now();
            (op.1)(op.2);
            op.3.push(t.elapsed().as_nanos() as f64 / op.2 as f64);
        }
    }
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    println!("{rounds} interleaved rounds of ≈ {round_time:?}; ns per call, median [p25–p75]");
    for op in &ops {
        let s = sorted(op.3.clone());
        println!(
            "  {:<24} {:>10.1}  [{:.1}–{:.1}]",
            op.0,
            quantile(&s, 0.5),
            quantile(&s, 0.25),
            quantile(&s, 0.75)
        );
    }
    for (name, (_, verifier)) in &fixtures {
        if let Some(cache) = verifier.signature_cache() {
            println!("  {name} cache: {:?}", cache.stats());
        }
    }
    let find = |name: &str| &ops.iter().find(|o| o.0 == name).expect("op").3;
    println!("ratio per round: median [p25–p75]");
    for (what, num, den, target) in [
        ("ES256 cached / HS256", "es256_cached", "hs256", Some(1.5)),
        ("EdDSA cached / HS256", "eddsa_cached", "hs256", Some(1.5)),
        (
            "HS256 with HMAC cached / HS256",
            "hs256_cached",
            "hs256",
            None,
        ),
        (
            "ES256 uncached / ES256 cached",
            "es256_uncached",
            "es256_cached",
            None,
        ),
        (
            "2-thread throughput / 1-thread, cached ES256",
            "es256_cached_threads_1",
            "es256_cached_threads_2",
            None,
        ),
        (
            "2-thread throughput / 1-thread, HS256 (no shared state)",
            "hs256_threads_1",
            "hs256_threads_2",
            None,
        ),
    ] {
        // Threaded ops ran the same n per thread: per-call time ratio = throughput ratio × 2.
        let scale = if num.contains("threads") { 2.0 } else { 1.0 };
        let r = sorted(
            find(num)
                .iter()
                .zip(find(den))
                .map(|(a, b)| a / b * scale)
                .collect(),
        );
        let verdict = match target {
            Some(t) if quantile(&r, 0.5) <= t => format!("target <= {t}: met"),
            Some(t) => format!("target <= {t}: NOT met"),
            None => String::new(),
        };
        println!(
            "  {what:<46} {:>7.2}  [{:.2}–{:.2}]  {verdict}",
            quantile(&r, 0.5),
            quantile(&r, 0.25),
            quantile(&r, 0.75)
        );
    }
}
