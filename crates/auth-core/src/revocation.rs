//! Revocation (SPEC §6). INTERFACE STUB.

use crate::claims::Principal;

/// What a revocation store is asked about a token that passed every other check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationQuery<'a> {
    /// The token id (`jti`).
    pub jti: &'a str,
    /// Who the token speaks for.
    pub principal: Principal,
    /// When the token was issued.
    pub iat: u64,
    /// When it expires (`None`: static).
    pub exp: Option<u64>,
}

/// A source of revocation decisions. Must be safe to call from many threads at once.
pub trait RevocationStore: Send + Sync {
    /// Whether the token is revoked. A store that cannot answer must fail closed and return `true`.
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool;
}
