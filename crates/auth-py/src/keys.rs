//! `KeyRing`: a live, shared key ring. Issuers and verifiers built from it see every
//! later change (rotation) on their next call.

use std::sync::{Arc, RwLock};

use auth_core::{Algorithm, Key, KeyRing};
use pyo3::prelude::*;

use crate::convert::{opt_repr, opt_str, str_repr, to_secret};
use crate::errors::{core, to_pyerr};

/// The ring and a version number bumped on every change.
#[derive(Default)]
pub struct SharedRing {
    state: RwLock<(u64, KeyRing)>,
}

impl SharedRing {
    /// The current version and a (cheap) copy of the ring.
    pub fn snapshot(&self) -> (u64, KeyRing) {
        let g = self.state.read().unwrap_or_else(|e| e.into_inner());
        (g.0, g.1.clone())
    }

    /// The current version.
    pub fn version(&self) -> u64 {
        self.state.read().unwrap_or_else(|e| e.into_inner()).0
    }

    fn read<R>(&self, f: impl FnOnce(&KeyRing) -> R) -> R {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()).1)
    }

    /// Applies `f` to a copy and publishes it only if `f` succeeds (all or nothing).
    fn update(
        &self,
        f: impl FnOnce(&mut KeyRing) -> auth_core::Result<()>,
    ) -> auth_core::Result<()> {
        let mut g = self.state.write().unwrap_or_else(|e| e.into_inner());
        let mut ring = g.1.clone();
        f(&mut ring)?;
        g.1 = ring;
        g.0 += 1;
        Ok(())
    }
}

/// A value derived from a ring (an issuer, a verifier), rebuilt when the ring changes.
pub struct Derived<T> {
    slot: RwLock<Option<(u64, Arc<T>)>>,
}

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived {
            slot: RwLock::new(None),
        }
    }
}

impl<T> Derived<T> {
    /// The value for the ring's current version.
    pub fn get(&self, ring: &SharedRing, build: impl FnOnce(KeyRing) -> T) -> Arc<T> {
        let version = ring.version();
        if let Some((v, t)) = &*self.slot.read().unwrap_or_else(|e| e.into_inner()) {
            if *v == version {
                return Arc::clone(t);
            }
        }
        let (version, keys) = ring.snapshot();
        let t = Arc::new(build(keys));
        *self.slot.write().unwrap_or_else(|e| e.into_inner()) = Some((version, Arc::clone(&t)));
        t
    }
}

fn algorithm(py: Python<'_>, alg: &str) -> PyResult<Algorithm> {
    Algorithm::parse(alg).map_err(|e| to_pyerr(py, &e))
}

/// Keys by ``kid``: one active key mints, every key verifies (rotation).
///
/// The ring is shared: an ``Issuer`` or ``Verifier`` built from it uses the ring's state at
/// each call, so ``add`` / ``set_active`` / ``remove`` take effect immediately. Secrets are
/// ``bytes`` (or ``str``: its UTF-8 bytes), at least 32 bytes (``WeakKey``); a ``kid`` is
/// 1-128 ASCII letters, digits or ``-_.:`` (``InvalidKey``). Thread-safe.
#[pyclass(frozen, module = "auth_core", name = "KeyRing")]
pub struct PyKeyRing {
    pub(crate) shared: Arc<SharedRing>,
}

#[pymethods]
impl PyKeyRing {
    #[new]
    fn new() -> Self {
        PyKeyRing {
            shared: Arc::new(SharedRing::default()),
        }
    }

    /// A ring holding one key, active.
    #[staticmethod]
    #[pyo3(signature = (kid, secret, alg = String::from("HS256")), text_signature = "(kid, secret, alg='HS256')")]
    fn single(
        py: Python<'_>,
        kid: String,
        secret: &Bound<'_, PyAny>,
        alg: String,
    ) -> PyResult<Self> {
        let ring = PyKeyRing::new();
        ring.add(py, kid, secret, alg)?;
        Ok(ring)
    }

