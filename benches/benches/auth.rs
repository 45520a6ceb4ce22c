//! auth-core benchmarks against what users run today, and the targets of PERFORMANCE.md.
//!
//! Run: `cargo bench -p auth-benches` (the whole suite takes about two minutes on two
//! cores). A group alone: `cargo bench -p auth-benches -- verify`. At the end the
//! bench prints a table of medians and the ratios the performance targets are stated
//! in, computed from the measurements of this run (see PERFORMANCE.md).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::Barrier;
use std::time::{Duration, Instant, SystemTime};

use auth_benches::*;
use auth_core::{IpAllowList, IpRegex, IpRule, RegexMode};
use auth_core::{Issuer, Principal};
use auth_core::{MemoryRevocationStore, RevocationQuery, RevocationStore};
use criterion::{criterion_group, BenchmarkId, Criterion};

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

/// A small deterministic PRNG (SplitMix64) for rule sets and query mixes.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn verify(c: &mut Criterion) {
    jwt_provider();
    let now = unix_now();
    let token = user_token(now);
    let verifier = verifier();
    let jwt_key = jsonwebtoken::DecodingKey::from_secret(SECRET);
    let validation = jwt_validation();
    // Both sides must accept the token and agree on it before anything is timed.
    let ours = verifier
        .verify(&token)
        .expect("auth-core accepts the token");
    let theirs = jsonwebtoken::decode::<UserClaims>(&token, &jwt_key, &validation)
        .expect("jsonwebtoken accepts the token")
        .claims;
    assert_eq!(theirs, UserClaims::for_user(now));
    assert_eq!(ours.jti, theirs.jti);
    println!("verify: user token of {} bytes", token.len());

    let input = signing_input(&token).as_bytes();
    let state = hmac_state();
    // The same token with a `scope` claim, verified against a route's requirement through
    // the vocabulary's hierarchy (docs/scopes.md): what a scope check adds.
    let vocab = auth_core::ScopeVocabulary::from_json(
        r#"{"sms": {"includes": ["sms:send", "sms:read"]}, "sms:send": {}, "sms:read": {}, "account": {}}"#,
    )
    .unwrap();
    let scoped = {
        let mut issuer = Issuer::new(ring());
        issuer.set_scopes(vocab.clone());
        let mut req = user_request(now);
        req.set_scopes(&["sms", "account"]).unwrap();
        issuer.mint(&req).unwrap().token
    };
    let need = vocab.require(&["sms:send"]).unwrap();
    let scoped_req = auth_core::VerifyRequest::default().scopes(&need);
    verifier
        .verify_with(&scoped, &scoped_req)
        .expect("the scoped token holds sms:send");
    let mut g = c.benchmark_group("verify");
    g.bench_function("auth_core", |b| {
        b.iter(|| verifier.verify(black_box(&token)).unwrap())
    });
    g.bench_function("auth_core_scoped", |b| {
        b.iter(|| {
            verifier
                .verify_with(black_box(&scoped), &scoped_req)
                .unwrap()
        })
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<UserClaims>(black_box(&token), &jwt_key, &validation).unwrap()
        })
    });
    g.bench_function("hmac_floor", |b| {
        b.iter(|| hmac_cloned(&state, black_box(input)))
    });
    g.bench_function("hmac_floor_from_scratch", |b| {
        b.iter(|| hmac_from_scratch(black_box(input)))
    });
    g.finish();
}

fn mint(c: &mut Criterion) {
    jwt_provider();
    let now = unix_now();
    let issuer = Issuer::new(ring());
    let given = user_request(now);
    let mut generated = user_request(now);
    generated.token_id = None;
    let jwt_key = jsonwebtoken::EncodingKey::from_secret(SECRET);
    let header = jwt_header();
    let claims = UserClaims::for_user(now);
    let token = issuer.mint(&given).unwrap().token;
    let input = signing_input(&token).as_bytes().to_vec();
    let state = hmac_state();

    let mut g = c.benchmark_group("mint");
    g.bench_function("auth_core_given_id", |b| {
        b.iter(|| issuer.mint(black_box(&given)).unwrap())
    });
    g.bench_function("auth_core_generated_id", |b| {
        b.iter(|| issuer.mint(black_box(&generated)).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &jwt_key).unwrap())
    });
    g.bench_function("hmac_floor", |b| {
        b.iter(|| hmac_cloned(&state, black_box(&input)))
    });
    g.finish();
}

