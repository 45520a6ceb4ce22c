//! Behaviour of the revocation interface and the in-memory store (docs/revocation.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use auth_core::ErrorCode;
use auth_core::{Claims, Principal, Subject};
use auth_core::{
    FnRevocationStore, MemoryRevocationStore, RevocationQuery, RevocationStore,
    DEFAULT_EXPIRY_GRACE,
};

const NOW: u64 = 1_700_000_000;
const DAY: u64 = 86_400;

fn q(jti: &str, principal: Principal, iat: u64) -> RevocationQuery<'_> {
    RevocationQuery::new(jti, principal, iat, Some(iat + DAY))
}

fn user_q(jti: &str) -> RevocationQuery<'_> {
    q(jti, Principal::user(1), NOW)
}

#[test]
fn revoked_jti_answers_revoked_and_others_do_not() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    assert!(store.is_empty());
    store.revoke("abc", Some(NOW + DAY), Some(NOW)).unwrap();
    assert!(store.is_revoked(&user_q("abc")));
    assert!(!store.is_revoked(&user_q("abd")));
    assert!(!store.is_revoked(&user_q("ab")));
    assert!(store.is_jti_revoked("abc", Some(NOW)));
    assert!(!store.is_jti_revoked("xyz", Some(NOW)));
    assert_eq!(store.len(), 1);
    // Revoking again does not add an entry.
    store.revoke("abc", Some(NOW + DAY), Some(NOW)).unwrap();
    assert_eq!(store.len(), 1);
}

#[test]
fn revoke_claims_is_logout() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    let claims = {
        let mut claims = Claims::new(Subject::user(42, "alice", false), NOW, "session-42");
        claims.exp = Some(NOW + DAY);
        claims.nbf = None;
        claims.token_name = None;
        claims.allowed_ips = None;
        claims.parent = None;
        claims
    };
    store.revoke_claims(&claims, Some(NOW + 10)).unwrap();
    let query = RevocationQuery::new(&claims.jti, claims.principal(), claims.iat, claims.exp);
    assert!(store.is_revoked(&query));
    // Dynamic: forgotten after exp.
    assert_eq!(store.purge_expired(Some(NOW + DAY)), 1);
    assert!(!store.is_revoked(&query));
}

#[test]
fn dynamic_revocation_is_forgotten_by_purge_only_after_exp() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    let exp = NOW + DAY;
    store.revoke("dyn", Some(exp), Some(NOW)).unwrap();

    assert_eq!(store.purge_expired(Some(exp - 1)), 0);
    assert!(store.is_revoked(&user_q("dyn")));
    assert!(store.is_jti_revoked("dyn", Some(exp - 1)));
    // After exp, before a purge: still answers revoked through the trait (harmless), while the
    // time-aware query already says it may be forgotten.
    assert!(store.is_revoked(&user_q("dyn")));
    assert!(!store.is_jti_revoked("dyn", Some(exp)));

    assert_eq!(store.purge_expired(Some(exp)), 1);
    assert!(!store.is_revoked(&user_q("dyn")));
    assert!(store.is_empty());
}

#[test]
fn later_expiry_wins_when_revoking_the_same_jti_twice() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    store.revoke("t", Some(NOW + 100), Some(NOW)).unwrap();
    store.revoke("t", Some(NOW + 10), Some(NOW)).unwrap();
    assert_eq!(store.purge_expired(Some(NOW + 50)), 0);
    assert!(store.is_revoked(&user_q("t")));
    store.revoke("t", None, Some(NOW)).unwrap();
    assert_eq!(store.purge_expired(Some(NOW + 1000)), 0);
    assert!(store.is_revoked(&user_q("t")));
}

#[test]
fn static_revocation_survives_any_purge() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    store.revoke("static", None, Some(NOW)).unwrap();
    store.revoke("dyn", Some(NOW + 1), Some(NOW)).unwrap();
    assert_eq!(store.purge_expired(Some(u64::MAX - 1)), 1);
    assert!(store.is_revoked(&user_q("static")));
    assert!(store.is_jti_revoked("static", Some(u64::MAX - 1)));
    assert!(!store.is_revoked(&user_q("dyn")));
    assert_eq!(store.len(), 1);
}

