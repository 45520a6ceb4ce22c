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
//! ## Modules
//! - [`claims`]: the claim shapes and their strict decoding;
//! - [`keys`]: keys pinned to one algorithm, the key ring;
//! - [`ttl`]: lifetimes and the TTL policy;
//! - [`issue`]: minting; [`verify`]: verification (the check order is documented there);
//! - [`ip`]: IP/CIDR rules, large allow-lists, regex rules;
//! - [`revocation`]: the store interface and the in-memory store;
//! - [`login`]: the login API's decisions (which account gets a token) and logout;
//! - [`token_api`]: the token API's token creation, for the caller or a sub-account;
//! - [`wire`]: reading and writing the two APIs' bodies (JSON and XML), error bodies;
//! - [`error`]: the one error type and its stable codes.
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

pub mod claims;
pub mod clock;
pub mod error;
pub mod ip;
pub mod issue;
mod json;
mod jws;
pub mod keys;
pub mod login;
pub mod random;
pub mod revocation;
mod shared_ring;
pub mod token_api;
pub mod ttl;
pub mod verify;
pub mod wire;

pub use claims::{decode_claims, Claims, Principal, PrincipalType, Subject};
pub use clock::system_now;
pub use error::{Error, ErrorCode, Result};
pub use ip::{
    canonical_ip_text, normalize_addr, parse_client_ip, IpAllowList, IpRegex, IpRule, RegexMode,
};
pub use issue::{Issuer, MintRequest, Minted};
pub use jws::{inspect_unverified, Unverified, UNSUPPORTED_HEADERS};
pub use keys::{generate_secret, Algorithm, Key, KeyRing};
pub use login::{
    login_reseller, login_user, logout, ResellerAccount, ResellerLogin, UserAccount, UserLogin,
};
pub use random::{generate_token_id, RandomSource, SystemRandom};
pub use revocation::{FnRevocationStore, MemoryRevocationStore, RevocationQuery, RevocationStore};
pub use shared_ring::SharedKeyRing;
pub use token_api::{create_token, CreateTokenRequest, CreatedToken, TokenTarget};
pub use ttl::{Lifetime, TtlPolicy};
pub use verify::{Verifier, VerifyOptions, VerifyRequest};
pub use wire::{
    error_status, login_error_json, sms_error_body, sms_error_json, sms_error_xml, Format,
    MAX_BODY_BYTES, MAX_XML_DEPTH,
};

/// The README's Rust quick start, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
