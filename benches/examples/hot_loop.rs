//! Runs one operation of the benchmarks in a loop, for a profiler or an instruction
//! counter (timings on a shared machine are noisy; instruction counts are not):
//!
//! ```text
//! cargo build -p auth-benches --release --example hot_loop
//! valgrind --tool=callgrind target/release/examples/hot_loop verify 10000
//! perf record -g target/release/examples/hot_loop verify 2000000
//! ```
//!
//! Operations: `verify`, `jsonwebtoken`, `hmac`, `mint`, `mint-generated`,
//! `allowed-ips-N` (verify of a reseller token carrying N `allowed_ips` rules),
//! `revocation-hit`, `revocation-miss` (lookups in a 1,000,000-id store).

use std::hint::black_box;

use auth_benches::*;
use auth_core::Issuer;

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "verify".into());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let now = unix_now();
    let token = user_token(now);
    match op.as_str() {
        "verify" => {
            let v = verifier();
            for _ in 0..n {
                black_box(v.verify(black_box(&token)).unwrap());
            }
        }
        "jsonwebtoken" => {
            jwt_provider();
            let key = jsonwebtoken::DecodingKey::from_secret(SECRET);
            let validation = jwt_validation();
            for _ in 0..n {
                black_box(
                    jsonwebtoken::decode::<UserClaims>(black_box(&token), &key, &validation)
                        .unwrap(),
                );
            }
        }
        "hmac" => {
            let state = hmac_state();
            let input = signing_input(&token).as_bytes();
            for _ in 0..n {
                black_box(hmac_cloned(&state, black_box(input)));
            }
        }
        "mint" | "mint-generated" => {
            let issuer = Issuer::new(ring());
            let mut req = user_request(now);
            if op == "mint-generated" {
                req.token_id = None;
            }
            for _ in 0..n {
                black_box(issuer.mint(black_box(&req)).unwrap());
            }
        }
        rules if rules.starts_with("allowed-ips-") => {
            let count: usize = rules["allowed-ips-".len()..].parse().unwrap_or(1);
            let (token, ip) = reseller_token_with_rules(now, count);
            let v = large_verifier();
            let req = auth_core::VerifyRequest::at(now).client_ip(ip);
            for _ in 0..n {
                black_box(v.verify_with(black_box(&token), &req).unwrap());
            }
        }
        "revocation-hit" | "revocation-miss" => {
            let store = auth_core::MemoryRevocationStore::new();
            let jti = |i: u64| format!("rvk{:019}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 1);
            for i in 0..1_000_000 {
                store
                    .revoke(&jti(i), Some(now + 86_400), Some(now))
                    .unwrap();
            }
            let base = if op == "revocation-hit" { 0 } else { 1 << 40 };
            let ids: Vec<String> = (0..n.min(1_000_000)).map(|i| jti(base + i)).collect();
            for id in ids.iter().cycle().take(n as usize) {
                let q =
                    auth_core::RevocationQuery::new(id, auth_core::Principal::user(1), now, None);
                black_box(auth_core::RevocationStore::is_revoked(
                    &store,
                    black_box(&q),
                ));
            }
        }
        other => {
            eprintln!("unknown operation {other:?}");
            std::process::exit(2);
        }
    }
}