/// A revocation is never dropped silently: `now` may be ahead of the verifier's clock, or
/// the clock may step back, and the logged-out token must stay revoked.
#[test]
fn revoking_an_already_expired_token_still_stores_it() {
    let store = MemoryRevocationStore::new().with_expiry_grace(60);
    // The host's clock is a day ahead when the user logs out.
    store.revoke("t", Some(NOW + 10), Some(NOW + DAY)).unwrap();
    assert_eq!(store.len(), 1);
    assert!(store.is_revoked(&user_q("t")));
    assert!(store.is_jti_revoked("t", Some(NOW + DAY + 59)));
    // The clock steps back: the token is still revoked, and a purge then keeps it.
    assert_eq!(store.purge_expired(Some(NOW + 5)), 0);
    let ring = auth_core::KeyRing::single(
        auth_core::Key::new(
            "k1",
            auth_core::Algorithm::HS256,
            b"revocation-store-test-secret-32+bytes",
        )
        .unwrap(),
    );
    let mut req = auth_core::MintRequest::new(Subject::user(1, "u", false));
    req.now = Some(NOW);
    req.lifetime = auth_core::Lifetime::Ttl(10);
    req.token_id = Some("t".into());
    let token = auth_core::Issuer::new(ring.clone())
        .mint(&req)
        .unwrap()
        .token;
    let at = auth_core::VerifyRequest::at(NOW + 5).revocation(&store);
    assert_eq!(
        auth_core::Verifier::new(ring)
            .verify_with(&token, &at)
            .unwrap_err()
            .code(),
        ErrorCode::TokenRevoked
    );
    // Kept `grace` past the revocation's own time, then forgotten.
    assert_eq!(store.purge_expired(Some(NOW + DAY + 59)), 0);
    assert_eq!(store.purge_expired(Some(NOW + DAY + 60)), 1);
}

/// With no grace at all, a revocation of an expired token still outlives the second it was
/// made in: a purge at the same `now` (e.g. the store making room) does not forget it.
#[test]
fn revocation_of_an_expired_token_survives_a_purge_at_the_same_time_without_grace() {
    let store = MemoryRevocationStore::with_capacity_limit(1).with_expiry_grace(0);
    store.revoke("old", Some(NOW - DAY), Some(NOW)).unwrap();
    assert_eq!(store.purge_expired(Some(NOW)), 0);
    assert!(store.is_jti_revoked("old", Some(NOW)));
    let err = store.revoke("next", None, Some(NOW)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    assert_eq!(store.purge_expired(Some(NOW + 1)), 1);
}

/// Most tests here set the grace to 0 to check exact `exp` arithmetic; by default a
/// revocation is kept an hour past its token's `exp`.
#[test]
fn default_grace_is_one_hour() {
    let store = MemoryRevocationStore::new();
    assert_eq!(store.expiry_grace(), DEFAULT_EXPIRY_GRACE);
    assert_eq!(DEFAULT_EXPIRY_GRACE, 3_600);
    store.revoke("t", Some(NOW), Some(NOW - 10)).unwrap();
    assert_eq!(store.purge_expired(Some(NOW + 3_599)), 0);
    assert_eq!(store.purge_expired(Some(NOW + 3_600)), 1);
}

#[test]
fn expiry_grace_keeps_revocations_through_the_verifier_leeway() {
    let store = MemoryRevocationStore::new().with_expiry_grace(60);
    assert_eq!(store.expiry_grace(), 60);
    let exp = NOW + DAY;
    store.revoke("t", Some(exp), Some(NOW)).unwrap();
    assert_eq!(store.purge_expired(Some(exp + 59)), 0);
    assert!(store.is_revoked(&user_q("t")));
    assert_eq!(store.purge_expired(Some(exp + 60)), 1);
    assert!(!store.is_revoked(&user_q("t")));
    // Within the grace an expired token is still recorded.
    store.revoke("u", Some(NOW - 30), Some(NOW)).unwrap();
    assert!(store.is_revoked(&user_q("u")));
}

#[test]
fn principal_cutoff_revokes_only_tokens_of_that_principal_up_to_its_second() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    let user5 = Principal::user(5);
    let reseller5 = Principal::reseller(5);
    let user6 = Principal::user(6);
    store
        .revoke_principal_before(user5, NOW, Some(NOW))
        .unwrap();

    assert_eq!(store.principal_cutoff(user5), Some(NOW));
    assert_eq!(store.principal_cutoff(reseller5), None);
    assert!(store.is_revoked(&q("a", user5, NOW - 1)));
    // Minted in the same second as the cutoff: revoked too (whole-second `iat`, fail closed).
    assert!(store.is_revoked(&q("a", user5, NOW)));
    assert!(!store.is_revoked(&q("a", user5, NOW + 1)));
    assert!(!store.is_revoked(&q("a", reseller5, NOW - 1)));
    assert!(!store.is_revoked(&q("a", user6, NOW - 1)));

    // A later cutoff wins; an earlier one does not lower it.
    store
        .revoke_principal_before(user5, NOW + 100, Some(NOW))
        .unwrap();
    assert!(store.is_revoked(&q("a", user5, NOW + 50)));
    store
        .revoke_principal_before(user5, NOW - 100, Some(NOW))
        .unwrap();
    assert_eq!(store.principal_cutoff(user5), Some(NOW + 100));
    assert!(store.is_revoked(&q("a", user5, NOW + 50)));
    assert_eq!(store.len(), 1);

    // Cutoffs are never purged.
    assert_eq!(store.purge_expired(Some(u64::MAX - 1)), 0);
    assert_eq!(store.principal_cutoff(user5), Some(NOW + 100));
}

