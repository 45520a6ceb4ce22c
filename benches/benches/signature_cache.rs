//! The verified-signature cache (docs/signature-cache.md), side by side in one group: an
//! HS256 verify (no cache), the same token with HMAC caching forced on, and repeated ES256
//! and EdDSA verifies with the cache (every call after the first a hit) and without it.
//! Every token carries the same claims ([`auth_benches::user_request`]).
//!
//! Run: `cargo bench -p auth-benches --bench signature_cache`. The ratios with their spread
//! come from `cargo run -p auth-benches --release --example signature_cache`. See PERFORMANCE.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use auth_benches::{unix_now, user_request};
use auth_core::{
    Algorithm, Issuer, Key, KeyRing, SignatureCache, SignatureCacheOptions, Verifier, VerifyRequest,
};
use criterion::{criterion_group, criterion_main, Criterion};

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

fn key(alg: Algorithm) -> Key {
    match alg {
        Algorithm::HS256 => Key::new("k1", alg, auth_benches::SECRET).expect("key"),
        _ => Key::new("k1", alg, &(1u8..=32).collect::<Vec<u8>>()).expect("key"),
    }
}

/// A token of `alg` and a verifier of it, with the cache `cache` (`None`: without).
fn fixture(alg: Algorithm, cache: Option<SignatureCacheOptions>, now: u64) -> (String, Verifier) {
    let ring = KeyRing::single(key(alg));
    let token = Issuer::new(ring.clone())
        .mint(&user_request(now))
        .expect("mint")
        .token;
    let mut verifier = Verifier::new(ring);
    verifier.set_signature_cache(cache.map(|o| Arc::new(SignatureCache::with_options(o))));
    (token, verifier)
}

fn signature_cache(c: &mut Criterion) {
    let now = unix_now();
    let at = VerifyRequest::at(now + 1);
    let mut group = c.benchmark_group("signature_cache");
    let on = SignatureCacheOptions::with_capacity(10_000);
    let mut hmac_on = on.clone();
    hmac_on.include_hmac = true;
    let cases = [
        ("HS256/verify", Algorithm::HS256, None),
        ("HS256/verify, HMAC cached", Algorithm::HS256, Some(hmac_on)),
        ("ES256/verify, cached", Algorithm::ES256, Some(on.clone())),
        ("EdDSA/verify, cached", Algorithm::EdDSA, Some(on)),
        ("ES256/verify, no cache", Algorithm::ES256, None),
        ("EdDSA/verify, no cache", Algorithm::EdDSA, None),
    ];
    for (name, alg, cache) in cases {
        let (token, verifier) = fixture(alg, cache, now);
        verifier.verify_with(&token, &at).expect("verifies");
        group.bench_function(name, |b| {
            b.iter(|| verifier.verify_with(black_box(&token), &at).is_ok())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = signature_cache
}
criterion_main!(benches);
