//! EdDSA and ES256 verification, side by side in one group: auth-core's whole verify (every
//! check of docs/), the bare signature check of the same bytes (`ed25519-dalek` / `p256`
//! alone), and `jsonwebtoken::decode` of the same token.
//!
//! Run: `cargo bench -p auth-benches --bench asymmetric`. See PERFORMANCE.md.

use std::hint::black_box;
use std::time::Duration;

use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, Verifier, VerifyRequest};
use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion};
use ed25519_dalek::Verifier as _;

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

const NOW: u64 = 1_700_000_000;

fn b64d(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}

fn asymmetric_verify(c: &mut Criterion) {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let mut group = c.benchmark_group("asymmetric_verify");
    for alg in [Algorithm::EdDSA, Algorithm::ES256] {
        let raw: Vec<u8> = (1u8..=32).collect();
        let key = Key::new("k1", alg, &raw).expect("key");
        let mut req = MintRequest::new(Subject::user(123, "alice", false));
        req.now = Some(NOW);
        let token = Issuer::new(KeyRing::single(key.clone()))
            .mint(&req)
            .expect("mint")
            .token;
        let jwks = KeyRing::single(key.clone()).to_jwks();
        let verifier = Verifier::new(KeyRing::from_jwks(&jwks).expect("jwks"));
        let at = VerifyRequest::at(NOW + 1);
        verifier
            .verify_with(&token, &at)
            .expect("auth-core accepts");

        let cut = token.rfind('.').expect("three segments");
        let input = token.as_bytes()[..cut].to_vec();
        let sig = b64d(&token[cut + 1..]);
        let jwk = key.to_public_jwk().expect("jwk");
        let x = b64d(jwk["x"].as_str().expect("x"));

        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&jwks).expect("jwks");
        let dk = jsonwebtoken::DecodingKey::from_jwk(&set.keys[0]).expect("jwk");
        let mut validation = jsonwebtoken::Validation::new(match alg {
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            _ => jsonwebtoken::Algorithm::ES256,
        });
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<serde_json::Value>(&token, &dk, &validation)
            .expect("jsonwebtoken accepts");

        group.bench_function(format!("{alg}/auth-core verify"), |b| {
            b.iter(|| verifier.verify_with(black_box(&token), &at).is_ok())
        });
        match alg {
            Algorithm::EdDSA => {
                let vk = ed25519_dalek::VerifyingKey::from_bytes(&x.try_into().expect("32 bytes"))
                    .expect("point");
                let s = ed25519_dalek::Signature::from_slice(&sig).expect("64 bytes");
                assert!(vk.verify_strict(&input, &s).is_ok());
                group.bench_function(format!("{alg}/bare ed25519-dalek verify_strict"), |b| {
                    b.iter(|| vk.verify_strict(black_box(&input), &s).is_ok())
                });
            }
            _ => {
                let y = b64d(jwk["y"].as_str().expect("y"));
                let mut sec1 = vec![4u8];
                sec1.extend(&x);
                sec1.extend(&y);
                let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).expect("point");
                let s = p256::ecdsa::Signature::from_slice(&sig).expect("64 bytes");
                assert!(vk.verify(&input, &s).is_ok());
                group.bench_function(format!("{alg}/bare p256 verify"), |b| {
                    b.iter(|| vk.verify(black_box(&input), &s).is_ok())
                });
            }
        }
        group.bench_function(format!("{alg}/jsonwebtoken decode"), |b| {
            b.iter(|| {
                jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &dk, &validation)
                    .is_ok()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = asymmetric_verify
}
criterion_main!(benches);
