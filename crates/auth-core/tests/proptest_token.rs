//! Property tests for the token parser and the mint/verify round trip.

use auth_core::*;
use base64::Engine as _;
use proptest::prelude::*;

const NOW: u64 = 1_700_000_000;

/// A test secret of `len` distinct-enough bytes starting at `seed` (a secret of one
/// repeated byte is `weak_key`).
fn secret(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

fn ring() -> KeyRing {
    let mut ring = KeyRing::new();
    ring.add(Key::new("a", Algorithm::HS256, &secret(5, 32)).unwrap())
        .unwrap();
    ring.add(Key::new("b", Algorithm::HS512, &secret(6, 64)).unwrap())
        .unwrap();
    ring
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// A token over exact header and claims bytes, signed with key "a".
fn signed(header: &[u8], claims: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let input = format!("{}.{}", b64(header), b64(claims));
    let mut m =
        <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(&secret(5, 32)).unwrap();
    m.update(input.as_bytes());
    format!("{input}.{}", b64(&m.finalize().into_bytes()))
}

fn minted(ring: &KeyRing) -> String {
    let mut req = MintRequest::new(Subject::user(1, "u", false));
    req.now = Some(NOW);
    Issuer::new(ring.clone()).mint(&req).unwrap().token
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        (
            0..=MAX_TIME,
            ".{0,40}",
            any::<bool>(),
            proptest::option::of(".{0,20}"),
            proptest::option::of(0..=MAX_TIME)
        )
            .prop_map(|(id, name, admin, sms_from, user_group_id)| Subject::User {
                id,
                name,
                admin,
                sms_from,
                user_group_id
            }),
        (0..=MAX_TIME, ".{0,40}").prop_map(|(id, name)| Subject::reseller(id, name)),
    ]
}

fn lifetime() -> impl Strategy<Value = Lifetime> {
    prop_oneof![
        Just(Lifetime::Dynamic),
        Just(Lifetime::Static),
        (1i64..=315_360_000).prop_map(Lifetime::Ttl),
    ]
}

fn rule() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<[u8; 4]>(), 0u8..=32).prop_map(|(a, p)| {
            let net = ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(a), p)
                .unwrap()
                .trunc();
            net.to_string()
        }),
        (any::<[u8; 16]>(), 0u8..=128).prop_map(|(a, p)| {
            let net = ipnet::Ipv6Net::new(std::net::Ipv6Addr::from(a), p)
                .unwrap()
                .trunc();
            net.to_string()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes never panic the verifier; they are refused with a code.
    #[test]
    fn arbitrary_bytes_are_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let v = Verifier::new(ring());
        prop_assert!(v.verify_with(&bytes, &VerifyRequest::at(NOW)).is_err());
        let _ = inspect_unverified(&bytes, 8192);
    }

    /// Three segments of arbitrary base64url text never panic.
    #[test]
    fn arbitrary_segments_never_panic(h in "[A-Za-z0-9_-]{0,80}", p in "[A-Za-z0-9_-]{0,200}", s in "[A-Za-z0-9_-]{0,90}") {
        let v = Verifier::new(ring());
        let token = format!("{h}.{p}.{s}");
        prop_assert!(v.verify_with(&token, &VerifyRequest::at(NOW)).is_err());
    }

    /// Arbitrary claims text under a valid header, correctly signed, never panics: it
    /// is refused with a code, or accepted with claims that are exactly what a
    /// re-mint would carry.
    #[test]
    fn arbitrary_signed_claims_never_panic(claims in prop_oneof![
        ".{0,200}",
        r#"\{("(type|id|name|admin|iat|exp|jti|x)":("user"|"reseller"|-?[0-9]{1,20}(\.[0-9])?|true|null|\[\]|\{\}|"[a-z]{0,5}"),?){0,9}\}"#,
    ]) {
        let token = signed(br#"{"alg":"HS256","kid":"a"}"#, claims.as_bytes());
        let v = Verifier::new(ring());
        if let Ok(c) = v.verify_with(&token, &VerifyRequest::at(NOW)) {
            let again = signed(br#"{"alg":"HS256","kid":"a"}"#, c.to_json().as_bytes());
            prop_assert_eq!(v.verify_with(&again, &VerifyRequest::at(NOW)).unwrap(), c);
        }
    }

    /// Any single-byte change to a valid token makes it fail (or, for the last
    /// character's unused bits, stay canonical-or-malformed — never a different claim set).
    #[test]
    fn tampering_is_detected(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let r = ring();
        let token = minted(&r);
        let mut bytes = token.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let v = Verifier::new(r);
        prop_assert!(v.verify_with(&bytes, &VerifyRequest::at(NOW)).is_err());
    }

    /// A minted token always verifies, with exactly the claims it was minted with.
    #[test]
    fn minted_tokens_round_trip(
        subject in subject(),
        lifetime in lifetime(),
        token_name in proptest::option::of("[^\u{0}]{1,50}"),
        rules in proptest::collection::vec(rule(), 0..5),
        parent in proptest::option::of((any::<bool>(), 0..=MAX_TIME)),
        token_id in proptest::option::of("[!-~]{1,128}"),
        now in 0u64..4_000_000_000,
        use_b in any::<bool>(),
    ) {
        let mut r = ring();
        if use_b {
            r.set_active("b").unwrap();
        }
        let mut req = MintRequest::new(subject.clone());
        req.lifetime = lifetime;
        req.token_name = token_name.clone();
        req.set_allowed_ips(&rules).unwrap();
        req.parent = parent.map(|(u, id)| if u { Principal::user(id) } else { Principal::reseller(id) });
        req.token_id = token_id.clone();
        req.now = Some(now);
        let minted = Issuer::new(r.clone()).mint(&req).unwrap();
        let mut vreq = VerifyRequest::at(now);
        if let Some(first) = minted.claims.allowed_ips.as_ref().and_then(|r| r.first()) {
            vreq.client_ip = Some(first.network().network());
        }
        let got = Verifier::new(r).verify_with(&minted.token, &vreq).unwrap();
        prop_assert_eq!(&got, &minted.claims);
        prop_assert_eq!(got.subject, subject);
        prop_assert_eq!(got.iat, now);
        prop_assert_eq!(got.token_name, token_name);
        if let Some(id) = token_id {
            prop_assert_eq!(got.jti, id);
        }
    }
}
