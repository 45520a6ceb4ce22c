//! Fleet-wide revocation for auth-core on Redis (docs/revocation.md, *Shared store on Redis*).
//!
//! [`RedisRevocationStore`] is an `auth_core::RevocationStore` (give it to a `Verifier`)
//! and an `auth_core::RevocationWriter` (`logout`, `revoke`, `revoke_principal_before`):
//!
//! * **Writes are durable before they return**: one Lua script per write sets the key (a
//!   per-jti key expiring with the token plus the grace; static tokens' never expire;
//!   principal cutoffs kept as the max) and appends to a stream (`XADD MAXLEN ~`), and the
//!   call returns once Redis acknowledged it. The revocation is applied locally first.
//! * **Reads never touch the network**: each process keeps a local replica (an
//!   `auth_core::MemoryRevocationStore`) fed by a background thread doing blocking `XREAD`s
//!   from the last id seen. At start, and whenever entries after its position were trimmed
//!   from the stream, it rebuilds from the keys (a snapshot); after a reconnect it resumes
//!   from the stream.
//! * **Failure posture is explicit**: the replica records when it last confirmed it was
//!   current. Past [`RedisStoreOptions::max_staleness`] a token it does not know to be
//!   revoked gets `RevocationStatus::Unavailable`, which the verifier reports as
//!   `revocation_unavailable` (503) — unless the host opted in to
//!   [`RedisStoreOptions::fail_open_for`], a bounded fail-open. A token the replica knows
//!   to be revoked is rejected in every mode.
//!
//! ```no_run
//! use std::sync::Arc;
//! use auth_core::{logout, Verifier, KeyRing, Key, Algorithm};
//! use auth_redis::{RedisRevocationStore, RedisStoreOptions};
//!
//! let store = Arc::new(RedisRevocationStore::connect(
//!     "redis://:password@127.0.0.1:6379/0",
//!     RedisStoreOptions::default(),
//! )?);
//! let ring = KeyRing::single(Key::new("k", Algorithm::HS256, b"a secret of at least 32 bytes....")?);
//! let mut verifier = Verifier::new(ring);
//! verifier.set_revocation_store(Some(store.clone()));
//! // On logout, in any process: every process rejects the token within milliseconds.
//! // logout(&*store, &claims, None)?;
//! # Ok::<(), auth_core::Error>(())
//! ```
//!
//! Keys are `{prefix}stream`, `{prefix}cutoffs`, `{prefix}j:JTI`, with the prefix in literal
//! braces: unambiguous between prefixes, and one Redis Cluster slot per prefix. Keys of the
//! previous layout (bare prefix) under the prefix stop the store from starting rather than be
//! ignored (docs/revocation.md, *Key layout*).
//!
//! Tested against a single Redis 7.0 primary, in plain text and over TLS. `rediss://` needs
//! the `tls` feature — on in every artifact this project ships (`authctl`, the C library, the
//! Python wheel): rustls with the `ring` provider, the server's name always checked, the CA
//! and a client certificate from [`RedisTls`]. Redis Sentinel ([`SentinelConfig`]): the primary
//! is asked of the sentinels at every connection, and writes wait for
//! [`RedisStoreOptions::min_replicas`] replicas (`WAIT`), so a failover loses no acknowledged
//! revocation. Redis Cluster ([`RedisStoreOptions::cluster`]): the store's keys share one
//! slot, and the primary serving it is asked of a seed at every connection.

mod endpoint;
mod layout;
mod options;
mod store;
mod sync;
mod tls;

pub use options::{
    RedisStoreOptions, RedisTls, SentinelConfig, DEFAULT_KEY_PREFIX, DEFAULT_MAX_STALENESS,
    DEFAULT_STREAM_MAXLEN,
};
pub use store::{RedisRevocationStore, RedisStoreStatus};
