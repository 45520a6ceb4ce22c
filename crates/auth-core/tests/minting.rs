//! Minting refuses what no verifier with the same settings would accept.

use auth_core::{
    Algorithm, ErrorCode, Issuer, Key, KeyRing, Lifetime, MintRequest, Subject, Verifier,
    VerifyOptions, VerifyRequest,
};

const NOW: u64 = 1_700_000_000;

fn ring() -> KeyRing {
    KeyRing::single(Key::new("k", Algorithm::HS256, b"minting-tests-secret-of-32-bytes!").unwrap())
}

fn request() -> MintRequest {
    let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
    req.now = Some(NOW);
    req.token_id = Some("mint-test".into());
    req
}

#[test]
fn a_token_over_the_verifiers_size_limit_is_not_minted() {
    let issuer = Issuer::new(ring());
    let mut req = request();
    // 700 IPv6 rules make a token far over the default 8 KiB.
    let rules: Vec<String> = (0..700).map(|i| format!("2001:db8::{i:x}")).collect();
    req.set_allowed_ips(&rules).unwrap();
    let err = issuer.mint(&req).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    assert!(
        err.message().contains("max_token_size"),
        "{}",
        err.message()
    );

    // Raised on both sides, the same token is minted and verifies.
    let mut issuer = Issuer::new(ring());
    issuer.set_max_token_size(64 * 1024);
    let minted = issuer.mint(&req).unwrap();
    assert!(minted.token.len() > 8 * 1024);
    let verifier = Verifier::with_options(ring(), {
        let mut options = VerifyOptions::default();
        options.max_token_size = 64 * 1024;
        options
    });
    let ip = auth_core::parse_client_ip("2001:db8::2a").unwrap();
    verifier
        .verify_with(&minted.token, &VerifyRequest::at(NOW).client_ip(ip))
        .unwrap();
}

#[test]
fn a_token_at_the_size_limit_is_minted() {
    let issuer = Issuer::new(ring());
    let mut req = request();
    let mut n = 0;
    // Grow the allow-list until the token no longer fits; the last one that fitted verifies.
    let mut last = None;
    loop {
        n += 1;
        let rules: Vec<String> = (0..n)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect();
        req.set_allowed_ips(&rules).unwrap();
        match issuer.mint(&req) {
            Ok(m) => last = Some(m),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::InvalidRequest);
                break;
            }
        }
    }
    let last = last.unwrap();
    assert!(last.token.len() <= 8 * 1024 && last.token.len() > 8 * 1024 - 40);
    let ip = auth_core::parse_client_ip("10.0.0.0").unwrap();
    Verifier::new(ring())
        .verify_with(&last.token, &VerifyRequest::at(NOW).client_ip(ip))
        .unwrap();
}

#[test]
fn not_before_at_or_after_the_expiry_is_refused() {
    let issuer = Issuer::new(ring());
    for (lifetime, nbf) in [
        (Lifetime::Ttl(60), NOW + 60),
        (Lifetime::Ttl(60), NOW + 61),
        (Lifetime::Dynamic, NOW + 86_400),
    ] {
        let mut req = request();
        req.lifetime = lifetime;
        req.not_before = Some(nbf);
        let err = issuer.mint(&req).unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidRequest,
            "{lifetime:?} nbf {nbf}"
        );
    }
    // Just before the expiry, or with a static token, it is fine.
    let mut req = request();
    req.lifetime = Lifetime::Ttl(60);
    req.not_before = Some(NOW + 59);
    issuer.mint(&req).unwrap();
    req.lifetime = Lifetime::Static;
    req.not_before = Some(NOW + 10_000);
    issuer.mint(&req).unwrap();
}
