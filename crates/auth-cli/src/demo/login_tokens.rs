//! Login tokens: a dynamic 24-hour user token, and a reseller token bound to its allowed IPs.

use auth_core::{
    parse_client_ip, Claims, ErrorCode, Issuer, MintRequest, Result, Subject, Verifier,
    VerifyRequest,
};

use super::{Demo, Via};

pub(super) fn user_login(
    d: &mut Demo,
    issuer: &Issuer,
    verifier: &Verifier,
    now: u64,
) -> Option<String> {
    d.section(
        "user login token (dynamic, 24 hours)",
        Via::Library,
        "Issuer::mint, Verifier::verify_with",
    );
    d.say("POST /session.json succeeded for user 123 (the host checked the password);");
    d.say("the host mints the login token:");
    let mut req = MintRequest::new(Subject::User {
        id: 123,
        name: "alice".into(),
        admin: false,
        sms_from: Some("ACME".into()),
        user_group_id: Some(7),
    });
    req.now = Some(now);
    let minted = d.ok("mint a dynamic user token", issuer.mint(&req))?;
    d.say(format_args!("claims: {}", minted.claims.to_json()));
    d.token("token", &minted.token, "");
    d.check(
        "exp = iat + 86400",
        minted.expires_at() == Some(now + 86_400),
        format_args!("exp is {:?}", minted.expires_at()),
    );
    let claims = d.ok(
        "verify one minute later",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now + 60)),
    )?;
    d.check(
        "the verified claims are the minted ones",
        claims == minted.claims,
        "claims differ",
    );
    d.ok(
        "still valid one second before expiry",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now + 86_399)),
    );
    d.rejects(
        "verify 24 hours later",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now + 86_400)),
        ErrorCode::TokenExpired,
    );
    Some(minted.token)
}

pub(super) fn reseller_allowed_ips(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section(
        "reseller token restricted to allowed_ips",
        Via::Library,
        "MintRequest::set_allowed_ips, VerifyRequest::client_ip",
    );
    d.say("reseller 1's settings.allowedIPs are copied into its token's allowed_ips:");
    let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
    req.now = Some(now);
    let rules = ["192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"];
    if d.ok(
        &format!("set allowed_ips {rules:?}"),
        req.set_allowed_ips(&rules),
    )
    .is_none()
    {
        return;
    }
    let Some(minted) = d.ok("mint the reseller token", issuer.mint(&req)) else {
        return;
    };
    d.say(format_args!("claims: {}", minted.claims.to_json()));
    d.token("token", &minted.token, " --ip 192.168.2.2");
    let from = |ip: &str| -> Result<Claims> {
        let addr = parse_client_ip(ip)?;
        verifier.verify_with(&minted.token, &VerifyRequest::at(now).client_ip(addr))
    };
    d.ok(
        "verify from 192.168.2.2 (inside 192.168.2.0/24)",
        from("192.168.2.2"),
    );
    d.ok(
        "verify from ::ffff:192.168.2.77 (IPv4-mapped: the IPv4 address)",
        from("::ffff:192.168.2.77"),
    );
    d.ok(
        "verify from the listed IPv6 address",
        from("2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"),
    );
    d.rejects(
        "verify from 10.0.0.1",
        from("10.0.0.1"),
        ErrorCode::IpNotAllowed,
    );
    d.rejects(
        "verify without a client address",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
        ErrorCode::IpNotAllowed,
    );
    d.rejects(
        "a client address with a leading zero (010.0.0.1)",
        from("010.0.0.1"),
        ErrorCode::InvalidIpAddress,
    );
    d.rejects(
        "minting with the rule 192.168.2.5/24 (host bits set)",
        req.set_allowed_ips(&["192.168.2.5/24"]),
        ErrorCode::InvalidIpRule,
    );
}
