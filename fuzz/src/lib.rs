//! Shared fixtures and invariant checks for the auth-core fuzz targets.
//!
//! The key ring is the `k1` (HS256) and `k3` (HS512) keys of `tests/vectors/tokens.json`,
//! so the valid tokens of the shared vectors verify here and make good seeds.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use auth_core::{
    inspect_unverified, Algorithm, Claims, Error, ErrorCode, Issuer, Key, KeyRing, Result,
    Verifier, VerifyRequest,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};

/// The fixed verification time (the vectors' `now_default`).
pub const NOW: u64 = 1_700_000_000;

/// The fixed client address (inside the vectors' `192.168.2.0/24` rule).
pub const CLIENT_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 2, 77));

/// Default largest token of the verifier.
pub const MAX_TOKEN_SIZE: usize = 8 * 1024;

/// `k1`: HS256, the bytes 1..=32.
pub const K1_SECRET_B64: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA";
/// `k3`: HS512.
pub const K3_SECRET_B64: &str =
    "lpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1Q";

/// The ring, its issuer (active key `k1`) and verifiers, built once per process.
pub struct Fixture {
    /// `k1` (active, and the default kid for tokens without one) and `k3`.
    pub ring: KeyRing,
    /// Mints with `k1`.
    pub issuer: Issuer,
    /// Default options (8 KiB tokens).
    pub verifier: Verifier,
    /// `k1`'s secret.
    pub k1: Vec<u8>,
    /// `k3`'s secret.
    pub k3: Vec<u8>,
}

/// The process-wide fixture.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let k1 = URL_SAFE_NO_PAD.decode(K1_SECRET_B64).expect("k1 secret");
        let k3 = URL_SAFE_NO_PAD.decode(K3_SECRET_B64).expect("k3 secret");
        let mut ring = KeyRing::new();
        ring.add(Key::new("k1", Algorithm::HS256, &k1).expect("k1"))
            .expect("add k1");
        ring.add(Key::new("k3", Algorithm::HS512, &k3).expect("k3"))
            .expect("add k3");
        ring.set_active("k1").expect("active");
        ring.set_default_kid(Some("k1")).expect("default kid");
        Fixture {
            issuer: Issuer::new(ring.clone()),
            verifier: Verifier::new(ring.clone()),
            ring,
            k1,
            k3,
        }
    })
}

/// The codes verification may return (docs/errors.md, steps 1–11; no revocation store here).
pub const VERIFY_CODES: [ErrorCode; 11] = [
    ErrorCode::TokenTooLarge,
    ErrorCode::MalformedToken,
    ErrorCode::UnsupportedHeader,
    ErrorCode::AlgorithmNotAllowed,
    ErrorCode::UnknownKey,
    ErrorCode::BadSignature,
    ErrorCode::InvalidClaims,
    ErrorCode::TokenExpired,
    ErrorCode::TokenNotYetValid,
    ErrorCode::IssuedInFuture,
    ErrorCode::IpNotAllowed,
];

/// Panics unless `err` carries one of `codes`, a non-empty message and a status.
pub fn assert_error_in(err: &Error, codes: &[ErrorCode], what: &str) {
    assert!(
        codes.contains(&err.code()),
        "{what}: unexpected error code {:?} ({})",
        err.code(),
        err.message()
    );
    assert!(!err.message().is_empty(), "{what}: empty error message");
    assert_eq!(err.http_status(), err.code().http_status());
}

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `b64(header).b64(claims).b64(HMAC(secret, signing input))` with SHA-256 or SHA-512.
pub fn sign_raw(header: &[u8], claims: &[u8], alg: Algorithm, secret: &[u8]) -> String {
    let mut token = format!("{}.{}", b64(header), b64(claims));
    let msg = token.as_bytes();
    let mac = match alg {
        Algorithm::HS256 => hmac_tag::<Hmac<sha2::Sha256>>(secret, msg),
        Algorithm::HS384 => hmac_tag::<Hmac<sha2::Sha384>>(secret, msg),
        Algorithm::HS512 => hmac_tag::<Hmac<sha2::Sha512>>(secret, msg),
        // The fuzz keys are HMAC keys; an asymmetric algorithm gets no valid tag.
        Algorithm::EdDSA | Algorithm::ES256 => Vec::new(),
    };
    token.push('.');
    token.push_str(&b64(&mac));
    token
}

