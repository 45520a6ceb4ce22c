//! The verified-signature cache through the verifier (docs/signature-cache.md): a repeated
//! asymmetric token skips only its signature check; a bad signature is never cached; every
//! other check (times, audience, issuer, IP rules, revocation, scopes) runs on a hit; any
//! change to the key ring empties the cache; many threads share one safely.

use std::net::IpAddr;
use std::sync::Arc;

use auth_core::*;

const NOW: u64 = 1_700_000_000;
const ALGS: [Algorithm; 2] = [Algorithm::EdDSA, Algorithm::ES256];

fn private_key(kid: &str, alg: Algorithm, seed: u8) -> Key {
    let raw: Vec<u8> = (0..32u8)
        .map(|i| seed.wrapping_mul(31).wrapping_add(i))
        .collect();
    Key::new(kid, alg, &raw).unwrap()
}

fn request() -> MintRequest {
    let mut req = MintRequest::new(Subject::user(7, "alice", false));
    req.now = Some(NOW);
    req.token_id = Some("fixed-token-id".into());
    req
}

fn mint_with(ring: &SharedKeyRing, req: &MintRequest) -> String {
    Issuer::new(ring.clone()).mint(req).unwrap().token
}

/// A verifier with a fresh cache on `ring`.
fn cached(ring: &SharedKeyRing) -> (Verifier, Arc<SignatureCache>) {
    let mut v = Verifier::new(ring.clone());
    let cache = Arc::new(SignatureCache::new(1000));
    v.set_signature_cache(Some(cache.clone()));
    (v, cache)
}

fn at(t: u64) -> VerifyRequest<'static> {
    VerifyRequest::at(t)
}

fn code<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    r.unwrap_err().code().as_str()
}

/// (hits, misses, inserts)
fn counts(cache: &SignatureCache) -> (u64, u64, u64) {
    let s = cache.stats();
    (s.hits, s.misses, s.inserts)
}

#[test]
fn a_repeated_token_is_a_hit_with_the_same_claims() {
    for alg in ALGS {
        let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", alg, 1)));
        let token = mint_with(&ring, &request());
        let (v, cache) = cached(&ring);
        let first = v.verify_with(&token, &at(NOW + 1)).unwrap();
        let second = v.verify_with(&token, &at(NOW + 2)).unwrap();
        assert_eq!(first, second);
        assert_eq!(counts(&cache), (1, 1, 1), "{alg}");
        // A clone of the verifier shares the cache.
        v.clone().verify_with(&token, &at(NOW + 3)).unwrap();
        assert_eq!(counts(&cache), (2, 1, 1), "{alg}");
    }
}

#[test]
fn a_bad_signature_is_never_cached_and_never_passes() {
    for alg in ALGS {
        let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", alg, 1)));
        let good = mint_with(&ring, &request());
        let (v, cache) = cached(&ring);
        // The same header and payload with another key's signature.
        let other = SharedKeyRing::from(KeyRing::single(private_key("k1", alg, 2)));
        let forged = mint_with(&other, &request());
        assert_eq!(
            good[..good.rfind('.').unwrap()],
            forged[..forged.rfind('.').unwrap()]
        );
        for _ in 0..3 {
            assert_eq!(code(v.verify_with(&forged, &at(NOW + 1))), "bad_signature");
        }
        assert_eq!(cache.stats().inserts, 0);
        // Once the real token is cached, the forged one (other bytes) still fails.
        v.verify_with(&good, &at(NOW + 1)).unwrap();
        v.verify_with(&good, &at(NOW + 1)).unwrap();
        assert_eq!(code(v.verify_with(&forged, &at(NOW + 1))), "bad_signature");
        assert_eq!(counts(&cache), (1, 5, 1), "{alg}");
    }
}

#[test]
fn hmac_tokens_are_not_cached_by_default() {
    let ring = SharedKeyRing::from(KeyRing::single(
        Key::new(
            "h",
            Algorithm::HS256,
            b"an HMAC secret of at least 32 bytes",
        )
        .unwrap(),
    ));
    let token = mint_with(&ring, &request());
    let (v, cache) = cached(&ring);
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    assert_eq!(counts(&cache), (0, 0, 0));
}

#[test]
fn a_token_revoked_after_it_was_cached_is_refused() {
    let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::ES256, 1)));
    let token = mint_with(&ring, &request());
    let (mut v, cache) = cached(&ring);
    let store = Arc::new(MemoryRevocationStore::new());
    v.set_revocation_store(Some(store.clone()));
    let claims = v.verify_with(&token, &at(NOW + 1)).unwrap();
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    store.revoke_claims(&claims, Some(NOW + 2)).unwrap();
    assert_eq!(code(v.verify_with(&token, &at(NOW + 3))), "token_revoked");
    // A per-call store is consulted on a hit too.
    let (v2, _) = cached(&ring);
    v2.verify_with(&token, &at(NOW + 1)).unwrap();
    let call = MemoryRevocationStore::new();
    call.revoke_claims(&claims, Some(NOW + 2)).unwrap();
    let req = at(NOW + 3).revocation(&call);
    assert_eq!(code(v2.verify_with(&token, &req)), "token_revoked");
    assert!(cache.stats().hits >= 2);
}

