//! Arbitrary bytes through `inspect_unverified`: never a panic; what it accepts is a
//! compact JWS of two JSON objects, and re-encoding those objects inspects to the same
//! values. A token it refuses as malformed must not verify either.
#![no_main]

use auth_core::{inspect_unverified, ErrorCode, VerifyRequest};
use auth_core_fuzz::{assert_error_in, b64, fixture, MAX_TOKEN_SIZE, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for max in [MAX_TOKEN_SIZE, 64] {
        match inspect_unverified(data, max) {
            Ok(u) => {
                assert!(data.len() <= max, "inspected a token over max_size");
                assert_eq!(
                    data.iter().filter(|&&b| b == b'.').count(),
                    2,
                    "inspected a token without exactly three segments"
                );
                assert!(
                    data.iter()
                        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')),
                    "inspected a token with a byte outside base64url"
                );
                assert!(u.header.is_object(), "header is not an object");
                assert!(u.claims.is_object(), "claims are not an object");
                let h = serde_json::to_vec(&u.header).expect("header re-encodes");
                let c = serde_json::to_vec(&u.claims).expect("claims re-encode");
                let again = format!("{}.{}.{}", b64(&h), b64(&c), "AA");
                let u2 = inspect_unverified(again.as_bytes(), usize::MAX)
                    .expect("re-encoded header and claims do not inspect");
                assert_eq!(u, u2, "re-encoding changed the inspected values");
            }
            Err(e) => {
                assert_error_in(
                    &e,
                    &[ErrorCode::TokenTooLarge, ErrorCode::MalformedToken],
                    "inspect",
                );
                if e.code() == ErrorCode::TokenTooLarge {
                    assert!(data.len() > max, "token_too_large under max_size");
                } else if max == MAX_TOKEN_SIZE {
                    // Fail closed: what is not even well-formed must never verify.
                    let v = fixture()
                        .verifier
                        .verify_with(data, &VerifyRequest::at(NOW));
                    assert!(v.is_err(), "verified a token that inspect calls malformed");
                }
            }
        }
    }
});
