//! Property tests of the key readers (JWK Sets, JWK, PEM) and custom claims: any input is
//! either read or refused with the documented code, never a panic; what is read round-trips.

use auth_core::*;
use proptest::prelude::*;

fn published() -> (KeyRing, String) {
    let mut ring = KeyRing::new();
    ring.add(Key::new("ed", Algorithm::EdDSA, &(1u8..=32).collect::<Vec<_>>()).unwrap())
        .unwrap();
    ring.add(Key::new("ec", Algorithm::ES256, &(40u8..72).collect::<Vec<_>>()).unwrap())
        .unwrap();
    let jwks = ring.to_jwks();
    (ring, jwks)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// A byte of the published set changed: read to a set that round-trips, or `invalid_key`.
    #[test]
    fn edited_jwks_is_read_or_refused(at in any::<prop::sample::Index>(), byte in 0x20u8..0x7f) {
        let (_, jwks) = published();
        let mut bytes = jwks.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let text = String::from_utf8(bytes).unwrap();
        match KeyRing::from_jwks(&text) {
            Ok(ring) => {
                let again = KeyRing::from_jwks(&ring.to_jwks()).unwrap();
                prop_assert_eq!(again.to_jwks(), ring.to_jwks());
                prop_assert!(ring.keys().iter().all(|k| !k.is_private()));
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::InvalidKey);
                prop_assert!(!e.message().is_empty());
            }
        }
    }

    /// Any text: the readers refuse with their code or read something that round-trips.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Err(e) = KeyRing::from_jwks(&text) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidKey);
        }
        if let Err(e) = Key::from_jwk(&text) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidKey);
        }
        if let Err(e) = Key::from_pem("k", &text) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidKey);
        }
        if let Err(e) = parse_extra_claims(&text) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidRequest);
        }
    }

    /// Any 32-byte private key: its PEM and JWK forms read back to the same key, and the
    /// public JWK Set verifies what it mints.
    #[test]
    fn random_keys_round_trip(raw in prop::array::uniform32(any::<u8>()), ec in any::<bool>()) {
        let alg = if ec { Algorithm::ES256 } else { Algorithm::EdDSA };
        let key = match Key::new("k", alg, &raw) {
            Ok(k) => k,
            Err(e) => {
                // A repeated byte is weak; a P-256 scalar of 0 or ≥ n is invalid.
                prop_assert!(matches!(e.code(), ErrorCode::WeakKey | ErrorCode::InvalidKey));
                return Ok(());
            }
        };
        let pem = Key::from_pem("k", &key.private_key_pem().unwrap()).unwrap();
        prop_assert_eq!(pem.public_key_pem().unwrap(), key.public_key_pem().unwrap());
        let jwk = Key::from_jwk(&key.to_private_jwk().unwrap()).unwrap();
        prop_assert_eq!(jwk.public_key_pem().unwrap(), key.public_key_pem().unwrap());
        let verify_only = KeyRing::from_jwks(&KeyRing::single(key.clone()).to_jwks()).unwrap();
        let mut req = MintRequest::new(Subject::reseller(1, "r"));
        req.now = Some(1_700_000_000);
        let token = Issuer::new(KeyRing::single(key)).mint(&req).unwrap().token;
        prop_assert!(Verifier::new(verify_only).verify_with(&token, &VerifyRequest::at(1_700_000_000)).is_ok());
    }

    /// Custom claims of any JSON shape within the bounds mint and come back equal.
    #[test]
    fn custom_claims_round_trip(
        names in prop::collection::vec("[a-z]{1,8}", 0..6),
        values in prop::collection::vec(any::<i64>(), 0..6),
        nested in any::<bool>(),
    ) {
        let mut extra = serde_json::Map::new();
        for (n, v) in names.iter().zip(&values) {
            if RESERVED_CLAIMS.contains(&n.as_str()) {
                continue;
            }
            let value = if nested { serde_json::json!({"v": [v, {"w": v.to_string()}]}) } else { serde_json::json!(v) };
            extra.insert(n.clone(), value);
        }
        let (ring, _) = published();
        let mut req = MintRequest::new(Subject::user(7, "u", false));
        req.now = Some(1_700_000_000);
        req.set_extra_json(&serde_json::Value::Object(extra.clone()).to_string()).unwrap();
        let minted = Issuer::new(ring.clone()).mint(&req).unwrap();
        let claims = Verifier::new(ring).verify_with(&minted.token, &VerifyRequest::at(1_700_000_000)).unwrap();
        prop_assert_eq!(claims.extra(), &extra);
    }
}
