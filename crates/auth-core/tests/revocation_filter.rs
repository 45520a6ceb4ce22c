//! The in-memory revocation store's lookup filter never hides a revocation: property tests
//! against a plain model through inserts, filter growth and purges, and concurrent tests
//! where readers check ids a writer has just published as revoked, or ids revoked for good
//! while purges replace every shard's index.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use auth_core::{MemoryRevocationStore, Principal, RevocationQuery, RevocationStore};
use proptest::prelude::*;

fn query(jti: &str) -> RevocationQuery<'_> {
    RevocationQuery::new(jti, Principal::user(1), 100, Some(1_000_000))
}

#[derive(Clone, Debug)]
enum Op {
    /// Revoke `ids[i]` with this `exp` (`None`: static) at this `now`.
    Revoke(usize, Option<u64>, u64),
    /// Purge at this `now`.
    Purge(u64),
}

fn op(ids: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..ids, proptest::option::of(0u64..2_000), 0u64..2_000)
            .prop_map(|(i, exp, now)| Op::Revoke(i, exp, now)),
        1 => (0u64..3_000).prop_map(Op::Purge),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After every operation, every id answers exactly as the model says: revoked while its
    /// entry is kept, not revoked once purged or never revoked. Sequences of up to 3,000
    /// operations make every shard's filter grow several times and be rebuilt by purges.
    #[test]
    fn the_filter_never_hides_a_revocation(
        ops in proptest::collection::vec(op(4_000), 1..3_000)
    ) {
        let ids: Vec<String> = (0..4_000).map(|i| format!("tok-{i:06}")).collect();
        let store = MemoryRevocationStore::with_capacity_limit(10_000).with_expiry_grace(0);
        // id index -> forget_at (u64::MAX: forever), as documented for `revoke` with grace 0.
        let mut model: HashMap<usize, u64> = HashMap::new();
        for op in &ops {
            match *op {
                Op::Revoke(i, exp, now) => {
                    store.revoke(&ids[i], exp, Some(now)).unwrap();
                    let at = exp.map_or(u64::MAX, |e| e.max(now + 1));
                    let e = model.entry(i).or_insert(at);
                    *e = (*e).max(at);
                }
                Op::Purge(now) => {
                    let before = model.len();
                    model.retain(|_, at| *at == u64::MAX || *at > now);
                    prop_assert_eq!(store.purge_expired(Some(now)), before - model.len());
                }
            }
        }
        prop_assert_eq!(store.len(), model.len());
        for (i, id) in ids.iter().enumerate() {
            prop_assert_eq!(store.is_revoked(&query(id)), model.contains_key(&i), "{}", id);
        }
    }
}

/// A million revocations (through every growth step of every shard's filter) all answer
/// revoked, and the memory estimate, filters included, stays within 48 bytes per entry.
#[test]
fn a_million_revocations_all_answer_revoked() {
    let n = 1_000_000;
    let store = MemoryRevocationStore::new();
    let id = |i: usize| format!("m{i:09}");
    for i in 0..n {
        store.revoke(&id(i), Some(2_000_000), Some(1_000)).unwrap();
    }
    assert!((0..n).all(|i| store.is_revoked(&query(&id(i)))));
    assert!((n..n + 100_000).all(|i| !store.is_revoked(&query(&id(i)))));
    let per_entry = store.approx_memory_bytes() as f64 / n as f64;
    assert!(per_entry <= 48.0, "{per_entry:.1} bytes per entry");
}

/// Readers check every id the writer has published (after its `revoke` returned) while
/// the writer keeps inserting, so filters are replaced under the readers' feet.
#[test]
fn concurrent_readers_see_every_published_revocation() {
    let n = 200_000;
    let store = Arc::new(MemoryRevocationStore::new());
    let published = Arc::new(AtomicUsize::new(0));
    let id = |i: usize| format!("c{i:08}");
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..n {
                store.revoke(&id(i), None, Some(1_000)).unwrap();
                published.store(i + 1, Ordering::Release);
            }
        });
        for r in 0..2 {
            let (store, published) = (&store, &published);
            s.spawn(move || {
                let mut x = 0x1234_5678_u64 + r;
                loop {
                    let upto = published.load(Ordering::Acquire);
                    if upto == 0 {
                        std::thread::yield_now();
                        continue;
                    }
                    // The newest id and a random earlier one.
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    for i in [upto - 1, (x % upto as u64) as usize] {
                        assert!(store.is_revoked(&query(&id(i))), "{} hidden", id(i));
                    }
                    if upto == n {
                        break;
                    }
                }
            });
        }
    });
}

/// Readers keep checking ids revoked for good while a writer fills the store with
/// short-lived revocations and purges them, so every shard's index and filter are replaced
/// (grown, then rebuilt without the dropped entries) under the readers' feet: the ids revoked
/// for good never read as unrevoked, and the purged ones stop reading as revoked.
#[test]
fn readers_during_purges_never_see_a_live_revocation_vanish() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    let live: Vec<String> = (0..2_000).map(|i| format!("live{i:06}")).collect();
    for id in &live {
        store.revoke(id, None, Some(1_000)).unwrap();
    }
    let done = AtomicUsize::new(0);
    let checks = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            for round in 0..40u64 {
                let now = 1_000 + round * 10;
                for i in 0..5_000u64 {
                    store
                        .revoke(&format!("short{round}-{i}"), Some(now + 5), Some(now))
                        .unwrap();
                }
                assert_eq!(store.purge_expired(Some(now + 5)), 5_000);
            }
            done.store(1, Ordering::Release);
        });
        for r in 0..2usize {
            let (store, live, done, checks) = (&store, &live, &done, &checks);
            s.spawn(move || {
                let mut i = r;
                while done.load(Ordering::Acquire) == 0 {
                    i = (i + 7) % live.len();
                    assert!(store.is_revoked(&query(&live[i])), "{} hidden", live[i]);
                    checks.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert!(checks.load(Ordering::Relaxed) > 0);
    assert_eq!(store.len(), live.len());
    assert!(live.iter().all(|id| store.is_revoked(&query(id))));
    assert!(!store.is_revoked(&query("short0-1")));
}
