//! Shared fixtures of the auth-core benchmarks: one user token like the ones the
//! dialer platform issues at login, the equivalent `jsonwebtoken` set-up, and the
//! HMAC-SHA256 floor.
//!
//! Every comparison in `benches/auth.rs` uses these, so that ours and the baseline
//! see the same token, the same key and the same claims.

use std::time::{SystemTime, UNIX_EPOCH};

use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, Verifier};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The HMAC secret of every benchmark (32 bytes: the documented minimum for HS256).
pub const SECRET: &[u8; 32] = b"bench-secret-bench-secret-32byte";
/// The key id.
pub const KID: &str = "2026-01";
/// The token id given to minted tokens (22 characters, like a generated one).
pub const TOKEN_ID: &str = "q5yJ0nN2B1xS8mVw4TzEaQ";

/// The system clock in UNIX seconds. Tokens are minted "now" so that
/// `jsonwebtoken`, which only checks `exp` against the system clock, accepts them.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A ring holding the one benchmark key (HS256).
pub fn ring() -> KeyRing {
    KeyRing::single(Key::new(KID, Algorithm::HS256, SECRET).expect("valid key"))
}

/// The subject of the benchmark token: a user with every user claim set.
pub fn user_subject() -> Subject {
    Subject::User {
        id: 123_456,
        name: "alice.martin".into(),
        admin: false,
        sms_from: Some("ACME-SMS".into()),
        user_group_id: Some(42),
    }
}

/// A dynamic-token request for [`user_subject`] at `now`, with the id [`TOKEN_ID`].
pub fn user_request(now: u64) -> MintRequest {
    let mut req = MintRequest::new(user_subject());
    req.now = Some(now);
    req.token_id = Some(TOKEN_ID.into());
    req
}

/// A user token (about 290 bytes) minted at `now`, expiring a day later.
pub fn user_token(now: u64) -> String {
    Issuer::new(ring())
        .mint(&user_request(now))
        .expect("mint")
        .token
}

/// A verifier with default options over [`ring()`].
pub fn verifier() -> Verifier {
    Verifier::new(ring())
}

/// The user claims as a plain serde struct: what a `jsonwebtoken` user deserializes.
/// It owns the same strings as `auth_core::Claims` does for this token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserClaims {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `id`.
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `admin`.
    pub admin: bool,
    /// `sms_from`.
    pub sms_from: Option<String>,
    /// `user_group_id`.
    pub user_group_id: Option<u64>,
    /// `iat`.
    pub iat: u64,
    /// `exp`.
    pub exp: u64,
    /// `jti`.
    pub jti: String,
}

impl UserClaims {
    /// The claims of [`user_token`] at `now`.
    pub fn for_user(now: u64) -> Self {
        UserClaims {
            kind: "user".into(),
            id: 123_456,
            name: "alice.martin".into(),
            admin: false,
            sms_from: Some("ACME-SMS".into()),
            user_group_id: Some(42),
            iat: now,
            exp: now + 86_400,
            jti: TOKEN_ID.into(),
        }
    }
}

/// Selects jsonwebtoken's `rust_crypto` provider explicitly (ignoring the error when
/// one is already installed), so that no feature combination can make it panic.
pub fn jwt_provider() {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

/// jsonwebtoken validation equivalent to ours for this token: HS256 only, `exp`
/// required and checked with no leeway (`nbf` is absent from the token).
pub fn jwt_validation() -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.leeway = 0;
    v.validate_exp = true;
    v.set_required_spec_claims(&["exp"]);
    v
}

/// jsonwebtoken's header for minting the same token: HS256, `typ: JWT`, our `kid`.
pub fn jwt_header() -> jsonwebtoken::Header {
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some(KID.into());
    h
}

/// The signing input (`header.payload`) of a compact token.
pub fn signing_input(token: &str) -> &str {
    &token[..token.rfind('.').expect("three segments")]
}

/// HMAC-SHA256 keyed once; [`hmac_cloned`] clones this precomputed state per message.
pub fn hmac_state() -> Hmac<Sha256> {
    <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(SECRET).expect("any key length")
}

/// The fairest HMAC floor: clone the keyed state, hash the message, finalize.
pub fn hmac_cloned(state: &Hmac<Sha256>, msg: &[u8]) -> [u8; 32] {
    let mut m = state.clone();
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// HMAC-SHA256 keyed from scratch for every message (two more compressions).
pub fn hmac_from_scratch(msg: &[u8]) -> [u8; 32] {
    let mut m =
        <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(SECRET).expect("any key length");
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// Largest token the allow-list benchmarks mint and verify (a 1,000-rule list is ≈ 25 KB).
pub const LARGE_TOKEN_SIZE: usize = 64 * 1024;

/// `n` distinct IPv4 rules as a reseller's `allowedIPs` would hold them: networks of
/// /16–/32 spread over the address space, in canonical text. Deterministic.
pub fn reseller_rule_texts(n: usize) -> Vec<String> {
    let mut s = 0x5eed_u64;
    let mut next = move || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let r = next();
            let prefix = 16 + (r >> 8) as u32 % 17;
            let addr = (r >> 32) as u32 & u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            if prefix == 32 {
                std::net::Ipv4Addr::from(addr).to_string()
            } else {
                format!("{}/{prefix}", std::net::Ipv4Addr::from(addr))
            }
        })
        .collect()
}

/// A reseller token minted at `now` carrying `n` `allowed_ips` rules, and a client address
/// inside the last rule (the linear check's worst case).
pub fn reseller_token_with_rules(now: u64, n: usize) -> (String, std::net::IpAddr) {
    let texts = reseller_rule_texts(n);
    let mut req = MintRequest::new(Subject::reseller(77, "reseller_name"));
    req.now = Some(now);
    req.token_id = Some(TOKEN_ID.into());
    req.set_allowed_ips(&texts).expect("valid rules");
    let mut issuer = Issuer::new(ring());
    issuer.set_max_token_size(LARGE_TOKEN_SIZE);
    let token = issuer.mint(&req).expect("mint").token;
    let last = texts.last().expect("n >= 1");
    let addr = last.split('/').next().unwrap_or(last);
    (token, addr.parse().expect("an address"))
}

/// A verifier over [`ring()`] accepting tokens up to [`LARGE_TOKEN_SIZE`] bytes.
pub fn large_verifier() -> Verifier {
    let mut options = auth_core::VerifyOptions::default();
    options.max_token_size = LARGE_TOKEN_SIZE;
    Verifier::with_options(ring(), options)
}

/// SHA-256 compressions of one HMAC-SHA256 over `len` bytes from a precomputed keyed state:
/// the inner hash's blocks (message plus at least 9 bytes of padding) and one outer block.
pub fn hmac_compressions(len: usize) -> usize {
    (len + 9).div_ceil(64) + 1
}
