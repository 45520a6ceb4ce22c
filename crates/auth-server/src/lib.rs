//! # auth-server
//!
//! The reference HTTP service of the two token APIs (docs/server.md), on `axum`/`tokio`,
//! with accounts in SQLite and Argon2id passwords — and the middleware it is made of, a
//! `tower` layer any service can put in front of its own routes ([`AuthLayer`]).
//!
//! Every decision about tokens is `auth-core`'s; this crate reads requests, looks accounts
//! up, checks passwords, counts failed logins and writes what the library returns.
//!
//! | file | decides |
//! |---|---|
//! | `layer.rs` | the middleware: bearer token + client address + revocation → [`Authenticated`], errors → status and body |
//! | `client_addr.rs` | the client address: the peer, or `X-Forwarded-For` behind a trusted proxy ([`TrustedProxies`]) |
//! | `db/` | the SQLite schema and its migrations; accounts; issued tokens and revocations ([`Db`]) |
//! | `password.rs` | Argon2id hashing and verification ([`Passwords`]) |
//! | `limit.rs` | failed logins per account and per address → 429 ([`FailedLogins`]) |
//! | `routes/` | one file per API: `login.rs`, `token.rs`, `probe.rs` |
//! | `app.rs` | the configuration, the shared state, the router ([`router`]) |
//! | `revoke.rs` | the revocation store the service writes to ([`Revoker`]) |
//! | `serve.rs` | serving with graceful shutdown ([`serve`]) |
//! | `demo.rs` | the accounts the API examples use ([`create_demo_accounts`]) |
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
mod client_addr;
pub mod db;
mod demo;
mod layer;
mod limit;
mod password;
mod revoke;
mod routes;
mod serve;

pub use app::{router, AppState, ServerConfig, StartError};
pub use client_addr::{peer_ip, PeerAddr, TrustedProxies, FORWARDED_FOR};
pub use db::{Db, DbError};
pub use demo::{create_demo_accounts, DemoError, DEMO_PASSWORD};
pub use layer::{
    bearer_token, error_response, response_format, AuthLayer, AuthService, Authenticated,
    ErrorStyle,
};
pub use limit::{FailedLogins, LoginLimits};
pub use password::{HashParams, Passwords};
pub use revoke::Revoker;
pub use routes::probe::AUTH_HEADERS;
pub use serve::{serve, serve_blocking, serve_until, shutdown_signal};
