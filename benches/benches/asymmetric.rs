//! Asymmetric verification, side by side in one group per algorithm: auth-core's whole verify
//! (every check of docs/), the bare signature check of the same bytes with each candidate
//! backend — `aws-lc-rs` with the key parsed once (what auth-core uses), `ring` (which parses
//! the key on every call), and for ES256 RustCrypto's `p256` (the previous backend) and for
//! EdDSA `ed25519-dalek` — and `jsonwebtoken::decode` (RustCrypto) of the same token. An HS256
//! verify of the same claims is the reference of the last row.
//!
//! Run: `cargo bench -p auth-benches --bench asymmetric`. See PERFORMANCE.md.

use std::hint::black_box;
use std::time::Duration;

use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, Verifier, VerifyRequest};
use aws_lc_rs::signature as lc;
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

fn key_for(alg: Algorithm) -> Key {
    if alg.is_rsa() {
        return Key::generate("k1", alg, &auth_core::SystemRandom).expect("key");
    }
    let raw: Vec<u8> = (1u8..=alg.min_secret_len() as u8).collect();
    Key::new("k1", alg, &raw).expect("key")
}

/// The public key bytes each backend takes: the SEC1 point, the Ed25519 bytes, or the
/// PKCS#1 `RSAPublicKey` DER (built from `n` and `e`).
fn public_bytes(jwk: &serde_json::Value) -> Vec<u8> {
    let field = |name: &str| b64d(jwk[name].as_str().expect("member"));
    match jwk["kty"].as_str() {
        Some("OKP") => field("x"),
        Some("EC") => [vec![4u8], field("x"), field("y")].concat(),
        _ => rsa_public_der(&field("n"), &field("e")),
    }
}

fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=127 => vec![n as u8],
        128..=255 => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let mut body = bytes.to_vec();
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    [vec![2u8], der_len(body.len()), body].concat()
}

fn rsa_public_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let body = [der_uint(n), der_uint(e)].concat();
    [vec![0x30u8], der_len(body.len()), body].concat()
}

fn backends(
    alg: Algorithm,
) -> (
    &'static dyn lc::VerificationAlgorithm,
    &'static dyn ring::signature::VerificationAlgorithm,
) {
    match alg {
        Algorithm::EdDSA => (&lc::ED25519, &ring::signature::ED25519),
        Algorithm::ES256 => (
            &lc::ECDSA_P256_SHA256_FIXED,
            &ring::signature::ECDSA_P256_SHA256_FIXED,
        ),
        Algorithm::ES384 => (
            &lc::ECDSA_P384_SHA384_FIXED,
            &ring::signature::ECDSA_P384_SHA384_FIXED,
        ),
        Algorithm::RS256 => (
            &lc::RSA_PKCS1_2048_8192_SHA256,
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        ),
        Algorithm::PS256 => (
            &lc::RSA_PSS_2048_8192_SHA256,
            &ring::signature::RSA_PSS_2048_8192_SHA256,
        ),
        // ES512: ring has no P-521; aws-lc-rs alone.
        _ => (
            &lc::ECDSA_P521_SHA512_FIXED,
            &ring::signature::ECDSA_P384_SHA384_FIXED,
        ),
    }
}

fn asymmetric_verify(c: &mut Criterion) {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::PS256,
    ] {
        let mut group = c.benchmark_group(format!("asymmetric_verify/{alg}"));
        let key = key_for(alg);
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
        group.bench_function("auth-core verify", |b| {
            b.iter(|| verifier.verify_with(black_box(&token), &at).is_ok())
        });

        let cut = token.rfind('.').expect("three segments");
        let input = token.as_bytes()[..cut].to_vec();
        let sig = b64d(&token[cut + 1..]);
        let jwk = key.to_public_jwk().expect("jwk");
        let public = public_bytes(&jwk);
        let (lc_alg, ring_alg) = backends(alg);
        let parsed = lc::ParsedPublicKey::new(lc_alg, &public).expect("aws-lc-rs key");
        assert!(parsed.verify_sig(&input, &sig).is_ok());
        group.bench_function("bare aws-lc-rs verify (parsed key)", |b| {
            b.iter(|| parsed.verify_sig(black_box(&input), &sig).is_ok())
        });
        if alg != Algorithm::ES512 {
            let unparsed = ring::signature::UnparsedPublicKey::new(ring_alg, &public);
            assert!(unparsed.verify(&input, &sig).is_ok());
            group.bench_function("bare ring verify", |b| {
                b.iter(|| unparsed.verify(black_box(&input), &sig).is_ok())
            });
        }
        match alg {
            Algorithm::EdDSA => {
                let x: [u8; 32] = public.clone().try_into().expect("32 bytes");
                let vk = ed25519_dalek::VerifyingKey::from_bytes(&x).expect("point");
                let s = ed25519_dalek::Signature::from_slice(&sig).expect("64 bytes");
                assert!(vk.verify_strict(&input, &s).is_ok());
                group.bench_function("bare ed25519-dalek verify_strict", |b| {
                    b.iter(|| vk.verify_strict(black_box(&input), &s).is_ok())
                });
            }
            Algorithm::ES256 => {
                let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&public).expect("point");
                let s = p256::ecdsa::Signature::from_slice(&sig).expect("64 bytes");
                assert!(vk.verify(&input, &s).is_ok());
                group.bench_function("bare p256 verify (previous backend)", |b| {
                    b.iter(|| vk.verify(black_box(&input), &s).is_ok())
                });
            }
            _ => {}
        }
        if alg != Algorithm::ES512 {
            let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&jwks).expect("jwks");
            let dk = jsonwebtoken::DecodingKey::from_jwk(&set.keys[0]).expect("jwk");
            let jalg: jsonwebtoken::Algorithm = alg.as_str().parse().expect("jsonwebtoken alg");
            let mut validation = jsonwebtoken::Validation::new(jalg);
            validation.validate_exp = false;
            validation.required_spec_claims.clear();
            jsonwebtoken::decode::<serde_json::Value>(&token, &dk, &validation)
                .expect("jsonwebtoken accepts");
            group.bench_function("jsonwebtoken decode", |b| {
                b.iter(|| {
                    jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &dk, &validation)
                        .is_ok()
                })
            });
        }
        group.finish();
    }
    // The HMAC reference: the same claims under HS256.
    let hs = Key::new("k1", Algorithm::HS256, b"bench-secret-bench-secret-32byte").expect("key");
    let mut req = MintRequest::new(Subject::user(123, "alice", false));
    req.now = Some(NOW);
    let token = Issuer::new(KeyRing::single(hs.clone()))
        .mint(&req)
        .expect("mint")
        .token;
    let verifier = Verifier::new(KeyRing::single(hs));
    let at = VerifyRequest::at(NOW + 1);
    c.bench_function("asymmetric_verify/HS256 reference/auth-core verify", |b| {
        b.iter(|| verifier.verify_with(black_box(&token), &at).is_ok())
    });
}

criterion_group! {
    name = benches;
    config = config();
    targets = asymmetric_verify
}
criterion_main!(benches);