    /// Adds a key; the first key added becomes active. A ``kid`` already present → ``InvalidKey``.
    #[pyo3(signature = (kid, secret, alg = String::from("HS256")), text_signature = "($self, kid, secret, alg='HS256')")]
    fn add(
        &self,
        py: Python<'_>,
        kid: String,
        secret: &Bound<'_, PyAny>,
        alg: String,
    ) -> PyResult<()> {
        let secret = to_secret(secret)?;
        let alg = algorithm(py, &alg)?;
        core(py, || {
            let key = Key::new(&kid, alg, &secret)?;
            self.shared.update(|r| r.add(key))
        })
    }

    /// Adds a key and makes it the active one in one step (rotation); older keys keep verifying.
    #[pyo3(signature = (kid, secret, alg = String::from("HS256")), text_signature = "($self, kid, secret, alg='HS256')")]
    fn rotate(
        &self,
        py: Python<'_>,
        kid: String,
        secret: &Bound<'_, PyAny>,
        alg: String,
    ) -> PyResult<()> {
        let secret = to_secret(secret)?;
        let alg = algorithm(py, &alg)?;
        core(py, || {
            let key = Key::new(&kid, alg, &secret)?;
            self.shared.update(|r| {
                r.add(key)?;
                r.set_active(&kid)
            })
        })
    }

    /// Removes (retires) a key: its tokens stop verifying. Removing the active key leaves
    /// no active key until ``set_active``. Unknown ``kid`` → ``UnknownKey``.
    fn remove(&self, py: Python<'_>, kid: String) -> PyResult<()> {
        core(py, || self.shared.update(|r| r.remove(&kid).map(|_| ())))
    }

    /// Makes ``kid`` the key new tokens are minted with. Unknown ``kid`` → ``UnknownKey``.
    fn set_active(&self, py: Python<'_>, kid: String) -> PyResult<()> {
        core(py, || self.shared.update(|r| r.set_active(&kid)))
    }

    /// The ``kid`` of the active key, or None.
    #[getter]
    fn active_kid(&self) -> Option<String> {
        self.shared.read(|r| r.active().map(|k| k.kid().to_owned()))
    }

    /// The key that verifies tokens without a ``kid`` header when the ring holds several
    /// keys (None: no default). Setting an unknown ``kid`` → ``UnknownKey``.
    #[getter]
    fn get_default_kid(&self) -> Option<String> {
        self.shared.read(|r| r.default_kid().map(str::to_owned))
    }

    #[setter]
    fn set_default_kid(&self, py: Python<'_>, kid: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let kid = opt_str(kid, "default_kid")?;
        core(py, || {
            self.shared.update(|r| r.set_default_kid(kid.as_deref()))
        })
    }

    /// Every ``kid``, in the order added.
    fn kids(&self) -> Vec<String> {
        self.shared
            .read(|r| r.keys().iter().map(|k| k.kid().to_owned()).collect())
    }

    /// The algorithm ``kid`` is pinned to (``"HS256"``...). Unknown ``kid`` → ``UnknownKey``.
    fn algorithm(&self, py: Python<'_>, kid: String) -> PyResult<&'static str> {
        core(py, || {
            self.shared
                .read(|r| r.resolve(Some(&kid)).map(|k| k.algorithm().as_str()))
        })
    }

    fn __len__(&self) -> usize {
        self.shared.read(|r| r.len())
    }

    fn __contains__(&self, kid: &Bound<'_, PyAny>) -> bool {
        match kid.extract::<String>() {
            Ok(k) => self.shared.read(|r| r.get(&k).is_some()),
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        self.shared.read(|r| {
            let kids: Vec<String> = r
                .keys()
                .iter()
                .map(|k| {
                    format!(
                        "{}: {}",
                        str_repr(k.kid()),
                        str_repr(k.algorithm().as_str())
                    )
                })
                .collect();
            format!(
                "KeyRing(keys={{{}}}, active_kid={}, default_kid={})",
                kids.join(", "),
                opt_repr(r.active().map(|k| str_repr(k.kid()))),
                opt_repr(r.default_kid().map(str_repr))
            )
        })
    }
}