#[test]
fn ip_rules_times_audience_issuer_and_scopes_still_apply_on_a_hit() {
    let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::EdDSA, 1)));
    let mut req = request();
    req.set_allowed_ips(&["192.0.2.0/24"]).unwrap();
    req.lifetime = Lifetime::Ttl(100);
    req.set_scopes(&["sms:send"]).unwrap();
    let mut issuer = Issuer::new(ring.clone());
    issuer.set_scopes(ScopeVocabulary::from_json(r#"{"sms:send": {}, "admin": {}}"#).unwrap());
    let token = issuer.mint(&req).unwrap().token;
    let (mut v, cache) = cached(&ring);
    let inside: IpAddr = "192.0.2.7".parse().unwrap();
    let outside: IpAddr = "198.51.100.1".parse().unwrap();
    v.verify_with(&token, &at(NOW + 1).client_ip(inside))
        .unwrap();
    assert_eq!(
        code(v.verify_with(&token, &at(NOW + 1).client_ip(outside))),
        "ip_not_allowed"
    );
    assert_eq!(code(v.verify_with(&token, &at(NOW + 1))), "ip_not_allowed");
    let vocab = ScopeVocabulary::from_json(r#"{"sms:send": {}, "admin": {}}"#).unwrap();
    let admin = vocab.require(&["admin"]).unwrap();
    let req_admin = at(NOW + 1).client_ip(inside).scopes(&admin);
    assert_eq!(
        code(v.verify_with(&token, &req_admin)),
        "insufficient_scope"
    );
    assert_eq!(
        code(v.verify_with(&token, &at(NOW - 120).client_ip(inside))),
        "issued_in_future"
    );
    let mut o = VerifyOptions::default();
    o.add_audience("somewhere");
    o.require_audience = true;
    v.set_options(o);
    assert_eq!(
        code(v.verify_with(&token, &at(NOW + 1).client_ip(inside))),
        "invalid_claims"
    );
    let mut o = VerifyOptions::default();
    o.set_issuer(Some("https://issuer.example".into()));
    v.set_options(o);
    assert_eq!(
        code(v.verify_with(&token, &at(NOW + 1).client_ip(inside))),
        "invalid_claims"
    );
    assert_eq!(cache.stats().inserts, 1);
    assert_eq!(cache.stats().hits, 6, "{:?}", cache.stats());
    v.set_options(VerifyOptions::default());
    assert_eq!(
        code(v.verify_with(&token, &at(NOW + 100).client_ip(inside))),
        "token_expired"
    );
}

#[test]
fn an_entry_ends_with_its_token() {
    let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::ES256, 1)));
    let mut req = request();
    req.lifetime = Lifetime::Ttl(60);
    let token = mint_with(&ring, &req);
    let (mut v, cache) = cached(&ring);
    let mut o = VerifyOptions::default();
    o.leeway = 30;
    v.set_options(o);
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    v.verify_with(&token, &at(NOW + 59)).unwrap();
    assert_eq!(counts(&cache), (1, 1, 1));
    // Past exp but within the leeway: accepted, with the signature checked again, and the
    // expired entry dropped rather than stored again.
    v.verify_with(&token, &at(NOW + 60)).unwrap();
    assert_eq!(counts(&cache), (1, 2, 1));
    assert_eq!((cache.stats().expired, cache.len()), (1, 0));
    assert_eq!(code(v.verify_with(&token, &at(NOW + 90))), "token_expired");
}

#[test]
fn every_change_to_the_ring_empties_the_cache() {
    type Change = fn(&SharedKeyRing);
    let changes: [(&str, Change); 7] = [
        ("add", |r| {
            r.add(private_key("k2", Algorithm::EdDSA, 2)).unwrap()
        }),
        ("remove", |r| {
            r.add(private_key("k2", Algorithm::EdDSA, 2)).unwrap();
            r.remove("k2").unwrap();
        }),
        ("rotate", |r| {
            r.rotate(private_key("k2", Algorithm::EdDSA, 2)).unwrap()
        }),
        ("set_active", |r| r.set_active("k1").unwrap()),
        ("set_default_kid", |r| {
            r.set_default_kid(Some("k1")).unwrap()
        }),
        ("replace", |r| r.replace(KeyRing::clone(&r.snapshot()))),
        ("replace_from_jwks", |r| {
            r.replace_from_jwks(&r.to_jwks()).unwrap()
        }),
    ];
    for (name, change) in changes {
        let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::ES256, 1)));
        let token = mint_with(&ring, &request());
        let (v, cache) = cached(&ring);
        v.verify_with(&token, &at(NOW + 1)).unwrap();
        v.verify_with(&token, &at(NOW + 1)).unwrap();
        let before = cache.stats();
        change(&ring);
        v.verify_with(&token, &at(NOW + 1)).unwrap();
        let after = cache.stats();
        assert_eq!(
            after.hits, before.hits,
            "{name}: the first call after it is a miss"
        );
        assert_eq!(after.invalidations, before.invalidations + 1, "{name}");
        assert_eq!(after.entries, 1, "{name}: only the new verdict is held");
        v.verify_with(&token, &at(NOW + 1)).unwrap();
        assert_eq!(cache.stats().hits, before.hits + 1, "{name}");
    }
}

