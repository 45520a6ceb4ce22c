//! `auth_core.JwksClient`: a JWK Set fetched by URL (crate `auth-jwks`, docs/jwks.md).

use std::time::{Duration, UNIX_EPOCH};

use auth_core::ClaimsProfile;
use auth_jwks::{JwksClient, JwksOptions};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::to_str;
use crate::errors::{core_detached, to_pyerr};
use crate::keys::PyKeyRing;
use crate::redis_store::seconds;
use crate::scope::PyScopeVocabulary;
use crate::verify::PyVerifier;

/// A JWK Set fetched by URL, kept in a ``KeyRing`` (docs/jwks.md).
///
/// ``JwksClient(url, *, cache_seconds=300, cooldown_seconds=30, timeout=5.0, deadline=10.0,
/// max_bytes=262144, ca_file=None, allow_http=False, honour_cache_control=True)``. ``url`` is
/// ``https://`` (``http://`` only with ``allow_http``, for a loopback test server). Nothing is
/// fetched until the first verification or ``refresh()``; a set older than ``cache_seconds``
/// (or the answer's ``Cache-Control: max-age``, within ``cooldown_seconds`` .. one day) is
/// fetched again by the next verification, and a token whose ``kid`` the set lacks makes the
/// client fetch once more, at most once per ``cooldown_seconds``. ``timeout`` bounds the
/// connection and each part of the answer, ``deadline`` the whole fetch; an answer over
/// ``max_bytes`` is refused after reading one byte more. ``ca_file``: a PEM file of CAs to
/// trust instead of the public roots. A bad answer never replaces the keys (``last_error``
/// says why); with no set fetched yet verification raises ``JwksUnavailable`` (503). One
/// fetch at a time; thread-safe; fetching releases the GIL.
#[pyclass(frozen, module = "auth_core", name = "JwksClient")]
pub struct PyJwksClient {
    client: JwksClient,
    default: Py<PyVerifier>,
}

/// Seconds that may be 0 (the cooldown).
fn seconds_or_zero(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    if obj.extract::<f64>().is_ok_and(|v| v == 0.0) && !obj.is_instance_of::<pyo3::types::PyBool>()
    {
        return Ok(Duration::ZERO);
    }
    seconds(obj, what)
}

