//! Runs one operation of the benchmarks in a loop, for a profiler or an instruction
//! counter (timings on a shared machine are noisy; instruction counts are not):
//!
//! ```text
//! cargo build -p auth-benches --release --example hot_loop
//! valgrind --tool=callgrind target/release/examples/hot_loop verify 10000
//! perf record -g target/release/examples/hot_loop verify 2000000
//! ```
//!
//! Operations: `verify`, `jsonwebtoken`, `hmac`, `mint`, `mint-generated`.

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
        other => {
            eprintln!("unknown operation {other:?}");
            std::process::exit(2);
        }
    }
}
