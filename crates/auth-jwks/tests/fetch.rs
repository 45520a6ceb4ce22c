//! The client against a local HTTPS server: first fetch, rotation, refetch on an unknown `kid`
//! with its cooldown, cache lifetime, a failed refresh that keeps the keys, concurrency.

mod common;

use std::sync::Barrier;
use std::time::Duration;

use auth_core::{Algorithm, ErrorCode, VerifyOptions, VerifyRequest};
use auth_jwks::{JwksClient, JwksOptions};
use common::{certs, issuer, jwks_of, token, Reply, Server};

fn options() -> JwksOptions {
    let mut o = JwksOptions::default();
    o.ca_file = Some(certs().join("ca.pem"));
    o
}

fn client(server: &Server, o: JwksOptions) -> JwksClient {
    JwksClient::new(&server.url(), o).unwrap()
}

#[test]
fn first_fetch_then_cached() {
    let (iss, jwks) = issuer("ed-1", Algorithm::EdDSA);
    let server = Server::https(Reply::jwks(&jwks));
    let c = client(&server, options());
    assert_eq!(
        server.requests(),
        0,
        "nothing is fetched before it is needed"
    );
    let v = c.verifier(VerifyOptions::default());
    let claims = c
        .verify_with(&v, token(&iss), &VerifyRequest::default())
        .unwrap();
    assert_eq!(claims.subject.name(), "alice");
    for _ in 0..10 {
        c.verify_with(&v, token(&iss), &VerifyRequest::default())
            .unwrap();
    }
    assert_eq!(server.requests(), 1, "a fresh set is not fetched again");
    let st = c.status();
    assert_eq!((st.keys, st.attempts, st.failures), (1, 1, 0));
    assert!(st.last_success.is_some() && st.last_error.is_none());
    assert!(st.fresh_for.unwrap() > Duration::from_secs(250));
    assert_eq!(c.ring().kids(), ["ed-1"]);
}

#[test]
fn rotation_refetches_an_unknown_kid_once_per_cooldown() {
    let (a, jwks_a) = issuer("a", Algorithm::EdDSA);
    let (b, jwks_b) = issuer("b", Algorithm::ES256);
    let (stranger, _) = issuer("nobody", Algorithm::ES256);
    let server = Server::https(Reply::jwks(&jwks_a));
    let mut o = options();
    o.refetch_cooldown = Duration::from_millis(500);
    let c = client(&server, o);
    let v = c.verifier(VerifyOptions::default());
    let req = VerifyRequest::default();
    c.verify_with(&v, token(&a), &req).unwrap();
    assert_eq!(server.requests(), 1);

    // The issuer rotates: the set now holds b only. Within the cooldown b is unknown...
    server.set(Reply::jwks(&jwks_b));
    let e = c.verify_with(&v, token(&b), &req).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownKey);
    assert_eq!(server.requests(), 1, "no fetch within the cooldown");
    // ...after it, one fetch brings it in and the token verifies.
    std::thread::sleep(Duration::from_millis(550));
    c.verify_with(&v, token(&b), &req).unwrap();
    assert_eq!(server.requests(), 2);
    assert_eq!(c.ring().kids(), ["b"], "the old set is gone whole");
    assert_eq!(
        c.verify_with(&v, token(&a), &req).unwrap_err().code(),
        ErrorCode::UnknownKey
    );
    // A kid the server does not have either: at most one fetch per cooldown, however many
    // tokens carry it.
    for _ in 0..20 {
        let e = c.verify_with(&v, token(&stranger), &req).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownKey);
    }
    assert_eq!(server.requests(), 2, "{} requests", server.requests());
    std::thread::sleep(Duration::from_millis(550));
    for _ in 0..20 {
        let e = c.verify_with(&v, token(&stranger), &req).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownKey);
    }
    assert_eq!(server.requests(), 3);
}

#[test]
fn a_stale_set_is_fetched_again_and_max_age_is_honoured() {
    let (a, jwks_a) = issuer("a", Algorithm::EdDSA);
    let server = Server::https(Reply::jwks(&jwks_a));
    let mut o = options();
    o.cache_lifetime = Duration::from_millis(300);
    o.refetch_cooldown = Duration::from_millis(100);
    let c = client(&server, o);
    let v = c.verifier(VerifyOptions::default());
    let req = VerifyRequest::default();
    c.verify_with(&v, token(&a), &req).unwrap();
    c.verify_with(&v, token(&a), &req).unwrap();
    assert_eq!(server.requests(), 1);
    std::thread::sleep(Duration::from_millis(350));
    c.verify_with(&v, token(&a), &req).unwrap();
    assert_eq!(
        server.requests(),
        2,
        "stale: fetched on the next verification"
    );

    // max-age=1 (above the cooldown): the set stays fresh for a second.
    server.set(Reply::Body(jwks_a.into_bytes(), Some("public, max-age=1")));
    c.refresh().unwrap();
    let fresh = c.status().fresh_for.unwrap();
    assert!(
        fresh > Duration::from_millis(800) && fresh <= Duration::from_secs(1),
        "{fresh:?}"
    );
    std::thread::sleep(Duration::from_millis(400));
    c.verify_with(&v, token(&a), &req).unwrap();
    assert_eq!(server.requests(), 3, "still fresh after 400 ms");
}