#[test]
fn full_store_purges_expired_entries_to_make_room() {
    let store = MemoryRevocationStore::with_capacity_limit(3).with_expiry_grace(0);
    assert_eq!(store.capacity_limit(), 3);
    store.revoke("a", Some(NOW + 10), Some(NOW)).unwrap();
    store.revoke("b", Some(NOW + 20), Some(NOW)).unwrap();
    store.revoke("c", None, Some(NOW)).unwrap();
    assert_eq!(store.len(), 3);

    // "a" has expired by NOW + 10: the store makes room by forgetting it.
    store.revoke("d", Some(NOW + DAY), Some(NOW + 10)).unwrap();
    assert_eq!(store.len(), 3);
    assert!(!store.is_revoked(&user_q("a")));
    for jti in ["b", "c", "d"] {
        assert!(store.is_revoked(&user_q(jti)), "{jti}");
    }
}

#[test]
fn full_store_refuses_new_entries_and_never_evicts_live_revocations() {
    let store = MemoryRevocationStore::with_capacity_limit(3).with_expiry_grace(0);
    store.revoke("a", Some(NOW + 10), Some(NOW)).unwrap();
    store.revoke("b", None, Some(NOW)).unwrap();
    store
        .revoke_principal_before(Principal::user(5), NOW, Some(NOW))
        .unwrap();

    let err = store
        .revoke("c", Some(NOW + DAY), Some(NOW + 5))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    let err = store
        .revoke_principal_before(Principal::reseller(5), NOW, Some(NOW))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);

    assert_eq!(store.len(), 3);
    assert!(store.is_revoked(&user_q("a")));
    assert!(store.is_revoked(&user_q("b")));
    assert!(!store.is_revoked(&user_q("c")));
    assert!(store.is_revoked(&q("x", Principal::user(5), NOW - 1)));
    assert_eq!(store.principal_cutoff(Principal::reseller(5)), None);

    // Updating existing entries needs no room.
    store.revoke("a", None, Some(NOW + 5)).unwrap();
    store
        .revoke_principal_before(Principal::user(5), NOW + 1, Some(NOW))
        .unwrap();
    assert_eq!(store.principal_cutoff(Principal::user(5)), Some(NOW + 1));
}

/// The purge of a full store runs as of the calling method's own `now`, never a time
/// carried over from an earlier call, and never beyond the system clock plus the grace.
#[test]
fn one_far_future_now_does_not_purge_live_revocations_of_a_full_store() {
    let system = auth_core::system_now().unwrap();
    let store = MemoryRevocationStore::with_capacity_limit(2).with_expiry_grace(60);
    store
        .revoke("live", Some(system + DAY), Some(system))
        .unwrap();
    // Milliseconds by mistake: stored (never dropped), but it moves no clock of the store.
    store
        .revoke("ms", Some(system + DAY), Some(system * 1000))
        .unwrap();
    assert_eq!(store.len(), 2);
    // Full. Neither a later call's own sane time nor another far-future time frees a slot:
    // the milliseconds above are not remembered as the store's clock.
    let err = store
        .revoke_principal_before(Principal::user(1), system, Some(system))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    let err = store
        .revoke("new", Some(system + DAY), Some(system))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    let err = store
        .revoke("new", Some(system + DAY), Some(system * 1000))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    let err = store
        .revoke_principal_before(Principal::user(1), u64::MAX, Some(u64::MAX))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    assert!(store.is_jti_revoked("live", Some(system)));
    assert!(store.is_revoked(&user_q("live")));
    assert_eq!(store.len(), 2);
}

