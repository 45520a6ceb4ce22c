//! Revocation (docs/revocation.md): the [`RevocationStore`] interface the verifier asks, a bounded,
//! thread-safe in-memory store ([`MemoryRevocationStore`]) and a closure adapter
//! ([`FnRevocationStore`]) for hosts that keep revocations elsewhere (the C and Python
//! bindings wrap their callbacks with it).
//!
//! Two kinds of revocation exist:
//!
//! * **one token** ("logout"): its `jti` is revoked. A dynamic token's revocation may be
//!   forgotten once the token has expired; a static token's is kept forever.
//! * **every token of a principal issued up to a time** (password change, blocked account):
//!   a cutoff per [`Principal`]; tokens with `iat <= cutoff` are revoked (a token minted in
//!   the same second as the cutoff too: `iat` is whole seconds, so it may have been minted
//!   just before the change; the host logs in again afterwards). A cutoff on X also revokes
//!   the tokens X delegated (`parent` = X) under the same rule. Cutoffs are never forgotten.
//!
//! The verifier asks the store last, after every other check passed, and a revoked token is
//! rejected with [`ErrorCode::TokenRevoked`](crate::error::ErrorCode::TokenRevoked).
//!
//! The code is laid out by what it decides: this file the interface, `memory.rs` the
//! bounded in-memory store (shards, keyed `jti` hashes, purging), `callback.rs` the adapter
//! for host closures and its fail-closed handling of a panicking callback.

use std::sync::Arc;

use crate::claims::Principal;

mod callback;
mod memory;

pub use self::callback::FnRevocationStore;
pub use self::memory::{MemoryRevocationStore, DEFAULT_EXPIRY_GRACE, DEFAULT_REVOCATION_CAPACITY};

/// What a revocation store is asked about a token that passed every other check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationQuery<'a> {
    /// The token id (`jti`).
    pub jti: &'a str,
    /// Who the token speaks for.
    pub principal: Principal,
    /// When the token was issued.
    pub iat: u64,
    /// When it expires (`None`: static).
    pub exp: Option<u64>,
    /// Who minted it for a sub-account (the token's `parent` claim), if anyone: a store that
    /// blocks a principal should also block what it delegated.
    pub parent: Option<Principal>,
}

impl<'a> RevocationQuery<'a> {
    /// The query for a token with these claims and no `parent` (add one with
    /// [`with_parent`](Self::with_parent)).
    pub fn new(jti: &'a str, principal: Principal, iat: u64, exp: Option<u64>) -> Self {
        RevocationQuery {
            jti,
            principal,
            iat,
            exp,
            parent: None,
        }
    }

    /// The same query for a token delegated by `parent` (`None`: not delegated).
    #[must_use]
    pub fn with_parent(mut self, parent: Option<Principal>) -> Self {
        self.parent = parent;
        self
    }

    /// The query for verified claims, `parent` included. The verifier asks its stores with
    /// this query.
    pub fn for_claims(claims: &'a crate::claims::Claims) -> Self {
        RevocationQuery::new(&claims.jti, claims.principal(), claims.iat, claims.exp)
            .with_parent(claims.parent)
    }
}

/// A source of revocation decisions. Must be safe to call from many threads at once.
pub trait RevocationStore: Send + Sync {
    /// Whether the token is revoked. A store that cannot answer must fail closed and return `true`.
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool;
}

impl<T: RevocationStore + ?Sized> RevocationStore for Arc<T> {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        (**self).is_revoked(query)
    }
}

impl<T: RevocationStore + ?Sized> RevocationStore for Box<T> {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        (**self).is_revoked(query)
    }
}

impl<T: RevocationStore + ?Sized> RevocationStore for &T {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        (**self).is_revoked(query)
    }
}
