//! The cache's own rules, below the verifier: full-bytes comparison under a forced hash
//! collision, generations, deadlines, the capacity bound, what is not cached.

use std::sync::Arc;

use super::*;
use crate::keys::{Algorithm, Key, KeyRing};

const NOW: u64 = 1_700_000_000;

fn ring(n: u8) -> Arc<KeyRing> {
    let secret = format!("signature cache test secret {n:05}");
    Arc::new(KeyRing::single(
        Key::new("k", Algorithm::HS256, secret.as_bytes()).unwrap(),
    ))
}

fn lookup(cache: &SignatureCache, ring: &Arc<KeyRing>, token: &[u8], now: u64) -> bool {
    SignatureCache::probe(Some(cache), Algorithm::ES256, ring, token, Some(now)).hit()
}

fn store(cache: &SignatureCache, ring: &Arc<KeyRing>, token: &[u8], now: u64, exp: Option<u64>) {
    let probe = SignatureCache::probe(Some(cache), Algorithm::ES256, ring, token, Some(now));
    assert!(!probe.hit(), "stored only after a miss");
    probe.remember(exp);
}

#[test]
fn a_remembered_token_hits_and_another_misses() {
    let cache = SignatureCache::new(100);
    let r = ring(1);
    store(&cache, &r, b"a.b.c", NOW, Some(NOW + 60));
    assert!(lookup(&cache, &r, b"a.b.c", NOW + 1));
    assert!(!lookup(&cache, &r, b"a.b.d", NOW + 1));
    let s = cache.stats();
    assert_eq!((s.hits, s.misses, s.inserts, s.entries), (1, 2, 1, 1));
}

#[test]
fn colliding_hashes_are_told_apart_by_the_full_bytes() {
    let cache = SignatureCache::build(
        SignatureCacheOptions::with_capacity(100),
        TokenHasher::Colliding,
    );
    let r = ring(1);
    let a = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOjF9.AAAA".to_vec();
    let mut b = a.clone();
    *b.last_mut().unwrap() = b'B';
    let h = |t: &[u8]| {
        TokenHasher::Colliding.hash_one(Lookup {
            generation: 1,
            token: t,
        })
    };
    assert_eq!(h(&a), h(&b), "the test hasher makes every token collide");

    store(&cache, &r, &a, NOW, Some(NOW + 60));
    assert!(lookup(&cache, &r, &a, NOW));
    assert!(
        !lookup(&cache, &r, &b, NOW),
        "same hash, other bytes: a miss"
    );
    assert!(
        !lookup(&cache, &r, &a[..a.len() - 1], NOW),
        "a prefix is a miss"
    );
    store(&cache, &r, &b, NOW, Some(NOW + 60));
    assert!(lookup(&cache, &r, &a, NOW) && lookup(&cache, &r, &b, NOW));
    assert_eq!(cache.len(), 2);
}

#[test]
fn another_ring_snapshot_empties_the_cache() {
    let cache = SignatureCache::new(100);
    let (r1, r2) = (ring(1), ring(2));
    store(&cache, &r1, b"t", NOW, Some(NOW + 60));
    assert!(!lookup(&cache, &r2, b"t", NOW));
    assert_eq!(cache.len(), 0);
    assert_eq!(cache.stats().invalidations, 1);
    // Going back to the first snapshot gets a new generation: still nothing.
    assert!(!lookup(&cache, &r1, b"t", NOW));
    assert_eq!(cache.stats().invalidations, 2);
}

#[test]
fn a_freed_snapshot_address_is_never_mistaken_for_a_new_one() {
    // Each new ring is allocated after the previous one was dropped: the cache's weak
    // reference keeps the old allocation, so no new ring shares its address.
    let cache = SignatureCache::new(100);
    let mut r = ring(0);
    store(&cache, &r, b"t", NOW, Some(NOW + 60));
    for n in 1..200u8 {
        let old = Arc::as_ptr(&r);
        drop(r);
        r = ring(n);
        assert_ne!(Arc::as_ptr(&r), old);
        assert!(!lookup(&cache, &r, b"t", NOW), "ring {n}");
        store(&cache, &r, b"t", NOW, Some(NOW + 60));
    }
}

#[test]
fn an_entry_is_not_used_at_or_after_its_deadline() {
    let cache = SignatureCache::new(100);
    let r = ring(1);
    store(&cache, &r, b"t", NOW, Some(NOW + 10));
    assert!(lookup(&cache, &r, b"t", NOW + 9));
    assert!(!lookup(&cache, &r, b"t", NOW + 10));
    assert_eq!(cache.len(), 0, "an expired entry is dropped when found");
    assert_eq!(cache.stats().expired, 1);

    // Without exp: the configured life.
    let mut o = SignatureCacheOptions::with_capacity(100);
    o.ttl_without_exp = 30;
    let cache = SignatureCache::with_options(o);
    store(&cache, &r, b"t", NOW, None);
    assert!(lookup(&cache, &r, b"t", NOW + 29));
    assert!(!lookup(&cache, &r, b"t", NOW + 30));

    // A token already past its exp is not stored at all.
    store(&cache, &r, b"u", NOW, Some(NOW));
    assert_eq!(cache.stats().inserts, 1);
}

#[test]
fn the_cache_never_holds_more_than_its_capacity() {
    let cache = SignatureCache::new(64);
    let r = ring(1);
    for i in 0..5_000u32 {
        store(
            &cache,
            &r,
            format!("token-{i}").as_bytes(),
            NOW,
            Some(NOW + 60),
        );
        assert!(cache.len() as u64 <= cache.stats().capacity);
    }
    let s = cache.stats();
    assert!(s.capacity >= 64 && s.capacity < 64 + 16, "{s:?}");
    assert!(s.evictions >= 5_000 - s.capacity, "{s:?}");
    assert_eq!(s.inserts, 5_000);
}

#[test]
fn long_tokens_hmac_and_a_zero_capacity_are_not_cached() {
    let mut o = SignatureCacheOptions::with_capacity(100);
    o.max_token_bytes = 8;
    let cache = SignatureCache::with_options(o);
    let r = ring(1);
    store(&cache, &r, b"123456789", NOW, Some(NOW + 60));
    assert!(cache.is_empty());
    store(&cache, &r, b"12345678", NOW, Some(NOW + 60));
    assert_eq!(cache.len(), 1);

    let hmac = |c: &SignatureCache| {
        SignatureCache::probe(Some(c), Algorithm::HS256, &r, b"t", Some(NOW)).remember(None);
        SignatureCache::probe(Some(c), Algorithm::HS256, &r, b"t", Some(NOW)).hit()
    };
    assert!(!hmac(&SignatureCache::new(100)));
    let mut o = SignatureCacheOptions::with_capacity(100);
    o.include_hmac = true;
    assert!(hmac(&SignatureCache::with_options(o)));

    let off = SignatureCache::new(0);
    let probe = SignatureCache::probe(Some(&off), Algorithm::ES256, &r, b"t", Some(NOW));
    probe.remember(None);
    assert!(off.is_empty());
    assert_eq!(off.stats().capacity, 0);
}
