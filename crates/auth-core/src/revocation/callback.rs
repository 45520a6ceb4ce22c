//! The closure adapter: a host's own revocation source (a database, a cache, a C callback,
//! a Python callable) as a [`RevocationStore`]. A closure that fails — returns an error,
//! says [`RevocationStatus::Unavailable`] or panics — makes verification answer
//! `revocation_unavailable` (HTTP 503), not `token_revoked`.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{RevocationQuery, RevocationStatus, RevocationStore};

/// What a revocation closure may return: `bool` (`true`: revoked), a
/// [`RevocationStatus`], or a `Result` of either, whose `Err` means "cannot answer"
/// ([`RevocationStatus::Unavailable`]).
pub trait RevocationAnswer {
    /// The answer as a status.
    fn into_status(self) -> RevocationStatus;
}

impl RevocationAnswer for bool {
    fn into_status(self) -> RevocationStatus {
        if self {
            RevocationStatus::Revoked
        } else {
            RevocationStatus::NotRevoked
        }
    }
}

impl RevocationAnswer for RevocationStatus {
    fn into_status(self) -> RevocationStatus {
        self
    }
}

impl<A: RevocationAnswer, E> RevocationAnswer for Result<A, E> {
    fn into_status(self) -> RevocationStatus {
        match self {
            Ok(a) => a.into_status(),
            Err(_) => RevocationStatus::Unavailable,
        }
    }
}

/// A [`RevocationStore`] backed by a host closure `Fn(&RevocationQuery) -> A`, where `A`
/// is a [`RevocationAnswer`]: `bool`, [`RevocationStatus`], or a `Result` of either.
///
/// This is how a host plugs in its own revocation source (a database, a cache, a C callback,
/// a Python callable). A closure that cannot decide returns `Err(_)` (or
/// [`RevocationStatus::Unavailable`]); the verifier then fails closed with
/// `revocation_unavailable` (HTTP 503) rather than claiming the token was revoked. A
/// closure that panics counts the same: the panic is caught and the answer is
/// `Unavailable` (when the program is built with `panic = "abort"` it aborts instead).
///
/// Shareable across threads like any other store (the closure must be `Send + Sync`).
///
/// ```
/// use auth_core::Principal;
/// use auth_core::{FnRevocationStore, RevocationQuery, RevocationStatus, RevocationStore};
///
/// let store = FnRevocationStore::new(|q: &RevocationQuery<'_>| q.jti == "stolen");
/// let query = RevocationQuery::new("stolen", Principal::user(7), 0, None);
/// assert!(store.is_revoked(&query));
///
/// // A source that can fail: an error is "cannot answer", not "revoked".
/// let db_down = FnRevocationStore::new(|_q: &RevocationQuery<'_>| -> Result<bool, String> {
///     Err("connection refused".into())
/// });
/// assert_eq!(db_down.revocation_status(&query), RevocationStatus::Unavailable);
/// ```
#[derive(Clone)]
pub struct FnRevocationStore<F> {
    f: F,
}

impl<F> FnRevocationStore<F> {
    /// Wraps `f`, which answers whether the queried token is revoked.
    pub fn new<A>(f: F) -> Self
    where
        F: Fn(&RevocationQuery<'_>) -> A + Send + Sync,
        A: RevocationAnswer,
    {
        FnRevocationStore { f }
    }

    /// Unwraps the closure.
    pub fn into_inner(self) -> F {
        self.f
    }
}

impl<F, A> RevocationStore for FnRevocationStore<F>
where
    F: Fn(&RevocationQuery<'_>) -> A + Send + Sync,
    A: RevocationAnswer,
{
    /// `true` unless the closure answered "not revoked" (a failure fails closed).
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        self.revocation_status(query) != RevocationStatus::NotRevoked
    }

    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        // A panicking callback cannot answer: fail closed, as unavailable.
        catch_unwind(AssertUnwindSafe(|| (self.f)(query).into_status()))
            .unwrap_or(RevocationStatus::Unavailable)
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

    fn query() -> RevocationQuery<'static> {
        RevocationQuery::new("any", crate::claims::Principal::user(1), 100, Some(1_000))
    }

    #[test]
    fn panicking_callback_is_unavailable_and_fails_closed() {
        let store = FnRevocationStore::new(|_q: &RevocationQuery<'_>| -> bool {
            panic!("host callback failed")
        });
        assert_eq!(
            store.revocation_status(&query()),
            RevocationStatus::Unavailable
        );
        assert!(store.is_revoked(&query()));
    }

    #[test]
    fn answers_map_to_statuses() {
        let status = |a: &dyn Fn() -> RevocationStatus| a();
        assert_eq!(status(&|| true.into_status()), RevocationStatus::Revoked);
        assert_eq!(
            status(&|| false.into_status()),
            RevocationStatus::NotRevoked
        );
        assert_eq!(
            Ok::<bool, ()>(false).into_status(),
            RevocationStatus::NotRevoked
        );
        assert_eq!(
            Err::<bool, &str>("down").into_status(),
            RevocationStatus::Unavailable
        );
        assert_eq!(
            Ok::<_, ()>(RevocationStatus::Revoked).into_status(),
            RevocationStatus::Revoked
        );
        let failing = FnRevocationStore::new(|_q: &RevocationQuery<'_>| Err::<bool, ()>(()));
        assert_eq!(
            failing.revocation_status(&query()),
            RevocationStatus::Unavailable
        );
        assert!(failing.is_revoked(&query()));
    }
}
