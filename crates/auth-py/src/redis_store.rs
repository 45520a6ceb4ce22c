//! `auth_core.RedisRevocationStore`: the Redis-backed store of `auth-redis` (writes durable
//! in Redis, reads from a local replica), usable wherever a revocation store is.

use std::sync::Arc;
use std::time::Duration;

use auth_core::RevocationWriter;
use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::claims::claims_from_py;
use crate::convert::{opt_time, to_principal, to_str, to_time, type_name};
use crate::errors::core_detached;

/// Seconds as an int, a float or a ``timedelta``; positive and finite.
pub(crate) fn seconds(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    let secs: f64 = if obj.hasattr("total_seconds")? {
        obj.call_method0("total_seconds")?.extract()?
    } else if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be seconds, not bool"
        )));
    } else {
        obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} must be seconds (int, float or timedelta), not {}",
                type_name(obj)
            ))
        })?
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 * 365.0 {
        return Err(PyValueError::new_err(format!(
            "{what} must be positive seconds (at most a year), got {secs}"
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A revocation store shared by every process through Redis.
///
/// ``RedisRevocationStore(url, *, max_staleness=2.0, key_prefix="auth:rev:",
/// fail_open_for=None, io_timeout=2.0, start_timeout=5.0, stream_maxlen=1000000,
/// expiry_grace=3600, ca_file=None, cert_file=None, key_file=None)``. ``url`` is
/// ``redis://[user:password@]host:port[/db]``, or ``rediss://`` for TLS: ``ca_file`` is the CA
/// (PEM) to trust instead of the public roots, ``cert_file`` and ``key_file`` a client
/// certificate for mutual TLS; the server's name (the URL's host) is always checked.
/// ``sentinels`` (``["HOST:PORT", ...]``) and ``master`` find the primary through Redis
/// Sentinel (the URL's host is then not used) and follow a failover; ``min_replicas``: a write
/// is acknowledged once that many replicas have it (``WAIT``; default 1 under Sentinel while
/// the primary has a replica, else 0). ``cluster`` (``["HOST:PORT", ...]``): a Redis Cluster's
/// seed nodes; the primary serving the store's one slot is found at every connection.
/// Writes (``revoke``, ``revoke_claims``, ``logout``, ``revoke_principal_before``) return once
/// Redis acknowledged them (else ``RevocationUnavailable``; the revocation still holds in this
/// process) and every other process sees them within milliseconds. Verification reads a local
/// replica only; when the replica cannot confirm it is current within ``max_staleness``
/// seconds, verification raises ``RevocationUnavailable`` (503) unless ``fail_open_for``
/// (seconds) allows a bounded fail-open. A token known to be revoked is always rejected.
/// The constructor waits up to ``start_timeout`` seconds (0: not at all) for the first
/// catch-up and raises ``RevocationUnavailable`` if it did not finish.
#[pyclass(frozen, module = "auth_core", name = "RedisRevocationStore")]
pub struct PyRedisStore {
    pub(crate) store: Arc<RedisRevocationStore>,
}

#[pymethods]
impl PyRedisStore {
    #[new]
    #[pyo3(signature = (url, *, max_staleness = None, key_prefix = None, fail_open_for = None,
        io_timeout = None, start_timeout = 5.0, stream_maxlen = None, expiry_grace = None,
        ca_file = None, cert_file = None, key_file = None, sentinels = None, master = None,
        min_replicas = None, cluster = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        max_staleness: Option<&Bound<'_, PyAny>>,
        key_prefix: Option<&Bound<'_, PyAny>>,
        fail_open_for: Option<&Bound<'_, PyAny>>,
        io_timeout: Option<&Bound<'_, PyAny>>,
        start_timeout: f64,
        stream_maxlen: Option<u64>,
        expiry_grace: Option<u64>,
        ca_file: Option<std::path::PathBuf>,
        cert_file: Option<std::path::PathBuf>,
        key_file: Option<std::path::PathBuf>,
        sentinels: Option<Vec<String>>,
        master: Option<String>,
        min_replicas: Option<u32>,
        cluster: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let url = to_str(url, "url")?;
        let mut o = RedisStoreOptions::default();
        if let Some(v) = max_staleness.filter(|v| !v.is_none()) {
            o.max_staleness = seconds(v, "max_staleness")?;
        }
        if let Some(v) = key_prefix.filter(|v| !v.is_none()) {
            o.key_prefix = to_str(v, "key_prefix")?;
        }
        if let Some(v) = fail_open_for.filter(|v| !v.is_none()) {
            o.fail_open_for = Some(seconds(v, "fail_open_for")?);
        }
        if let Some(v) = io_timeout.filter(|v| !v.is_none()) {
            o.io_timeout = seconds(v, "io_timeout")?;
        }
        if !start_timeout.is_finite() || !(0.0..=3_600.0).contains(&start_timeout) {
            return Err(PyValueError::new_err(format!(
                "start_timeout must be 0 to 3600 seconds, got {start_timeout}"
            )));
        }
        o.start_timeout = (start_timeout > 0.0).then(|| Duration::from_secs_f64(start_timeout));
        if let Some(n) = stream_maxlen {
            o.stream_maxlen = n;
        }
        if let Some(g) = expiry_grace {
            o.expiry_grace = g;
        }
        o.tls.ca_file = ca_file;
        o.tls.cert_file = cert_file;
        o.tls.key_file = key_file;
        match (sentinels, master) {
            (Some(s), Some(m)) => o.sentinel = Some(auth_redis::SentinelConfig::new(s, m)),
            (None, None) => {}
            _ => {
                return Err(PyValueError::new_err(
                    "sentinels and master go together (the sentinels' HOST:PORT list and the primary set's name)",
                ))
            }
        }
        o.min_replicas = min_replicas;
        o.cluster = cluster;
        let store = core_detached(py, || RedisRevocationStore::connect(&url, o))?;
        Ok(PyRedisStore {
            store: Arc::new(store),
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
        core_detached(py, || {
            RevocationWriter::revoke(&*self.store, &jti, exp, now)
        })
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
        core_detached(py, || self.store.revoke_claims(&claims, now))
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

    /// Revokes every token of ``principal`` issued up to ``before`` (and what it delegated).
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
        core_detached(py, || {
            self.store.revoke_principal_before(principal, before, now)
        })
    }

    /// Whether the token id is revoked in the local replica at ``now``.
    #[pyo3(signature = (jti, *, now = None))]
    fn is_revoked(&self, jti: &Bound<'_, PyAny>, now: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        let jti = to_str(jti, "jti")?;
        let now = opt_time(now, "now")?;
        Ok(self.store.is_jti_revoked(&jti, now))
    }

    /// The cutoff set for ``principal`` in the local replica, or None.
    fn principal_cutoff(&self, principal: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
        Ok(self
            .store
            .principal_cutoff(to_principal(principal, "principal")?))
    }

    /// Waits until the replica is current, at most ``timeout`` seconds; raises
    /// ``RevocationUnavailable`` if it is not.
    fn wait_current(&self, py: Python<'_>, timeout: &Bound<'_, PyAny>) -> PyResult<()> {
        let timeout = seconds(timeout, "timeout")?;
        core_detached(py, || self.store.wait_current(timeout))
    }

    /// The store's state: ``connected``, ``current``, ``staleness`` (seconds or None),
    /// ``last_error`` (str or None), ``entries``, ``snapshots``, ``applied``,
    /// ``memory_bytes``.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.store.status();
        let d = PyDict::new(py);
        d.set_item("connected", s.connected)?;
        d.set_item("current", s.current)?;
        d.set_item("staleness", s.staleness.map(|d| d.as_secs_f64()))?;
        d.set_item("last_error", s.last_error)?;
        d.set_item("entries", s.entries)?;
        d.set_item("snapshots", s.snapshots)?;
        d.set_item("applied", s.applied)?;
        d.set_item("memory_bytes", self.store.approx_memory_bytes())?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.store.status().entries
    }

    fn __repr__(&self) -> String {
        let s = self.store.status();
        format!(
            "RedisRevocationStore(key_prefix={:?}, connected={}, current={}, len={})",
            self.store.options().key_prefix,
            s.connected,
            s.current,
            s.entries
        )
    }
}
