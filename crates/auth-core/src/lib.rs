//! # auth-core
//!
//! Embeddable authentication tokens for API services: strict HS256/384/512 JWTs for
//! users and resellers, with TTL rules, key rotation, IP/CIDR/regex restrictions,
//! revocation, and the request/response shapes of the login and token APIs.
//!
//! The same core serves Rust, C (`auth-ffi`) and Python (`auth-py`); every rule lives
//! here once and the bindings only translate.
//!
//! ```
//! use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, Verifier, VerifyRequest};
//!
//! let ring = KeyRing::single(Key::new("2026-11", Algorithm::HS256, b"a secret of at least 32 bytes...").unwrap());
//! let issuer = Issuer::new(ring.clone());
//! let verifier = Verifier::new(ring);
//!
//! let mut req = MintRequest::new(Subject::user(123, "alice", false));
//! req.now = Some(1_700_000_000);
//! let minted = issuer.mint(&req).unwrap();
//!
//! let claims = verifier.verify_with(&minted.token, &VerifyRequest::at(1_700_000_060)).unwrap();
//! assert_eq!(claims.subject.id(), 123);
//! ```
//!
//! ## Where things are
//! One flat surface: every item is used as `auth_core::Name`. The source files are named
//! for what they decide:
//!
//! | source | decides | main items |
//! |---|---|---|
//! | `claims/` | the claim shapes (docs/token-format.md) and their strict decoding | [`Claims`], [`Subject`], [`Principal`] |
//! | `keys/`, `shared_ring.rs` | HMAC, Ed25519 and P-256 keys pinned to one algorithm, PEM and JWK Sets; the ring issuers and verifiers share | [`Key`], [`KeyRing`], [`SharedKeyRing`] |
//! | `scope/` | the `scope` claim, the host's vocabulary and hierarchy, delegation, per-route requirements (docs/scopes.md) | [`ScopeSet`], [`ScopeVocabulary`], [`RequiredScopes`] |
//! | `ttl.rs` | lifetimes and the TTL policy (docs/ttl.md) | [`Lifetime`], [`TtlPolicy`] |
//! | `issue.rs` | minting | [`Issuer`], [`MintRequest`] |
//! | `verify.rs` | verification, every check in one order ([`Verifier::verify_with`]) | [`Verifier`], [`VerifyOptions`], [`VerifyRequest`] |
//! | `ip/` | IP/CIDR rules, large allow-lists, regex rules (docs/ip-rules.md) | [`IpRule`], [`IpAllowList`], [`IpRegex`] |
//! | `revocation/` | the store interface, the in-memory store, host callbacks (docs/revocation.md) | [`RevocationStore`], [`MemoryRevocationStore`] |
//! | `login.rs` | the login API: which account gets a token, logout | [`login_user`], [`login_reseller`], [`logout`] |
//! | `token_api.rs` | the token API: token creation for the caller or a sub-account | [`create_token`], [`CreateTokenRequest`] |
//! | `token_manage.rs` | the token API's management: who may list and revoke which tokens, the listing's bodies | [`token_list_owner`], [`check_token_revocation`], [`render_token_list`] |
//! | `http/` | the HTTP edge: the bearer header, the client address behind proxies, the answer to a refusal (docs/http.md) | [`Authenticator`], [`TrustedProxies`], [`Answer`] |
//! | `wire/` | how the two APIs' bodies look: JSON and XML readers, responses, error bodies | [`Format`], [`sms_error_body`], [`login_error_json`] |
//! | `clock.rs`, `random.rs` | the default clock and random source | [`system_now`], [`SystemRandom`] |
//! | `error.rs` | the one error type and its stable codes (docs/errors.md) | [`Error`], [`ErrorCode`] |
//!
//! What only fuzzing and differential tests need is in [`dangerous`].
//!
//! ## The two APIs, host side
//!
//! | endpoint | call |
//! |---|---|
//! | `POST /session.json` (user login) | [`login_user`] → [`UserLogin::to_json`], errors [`login_error_json`] |
//! | `POST /v1/resellers/login.json` | [`login_reseller`] → [`ResellerLogin::to_json`], errors [`login_error_json`] |
//! | `DELETE /session.json`, `GET /v1/resellers/user/logout.json` | [`logout`] |
//! | `POST /token`, JSON or XML | [`CreateTokenRequest::parse`] + [`create_token`] with [`TokenTarget::SelfAccount`] → [`CreatedToken::render`], errors [`sms_error_body`] |
//! | `POST /token/account/:accountID` | the same with [`TokenTarget::SubAccount`] |
//!
//! Time is a parameter everywhere: every call that needs the current time takes an optional
//! `now` in UNIX seconds, and the system clock is only the default.
//!
//! ## Dependencies
//! Tokens are read and written by this crate's own strict JWS code on `hmac` + `sha2`
//! (keyed HMAC state precomputed per key, one pass over the JSON). `jsonwebtoken` is not
//! a runtime dependency: its `rust_crypto` backend would ship RSA, P-256/384 and Ed25519
//! code that an HMAC-only library never calls, and its process-wide crypto-provider
//! default can collide with a host that uses jsonwebtoken itself. It is used, with
//! exactly the `rust_crypto` backend, as the independent reference in the interop and
//! differential tests and as the baseline in the benchmarks, always through an
//! explicitly chosen verifier so that no feature combination can make it panic.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod claims;
mod clock;
mod error;
mod hint;
mod http;
mod ip;
mod issue;
mod json;
mod jws;
mod keys;
mod login;
mod random;
mod revocation;
mod scope;
mod shared_ring;
mod token_api;
mod token_manage;
mod ttl;
mod utc;
mod verify;
mod wire;

