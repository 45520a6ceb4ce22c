//! Lifetimes and time claims: static tokens, explicit TTLs, leeway, `nbf` and `iat` skew.

use auth_core::{
    ErrorCode, Issuer, Lifetime, MintRequest, Subject, Verifier, VerifyOptions, VerifyRequest,
};

use super::{Demo, Via};

pub(super) fn static_and_ttl(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section(
        "static token (admin UI, never expires)",
        Via::Library,
        "MintRequest with Lifetime::Static, Issuer::mint",
    );
    let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
    req.lifetime = Lifetime::Static;
    req.token_name = Some("CRM integration".into());
    req.now = Some(now);
    if let Some(minted) = d.ok("mint a static reseller token", issuer.mint(&req)) {
        d.check(
            "it has no exp claim",
            minted.claims.is_static() && !minted.claims.to_json().contains("\"exp\""),
            minted.claims.to_json(),
        );
        d.token("the static token", &minted.token, "");
        d.ok(
            "it verifies ten years later",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 315_360_000)),
        );
    }

    d.section(
        "token with an explicit TTL",
        Via::Library,
        "Lifetime::duration_text_seconds, Lifetime::Ttl, TtlPolicy::expiry",
    );
    let mut req = MintRequest::new(Subject::user(42, "bob", true));
    req.now = Some(now);
    if let Some(seconds) = d.ok(
        "read the TTL text \"1h\" (`authctl mint --ttl 1h`; \"3600\" is the same)",
        Lifetime::duration_text_seconds("1h"),
    ) {
        req.lifetime = Lifetime::Ttl(seconds);
    }
    if let Some(minted) = d.ok("mint a one-hour token", issuer.mint(&req)) {
        d.ok(
            "valid at iat + 3599",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 3599)),
        );
        d.rejects(
            "an explicit now at iat + 3600",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 3600)),
            ErrorCode::TokenExpired,
        );
        let lenient = Verifier::with_options(verifier.keys().clone(), {
            let mut options = VerifyOptions::default();
            options.leeway = 30;
            options
        });
        d.ok(
            "with 30 s of leeway it is still accepted at iat + 3610",
            lenient.verify_with(&minted.token, &VerifyRequest::at(now + 3610)),
        );
    }
    for bad in ["0", "-5", "1.5", "abc", "0h", "01h", "1h30m"] {
        d.rejects(
            &format!("TTL text {bad:?}"),
            Lifetime::duration_text_seconds(bad)
                .and_then(|s| issuer.policy().expiry(Lifetime::Ttl(s), now)),
            ErrorCode::InvalidTtl,
        );
    }
    d.rejects(
        "a TTL over the 10-year maximum",
        issuer
            .policy()
            .expiry(Lifetime::Ttl(10 * 366 * 86_400), now),
        ErrorCode::InvalidTtl,
    );
}

pub(super) fn time_claims(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section(
        "nbf and iat checks",
        Via::Library,
        "MintRequest::not_before, VerifyOptions::max_clock_skew",
    );
    let mut req = MintRequest::new(Subject::user(5, "carol", false));
    req.now = Some(now);
    req.not_before = Some(now + 300);
    if let Some(minted) = d.ok("mint a token not valid before now + 300", issuer.mint(&req)) {
        d.rejects(
            "verify it now",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
            ErrorCode::TokenNotYetValid,
        );
        d.ok(
            "verify it at now + 300",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 300)),
        );
    }
    let mut req = MintRequest::new(Subject::user(5, "carol", false));
    req.now = Some(now + 3600);
    if let Some(minted) = d.ok("mint a token whose iat is an hour ahead", issuer.mint(&req)) {
        d.rejects(
            "verify it now (clock skew allowance 60 s)",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
            ErrorCode::IssuedInFuture,
        );
    }
    req.now = Some(now + 30);
    if let Some(minted) = d.ok("mint a token whose iat is 30 s ahead", issuer.mint(&req)) {
        d.ok(
            "it is within the allowed clock skew",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
        );
    }
}
