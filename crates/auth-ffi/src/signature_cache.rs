//! The verified-signature cache of a verifier (docs/signature-cache.md): a copy of a
//! verifier that remembers positive asymmetric (EdDSA, ECDSA, RSA) signature verdicts, and its counters.

use std::sync::Arc;

use authcore::{SignatureCache, SignatureCacheStats};

use crate::error::auth_error;
use crate::result::auth_result;
use crate::util::{guard, handle, new_arc, out_ptr};
use crate::verify::auth_verifier;

/// The counters of a verifier's signature cache (`auth_verifier_signature_cache_stats`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct auth_signature_cache_stats {
    /// Verifications whose signature check was skipped (the same bytes verified before
    /// under the same key ring).
    pub hits: u64,
    /// Lookups that found nothing usable.
    pub misses: u64,
    /// Verdicts stored.
    pub inserts: u64,
    /// Entries dropped to stay within the capacity.
    pub evictions: u64,
    /// Entries dropped because their token had expired.
    pub expired: u64,
    /// Times the cache was emptied because the key ring changed.
    pub invalidations: u64,
    /// Entries held now.
    pub entries: u64,
    /// Most entries held.
    pub capacity: u64,
}

impl From<SignatureCacheStats> for auth_signature_cache_stats {
    fn from(s: SignatureCacheStats) -> Self {
        auth_signature_cache_stats {
            hits: s.hits,
            misses: s.misses,
            inserts: s.inserts,
            evictions: s.evictions,
            expired: s.expired,
            invalidations: s.invalidations,
            entries: s.entries,
            capacity: s.capacity,
        }
    }
}

/// Creates a copy of `verifier` (same key ring, options and revocation store) that
/// remembers up to `capacity` tokens whose asymmetric signature verified, so that a
/// token sent again skips its signature check; every other check (times, audience,
/// issuer, IP rules, revocation, scopes) still runs on every call. Any change to the key
/// ring empties the cache; an entry never outlives its token's `exp`. `capacity` 0 gives a
/// copy without a cache. `*verifier_out` receives the copy (free with
/// `auth_verifier_free`; `verifier` itself is unchanged and still needs freeing). The
/// copy is thread-safe like any verifier; its cache is shared by its threads.
/// Errors: `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_with_signature_cache(
    verifier: *const auth_verifier,
    capacity: usize,
    verifier_out: *mut *mut auth_verifier,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let verifier = handle(verifier, "verifier")?;
        let out = out_ptr(verifier_out, "verifier_out")?;
        let mut copy = verifier.clone();
        copy.set_signature_cache((capacity > 0).then(|| Arc::new(SignatureCache::new(capacity))));
        out.write(new_arc::<auth_verifier>(Arc::new(copy)));
        Ok(())
    })
}

/// Writes the counters of `verifier`'s signature cache to `*stats_out` (all zero for a
/// verifier without one). Errors: `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_signature_cache_stats(
    verifier: *const auth_verifier,
    stats_out: *mut auth_signature_cache_stats,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let verifier = handle(verifier, "verifier")?;
        let out = out_ptr(stats_out, "stats_out")?;
        out.write(
            verifier
                .signature_cache()
                .map(|c| c.stats().into())
                .unwrap_or_default(),
        );
        Ok(())
    })
}