#[test]
fn a_failed_refresh_keeps_the_keys_and_says_why() {
    let (a, jwks_a) = issuer("a", Algorithm::ES256);
    let server = Server::https(Reply::jwks(&jwks_a));
    let mut o = options();
    o.cache_lifetime = Duration::from_millis(200);
    o.refetch_cooldown = Duration::from_millis(200);
    let c = client(&server, o);
    let v = c.verifier(VerifyOptions::default());
    let req = VerifyRequest::default();
    c.refresh().unwrap();

    server.set(Reply::Status(500));
    let e = c.refresh().unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwksUnavailable);
    assert!(e.message().contains("500"), "{e}");
    assert_eq!(c.last_error().unwrap(), e);
    // Stale and the endpoint failing: tokens still verify with the last good keys, and the
    // failing endpoint is asked at most once per cooldown.
    std::thread::sleep(Duration::from_millis(250));
    for _ in 0..10 {
        c.verify_with(&v, token(&a), &req).unwrap();
    }
    assert_eq!(server.requests(), 3);
    let st = c.status();
    assert_eq!((st.keys, st.attempts, st.failures), (1, 3, 2));
    assert_eq!(st.fresh_for, Some(Duration::ZERO));

    server.set(Reply::jwks(&jwks_a));
    c.refresh().unwrap();
    assert!(c.last_error().is_none());
}

#[test]
fn with_no_set_verification_fails_closed() {
    let (a, jwks_a) = issuer("a", Algorithm::EdDSA);
    let server = Server::https(Reply::Status(503));
    let mut o = options();
    o.refetch_cooldown = Duration::from_millis(300);
    let c = client(&server, o);
    let v = c.verifier(VerifyOptions::default());
    let req = VerifyRequest::default();
    let e = c.verify_with(&v, token(&a), &req).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwksUnavailable);
    assert_eq!(e.http_status(), Some(503));
    assert!(e.message().contains("503"), "{e}");
    // Within the cooldown the endpoint is not asked again.
    let e = c.verify_with(&v, token(&a), &req).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwksUnavailable);
    assert_eq!(server.requests(), 1);
    server.set(Reply::jwks(&jwks_a));
    std::thread::sleep(Duration::from_millis(350));
    c.verify_with(&v, token(&a), &req).unwrap();
    assert_eq!(server.requests(), 2);
}

#[test]
fn many_threads_one_fetch() {
    let (a, jwks_a) = issuer("a", Algorithm::EdDSA);
    let (b, jwks_b) = issuer("b", Algorithm::ES256);
    let slow = |jwks: &str| Reply::Delay(Duration::from_millis(300), Box::new(Reply::jwks(jwks)));
    let server = Server::https(slow(&jwks_a));
    let mut o = options();
    o.refetch_cooldown = Duration::ZERO;
    let c = client(&server, o);
    let v = c.verifier(VerifyOptions::default());
    let threads = 16;
    let run = |tok: String| {
        let barrier = Barrier::new(threads);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    barrier.wait();
                    c.verify_with(&v, &tok, &VerifyRequest::default()).unwrap();
                });
            }
        });
    };
    // No keys yet: every thread waits for the one fetch.
    run(token(&a));
    assert_eq!(server.requests(), 1);
    // Rotation with no cooldown: the unknown kid is still fetched once for all threads.
    server.set(slow(&jwks_of(&[&jwks_a, &jwks_b])));
    run(token(&b));
    assert_eq!(server.requests(), 2);
    assert_eq!(c.ring().kids(), ["a", "b"]);
}

#[test]
fn a_verifier_of_another_ring_is_refused() {
    let (a, jwks_a) = issuer("a", Algorithm::EdDSA);
    let server = Server::https(Reply::jwks(&jwks_a));
    let c = client(&server, options());
    let other = auth_core::Verifier::new(auth_core::KeyRing::from_jwks(&jwks_a).unwrap());
    let e = c
        .verify_with(&other, token(&a), &VerifyRequest::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    assert_eq!(server.requests(), 0);
}

#[test]
fn another_issuers_token_with_the_registered_profile() {
    let key =
        auth_core::Key::generate("idp-1", Algorithm::ES256, &auth_core::SystemRandom).unwrap();
    let jwks = auth_core::KeyRing::single(key.clone()).to_jwks();
    let token = key
        .sign_compact(br#"{"sub":"alice","iss":"https://idp.example","exp":1700000600}"#)
        .unwrap();
    let server = Server::https(Reply::jwks(&jwks));
    let c = client(&server, options());
    let mut vo = VerifyOptions::default();
    vo.set_profile(auth_core::ClaimsProfile::registered())
        .set_issuer(Some("https://idp.example".into()));
    let v = c.verifier(vo);
    let at = VerifyRequest::at(1_700_000_000);
    let claims = c.verify_registered_with(&v, &token, &at).unwrap();
    assert_eq!(claims.sub.as_deref(), Some("alice"));
    assert_eq!(server.requests(), 1);
    // The seeds API on a registered verifier fails closed, through the client too.
    assert_eq!(
        c.verify_with(&v, &token, &at).unwrap_err().code(),
        ErrorCode::InvalidClaims
    );
}
