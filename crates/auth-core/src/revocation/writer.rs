//! The write side of revocation: what logout and account changes call on any store that can
//! revoke, the in-memory store or a shared one (a separate crate that does the I/O).

use std::sync::Arc;

use super::MemoryRevocationStore;
use crate::claims::{Claims, Principal};
use crate::error::Result;

/// A revocation store that can be written: revoke one token, or every token of a principal
/// issued up to a time. Implemented by [`MemoryRevocationStore`] and by shared stores; the
/// [`logout`](crate::logout) helper writes through it.
///
/// `now` is UNIX seconds (`None`: the system clock), as for the in-memory store. A shared
/// store returns only once its source acknowledged the write (or an error).
pub trait RevocationWriter: Send + Sync {
    /// Revokes one token id until the token has expired (`exp`; `None`: a static token,
    /// revoked for good). See [`MemoryRevocationStore::revoke`].
    fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> Result<()>;

    /// Revokes the token these verified claims describe: [`revoke`](Self::revoke) with
    /// `claims.jti` and `claims.exp`.
    fn revoke_claims(&self, claims: &Claims, now: Option<u64>) -> Result<()> {
        self.revoke(&claims.jti, claims.exp, now)
    }

    /// Revokes every token of `principal` (and every token it delegated) issued at or before
    /// `before`; a later cutoff is kept. See [`MemoryRevocationStore::revoke_principal_before`].
    fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> Result<()>;
}

impl RevocationWriter for MemoryRevocationStore {
    fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> Result<()> {
        MemoryRevocationStore::revoke(self, jti, exp, now)
    }

    fn revoke_claims(&self, claims: &Claims, now: Option<u64>) -> Result<()> {
        MemoryRevocationStore::revoke_claims(self, claims, now)
    }

    fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> Result<()> {
        MemoryRevocationStore::revoke_principal_before(self, principal, before, now)
    }
}

impl<T: RevocationWriter + ?Sized> RevocationWriter for Arc<T> {
    fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> Result<()> {
        (**self).revoke(jti, exp, now)
    }

    fn revoke_claims(&self, claims: &Claims, now: Option<u64>) -> Result<()> {
        (**self).revoke_claims(claims, now)
    }

    fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> Result<()> {
        (**self).revoke_principal_before(principal, before, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::{RevocationQuery, RevocationStore};

    fn write_through(w: &dyn RevocationWriter) {
        w.revoke("a", Some(2_000), Some(1_000)).unwrap();
        w.revoke_principal_before(Principal::user(7), 500, Some(1_000))
            .unwrap();
    }

    #[test]
    fn memory_store_writes_through_the_trait() {
        let store = MemoryRevocationStore::new();
        write_through(&store);
        assert!(store.is_revoked(&RevocationQuery::new(
            "a",
            Principal::user(1),
            900,
            Some(2_000)
        )));
        assert!(store.is_revoked(&RevocationQuery::new(
            "b",
            Principal::user(7),
            500,
            Some(2_000)
        )));
        assert!(!store.is_revoked(&RevocationQuery::new(
            "b",
            Principal::user(7),
            501,
            Some(2_000)
        )));
        assert!(RevocationWriter::revoke(&store, "", None, Some(1)).is_err());
    }
}
