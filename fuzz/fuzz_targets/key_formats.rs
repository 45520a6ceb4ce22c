//! Arbitrary text through the key readers: JWK Sets (`KeyRing::from_jwks`), one JWK
//! (`Key::from_jwk`), PEM (`Key::from_pem`) and custom claims (`parse_extra_claims`).
//! Never a panic; every refusal is `invalid_key` (`invalid_request` for custom claims)
//! with a message; what is accepted round-trips: an accepted set exports and re-imports
//! to the same set, an accepted key's public JWK reads back to the same public key, an
//! accepted PEM key writes back to the same PEM, accepted custom claims mint and verify.
#![no_main]

use auth_core::{
    parse_extra_claims, Algorithm, ErrorCode, Issuer, Key, KeyRing, MintRequest, Subject, Verifier,
    VerifyRequest,
};
use auth_core_fuzz::{assert_error_in, NOW};
use libfuzzer_sys::fuzz_target;

fn public_jwks_round_trip(ring: &KeyRing) {
    let jwks = ring.to_jwks();
    let again = KeyRing::from_jwks(&jwks).expect("an exported set reads back");
    assert_eq!(again.to_jwks(), jwks, "export, import, export differ");
    assert!(again.keys().iter().all(|k| !k.is_private()));
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match KeyRing::from_jwks(text) {
        Ok(ring) => public_jwks_round_trip(&ring),
        Err(e) => assert_error_in(&e, &[ErrorCode::InvalidKey], "from_jwks"),
    }
    match Key::from_jwk(text) {
        Ok(key) => {
            assert!(!key.algorithm().is_hmac());
            // An RSA private key is never read from a JWK.
            assert!(!(key.algorithm().is_rsa() && key.is_private()));
            public_jwks_round_trip(&KeyRing::single(key.clone()));
            if key.is_private() {
                let back = Key::from_jwk(&key.to_private_jwk().expect("private JWK"))
                    .expect("a private JWK reads back");
                assert_eq!(back.public_key_pem().ok(), key.public_key_pem().ok());
            }
        }
        Err(e) => assert_error_in(&e, &[ErrorCode::InvalidKey], "from_jwk"),
    }
    match Key::from_pem("fuzz", text) {
        Ok(key) => {
            let public = key.public_key_pem().expect("public PEM");
            let back = Key::from_pem("fuzz", &public).expect("public PEM reads back");
            assert_eq!(back.public_key_pem().expect("public PEM"), public);
            if key.is_private() {
                let private = key.private_key_pem().expect("private PEM");
                let back = Key::from_pem("fuzz", &private).expect("private PEM reads back");
                assert!(back.is_private());
                assert_eq!(back.public_key_pem().expect("public PEM"), public);
            }
        }
        Err(e) => assert_error_in(&e, &[ErrorCode::InvalidKey], "from_pem"),
    }
    match parse_extra_claims(text) {
        Ok(extra) => {
            let ring = KeyRing::single(
                Key::new("k", Algorithm::EdDSA, &(1u8..=32).collect::<Vec<_>>()).expect("key"),
            );
            let mut req = MintRequest::new(Subject::reseller(1, "r"));
            req.now = Some(NOW);
            req.extra = extra.clone();
            match Issuer::new(ring.clone()).mint(&req) {
                Ok(minted) => {
                    let claims = Verifier::new(ring)
                        .verify_with(&minted.token, &VerifyRequest::at(NOW))
                        .expect("a minted token verifies");
                    assert_eq!(claims.extra(), &extra, "custom claims round-trip");
                }
                // Only the size of the token can refuse claims parse_extra_claims accepted.
                Err(e) => assert_error_in(&e, &[ErrorCode::InvalidRequest], "mint with extra"),
            }
        }
        Err(e) => assert_error_in(&e, &[ErrorCode::InvalidRequest], "parse_extra_claims"),
    }
});