// Tokens: claims, keys, minting, verification.
pub use claims::{
    check_extra_claims, check_jti, check_token_name, parse_extra_claims, valid_jti,
    valid_token_name, Claims, Principal, PrincipalType, Subject, MAX_EXTRA_CLAIMS, MAX_JTI_CHARS,
    MAX_TOKEN_NAME_CHARS, RESERVED_CLAIMS,
};
// The registered claims profile (docs/profiles.md): tokens of other issuers.
pub use claims::{decode_registered_claims, RegisteredClaim, RegisteredClaims, RequiredClaims};
pub use issue::{Issuer, MintRequest, Minted};
pub use jws::{inspect_unverified, Unverified, UNSUPPORTED_HEADERS};
pub use keys::{
    generate_secret, generate_secret_for, Algorithm, Key, KeyRing, GENERATED_RSA_BITS,
    GENERATED_SECRET_BYTES, MAX_JWKS_BYTES, MAX_JWKS_KEYS, MAX_KID_LEN, MAX_RSA_BITS, MIN_RSA_BITS,
    MIN_SECRET_LEN,
};
pub use shared_ring::SharedKeyRing;

// Scopes: the claim, the host's vocabulary, delegation and per-route requirements.
pub use scope::{
    valid_scope_name, RequiredScopes, ScopeSet, ScopeVocabulary, MAX_SCOPES, MAX_SCOPE_CHARS,
    MAX_VOCABULARY_SCOPES,
};
pub use ttl::{Lifetime, TtlPolicy, DEFAULT_DYNAMIC_TTL, DEFAULT_MAX_TTL, MAX_TIME};
pub use verify::{
    ClaimsProfile, Verifier, VerifyOptions, VerifyRequest, DEFAULT_MAX_CLOCK_SKEW,
    DEFAULT_MAX_TOKEN_SIZE,
};

// Time and randomness.
pub use clock::system_now;
pub use random::{generate_token_id, RandomSource, SystemRandom, TOKEN_ID_BYTES};
pub use utc::utc_text;

// IP rules.
pub use ip::{
    canonical_ip_text, normalize_addr, parse_client_ip, rules_allow, IpAllowList, IpRegex, IpRule,
    RegexMode, MAX_IP_TEXT_LEN, MAX_REGEX_COMPILED_SIZE, MAX_REGEX_LEN, MAX_REGEX_NEST,
};

// Revocation.
pub use revocation::{
    FnRevocationStore, MemoryRevocationStore, RevocationAnswer, RevocationQuery, RevocationStatus,
    RevocationStore, RevocationWriter, DEFAULT_EXPIRY_GRACE, DEFAULT_REVOCATION_CAPACITY,
};

// The login API and the token API: decisions, then the formats of their bodies.
pub use login::{
    login_reseller, login_user, logout, ResellerAccount, ResellerLogin, UserAccount, UserLogin,
    DEFAULT_RESELLER_VERSION,
};
pub use token_api::{
    check_caller_account, create_token, create_token_with_policy, CallerAccount,
    CreateTokenRequest, CreatedToken, TokenCreationPolicy, TokenTarget, DEFAULT_MAX_NAMED_TOKENS,
};
pub use token_manage::{
    check_token_revocation, render_token_list, render_token_revoked, token_list_owner,
    unknown_token, IssuedToken, LastUse, TokenInfo, TokenKind,
};
pub use wire::{
    error_status, login_error_json, sms_error_body, sms_error_json, sms_error_xml, Format,
    LoginKind, LoginRequest, MAX_ACCOUNT_NAME_CHARS, MAX_BODY_BYTES, MAX_XML_DEPTH,
};

// The HTTP edge: bearer header, client address, authentication, the answer to a refusal.
pub use http::{
    accept_format, bearer_credentials, bearer_token, check_csrf, check_same_origin,
    client_credentials, cookie_value, csrf_token, forwarded_mentions, introspection_json,
    may_revoke, may_revoke_scoped, peer_addr, session_cookie, session_request,
    session_verify_options, Answer, AnswerStyle, Authenticated, Authenticator,
    RegisteredAuthenticated, TokenForm, TrustedProxies, DEFAULT_SESSION_TTL, MAX_FORM_BYTES,
    SESSION_AUDIENCE, SESSION_COOKIE,
};

// Errors, and the hint for a token text pasted with its header or line ending.
pub use error::{Error, ErrorCode, Result};
pub use hint::token_hint;

/// The JSON value type of the API (`serde_json::Value`): unverified headers and claims,
/// a reseller's `user_groups`.
pub use serde_json::Value as JsonValue;

/// Entry points that skip the library's safeguards, for fuzzing and differential tests.
///
/// Nothing here is needed to mint or verify tokens, and none of it checks a signature,
/// a time or an address: do not use it to decide whether to trust a token.
pub mod dangerous {
    pub use crate::claims::decode_claims;
    use crate::{Claims, Issuer, MintRequest, RandomSource, Result};

    /// The claims `issuer` would mint for `req` (every minting rule applied), without
    /// signing them.
    pub fn claims_for(
        issuer: &Issuer,
        req: &MintRequest,
        rng: &dyn RandomSource,
    ) -> Result<Claims> {
        issuer.claims_for(req, rng)
    }

    /// Signs `claims` as they are with the issuer's active key, without the minting rules
    /// (lifetimes, names, sizes) being applied.
    pub fn sign_claims(issuer: &Issuer, claims: &Claims) -> Result<String> {
        issuer.sign(claims)
    }
}

/// docs/http.md's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/http.md")]
pub struct HttpDocDoctests;

/// docs/scopes.md's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/scopes.md")]
pub struct ScopesDocDoctests;

/// docs/profiles.md's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/profiles.md")]
pub struct ProfilesDocDoctests;

/// The README's Rust quick start, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