/// `n` distinct rules: mostly IPv4 CIDRs of /16–/32 and single addresses, one in
/// eight IPv6 /48–/128, spread over the whole address space.
fn random_rules(n: usize, rng: &mut SplitMix) -> Vec<IpRule> {
    (0..n)
        .map(|_| {
            let r = rng.next();
            if r.is_multiple_of(8) {
                let prefix = 48 + (r >> 8) as u8 % 81;
                let addr = u128::from(rng.next()) << 64 | u128::from(rng.next());
                let net = ipnet_v6(addr, prefix);
                IpRule::parse(&net).unwrap()
            } else {
                let prefix = 16 + (r >> 8) as u32 % 17;
                let addr = (rng.next() as u32) & (u32::MAX.checked_shl(32 - prefix).unwrap_or(0));
                let text = format!("{}/{prefix}", Ipv4Addr::from(addr));
                IpRule::parse(&text).unwrap()
            }
        })
        .collect()
}

fn ipnet_v6(addr: u128, prefix: u8) -> String {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    format!("{}/{prefix}", Ipv6Addr::from(addr & mask))
}

fn ip(c: &mut Criterion) {
    let mut rng = SplitMix(5);
    let small = IpAllowList::new(random_rules(10, &mut rng));
    let large = IpAllowList::new(random_rules(100_000, &mut rng));
    // The same 4096 client addresses for both lists, 1 in 8 IPv6.
    let addrs: Vec<IpAddr> = (0..4096)
        .map(|i| {
            if i % 8 == 0 {
                IpAddr::V6(Ipv6Addr::from(
                    u128::from(rng.next()) << 64 | u128::from(rng.next()),
                ))
            } else {
                IpAddr::V4(Ipv4Addr::from(rng.next() as u32))
            }
        })
        .collect();
    let hits = addrs.iter().filter(|a| large.contains(**a)).count();
    println!(
        "ip: {} of {} query addresses fall inside the 100,000-rule list",
        hits,
        addrs.len()
    );
    let regex = IpRegex::new(r"192\.168\.1\.\d{1,3}", RegexMode::FullMatch).unwrap();
    let regex_addr: IpAddr = "192.168.1.77".parse().unwrap();
    assert!(regex.is_match(regex_addr));

    let mut g = c.benchmark_group("ip");
    for (name, list) in [("rules_10", &small), ("rules_100000", &large)] {
        g.bench_function(name, |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & 4095;
                list.contains(black_box(addrs[i]))
            })
        });
    }
    g.bench_function("regex_cached", |b| {
        b.iter(|| regex.is_match(black_box(regex_addr)))
    });
    g.finish();
}

fn revocation(c: &mut Criterion) {
    const N: usize = 1_000_000;
    const QUERIES: usize = 1 << 20;
    let now = unix_now();
    let store = MemoryRevocationStore::new();
    let jti = |i: u64| format!("rvk{:019}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 1);
    let built = Instant::now();
    for i in 0..N as u64 {
        store
            .revoke(&jti(i), Some(now + 86_400), Some(now))
            .unwrap();
    }
    let bytes = store.approx_memory_bytes();
    println!(
        "revocation: {} entries stored in {:.2?}; approx_memory_bytes = {} ({:.1} bytes/entry)",
        store.len(),
        built.elapsed(),
        bytes,
        bytes as f64 / store.len() as f64
    );
    write_note(
        "revocation_bytes_per_entry",
        &format!("{:.1}", bytes as f64 / store.len() as f64),
    );
    // 2^20 queries spread over the whole table, so that lookups are not served by a warm
    // cache (65,536 hits' slots would fit in the L3 cache).
    let mut rng = SplitMix(11);
    let hits: Vec<String> = (0..QUERIES).map(|_| jti(rng.next() % N as u64)).collect();
    let misses: Vec<String> = (0..QUERIES)
        .map(|_| jti(N as u64 + rng.next() % (1 << 40)))
        .collect();
    fn query(jti: &str, now: u64) -> RevocationQuery<'_> {
        RevocationQuery::new(jti, Principal::user(1), now, Some(now + 86_400))
    }
    assert!(hits.iter().all(|j| store.is_revoked(&query(j, now))));
    assert!(misses.iter().all(|j| !store.is_revoked(&query(j, now))));

    // The memory floor: one dependent random read from an array as large as the table
    // (a pointer chase over a random cycle), what one cache miss costs on this machine.
    let slots = bytes / 8;
    let mut chase: Vec<u64> = (0..slots as u64).collect();
    for i in (1..slots).rev() {
        // Sattolo's algorithm: one cycle through every slot.
        chase.swap(i, (rng.next() % i as u64) as usize);
    }

    let mut g = c.benchmark_group("revocation");
    g.bench_function("random_read_floor", |b| {
        let mut at = 0usize;
        b.iter(|| {
            at = chase[at] as usize;
            at
        })
    });
    for (name, set) in [("lookup_1m_hit", &hits), ("lookup_1m_miss", &misses)] {
        g.bench_function(name, |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (QUERIES - 1);
                store.is_revoked(black_box(&query(&set[i], now)))
            })
        });
    }
    g.finish();
}