fn hmac_tag<M: Mac + KeyInit>(secret: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <M as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// Verifies `token` at [`NOW`] without and with [`CLIENT_IP`] and checks everything that
/// must hold between the two verdicts and of accepted claims. Returns both results.
pub fn verify_and_check(token: &[u8]) -> (Result<Claims>, Result<Claims>) {
    let f = fixture();
    let bare = f.verifier.verify_with(token, &VerifyRequest::at(NOW));
    let with_ip = f
        .verifier
        .verify_with(token, &VerifyRequest::at(NOW).client_ip(CLIENT_IP));

    // Deterministic verdict.
    let again = f.verifier.verify_with(token, &VerifyRequest::at(NOW));
    assert_eq!(
        verdict(&bare),
        verdict(&again),
        "same token, same request, different verdicts"
    );

    for (r, what) in [(&bare, "verify"), (&with_ip, "verify with client ip")] {
        match r {
            Err(e) => assert_error_in(e, &VERIFY_CODES, what),
            Ok(c) => check_accepted(token, c),
        }
    }

    match (&bare, &with_ip) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "the client address changed the claims");
            assert!(
                a.allowed_ips.is_none(),
                "a token with allowed_ips verified without a client address"
            );
        }
        (Ok(_), Err(e)) => panic!(
            "valid without a client address but not with one: {:?}",
            e.code()
        ),
        (Err(e), Ok(c)) => {
            assert_eq!(
                e.code(),
                ErrorCode::IpNotAllowed,
                "only allowed_ips may depend on the client address"
            );
            let rules = c
                .allowed_ips
                .as_ref()
                .expect("refused without an address but has no allowed_ips");
            assert!(auth_core::rules_allow(rules, CLIENT_IP));
        }
        (Err(a), Err(b)) => {
            if a.code() != b.code() {
                assert_eq!(
                    a.code(),
                    ErrorCode::IpNotAllowed,
                    "the client address changed an error other than ip_not_allowed: {:?} vs {:?}",
                    a.code(),
                    b.code()
                );
            }
            if b.code() == ErrorCode::IpNotAllowed {
                assert_eq!(a.code(), ErrorCode::IpNotAllowed);
            }
        }
    }
    (bare, with_ip)
}

fn verdict(r: &Result<Claims>) -> std::result::Result<&Claims, ErrorCode> {
    r.as_ref().map_err(|e| e.code())
}

/// Invariants of claims that verified at [`NOW`].
fn check_accepted(token: &[u8], c: &Claims) {
    let f = fixture();
    assert!(token.len() <= MAX_TOKEN_SIZE);
    if let Some(exp) = c.exp {
        assert!(NOW < exp, "accepted an expired token (exp {exp})");
    }
    if let Some(nbf) = c.nbf {
        assert!(nbf <= NOW, "accepted a token before nbf {nbf}");
    }
    assert!(c.iat <= NOW + 60, "accepted iat {} beyond the skew", c.iat);
    assert!(auth_core::valid_jti(&c.jti), "accepted a bad jti");
    if let Some(n) = &c.token_name {
        assert!(
            auth_core::valid_token_name(n),
            "accepted a bad token_name"
        );
    }

    // What verified must also inspect, to the same claims.
    let u = inspect_unverified(token, MAX_TOKEN_SIZE).expect("verified but inspect refuses");
    assert!(u.header.is_object() && u.claims.is_object());
    assert_eq!(
        u.claims.get("jti").and_then(|v| v.as_str()),
        Some(c.jti.as_str())
    );
    assert_eq!(u.claims.get("iat").and_then(|v| v.as_u64()), Some(c.iat));
    assert_eq!(
        u.claims.get("id").and_then(|v| v.as_u64()),
        Some(c.subject.id())
    );

    // The claims' own JSON decodes back to the same claims.
    let json = c.to_json();
    let decoded = auth_core::dangerous::decode_claims(json.as_bytes())
        .unwrap_or_else(|e| panic!("to_json() does not decode: {e:?}: {json}"));
    assert_eq!(&decoded, c, "to_json() does not round-trip");

    // Re-minting the claims with the active key verifies to the same claims.
    let reminted = auth_core::dangerous::sign_claims(&f.issuer, c).expect("sign accepted claims");
    let ip = c.allowed_ips.as_ref().map(|_| CLIENT_IP);
    let mut req = VerifyRequest::at(NOW);
    req.client_ip = ip;
    let again = if reminted.len() <= MAX_TOKEN_SIZE {
        f.verifier.verify_with(&reminted, &req)
    } else {
        // A canonical re-encoding may be longer than the input (a different key's
        // header); the size limit is not what is under test here.
        let mut options = auth_core::VerifyOptions::default();
        options.max_token_size = usize::MAX;
        let big = Verifier::with_options(f.ring.clone(), options);
        big.verify_with(&reminted, &req)
    };
    match again {
        Ok(c2) => assert_eq!(&c2, c, "re-minted token verifies to different claims"),
        Err(e) => panic!(
            "re-minted token does not verify: {:?} {} ({reminted})",
            e.code(),
            e.message()
        ),
    }
}
