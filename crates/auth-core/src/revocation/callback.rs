//! The closure adapter: a host's own revocation source (a database, a cache, a C callback,
//! a Python callable) as a [`RevocationStore`], failing closed when the closure panics.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{RevocationQuery, RevocationStore};

/// A [`RevocationStore`] backed by a host closure `Fn(&RevocationQuery) -> bool`.
///
/// This is how a host plugs in its own revocation source (a database, a cache, a C callback,
/// a Python callable). The closure returns `true` for "revoked". It must answer `true` when it
/// cannot decide (fail closed). If the closure panics, the panic is caught and the token is
/// treated as revoked (when the program is built with `panic = "abort"` it aborts instead).
///
/// Shareable across threads like any other store (the closure must be `Send + Sync`).
///
/// ```
/// use auth_core::Principal;
/// use auth_core::{FnRevocationStore, RevocationQuery, RevocationStore};
///
/// let store = FnRevocationStore::new(|q: &RevocationQuery<'_>| q.jti == "stolen");
/// let query = RevocationQuery::new("stolen", Principal::user(7), 0, None);
/// assert!(store.is_revoked(&query));
/// ```
#[derive(Clone)]
pub struct FnRevocationStore<F> {
    f: F,
}

impl<F> FnRevocationStore<F>
where
    F: Fn(&RevocationQuery<'_>) -> bool + Send + Sync,
{
    /// Wraps `f`, which returns `true` when the queried token is revoked.
    pub fn new(f: F) -> Self {
        FnRevocationStore { f }
    }

    /// Unwraps the closure.
    pub fn into_inner(self) -> F {
        self.f
    }
}

impl<F> RevocationStore for FnRevocationStore<F>
where
    F: Fn(&RevocationQuery<'_>) -> bool + Send + Sync,
{
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        // A panicking callback cannot answer: fail closed.
        catch_unwind(AssertUnwindSafe(|| (self.f)(query))).unwrap_or(true)
    }
}

impl<F> fmt::Debug for FnRevocationStore<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnRevocationStore").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panicking_callback_fails_closed() {
        let store = FnRevocationStore::new(|_q: &RevocationQuery<'_>| -> bool {
            panic!("host callback failed")
        });
        assert!(store.is_revoked(&RevocationQuery {
            jti: "any",
            principal: crate::claims::Principal::user(1),
            iat: 100,
            exp: Some(1_000),
            parent: None,
        }));
    }
}
