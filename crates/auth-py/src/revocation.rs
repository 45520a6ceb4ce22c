//! Revocation: the core's in-memory store, and Python callables as stores.

use std::sync::Arc;

use auth_core::{MemoryRevocationStore, DEFAULT_EXPIRY_GRACE, DEFAULT_REVOCATION_CAPACITY};
use auth_core::{RevocationQuery, RevocationStatus, RevocationStore};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBool;

use crate::claims::{claims_from_py, PyRevocationQuery};
use crate::convert::{opt_duration, opt_time, opt_u64, to_principal, to_str, to_time, type_name};
use crate::errors::core;

/// The core's thread-safe in-memory revocation store, with bounded memory.
///
/// ``capacity_limit`` (default 1,000,000) bounds the entries (revoked token ids plus
/// principal cutoffs); a full store refuses new revocations with ``RevocationStoreFull``
/// rather than forget one. ``expiry_grace`` keeps a dynamic token's revocation until
/// ``exp + grace`` (set it to at least the verifier's leeway). ``now`` arguments default to
/// the system clock and take int seconds or an aware datetime.
#[pyclass(frozen, module = "auth_core", name = "MemoryRevocationStore")]
pub struct PyMemoryStore {
    pub(crate) store: Arc<MemoryRevocationStore>,
}

#[pymethods]
impl PyMemoryStore {
    #[new]
    #[pyo3(
        signature = (capacity_limit = None, expiry_grace = None),
        text_signature = "(capacity_limit=1000000, expiry_grace=3600)"
    )]
    fn new(
        capacity_limit: Option<&Bound<'_, PyAny>>,
        expiry_grace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let limit = opt_u64(capacity_limit, "capacity_limit")?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .unwrap_or(DEFAULT_REVOCATION_CAPACITY);
        let grace = opt_duration(expiry_grace, "expiry_grace")?.unwrap_or(DEFAULT_EXPIRY_GRACE);
        Ok(PyMemoryStore {
            store: Arc::new(
                MemoryRevocationStore::with_capacity_limit(limit).with_expiry_grace(grace),
            ),
        })
    }

    /// Revokes one token id until the token's ``exp`` (None: a static token, kept forever).
    #[pyo3(signature = (jti, exp = None, *, now = None))]
    fn revoke(
        &self,
        py: Python<'_>,
        jti: &Bound<'_, PyAny>,
        exp: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let jti = to_str(jti, "jti")?;
        let exp = opt_time(exp, "exp")?;
        let now = opt_time(now, "now")?;
        core(py, || self.store.revoke(&jti, exp, now))
    }

    /// Revokes the token these claims describe (logout).
    #[pyo3(signature = (claims, *, now = None))]
    fn revoke_claims(
        &self,
        py: Python<'_>,
        claims: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let claims = claims_from_py(claims, "claims")?;
        let now = opt_time(now, "now")?;
        core(py, || self.store.revoke_claims(&claims, now))
    }

    /// Logout: the same as ``revoke_claims``.
    #[pyo3(signature = (claims, *, now = None))]
    fn logout(
        &self,
        py: Python<'_>,
        claims: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.revoke_claims(py, claims, now)
    }

    /// Revokes every token of ``principal`` (a ``Principal`` or ``(type, id)``) issued
    /// up to ``before`` (``iat <= before``, so a token minted in the same second is revoked too),
    /// and every token it delegated (``parent``): password change, blocked account.
    /// ``now`` (default: the system clock) is only used to purge expired entries when the
    /// store is full.
    #[pyo3(signature = (principal, before, *, now = None))]
    fn revoke_principal_before(
        &self,
        py: Python<'_>,
        principal: &Bound<'_, PyAny>,
        before: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let principal = to_principal(principal, "principal")?;
        let before = to_time(before, "before")?;
        let now = opt_time(now, "now")?;
        core(py, || {
            self.store.revoke_principal_before(principal, before, now)
        })
    }

    /// Forgets revocations of expired tokens; returns how many were dropped.
    #[pyo3(signature = (now = None))]
    fn purge_expired(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
        let now = opt_time(now, "now")?;
        Ok(self.store.purge_expired(now))
    }

    /// Whether the token id is revoked at ``now``.
    #[pyo3(signature = (jti, *, now = None))]
    fn is_revoked(&self, jti: &Bound<'_, PyAny>, now: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        let jti = to_str(jti, "jti")?;
        let now = opt_time(now, "now")?;
        Ok(self.store.is_jti_revoked(&jti, now))
    }

    /// The cutoff set for ``principal``, or None.
    fn principal_cutoff(&self, principal: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
        Ok(self
            .store
            .principal_cutoff(to_principal(principal, "principal")?))
    }

    /// The entry limit.
    #[getter]
    fn capacity_limit(&self) -> usize {
        self.store.capacity_limit()
    }

    fn __len__(&self) -> usize {
        self.store.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "MemoryRevocationStore(len={}, capacity_limit={})",
            self.store.len(),
            self.store.capacity_limit()
        )
    }
}

/// A revocation source given to a verifier.
pub enum Revocation {
    /// The core's store: consulted without the GIL.
    Memory(Arc<MemoryRevocationStore>),
    /// A Python callable `(RevocationQuery) -> bool`, called with the GIL.
    Callable(Arc<CallbackStore>),
    /// The Redis-backed store: a local replica, consulted without the GIL.
    Redis(Arc<auth_redis::RedisRevocationStore>),
}

