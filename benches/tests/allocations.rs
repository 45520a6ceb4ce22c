//! The verify path allocates nothing beyond the strings the returned claims own.
//!
//! A counting global allocator (this test binary only) counts the allocations the
//! calling thread makes during one verification.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use auth_benches::{ring, unix_now, user_token, verifier};
use auth_core::{Issuer, MintRequest, Subject, Verifier, VerifyRequest};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; the counter is a
// const-initialized thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread while `f` runs.
fn allocations_during<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

fn count_verify(verifier: &Verifier, token: &str) -> usize {
    // Once first, so that nothing lazily initialized on a first call is counted.
    verifier.verify(token).unwrap();
    let (n, claims) = allocations_during(|| verifier.verify(token));
    drop(claims.unwrap());
    n
}

#[test]
fn verifying_a_user_token_allocates_only_its_three_strings() {
    let token = user_token(unix_now());
    let claims = verifier().verify(&token).unwrap();
    // name, sms_from and jti are the strings a user token's claims own.
    assert_eq!(claims.subject.name(), "alice.martin");
    assert!(matches!(
        &claims.subject,
        Subject::User {
            sms_from: Some(_),
            ..
        }
    ));
    assert!(claims.token_name.is_none() && claims.allowed_ips.is_none());
    assert_eq!(count_verify(&verifier(), &token), 3);
}

#[test]
fn verifying_a_reseller_token_allocates_only_its_two_strings() {
    let now = unix_now();
    let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
    req.now = Some(now);
    let token = Issuer::new(ring()).mint(&req).unwrap().token;
    // name and jti.
    assert_eq!(count_verify(&verifier(), &token), 2);
}

#[test]
fn verifying_with_an_explicit_time_and_address_allocates_the_same() {
    let now = unix_now();
    let token = user_token(now);
    let v = verifier();
    let req = VerifyRequest::at(now + 10).client_ip("192.0.2.1".parse().unwrap());
    v.verify_with(&token, &req).unwrap();
    let (n, claims) = allocations_during(|| v.verify_with(&token, &req));
    drop(claims.unwrap());
    assert_eq!(n, 3);
}

#[test]
fn verifying_a_token_minted_by_jsonwebtoken_allocates_only_its_strings() {
    // jsonwebtoken writes its header in another order: the verifier parses it.
    auth_benches::jwt_provider();
    let now = unix_now();
    let token = jsonwebtoken::encode(
        &auth_benches::jwt_header(),
        &auth_benches::UserClaims::for_user(now),
        &jsonwebtoken::EncodingKey::from_secret(auth_benches::SECRET),
    )
    .unwrap();
    assert_ne!(
        token.split('.').next(),
        user_token(now).split('.').next(),
        "the header must differ from the one the issuer writes"
    );
    assert_eq!(count_verify(&verifier(), &token), 3);
}