#[test]
fn principal_cutoff_on_full_store_purges_as_of_its_own_now() {
    let store = MemoryRevocationStore::with_capacity_limit(1).with_expiry_grace(0);
    store.revoke("a", Some(NOW + 10), Some(NOW)).unwrap();
    // At NOW "a" is live: a far-future cutoff must not purge it.
    let err = store
        .revoke_principal_before(Principal::user(1), u64::MAX, Some(NOW))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    assert!(store.is_revoked(&q("a", Principal::user(2), NOW)));

    // At NOW + 10 "a" has expired and makes room.
    store
        .revoke_principal_before(Principal::user(1), u64::MAX, Some(NOW + 10))
        .unwrap();
    assert!(!store.is_revoked(&q("a", Principal::user(2), NOW)));
    assert!(store.is_revoked(&q("b", Principal::user(1), NOW)));
}

#[test]
fn zero_capacity_store_refuses_everything() {
    let store = MemoryRevocationStore::with_capacity_limit(0).with_expiry_grace(0);
    let err = store.revoke("a", None, Some(NOW)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    assert!(!store.is_revoked(&user_q("a")));
}

#[test]
fn invalid_jti_is_rejected() {
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    let err = store.revoke("", None, Some(NOW)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    let long = "x".repeat(129);
    let err = store.revoke(&long, None, Some(NOW)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    assert!(
        !err.message().contains(&long),
        "message must not echo input"
    );
    assert!(store.is_empty());

    // 128 characters (multi-byte) is fine.
    let max = "é".repeat(128);
    store.revoke(&max, None, Some(NOW)).unwrap();
    assert!(store.is_revoked(&user_q(&max)));
}

#[test]
fn concurrent_revocations_and_lookups_lose_nothing() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 2_000;
    let store = Arc::new(MemoryRevocationStore::with_capacity_limit(
        THREADS * PER_THREAD,
    ));
    let lookups_revoked = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = &*store;
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    let jti = format!("t{t}-{i}");
                    let exp = if i % 2 == 0 { Some(NOW + DAY) } else { None };
                    store.revoke(&jti, exp, Some(NOW)).unwrap();
                    assert!(store.is_revoked(&user_q(&jti)), "own write visible");
                }
            });
            let lookups_revoked = &lookups_revoked;
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    let jti = format!("t{}-{i}", (t + 1) % THREADS);
                    if store.is_revoked(&user_q(&jti)) {
                        lookups_revoked.fetch_add(1, Ordering::Relaxed);
                    }
                    assert!(!store.is_revoked(&user_q(&format!("never-{t}-{i}"))));
                }
            });
        }
    });
    assert_eq!(store.len(), THREADS * PER_THREAD);
    for t in 0..THREADS {
        for i in 0..PER_THREAD {
            let jti = format!("t{t}-{i}");
            assert!(store.is_revoked(&user_q(&jti)), "{jti}");
        }
    }
    // The store is exactly full: one more is refused, nothing was lost.
    let err = store.revoke("one-more", None, Some(NOW)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationStoreFull);
    assert!(lookups_revoked.load(Ordering::Relaxed) <= THREADS * PER_THREAD);
}

#[test]
fn concurrent_purge_and_revoke_keep_the_count_exact() {
    let store = MemoryRevocationStore::with_capacity_limit(10_000).with_expiry_grace(0);
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let store = &store;
            s.spawn(move || {
                for i in 0..1_000u64 {
                    // Half expire at NOW + 1, half are static.
                    let exp = if i % 2 == 0 { Some(NOW + 1) } else { None };
                    store.revoke(&format!("{t}/{i}"), exp, Some(NOW)).unwrap();
                    if i % 100 == 0 {
                        store.purge_expired(Some(NOW));
                    }
                }
            });
        }
    });
    assert_eq!(store.len(), 4_000);
    assert_eq!(store.purge_expired(Some(NOW + 1)), 2_000);
    assert_eq!(store.len(), 2_000);
}