impl Revocation {
    /// `MemoryRevocationStore` or a callable (None → None); anything else → TypeError.
    pub fn from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Revocation>> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(None);
        };
        if let Ok(m) = obj.cast::<PyMemoryStore>() {
            Ok(Some(Revocation::Memory(Arc::clone(&m.get().store))))
        } else if let Ok(r) = obj.cast::<crate::redis_store::PyRedisStore>() {
            Ok(Some(Revocation::Redis(Arc::clone(&r.get().store))))
        } else if obj.is_callable() {
            Ok(Some(Revocation::Callable(Arc::new(CallbackStore {
                func: obj.clone().unbind(),
            }))))
        } else {
            Err(PyTypeError::new_err(format!(
                "revocation must be a MemoryRevocationStore, a RedisRevocationStore or a callable, not {}",
                type_name(obj)
            )))
        }
    }

    /// The object for Python (`Verifier.revocation`).
    pub fn to_object(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Revocation::Memory(store) => Ok(Py::new(
                py,
                PyMemoryStore {
                    store: Arc::clone(store),
                },
            )?
            .into_any()),
            Revocation::Callable(f) => Ok(f.func.clone_ref(py)),
            Revocation::Redis(store) => Ok(Py::new(
                py,
                crate::redis_store::PyRedisStore {
                    store: Arc::clone(store),
                },
            )?
            .into_any()),
        }
    }

    /// The source as a core store (for the core verifier to keep).
    pub fn to_store(&self) -> Arc<dyn RevocationStore> {
        match self {
            Revocation::Memory(store) => store.clone(),
            Revocation::Callable(f) => f.clone(),
            Revocation::Redis(store) => store.clone(),
        }
    }

    /// The source as a core store for one call.
    pub fn as_store(&self) -> &dyn RevocationStore {
        match self {
            Revocation::Memory(store) => &**store,
            Revocation::Callable(f) => &**f,
            Revocation::Redis(store) => &**store,
        }
    }
}

std::thread_local! {
    /// The first failure of a revocation callable during the current verification on this
    /// thread (the core calls stores on the verifying thread).
    static CALLBACK_FAILURE: std::cell::RefCell<Option<PyErr>> = const { std::cell::RefCell::new(None) };
}

/// A Python callable as a core [`RevocationStore`].
///
/// The callable must return a `bool` (`True`: revoked). If it raises an `Exception`, or
/// returns anything else, it could not answer: the core gets
/// [`RevocationStatus::Unavailable`] (verification fails closed with
/// `RevocationUnavailable`, 503, unless another store says revoked) and the problem is kept
/// for the thread's current verification ([`CallbackStore::run`]) so that the error raised
/// to the caller can carry it as `__cause__`. Any other `BaseException`
/// (`KeyboardInterrupt`, `SystemExit`, ...) also fails closed inside the core, but is kept
/// apart ([`CallbackStore::is_fatal`]) and raised to the caller unchanged, and no later
/// token of a batch calls the callable again.
pub struct CallbackStore {
    func: Py<PyAny>,
}

impl CallbackStore {
    /// Runs one verification `f` and returns its result with the first failure of a
    /// revocation callable during it (its exception, or a TypeError for a non-bool answer).
    /// A verification nested in a callable keeps its own failures.
    pub fn run<T>(f: impl FnOnce() -> T) -> (T, Option<PyErr>) {
        let outer = CALLBACK_FAILURE.with(|c| c.borrow_mut().take());
        let r = f();
        let failure = CALLBACK_FAILURE.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer));
        (r, failure)
    }

    /// Whether the recorded failure is not an `Exception` (an interrupt or exit that must
    /// reach the caller unchanged rather than become `RevocationUnavailable`).
    pub fn is_fatal(py: Python<'_>, err: &PyErr) -> bool {
        !err.is_instance_of::<pyo3::exceptions::PyException>(py)
    }
}

impl RevocationStore for CallbackStore {
    fn is_revoked(&self, q: &RevocationQuery<'_>) -> bool {
        self.revocation_status(q) != RevocationStatus::NotRevoked
    }

    fn revocation_status(&self, q: &RevocationQuery<'_>) -> RevocationStatus {
        Python::attach(|py| {
            let outcome = (|| -> PyResult<bool> {
                let query = Py::new(
                    py,
                    PyRevocationQuery {
                        jti: q.jti.to_owned(),
                        principal: q.principal,
                        iat: q.iat,
                        exp: q.exp,
                        parent: q.parent,
                    },
                )?;
                let answer = self.func.bind(py).call1((query,))?;
                match answer.cast::<PyBool>() {
                    Ok(b) => Ok(b.is_true()),
                    Err(_) => Err(PyTypeError::new_err(format!(
                        "the revocation callable must return bool, not {}",
                        type_name(&answer)
                    ))),
                }
            })();
            match outcome {
                Ok(true) => RevocationStatus::Revoked,
                Ok(false) => RevocationStatus::NotRevoked,
                Err(e) => {
                    CALLBACK_FAILURE.with(|c| {
                        let mut slot = c.borrow_mut();
                        if slot.is_none() {
                            *slot = Some(e);
                        }
                    });
                    RevocationStatus::Unavailable
                }
            }
        })
    }
}
