//! # auth-server
//!
//! The reference HTTP service of the two token APIs (docs/server.md), on `axum`/`tokio`,
//! with accounts in SQLite and Argon2id passwords — and the middleware it is made of, a
//! `tower` layer any service can put in front of its own routes ([`AuthLayer`]).
//!
//! Every decision about tokens and the HTTP edge (the bearer header, the client address,
//! the answer to a refusal) is `auth-core`'s; this crate reads requests, looks accounts up,
//! checks passwords, counts failed logins and writes what the library returns.
//!
//! | file | decides |
//! |---|---|
//! | `console/` | the web console at `/console/`: sign-in, the token pages, create, static tokens, revoke (askama templates in `templates/console/`) |
//! | `layer.rs` | the middleware: the request's header lines and peer into the core's [`Authenticator`], its [`Answer`] out (docs/http.md) |
//! | `client_addr.rs` | the connection's peer address as axum and hyper record it ([`PeerAddr`]) |
//! | `db/` | the SQLite schema and its migrations; accounts; issued tokens and revocations ([`Db`]) |
//! | `password.rs` | Argon2id hashing and verification, which hashes need a rehash, the dummy hashes of unknown accounts ([`Passwords`]) |
//! | `limit.rs` | failed logins per account and per address → 429 ([`FailedLogins`]) |
//! | `routes/` | one file per API: `login.rs`, `token.rs`, `probe.rs`, `oauth.rs` (RFC 7662, RFC 7009); the operator's `ops.rs` (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`) |
//! | `oauth_clients.rs` | the clients allowed to introspect and revoke with HTTP Basic ([`OAuthClients`]) |
//! | `app.rs` | the configuration, the shared state, the router ([`router`]) |
//! | `revoke.rs` | the revocation store the service writes to ([`Revoker`]) and what it says about itself ([`StoreStatus`]), kept in step with the database ([`RevocationSync`]) |
//! | `last_used.rs` | when and from where each token was last used, noted per request and written in batches ([`LastUsed`]) |
//! | `metrics.rs` | the counters, histogram and gauges of `GET /metrics` ([`Metrics`]) |
//! | `watch.rs` | a thread logging a shared store's changes once each: lost, stale, recovered |
//! | `serve.rs` | serving with graceful shutdown ([`serve`]) |
//! | `demo.rs` | the accounts the API examples use ([`create_demo_accounts`]) |
//!
//! ## Dependencies
//!
//! `GET /metrics` uses `prometheus-client`, the Prometheus project's own Rust client: it
//! adds `dtoa`, `itoa`, `parking_lot` (with `lock_api`, `parking_lot_core`, `scopeguard`)
//! and a derive macro crate whose `syn`/`quote` were already in the tree: small, widely used
//! crates, no networking code, no global registry. The older `prometheus` crate was the alternative:
//! it keeps a process-wide default registry (a library should not install globals) and
//! brings `protobuf` with its default features. Counting is atomics; the text is
//! OpenMetrics, which Prometheus scrapes. Without the `redis` feature the crate does not
//! depend on `auth-redis` (nor the `redis` client); with it, the shared store is a
//! [`Revoker`] whose [`StoreStatus`] feeds `/readyz`, `/metrics` and the store watcher.
//!
//! ```no_run
//! use std::sync::Arc;
//! use auth_core::{Algorithm, Key, KeyRing, MemoryRevocationStore};
//! use auth_server::{router, serve, AppState, Db, ServerConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let keys = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....")?);
//! let db = Arc::new(Db::open("accounts.sqlite".as_ref())?);
//! let state = AppState::new(ServerConfig::new(keys), db, Arc::new(MemoryRevocationStore::new()))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, router(state)).await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod app;
mod argon_memory;
mod client_addr;
mod console;
pub mod db;
mod demo;
mod last_used;
mod layer;
mod limit;
mod metrics;
mod oauth_clients;
mod password;
mod revoke;
mod routes;
mod serve;
mod watch;

pub use app::{router, AppState, ConsoleConfig, ServerConfig, StartError};
pub use auth_core::{Answer, AnswerStyle, Authenticator, TrustedProxies};
pub use client_addr::{peer_ip, PeerAddr, FORWARDED_FOR};
pub use db::{Db, DbError};
pub use demo::{create_demo_accounts, demo_scopes, DemoError, DEMO_PASSWORD, DEMO_SCOPES_JSON};
pub use last_used::{LastUsed, DEFAULT_LAST_USED_CAPACITY};
pub use layer::{
    answer_response, error_response, lines, response_format, AuthLayer, AuthService, Authenticated,
};
pub use limit::{Attempt, FailedLogins, LoginLimits, Refused};
pub use metrics::{Metrics, METRICS_CONTENT_TYPE};
pub use oauth_clients::OAuthClients;
pub use password::{
    HashParams, Passwords, StoredHashes, StoredParams, MAX_DUMMY_COST, MAX_DUMMY_SETS,
};
pub use revoke::{NotReady, RevocationSync, Revoker, StoreStatus, SyncError};
pub use routes::probe::AUTH_HEADERS;
pub use serve::{serve, serve_blocking, serve_until, shutdown_signal};

/// docs/server.md's Rust example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/server.md")]
pub struct ServerDocDoctests;