#[test]
fn stores_work_through_trait_objects_and_smart_pointers() {
    let memory = Arc::new(MemoryRevocationStore::new());
    memory.revoke("m", None, Some(NOW)).unwrap();

    let closure = FnRevocationStore::new(|query: &RevocationQuery<'_>| {
        query.jti == "c" || query.principal == Principal::reseller(9)
    });

    let stores: Vec<Box<dyn RevocationStore>> = vec![
        Box::new(Arc::clone(&memory)),
        Box::new(closure),
        Box::new(FnRevocationStore::new(|_: &RevocationQuery<'_>| false)),
    ];
    assert!(stores[0].is_revoked(&user_q("m")));
    assert!(!stores[0].is_revoked(&user_q("c")));
    assert!(stores[1].is_revoked(&user_q("c")));
    assert!(!stores[1].is_revoked(&user_q("m")));
    assert!(stores[1].is_revoked(&q("z", Principal::reseller(9), NOW)));
    assert!(!stores[2].is_revoked(&user_q("m")));

    // &T, Box<T> and Arc<dyn _> are stores too.
    fn check(store: impl RevocationStore, jti: &str) -> bool {
        store.is_revoked(&user_q(jti))
    }
    assert!(check(&*memory, "m"));
    assert!(check(&stores[1], "c"));
    let shared: Arc<dyn RevocationStore> = memory.clone();
    assert!(check(shared, "m"));
}

#[test]
fn closure_store_sees_the_whole_query() {
    let seen = std::sync::Mutex::new(Vec::new());
    let store = FnRevocationStore::new(|query: &RevocationQuery<'_>| {
        seen.lock()
            .unwrap()
            .push((query.jti.to_owned(), query.principal, query.iat, query.exp));
        true
    });
    let query = RevocationQuery::new("j", Principal::reseller(3), 7, None);
    assert!(store.is_revoked(&query));
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[("j".to_owned(), Principal::reseller(3), 7, None)]
    );
}

/// The memory budget target: at most 100 bytes per revoked id, measured
/// at 200,000 entries (the benchmark `revocation` reports it at 1,000,000 too).
#[test]
fn memory_per_entry_within_budget() {
    const N: usize = 200_000;
    let store = MemoryRevocationStore::new().with_expiry_grace(0);
    for i in 0..N {
        store
            .revoke(&format!("{i:016x}-jti"), Some(NOW + DAY), Some(NOW))
            .unwrap();
    }
    assert_eq!(store.len(), N);
    let per_entry = store.approx_memory_bytes() as f64 / N as f64;
    assert!(per_entry <= 100.0, "{per_entry} bytes/entry");
    assert!(store.is_revoked(&user_q("0000000000000007-jti")));
    assert!(!store.is_revoked(&user_q("not-revoked")));
}

#[test]
fn a_per_call_store_adds_to_the_verifiers_own_store() {
    use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Verifier, VerifyRequest};
    let ring = KeyRing::single(
        Key::new(
            "k",
            Algorithm::HS256,
            b"per-call-store-test-secret-32-bytes",
        )
        .unwrap(),
    );
    let issuer = Issuer::new(ring.clone());
    let mut req = MintRequest::new(Subject::user(5, "eve", false));
    req.now = Some(NOW);
    let logged_out = issuer.mint(&req).unwrap();
    req.token_id = Some("other".into());
    let other = issuer.mint(&req).unwrap();

    // The verifier's own store holds the logout list...
    let own = Arc::new(MemoryRevocationStore::new());
    own.revoke_claims(&logged_out.claims, Some(NOW)).unwrap();
    let mut verifier = Verifier::new(ring);
    verifier.set_revocation_store(Some(own));
    // ...and a call brings a store of principal cutoffs that says nothing about that jti.
    let cutoffs = MemoryRevocationStore::new();
    cutoffs
        .revoke_principal_before(Principal::user(99), NOW, Some(NOW))
        .unwrap();
    let at = VerifyRequest::at(NOW + 1).revocation(&cutoffs);
    assert_eq!(
        verifier
            .verify_with(&logged_out.token, &at)
            .unwrap_err()
            .code(),
        ErrorCode::TokenRevoked,
        "the per-call store must not hide the verifier's logout list"
    );
    verifier.verify_with(&other.token, &at).unwrap();
    cutoffs
        .revoke_principal_before(Principal::user(5), NOW + 1, Some(NOW))
        .unwrap();
    assert_eq!(
        verifier.verify_with(&other.token, &at).unwrap_err().code(),
        ErrorCode::TokenRevoked
    );
}