/// Verify of a reseller token carrying 1 / 10 / 100 / 1,000 `allowed_ips` rules, beside
/// what parsing its rules without the cache costs and the HMAC floor of that token.
fn allowed_ips(c: &mut Criterion) {
    let now = unix_now();
    let verifier = large_verifier();
    let state = hmac_state();
    let mut g = c.benchmark_group("allowed_ips");
    for n in [1usize, 10, 100, 1000] {
        let (token, ip) = reseller_token_with_rules(now, n);
        let texts = reseller_rule_texts(n);
        let req = auth_core::VerifyRequest::at(now).client_ip(ip);
        verifier.verify_with(&token, &req).expect("verifies");
        if n == 1000 {
            println!("allowed_ips: the 1,000-rule token is {} bytes", token.len());
        }
        g.bench_function(BenchmarkId::new("verify", n), |b| {
            b.iter(|| verifier.verify_with(black_box(&token), &req).unwrap())
        });
        g.bench_function(BenchmarkId::new("parse_uncached", n), |b| {
            b.iter(|| {
                for t in &texts {
                    black_box(IpRule::parse(black_box(t)).unwrap());
                }
            })
        });
        let input = signing_input(&token).as_bytes();
        g.bench_function(BenchmarkId::new("hmac_floor", n), |b| {
            b.iter(|| hmac_cloned(&state, black_box(input)))
        });
    }
    g.finish();
}

