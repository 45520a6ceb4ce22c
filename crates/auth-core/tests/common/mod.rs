//! Helpers shared by the login, token API and wire tests.
#![allow(dead_code)] // each test crate uses its own subset

use std::net::IpAddr;

use auth_core::{
    Algorithm, Claims, CreateTokenRequest, ErrorCode, IpAllowList, IpRule, Issuer, Key, KeyRing,
    MintRequest, ResellerAccount, Subject, UserAccount, Verifier, VerifyRequest,
};

pub const NOW: u64 = 1_700_000_000;

/// The `allowed_ips` of the token API documentation's example request.
pub const API_DOC_IPS: [&str; 3] = [
    "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae",
    "192.168.2.0/24",
    "192.168.2.2",
];

pub fn ring() -> KeyRing {
    KeyRing::single(Key::new("k1", Algorithm::HS256, b"0123456789abcdef0123456789abcdef").unwrap())
}

pub fn issuer() -> Issuer {
    Issuer::new(ring())
}

pub fn verify_at(token: &str, now: u64, ip: Option<&str>) -> auth_core::Result<Claims> {
    let mut req = VerifyRequest::at(now);
    if let Some(ip) = ip {
        req = req.client_ip(ip.parse().unwrap());
    }
    Verifier::new(ring()).verify_with(token, &req)
}

pub fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

pub fn code<T: std::fmt::Debug>(r: auth_core::Result<T>) -> ErrorCode {
    r.unwrap_err().code()
}

pub fn rules(texts: &[&str]) -> Vec<IpRule> {
    texts.iter().map(|t| IpRule::parse(t).unwrap()).collect()
}

pub fn alice() -> UserAccount {
    let mut account = UserAccount::new(123, "alice");
    account.admin = true;
    account.blocked = false;
    account.sms_from = Some("ACME".into());
    account.user_group_id = Some(7);
    account.allowed_regex = None;
    account
}

pub fn reseller(allowed: Option<&[&str]>) -> ResellerAccount {
    let mut account = ResellerAccount::new(1, "reseller_name");
    account.allowed_ips = allowed.map(|a| IpAllowList::parse(a.iter().copied()).unwrap());
    account.user_groups = vec![];
    account.user_balance = 1000.0;
    account.version = "1.0.0".into();
    account
}

/// The token API documentation's example request body.
pub const API_DOC_JSON: &str = r#"{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#;

pub fn caller_claims(subject: Subject, allowed: Option<&[&str]>) -> Claims {
    let mut m = MintRequest::new(subject);
    m.now = Some(NOW);
    if let Some(a) = allowed {
        m.set_allowed_ips(a).unwrap();
    }
    let minted = issuer().mint(&m).unwrap();
    let client = allowed.map(|_| "10.1.1.1");
    let claims = verify_at(&minted.token, NOW, client).unwrap();
    assert_eq!(claims, minted.claims);
    claims
}

pub fn user_caller() -> Claims {
    caller_claims(Subject::user(123, "alice", false), None)
}

pub fn request(body: &str) -> CreateTokenRequest {
    CreateTokenRequest::from_json(body.as_bytes()).unwrap()
}
