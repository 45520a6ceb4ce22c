//! The performance targets as ratios measured side by side: every operation is timed in
//! each of R interleaved rounds (A, B, C, … then again), each ratio is computed per round,
//! and the table shows the median ratio with the p25–p75 spread of the rounds. On a loaded
//! machine this is far steadier than one run of each operation.
//!
//! ```text
//! cargo run -p auth-benches --release --example targets -- [--rounds R] [--ms MS] [--skip-revocation | --only-revocation]
//! ```
//!
//! `--only-revocation` times the revocation store and its memory baselines alone. The
//! revocation operations need ≈ 120 MB (the store, the ids, the pointer-chase arrays) and
//! the baselines thrash the caches and the TLB on purpose; in the same process they made
//! later rounds of the verify and mint operations bimodal (measured: the verify ratio's
//! p25–p75 went from 2.29–2.31 alone to 2.35–3.37 beside them). `scripts/bench-compare.sh`
//! therefore runs the two groups as two processes, each ratio still within one run
//! (`--quick`: fewer, shorter rounds).

use std::hint::black_box;
use std::net::IpAddr;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use auth_benches::*;
use auth_core::{
    Issuer, MemoryRevocationStore, Principal, RevocationQuery, RevocationStore, VerifyRequest,
};
use sha2::block_api::compress256;

/// One timed operation: runs its body `n` times.
struct Op<'a> {
    name: String,
    body: Box<dyn FnMut(u64) + 'a>,
    iters: u64,
    samples: Vec<f64>,
}