/// `revoke_principal_before(P, T)` at T + 0.7 s must revoke a token minted at T + 0.3 s,
/// whose whole-second `iat` is T.
#[test]
fn principal_cutoff_revokes_a_token_minted_in_the_same_second() {
    let store = MemoryRevocationStore::new();
    store
        .revoke_principal_before(Principal::user(5), NOW, Some(NOW))
        .unwrap();
    assert!(store.is_revoked(&q("same-second", Principal::user(5), NOW)));
    assert!(!store.is_revoked(&q("next-second", Principal::user(5), NOW + 1)));
}

/// Revoking a reseller (password change, blocked account) revokes the tokens it minted for
/// its sub-accounts, with the same cutoff rule as its own tokens.
#[test]
fn principal_cutoff_covers_tokens_the_principal_delegated() {
    let store = MemoryRevocationStore::new();
    let reseller = Principal::reseller(1);
    store
        .revoke_principal_before(reseller, NOW, Some(NOW))
        .unwrap();
    let child = |iat| q("child", Principal::user(42), iat).with_parent(Some(reseller));
    assert!(store.is_revoked(&child(NOW - 10)));
    assert!(store.is_revoked(&child(NOW)));
    assert!(!store.is_revoked(&child(NOW + 1)));
    // Another reseller's delegation and an undelegated token of the same sub-account are not
    // touched.
    let other = q("other", Principal::user(42), NOW - 10).with_parent(Some(Principal::reseller(2)));
    assert!(!store.is_revoked(&other));
    assert!(!store.is_revoked(&q("own", Principal::user(42), NOW - 10)));
}

#[test]
fn query_for_claims_carries_the_parent() {
    let mut claims = Claims::new(Subject::user(42, "sub", false), NOW, "j");
    claims.parent = Some(Principal::reseller(1));
    let query = RevocationQuery::for_claims(&claims);
    assert_eq!(query.parent, Some(Principal::reseller(1)));
    assert_eq!(
        RevocationQuery::new("j", Principal::user(1), NOW, None).parent,
        None
    );
}

/// The verifier hands the token's `parent` to the store, so a host store can block a
/// reseller and everything it delegated.
#[test]
fn verifier_revokes_a_delegated_token_when_its_parent_is_cut_off() {
    let ring = auth_core::KeyRing::single(
        auth_core::Key::new(
            "k1",
            auth_core::Algorithm::HS256,
            b"revocation-store-test-secret-32+bytes",
        )
        .unwrap(),
    );
    let mut req = auth_core::MintRequest::new(Subject::user(42, "sub", false));
    req.now = Some(NOW);
    req.parent = Some(Principal::reseller(1));
    let token = auth_core::Issuer::new(ring.clone())
        .mint(&req)
        .unwrap()
        .token;
    let store = MemoryRevocationStore::new();
    let verifier = auth_core::Verifier::new(ring);
    let at = auth_core::VerifyRequest::at(NOW + 1).revocation(&store);
    verifier.verify_with(&token, &at).unwrap();
    store
        .revoke_principal_before(Principal::reseller(1), NOW + 1, Some(NOW + 1))
        .unwrap();
    assert_eq!(
        verifier.verify_with(&token, &at).unwrap_err().code(),
        ErrorCode::TokenRevoked
    );
}

/// `u64::MAX` is the store's "forever" marker for static tokens; a time of `u64::MAX` must
/// not compare past it.
#[test]
fn static_revocations_survive_the_largest_time() {
    let store = MemoryRevocationStore::new();
    store.revoke("static", None, Some(NOW)).unwrap();
    store.revoke("dyn", Some(NOW + 1), Some(NOW)).unwrap();
    assert!(store.is_jti_revoked("static", Some(u64::MAX)));
    assert_eq!(store.purge_expired(Some(u64::MAX)), 1);
    assert!(store.is_jti_revoked("static", Some(u64::MAX)));
    assert!(store.is_revoked(&user_q("static")));
    assert_eq!(store.len(), 1);
}
