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
//! rejected with [`ErrorCode::TokenRevoked`](crate::error::ErrorCode::TokenRevoked). A store
//! that cannot answer ([`RevocationStatus::Unavailable`], e.g. a replica of a shared store
//! that lost contact) gets
//! [`ErrorCode::RevocationUnavailable`](crate::error::ErrorCode::RevocationUnavailable).
//! Stores that can be written ([`RevocationWriter`]) are what logout writes through.
//!
//! The code is laid out by what it decides: this file the interface, `memory.rs` the
//! bounded in-memory store (shards, keyed `jti` hashes, purging), `callback.rs` the adapter
//! for host closures and its fail-closed handling of a panicking callback, `writer.rs` the
//! write interface shared by every store that can revoke.

use std::sync::Arc;

use crate::claims::Principal;

mod callback;
mod memory;
mod writer;

pub use self::callback::{FnRevocationStore, RevocationAnswer};
pub use self::memory::{MemoryRevocationStore, DEFAULT_EXPIRY_GRACE, DEFAULT_REVOCATION_CAPACITY};
pub use self::writer::RevocationWriter;

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

/// A store's answer about one token, when it may also say that it cannot answer.
///
/// The verifier rejects a [`Revoked`](Self::Revoked) token with `token_revoked` and, when
/// no store said `Revoked`, an [`Unavailable`](Self::Unavailable) answer with
/// `revocation_unavailable` (HTTP 503): a store that cannot confirm its data is current
/// fails closed without claiming the token was revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationStatus {
    /// The store knows the token is not revoked.
    NotRevoked,
    /// The store knows the token is revoked.
    Revoked,
    /// The store cannot tell (for example a replica that lost contact with its source).
    Unavailable,
}

/// A source of revocation decisions. Must be safe to call from many threads at once.
pub trait RevocationStore: Send + Sync {
    /// Whether the token is revoked. A store that cannot answer must fail closed and return `true`.
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool;

    /// The three-way answer the verifier asks for. The default is
    /// [`is_revoked`](Self::is_revoked) (`true` → [`RevocationStatus::Revoked`]); a store
    /// that can tell "I cannot answer" apart overrides it. A token the store knows to be
    /// revoked must be answered `Revoked`, never `Unavailable`.
    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        if self.is_revoked(query) {
            RevocationStatus::Revoked
        } else {
            RevocationStatus::NotRevoked
        }
    }

    /// The answer about a token of the registered claims profile (docs/profiles.md), which
    /// names no principal of this library: only its `jti` (and `exp`, `None` when it has
    /// none) can be asked about. The default is [`RevocationStatus::Unavailable`] — a store
    /// that only knows how to answer [`RevocationQuery`] cannot tell, so it fails closed; the
    /// in-memory and Redis stores answer from their revoked token ids.
    fn jti_revocation_status(&self, jti: &str, exp: Option<u64>) -> RevocationStatus {
        let _ = (jti, exp);
        RevocationStatus::Unavailable
    }
}

impl<T: RevocationStore + ?Sized> RevocationStore for Arc<T> {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        (**self).is_revoked(query)
    }
    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        (**self).revocation_status(query)
    }
    fn jti_revocation_status(&self, jti: &str, exp: Option<u64>) -> RevocationStatus {
        (**self).jti_revocation_status(jti, exp)
    }
}

impl<T: RevocationStore + ?Sized> RevocationStore for Box<T> {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        (**self).is_revoked(query)
    }
    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        (**self).revocation_status(query)
    }
    fn jti_revocation_status(&self, jti: &str, exp: Option<u64>) -> RevocationStatus {
        (**self).jti_revocation_status(jti, exp)
    }
}

impl<T: RevocationStore + ?Sized> RevocationStore for &T {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        (**self).is_revoked(query)
    }
    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        (**self).revocation_status(query)
    }
    fn jti_revocation_status(&self, jti: &str, exp: Option<u64>) -> RevocationStatus {
        (**self).jti_revocation_status(jti, exp)
    }
}
