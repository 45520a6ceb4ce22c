//! The revocation store the service writes to at logout, as a trait object, so that another
//! store (Redis) can take the in-memory store's place without touching the routes.

use auth_core::{MemoryRevocationStore, Result, RevocationStore};

/// A revocation store the service can also write to. The verifier reads it through
/// [`RevocationStore`]; logout writes through [`revoke_id`](Self::revoke_id).
pub trait Revoker: RevocationStore {
    /// Revokes token `jti`, expiring at `exp` (`None`: static, kept for good).
    fn revoke_id(&self, jti: &str, exp: Option<u64>) -> Result<()>;

    /// How long after `exp` a revocation is still needed (the verifier's leeway at least);
    /// revocations older than that are not reloaded at start.
    fn expiry_grace(&self) -> u64;
}

impl Revoker for MemoryRevocationStore {
    fn revoke_id(&self, jti: &str, exp: Option<u64>) -> Result<()> {
        self.revoke(jti, exp, None)
    }

    fn expiry_grace(&self) -> u64 {
        MemoryRevocationStore::expiry_grace(self)
    }
}