fn threads(c: &mut Criterion) {
    let token = user_token(unix_now());
    let verifier = verifier();
    let mut g = c.benchmark_group("threads");
    for n in [1usize, 2] {
        // Reported time is wall time per verification across all threads: the
        // inverse of throughput. Threads start together behind a barrier.
        g.bench_function(BenchmarkId::new("verify", n), |b| {
            b.iter_custom(|iters| {
                let start = Barrier::new(n + 1);
                std::thread::scope(|s| {
                    for _ in 0..n {
                        s.spawn(|| {
                            start.wait();
                            for _ in 0..iters {
                                black_box(verifier.verify(black_box(&token)).unwrap());
                            }
                        });
                    }
                    start.wait();
                    let t = Instant::now();
                    // Joining happens when the scope ends.
                    (t, ())
                })
                .0
                .elapsed()
                    / n as u32
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = groups;
    config = config();
    targets = verify, mint, ip, allowed_ips, revocation, threads
}

// ---------------------------------------------------------------------------------
// Summary: medians of this run and the ratios of the targets.
// ---------------------------------------------------------------------------------

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

fn write_note(name: &str, value: &str) {
    let dir = criterion_dir();
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("auth-note-{name}")), value);
}

/// The median (ns) of `group/id` if it was measured by this process.
fn median_ns(group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn summary(since: SystemTime) {
    let m = |g: &str, id: &str| median_ns(g, id, since);
    println!("\n=== auth-core performance summary (medians of this run) ===");
    let rows = [
        ("verify", "auth_core"),
        ("verify", "jsonwebtoken"),
        ("verify", "hmac_floor"),
        ("verify", "hmac_floor_from_scratch"),
        ("mint", "auth_core_given_id"),
        ("mint", "auth_core_generated_id"),
        ("mint", "jsonwebtoken"),
        ("mint", "hmac_floor"),
        ("ip", "rules_10"),
        ("ip", "rules_100000"),
        ("ip", "regex_cached"),
        ("allowed_ips", "verify/1"),
        ("allowed_ips", "verify/10"),
        ("allowed_ips", "verify/100"),
        ("allowed_ips", "verify/1000"),
        ("allowed_ips", "parse_uncached/100"),
        ("allowed_ips", "parse_uncached/1000"),
        ("allowed_ips", "hmac_floor/1"),
        ("allowed_ips", "hmac_floor/100"),
        ("allowed_ips", "hmac_floor/1000"),
        ("revocation", "lookup_1m_hit"),
        ("revocation", "lookup_1m_miss"),
        ("revocation", "random_read_floor"),
        ("threads", "verify/1"),
        ("threads", "verify/2"),
    ];
    for (g, id) in rows {
        if let Some(ns) = m(g, id) {
            println!("{:<40} {:>10.1} ns", format!("{g}/{id}"), ns);
        }
    }
    println!();
    let ratio = |what: &str, a: Option<f64>, b: Option<f64>, target: &str, ok: fn(f64) -> bool| {
        if let (Some(a), Some(b)) = (a, b) {
            let r = a / b;
            let verdict = if ok(r) { "met" } else { "NOT met" };
            println!("{what:<58} {r:>7.2}  (target {target}: {verdict})");
        }
    };
    let verify = m("verify", "auth_core");
    ratio(
        "verify / jsonwebtoken::decode",
        verify,
        m("verify", "jsonwebtoken"),
        "<= 0.3",
        |r| r <= 0.3,
    );
    ratio(
        "verify / HMAC floor (cloned keyed state)",
        verify,
        m("verify", "hmac_floor"),
        "<= 2.0",
        |r| r <= 2.0,
    );
    ratio(
        "verify / HMAC floor (keyed from scratch)",
        verify,
        m("verify", "hmac_floor_from_scratch"),
        "info",
        |_| true,
    );
    let floor = m("mint", "hmac_floor");
    ratio(
        "mint (given id) / HMAC floor",
        m("mint", "auth_core_given_id"),
        floor,
        "<= 2.5",
        |r| r <= 2.5,
    );
    ratio(
        "mint (generated id) / HMAC floor",
        m("mint", "auth_core_generated_id"),
        floor,
        "<= 3",
        |r| r <= 3.0,
    );
    ratio(
        "mint (given id) / jsonwebtoken::encode",
        m("mint", "auth_core_given_id"),
        m("mint", "jsonwebtoken"),
        "info",
        |_| true,
    );
    ratio(
        "ip: 100,000 rules / 10 rules",
        m("ip", "rules_100000"),
        m("ip", "rules_10"),
        "<= 3",
        |r| r <= 3.0,
    );
    ratio(
        "ip: cached regex, microseconds",
        m("ip", "regex_cached"),
        Some(1000.0),
        "<= 0.3",
        |r| r <= 0.3,
    );
    let one_rule = m("allowed_ips", "verify/1");
    for n in ["10", "100", "1000"] {
        let id = format!("verify/{n}");
        let what = format!("allowed_ips: verify with {n} rules / 1 rule");
        if let (Some(a), Some(b)) = (m("allowed_ips", &id), one_rule) {
            let r = a / b;
            let verdict = if n == "10" {
                "info"
            } else if r <= 1.3 {
                "<= 1.3: met"
            } else {
                "<= 1.3: NOT met"
            };
            println!("{what:<58} {r:>7.2}  (target {verdict})");
        }
        let floor = format!("hmac_floor/{n}");
        let what = format!("allowed_ips: HMAC floor of the {n}-rule token / 1-rule");
        ratio(
            &what,
            m("allowed_ips", &floor),
            m("allowed_ips", "hmac_floor/1"),
            "info",
            |_| true,
        );
    }
    ratio(
        "revocation: 1M lookup hit / one dependent DRAM read",
        m("revocation", "lookup_1m_hit"),
        m("revocation", "random_read_floor"),
        "<= 1.2",
        |r| r <= 1.2,
    );
    ratio(
        "revocation: 1M lookup miss, nanoseconds",
        m("revocation", "lookup_1m_miss"),
        Some(1.0),
        "<= 40",
        |r| r <= 40.0,
    );
    if let Ok(bytes) =
        std::fs::read_to_string(criterion_dir().join("auth-note-revocation_bytes_per_entry"))
    {
        if m("revocation", "lookup_1m_hit").is_some() {
            println!(
                "{:<58} {:>7}  (target <= 48)",
                "revocation: bytes per entry", bytes
            );
        }
    }
    ratio(
        "threads: throughput on 2 threads / 1 thread",
        m("threads", "verify/1"),
        m("threads", "verify/2"),
        ">= 1.8",
        |r| r >= 1.8,
    );
}

fn main() {
    let since = SystemTime::now();
    groups();
    Criterion::default().configure_from_args().final_summary();
    summary(since);
}
