//! The Rust side of `bindings/c/bench/run.sh`: times `Verifier::verify_with` on a given
//! token at a given `now`, with the benchmark key, the same way the C program times
//! `auth_verifier_verify` (rounds of N calls, the median per-call time).
//!
//! `verify_rounds TOKEN NOW [ITERATIONS [ROUNDS]]` prints `auth_rust_ns <median>`.

use std::hint::black_box;
use std::time::Instant;

use auth_benches::verifier;
use auth_core::VerifyRequest;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(token), Some(now)) = (args.first(), args.get(1).and_then(|s| s.parse().ok())) else {
        eprintln!("usage: verify_rounds TOKEN NOW [ITERATIONS [ROUNDS]]");
        std::process::exit(2);
    };
    let iterations: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(11);
    let v = verifier();
    let req = VerifyRequest::at(now);
    v.verify_with(token, &req)
        .expect("the benchmark token verifies");
    let mut per_call: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iterations {
                black_box(v.verify_with(black_box(token), &req).unwrap());
            }
            t.elapsed().as_nanos() as f64 / f64::from(iterations)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    println!("auth_rust_ns {:.1}", per_call[rounds / 2]);
}