/// A target's text and its test.
type Target = (&'static str, fn(f64) -> bool);

/// One reported ratio: `num / den` per round, with its target (`None`: for information).
struct Ratio {
    what: &'static str,
    num: String,
    den: String,
    target: Option<Target>,
    /// Multiplies the per-round ratio (e.g. to turn a denominator into a per-block cost).
    scale: f64,
}

fn ratio(what: &'static str, num: &str, den: &str) -> Ratio {
    Ratio {
        what,
        num: num.into(),
        den: den.into(),
        target: None,
        scale: 1.0,
    }
}

impl Ratio {
    fn target(mut self, text: &'static str, ok: fn(f64) -> bool) -> Self {
        self.target = Some((text, ok));
        self
    }
    fn scaled(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }
}

fn add<'a>(ops: &mut Vec<Op<'a>>, name: &str, body: Box<dyn FnMut(u64) + 'a>) {
    ops.push(Op {
        name: name.into(),
        body,
        iters: 0,
        samples: Vec::new(),
    });
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name);
    let value = |name: &str, default: u64| {
        flag(name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let rounds = value("--rounds", 9) as usize;
    let round_time = Duration::from_millis(value("--ms", 60));
    let skip_revocation = flag("--skip-revocation").is_some();
    let only_revocation = !skip_revocation && flag("--only-revocation").is_some();

    jwt_provider();
    let now = unix_now();
    let token = user_token(now);
    let verifier = verifier();
    let req = VerifyRequest::at(now);
    verifier
        .verify_with(&token, &req)
        .expect("the token verifies");
    let input = signing_input(&token).as_bytes().to_vec();
    let state = hmac_state();
    let jwt_key = jsonwebtoken::DecodingKey::from_secret(SECRET);
    let validation = jwt_validation();
    let issuer = Issuer::new(ring());
    let mint_req = user_request(now);
    let mint_input = signing_input(&issuer.mint(&mint_req).unwrap().token)
        .as_bytes()
        .to_vec();
    let compressions = hmac_compressions(input.len());

    // Allow-lists of 1 / 10 / 100 / 1,000 rules in a reseller token.
    let large = large_verifier();
    let sizes = [1usize, 10, 100, 1000];
    let fixtures: Vec<(usize, String, IpAddr, Vec<String>)> = sizes
        .iter()
        .map(|&n| {
            let (t, ip) = reseller_token_with_rules(now, n);
            (n, t, ip, reseller_rule_texts(n))
        })
        .collect();
    // Revocation: a 1,000,000-id store, lookups spread over all of it, and the memory floor.
    let store = MemoryRevocationStore::new();
    let jti = |i: u64| format!("rvk{:019}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 1);
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    let mut chase: Vec<u64> = Vec::new();
    let mut small_chase: Vec<u64> = Vec::new();
    if !skip_revocation {
        const N: u64 = 1_000_000;
        for i in 0..N {
            store
                .revoke(&jti(i), Some(now + 86_400), Some(now))
                .unwrap();
        }
        let bytes = store.approx_memory_bytes();
        // Every stored id once, in a random order (the strings themselves are read in
        // allocation order, the table at random).
        let mut order: Vec<u64> = (0..N).collect();
        let mut s = 7u64;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for i in (1..order.len()).rev() {
            order.swap(i, (rnd() % (i as u64 + 1)) as usize);
        }
        hits = order.iter().map(|&i| jti(i)).collect();
        misses = (0..N).map(|i| jti(N + i * 7919 + 1)).collect();
        fn q(j: &str, now: u64) -> RevocationQuery<'_> {
            RevocationQuery::new(j, Principal::user(1), now, Some(now + 86_400))
        }
        let false_pos_checked = misses
            .iter()
            .filter(|j| store.is_revoked(&q(j, now)))
            .count();
        assert_eq!(false_pos_checked, 0, "misses answer not revoked");
        assert!(hits
            .iter()
            .take(10_000)
            .all(|j| store.is_revoked(&q(j, now))));
        // Pointer chase over a table-sized array: one dependent DRAM read per step.
        let slots = bytes / 8;
        chase = (0..slots as u64).collect();
        for i in (1..slots).rev() {
            chase.swap(i, (rnd() % i as u64) as usize);
        }
        // The same over 4 MiB, about the size of the store's filters: what one read costs
        // when the filter is cache-resident (or not) on this machine right now.
        let small = (4 << 20) / 8;
        small_chase = (0..small as u64).collect();
        for i in (1..small).rev() {
            small_chase.swap(i, (rnd() % i as u64) as usize);
        }
        println!(
            "revocation store: {} ids, approx_memory_bytes {} = {:.1} bytes/entry (filters included)",
            store.len(),
            bytes,
            bytes as f64 / store.len() as f64
        );
    }
    let mut ops: Vec<Op<'_>> = Vec::new();
    add(
        &mut ops,
        "verify",
        Box::new(|n| {
            for _ in 0..n {
                black_box(verifier.verify_with(black_box(&token), &req).unwrap());
            }
        }),
    );
    add(
        &mut ops,
        "hmac_floor",
        Box::new(|n| {
            for _ in 0..n {
                black_box(hmac_cloned(&state, black_box(&input)));
            }
        }),
    );
    add(
        &mut ops,
        "sha256_block",
        Box::new(|n| {
            let mut st = [0x6a09_e667u32; 8];
            let block = [[0x5au8; 64]];
            for _ in 0..n {
                compress256(&mut st, black_box(&block));
            }
            black_box(st);
        }),
    );
    add(
        &mut ops,
        "jsonwebtoken",
        Box::new(|n| {
            for _ in 0..n {
                black_box(
                    jsonwebtoken::decode::<UserClaims>(black_box(&token), &jwt_key, &validation)
                        .unwrap(),
                );
            }
        }),
    );
    add(
        &mut ops,
        "mint_given_id",
        Box::new(|n| {
            for _ in 0..n {
                black_box(issuer.mint(black_box(&mint_req)).unwrap());
            }
        }),
    );
    add(
        &mut ops,
        "mint_hmac_floor",
        Box::new(|n| {
            for _ in 0..n {
                black_box(hmac_cloned(&state, black_box(&mint_input)));
            }
        }),
    );

    for (n, t, ip, texts) in &fixtures {
        let r = VerifyRequest::at(now).client_ip(*ip);
        large.verify_with(t, &r).expect("the rule token verifies");
        let large = &large;
        add(
            &mut ops,
            &format!("allowed_ips_{n}"),
            Box::new(move |k| {
                for _ in 0..k {
                    black_box(large.verify_with(black_box(t), &r).unwrap());
                }
            }),
        );
        add(
            &mut ops,
            &format!("parse_uncached_{n}"),
            Box::new(move |k| {
                for _ in 0..k {
                    for text in texts {
                        black_box(auth_core::IpRule::parse(black_box(text)).unwrap());
                    }
                }
            }),
        );
        let st = &state;
        let signing = signing_input(t).as_bytes();
        add(
            &mut ops,
            &format!("allowed_ips_hmac_{n}"),
            Box::new(move |k| {
                for _ in 0..k {
                    black_box(hmac_cloned(st, black_box(signing)));
                }
            }),
        );
    }

    // Threads: wall time per verification on 1 and 2 threads.
    for threads in [1u64, 2] {
        let (verifier, token, req) = (&verifier, &token, &req);
        add(
            &mut ops,
            &format!("threads_{threads}"),
            Box::new(move |n| {
                let per = n / threads;
                let start = Barrier::new(threads as usize);
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            start.wait();
                            for _ in 0..per {
                                black_box(verifier.verify_with(black_box(token), req).unwrap());
                            }
                        });
                    }
                });
            }),
        );
    }

    if !skip_revocation {
        let store = &store;
        let (hits, misses, chase) = (&hits, &misses, &chase);
        let mut i = 0usize;
        add(
            &mut ops,
            "revocation_hit",
            Box::new(move |n| {
                for _ in 0..n {
                    i = if i + 1 == hits.len() { 0 } else { i + 1 };
                    let q = RevocationQuery::new(&hits[i], Principal::user(1), now, None);
                    black_box(store.is_revoked(black_box(&q)));
                }
            }),
        );
        let mut j = 0usize;
        add(
            &mut ops,
            "revocation_miss",
            Box::new(move |n| {
                for _ in 0..n {
                    j = if j + 1 == misses.len() { 0 } else { j + 1 };
                    let q = RevocationQuery::new(&misses[j], Principal::user(1), now, None);
                    black_box(store.is_revoked(black_box(&q)));
                }
            }),
        );
        let mut at = 0usize;
        let mut at_small = 0usize;
        let small_chase = &small_chase;
        add(
            &mut ops,
            "read_in_4mib",
            Box::new(move |n| {
                for _ in 0..n {
                    at_small = small_chase[at_small] as usize;
                }
                black_box(at_small);
            }),
        );
        add(
            &mut ops,
            "dram_read",
            Box::new(move |n| {
                for _ in 0..n {
                    at = chase[at] as usize;
                }
                black_box(at);
            }),
        );
    }

    if only_revocation {
        let revocation = [
            "revocation_hit",
            "revocation_miss",
            "read_in_4mib",
            "dram_read",
        ];
        ops.retain(|op| revocation.contains(&op.name.as_str()));
    }

    // Calibrate: iterations per round so each op runs about `round_time`.
    for op in ops.iter_mut() {
        let mut n = 1u64;
        loop {
            let t = Instant::now();
            (op.body)(n);
            let e = t.elapsed();
            if e >= round_time / 8 || n >= 1 << 30 {
                let per = e.as_secs_f64() / n as f64;
                op.iters = ((round_time.as_secs_f64() / per) as u64).max(2);
                if op.name.starts_with("threads_") {
                    // Enough calls that starting the threads is not what is measured.
                    op.iters = op.iters.max(100_000);
                }
                break;
            }
            n *= 4;
        }
    }
    for _ in 0..rounds {
        for op in ops.iter_mut() {
            let t = Instant::now();
            (op.body)(op.iters);
            op.samples
                .push(t.elapsed().as_nanos() as f64 / op.iters as f64);
        }
    }

    println!("\n{rounds} interleaved rounds of ≈ {round_time:?} per operation; per-call times in ns, median [p25–p75]");
    for op in &ops {
        let s = sorted(op.samples.clone());
        println!(
            "  {:<26} {:>10.1}  [{:.1}–{:.1}]",
            op.name,
            quantile(&s, 0.5),
            quantile(&s, 0.25),
            quantile(&s, 0.75)
        );
    }

    let mut ratios = vec![
        ratio("verify / keyed-HMAC floor", "verify", "hmac_floor").target("<= 2.0", |r| r <= 2.0),
        ratio(
            "verify / (compressions x one SHA-256 block)",
            "verify",
            "sha256_block",
        )
        .scaled(1.0 / compressions as f64),
        ratio(
            "HMAC floor / (compressions x one block)",
            "hmac_floor",
            "sha256_block",
        )
        .scaled(1.0 / compressions as f64),
        ratio("verify / jsonwebtoken::decode", "verify", "jsonwebtoken")
            .target("<= 0.3", |r| r <= 0.3),
        ratio(
            "mint (id supplied) / HMAC floor",
            "mint_given_id",
            "mint_hmac_floor",
        )
        .target("<= 2.5", |r| r <= 2.5),
        ratio(
            "allowed_ips: 10 rules / 1 rule",
            "allowed_ips_10",
            "allowed_ips_1",
        ),
        ratio(
            "allowed_ips: 100 rules / 1 rule",
            "allowed_ips_100",
            "allowed_ips_1",
        )
        .target("<= 1.3", |r| r <= 1.3),
        ratio(
            "allowed_ips: 1000 rules / 1 rule",
            "allowed_ips_1000",
            "allowed_ips_1",
        )
        .target("<= 1.3", |r| r <= 1.3),
        ratio(
            "  HMAC of the 100-rule token / of the 1-rule token",
            "allowed_ips_hmac_100",
            "allowed_ips_hmac_1",
        ),
        ratio(
            "  HMAC of the 1000-rule token / of the 1-rule token",
            "allowed_ips_hmac_1000",
            "allowed_ips_hmac_1",
        ),
        ratio(
            "  100-rule verify / its own HMAC floor",
            "allowed_ips_100",
            "allowed_ips_hmac_100",
        ),
        ratio(
            "  1000-rule verify / its own HMAC floor",
            "allowed_ips_1000",
            "allowed_ips_hmac_1000",
        ),
        ratio(
            "  parsing 100 rules uncached / 100-rule verify",
            "parse_uncached_100",
            "allowed_ips_100",
        ),
        ratio(
            "  parsing 1000 rules uncached / 1000-rule verify",
            "parse_uncached_1000",
            "allowed_ips_1000",
        ),
        ratio(
            "threads: 2-thread throughput / 1-thread",
            "threads_1",
            "threads_2",
        )
        .target(">= 1.8", |r| r >= 1.8),
    ];
    if !skip_revocation {
        ratios.push(
            ratio(
                "revocation 1M: miss, ns",
                "revocation_miss",
                "revocation_miss",
            )
            .scaled(0.0)
            .target("<= 40", |r| r <= 40.0),
        );
        ratios.push(ratio(
            "revocation 1M: miss / one random read in 4 MiB",
            "revocation_miss",
            "read_in_4mib",
        ));
        ratios.push(
            ratio(
                "revocation 1M: hit / one dependent DRAM read",
                "revocation_hit",
                "dram_read",
            )
            .target("<= 1.2", |r| r <= 1.2),
        );
    }
    println!("\nratio per round: median [p25–p75]  (C = compressions per HMAC = {compressions})");
    let find = |name: &str| {
        ops.iter()
            .find(|o| o.name == name)
            .map(|o| o.samples.clone())
    };
    for r in &ratios {
        let (Some(a), Some(b)) = (find(&r.num), find(&r.den)) else {
            continue;
        };
        let per_round: Vec<f64> = if r.scale == 0.0 {
            // An absolute figure (ns), not a ratio.
            a.clone()
        } else {
            a.iter().zip(&b).map(|(x, y)| x / y * r.scale).collect()
        };
        let s = sorted(per_round);
        let med = quantile(&s, 0.5);
        let verdict = match r.target {
            Some((text, ok)) => {
                format!("target {text}: {}", if ok(med) { "met" } else { "NOT met" })
            }
            None => String::new(),
        };
        println!(
            "  {:<52} {:>7.2}  [{:.2}–{:.2}]  {verdict}",
            r.what,
            med,
            quantile(&s, 0.25),
            quantile(&s, 0.75)
        );
    }
}