#[pymethods]
impl PyJwksClient {
    #[new]
    #[pyo3(signature = (url, *, cache_seconds = None, cooldown_seconds = None, timeout = None,
        deadline = None, max_bytes = None, ca_file = None, allow_http = false,
        honour_cache_control = true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        cache_seconds: Option<&Bound<'_, PyAny>>,
        cooldown_seconds: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        deadline: Option<&Bound<'_, PyAny>>,
        max_bytes: Option<usize>,
        ca_file: Option<std::path::PathBuf>,
        allow_http: bool,
        honour_cache_control: bool,
    ) -> PyResult<Self> {
        let url = to_str(url, "url")?;
        let mut o = JwksOptions::default();
        if let Some(v) = cache_seconds.filter(|v| !v.is_none()) {
            o.cache_lifetime = seconds(v, "cache_seconds")?;
        }
        if let Some(v) = cooldown_seconds.filter(|v| !v.is_none()) {
            o.refetch_cooldown = seconds_or_zero(v, "cooldown_seconds")?;
        }
        if let Some(v) = timeout.filter(|v| !v.is_none()) {
            o.timeout = seconds(v, "timeout")?;
        }
        if let Some(v) = deadline.filter(|v| !v.is_none()) {
            o.deadline = seconds(v, "deadline")?;
        }
        if let Some(n) = max_bytes {
            o.max_bytes = n;
        }
        o.ca_file = ca_file;
        o.allow_http = allow_http;
        o.honour_cache_control = honour_cache_control;
        let client = JwksClient::new(&url, o).map_err(|e| to_pyerr(py, &e))?;
        let mut default = PyVerifier::build(
            client.ring(),
            [None; 3],
            ClaimsProfile::default(),
            None,
            None,
            None,
            None,
        )?;
        default.jwks = Some(client.clone());
        Ok(PyJwksClient {
            default: Py::new(py, default)?,
            client,
        })
    }

    /// The URL.
    #[getter]
    fn url(&self) -> &str {
        self.client.url()
    }

    /// The ``KeyRing`` the client keeps current (the same ring, not a copy: give it to
    /// anything that takes a ring; verify through the client or ``verifier()`` to fetch).
    #[getter]
    fn ring(&self) -> PyKeyRing {
        PyKeyRing {
            shared: self.client.ring(),
        }
    }

    /// A ``Verifier`` of the client's ring (arguments as ``Verifier``'s, ``profile`` and
    /// ``required_claims`` included) whose ``verify`` and
    /// ``verify_many`` go through the client: a stale set is fetched first, and a token whose
    /// ``kid`` the set lacks makes it fetch once more (cooldown allowing).
    #[pyo3(signature = (*, leeway = None, max_clock_skew = None, max_token_size = None,
        revocation = None, audience = None, issuer = None, vocabulary = None, profile = None,
        required_claims = None))]
    #[allow(clippy::too_many_arguments)]
    fn verifier(
        &self,
        py: Python<'_>,
        leeway: Option<&Bound<'_, PyAny>>,
        max_clock_skew: Option<&Bound<'_, PyAny>>,
        max_token_size: Option<&Bound<'_, PyAny>>,
        revocation: Option<&Bound<'_, PyAny>>,
        audience: Option<&Bound<'_, PyAny>>,
        issuer: Option<&Bound<'_, PyAny>>,
        vocabulary: Option<Py<PyScopeVocabulary>>,
        profile: Option<&str>,
        required_claims: Option<Vec<String>>,
    ) -> PyResult<PyVerifier> {
        let mut v = PyVerifier::build(
            self.client.ring(),
            [leeway, max_clock_skew, max_token_size],
            crate::registered::profile_arg(py, profile, required_claims)?,
            revocation,
            audience,
            issuer,
            vocabulary,
        )?;
        v.jwks = Some(self.client.clone());
        Ok(v)
    }

    /// Verifies ``token`` with default verification options (``verifier()`` for others), as
    /// ``Verifier.verify``; ``JwksUnavailable`` (503) while no set has been fetched.
    #[pyo3(signature = (token, *, now = None, client_ip = None, revocation = None, scopes = None))]
    fn verify(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        client_ip: Option<&Bound<'_, PyAny>>,
        revocation: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.default
            .get()
            .verify(py, token, now, client_ip, revocation, scopes)
    }

    /// Fetches the set now and replaces the keys with it (waiting for a fetch already
    /// running). Raises ``JwksUnavailable`` saying what was wrong; the keys are then unchanged.
    fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        let client = &self.client;
        core_detached(py, || client.refresh())
    }

    /// Why the last fetch failed, as an ``AuthError`` instance (not raised), or None when it
    /// succeeded or none was made.
    #[getter]
    fn last_error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.client
            .last_error()
            .map(|e| to_pyerr(py, &e).into_value(py).into_any())
    }

    /// ``{"keys": int, "attempts": int, "failures": int, "last_success": float | None (UNIX
    /// seconds), "fresh_for": float | None (seconds; 0.0: stale), "last_error": str | None}``.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.client.status();
        let d = PyDict::new(py);
        d.set_item("keys", s.keys)?;
        d.set_item("attempts", s.attempts)?;
        d.set_item("failures", s.failures)?;
        d.set_item(
            "last_success",
            s.last_success
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs_f64()),
        )?;
        d.set_item("fresh_for", s.fresh_for.map(|d| d.as_secs_f64()))?;
        d.set_item("last_error", s.last_error.map(|e| e.to_string()))?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "JwksClient({}, keys={})",
            crate::convert::str_repr(self.client.url()),
            self.client.ring().len()
        )
    }
}
