//! A JWK Set fetched by URL for auth-core verifiers (docs/jwks.md).
//!
//! auth-core does no I/O: it reads JWK Set *text* ([`auth_core::KeyRing::from_jwks`]) and
//! swaps a shared ring atomically ([`auth_core::SharedKeyRing::replace_from_jwks`]). This crate
//! is the I/O beside it, as `auth-redis` is for revocation: a [`JwksClient`] fetches the set
//! from an `https://` URL and keeps a [`SharedKeyRing`](auth_core::SharedKeyRing) equal to the
//! last good answer.
//!
//! ```no_run
//! use auth_core::{VerifyOptions, VerifyRequest};
//! use auth_jwks::{JwksClient, JwksOptions};
//!
//! let client = JwksClient::new("https://issuer.example/.well-known/jwks.json", JwksOptions::default())?;
//! let verifier = client.verifier(VerifyOptions::default());
//! # let token = "";
//! // Fetches on first use, again when stale, and once more for an unknown `kid`.
//! let claims = client.verify_with(&verifier, token, &VerifyRequest::default())?;
//! # Ok::<(), auth_core::Error>(())
//! ```
//!
//! What it does, in short (see [`JwksClient`] and [`JwksOptions`]): a cache lifetime (5 min,
//! or the answer's `Cache-Control: max-age` within bounds); a refetch for a token whose `kid`
//! the set lacks, at most once per cooldown (30 s); a connect/read timeout (5 s) and a deadline
//! for the whole fetch (10 s); a size limit ([`auth_core::MAX_JWKS_BYTES`], 256 KiB: at most
//! one byte more is read); `https://` only unless [`JwksOptions::allow_http`]; an optional
//! CA file instead of the public roots; redirects refused. A bad answer never replaces the
//! ring and is reported ([`JwksClient::last_error`]); with no set fetched yet verification
//! fails closed with `jwks_unavailable` (34, HTTP 503). One fetch at a time per client.
//!
//! ## The HTTP client: `ureq`
//! [`ureq`] 3 is a small, well-kept blocking HTTP/1.1 client (no async runtime to start
//! in a C or Python host). It is built with its `rustls` feature only: rustls 0.23 with the
//! `ring` provider and the webpki roots, the very TLS stack `auth-redis` already brings with
//! its `tls` feature, so the C library and the wheel gain no new TLS stack and still build
//! with `cc` alone (no OpenSSL, no cmake). Its `gzip` feature is off (the size limit holds
//! for the bytes received), and so are cookies and proxies (no proxy is read from the
//! environment). `cargo tree -e normal -p auth-jwks` shows what it adds besides rustls, ring,
//! rustls-webpki, rustls-pki-types and webpki-roots (all already in the tree through
//! auth-redis): `ureq-proto` with `http` (`bytes`, `itoa`) and `httparse` for HTTP/1.1,
//! `base64` 0.23, `log`, `percent-encoding`, `utf8-zero`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod fetch;
mod options;

pub use client::{JwksClient, JwksStatus};
pub use options::{
    JwksOptions, DEFAULT_CACHE_LIFETIME, DEFAULT_DEADLINE, DEFAULT_MAX_CACHE_LIFETIME,
    DEFAULT_REFETCH_COOLDOWN, DEFAULT_TIMEOUT,
};

/// docs/jwks.md's Rust example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/jwks.md")]
pub struct JwksDocDoctests;