#[test]
fn a_removed_or_replaced_key_takes_its_cached_verdicts_with_it() {
    let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::ES256, 1)));
    let token = mint_with(&ring, &request());
    let (v, _) = cached(&ring);
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    // Same kid, another key: the cached verdict must not carry over.
    ring.replace(KeyRing::single(private_key("k1", Algorithm::ES256, 9)));
    assert_eq!(code(v.verify_with(&token, &at(NOW + 1))), "bad_signature");
    ring.replace(KeyRing::single(private_key("k1", Algorithm::ES256, 1)));
    v.verify_with(&token, &at(NOW + 1)).unwrap();
    ring.add(private_key("k2", Algorithm::ES256, 2)).unwrap();
    ring.remove("k1").unwrap();
    assert_eq!(code(v.verify_with(&token, &at(NOW + 1))), "unknown_key");
}

#[test]
fn threads_share_one_cache_while_the_ring_rotates() {
    let ring = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::EdDSA, 1)));
    let tokens: Vec<String> = (0..16)
        .map(|i| {
            let mut req = request();
            req.token_id = Some(format!("token-{i}"));
            mint_with(&ring, &req)
        })
        .collect();
    let other = SharedKeyRing::from(KeyRing::single(private_key("k1", Algorithm::EdDSA, 5)));
    let forged = mint_with(&other, &request());
    let (v, cache) = cached(&ring);
    std::thread::scope(|s| {
        for t in 0..3 {
            let (v, tokens, forged) = (&v, &tokens, &forged);
            s.spawn(move || {
                for i in 0..150 {
                    let token = &tokens[(i * 7 + t) % tokens.len()];
                    v.verify_with(token, &at(NOW + 1)).unwrap();
                    assert_eq!(code(v.verify_with(forged, &at(NOW + 1))), "bad_signature");
                }
            });
        }
        s.spawn(|| {
            for n in 0..20u8 {
                ring.rotate(private_key(&format!("r{n}"), Algorithm::ES256, n))
                    .unwrap();
                std::thread::yield_now();
            }
        });
    });
    let s = cache.stats();
    assert!(s.hits > 0 && s.invalidations >= 1, "{s:?}");
    assert_eq!(s.hits + s.misses, 3 * 150 * 2, "{s:?}");
    // Once the ring is still, every token is stored again and then found. (A verdict a thread
    // stored under a snapshot that was replaced meanwhile stays as garbage until evicted: its
    // generation is never current again.)
    for token in &tokens {
        v.verify_with(token, &at(NOW + 1)).unwrap();
    }
    let before = cache.stats().hits;
    for token in &tokens {
        v.verify_with(token, &at(NOW + 1)).unwrap();
    }
    assert_eq!(cache.stats().hits, before + 16);
}

#[test]
fn registered_profile_tokens_are_cached_until_their_exp() {
    let key = private_key("idp", Algorithm::ES256, 3);
    let token = key
        .sign_compact(br#"{"sub":"alice","iss":"https://idp.example","exp":1700000600}"#)
        .unwrap();
    let mut options = VerifyOptions::default();
    options.set_profile(ClaimsProfile::Registered(
        RequiredClaims::parse(&["exp", "sub"]).unwrap(),
    ));
    let ring = SharedKeyRing::from(KeyRing::single(key));
    let mut v = Verifier::with_options(ring, options);
    let cache = Arc::new(SignatureCache::new(100));
    v.set_signature_cache(Some(cache.clone()));
    let first = v.verify_registered_with(&token, &at(NOW)).unwrap();
    let second = v.verify_registered_with(&token, &at(NOW + 1)).unwrap();
    assert_eq!(first, second);
    assert_eq!(counts(&cache), (1, 1, 1));
    // The registered `exp` is the entry's deadline.
    assert_eq!(
        code(v.verify_registered_with(&token, &at(NOW + 600))),
        "token_expired"
    );
    assert_eq!((cache.stats().expired, cache.len()), (1, 0));
}
