//! The Rust side of `bindings/c/bench_verify.c`: the same token, the same loop
//! (verify, drop the claims), the median per-call time over several rounds.
//!
//! `cargo run --release -p auth-ffi --example verify_loop [ITERATIONS [ROUNDS]]`

use std::time::Instant;

use authcore::{Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, Verifier, VerifyRequest};

fn main() {
    let mut args = std::env::args().skip(1);
    let iterations: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(11);
    let ring = KeyRing::single(
        Key::new("k1", Algorithm::HS256, b"bench secret bench secret bench\0").expect("key"),
    );
    let issuer = Issuer::new(ring.clone());
    let verifier = Verifier::new(ring);
    let mut req = MintRequest::new(Subject::User {
        id: 123,
        name: "alice".into(),
        admin: false,
        sms_from: Some("ACME".into()),
        user_group_id: None,
    });
    req.now = Some(1_700_000_000);
    req.token_id = Some("tok-user-1".into());
    let token = issuer.mint(&req).expect("mint").token;
    let vreq = VerifyRequest::at(1_700_000_000);

    let mut per_call: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                let claims = verifier
                    .verify_with(std::hint::black_box(token.as_bytes()), &vreq)
                    .expect("verify");
                drop(std::hint::black_box(claims));
            }
            start.elapsed().as_nanos() as f64 / f64::from(iterations)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    println!(
        "Rust verify (verify + claims drop): median {:.1} ns/call over {rounds} rounds of {iterations} (min {:.1}, max {:.1})",
        per_call[rounds / 2],
        per_call[0],
        per_call[rounds - 1]
    );
}
