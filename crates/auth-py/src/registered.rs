//! The registered claims profile (docs/profiles.md) in Python: `RegisteredClaims`, the
//! `profile=` / `required_claims=` arguments of `Verifier`, and the dispatch by profile that
//! `Verifier.verify` and `Authenticator.authenticate*` go through (a verifier reads one
//! profile; the core refuses the other profile's call with `InvalidClaims`).

use std::net::IpAddr;

use auth_core::{
    Authenticator, Claims, ClaimsProfile, RegisteredClaims, RequiredClaims, RequiredScopes,
    Verifier, VerifyRequest,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::claims::claims_to_py;
use crate::convert::{json_to_py, str_repr};
use crate::errors::core;

/// The claims of a token read with the registered profile (``Verifier(...,
/// profile="registered")``): the RFC 7519 registered claims (None when absent), ``scope``
/// and every other member as ``custom``.
#[pyclass(frozen, module = "auth_core", name = "RegisteredClaims")]
pub struct PyRegisteredClaims(pub RegisteredClaims);

#[pymethods]
impl PyRegisteredClaims {
    /// ``iss``, or None.
    #[getter]
    fn iss(&self) -> Option<&str> {
        self.0.iss.as_deref()
    }

    /// ``sub``, or None.
    #[getter]
    fn sub(&self) -> Option<&str> {
        self.0.sub.as_deref()
    }

    /// ``aud`` as a list (a single string is a one-element list), or None.
    #[getter]
    fn aud(&self) -> Option<Vec<String>> {
        self.0.aud.clone()
    }

    /// ``exp``, UNIX seconds, or None.
    #[getter]
    fn exp(&self) -> Option<u64> {
        self.0.exp
    }

    /// ``nbf``, UNIX seconds, or None.
    #[getter]
    fn nbf(&self) -> Option<u64> {
        self.0.nbf
    }

    /// ``iat``, UNIX seconds, or None.
    #[getter]
    fn iat(&self) -> Option<u64> {
        self.0.iat
    }

    /// ``jti``, or None.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.0.jti.as_deref()
    }

    /// The ``scope`` claim's names, sorted, or None when the token has no such claim (it
    /// then holds no scope).
    #[getter]
    fn scope<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, pyo3::types::PyTuple>>> {
        self.0
            .scope
            .as_ref()
            .map(|s| crate::scope::names_tuple(py, s))
            .transpose()
    }

    /// Every other claim, as a dict of JSON values.
    #[getter]
    fn custom<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &serde_json::Value::Object(self.0.custom.clone()))
    }

    /// Every claim (registered and custom) as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.0.to_json_value())
    }

    /// Every claim as JSON text.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __repr__(&self) -> String {
        format!("RegisteredClaims({})", self.0.to_json())
    }
}

/// The claims of either profile, turned into their Python object at the end.
pub enum AnyClaims {
    Seeds(Claims),
    Registered(RegisteredClaims),
}

impl AnyClaims {
    pub fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            AnyClaims::Seeds(c) => claims_to_py(py, c),
            AnyClaims::Registered(c) => Ok(Py::new(py, PyRegisteredClaims(c))?.into_any()),
        }
    }
}

fn is_registered(v: &Verifier) -> bool {
    matches!(v.options().profile, ClaimsProfile::Registered(_))
}

/// `Verifier.verify` of either profile, as the verifier's options say.
pub fn verify_any(
    v: &Verifier,
    token: &[u8],
    request: &VerifyRequest<'_>,
) -> auth_core::Result<AnyClaims> {
    if is_registered(v) {
        v.verify_registered_with(token, request)
            .map(AnyClaims::Registered)
    } else {
        v.verify_with(token, request).map(AnyClaims::Seeds)
    }
}

/// A request that authenticated, with the claims of either profile.
pub struct Found {
    pub claims: AnyClaims,
    pub client_ip: Option<IpAddr>,
}

/// `Authenticator::authenticate_scoped_at`, or its registered-profile twin.
pub fn auth_required(
    a: &Authenticator,
    lines: &[&[u8]],
    peer: Option<IpAddr>,
    xff: &[&[u8]],
    now: Option<u64>,
    scopes: Option<&RequiredScopes>,
) -> auth_core::Result<Found> {
    if is_registered(a.verifier()) {
        let f = a.authenticate_registered_at(lines, peer, xff, now, scopes)?;
        Ok(Found {
            claims: AnyClaims::Registered(f.claims),
            client_ip: f.client_ip,
        })
    } else {
        let f = a.authenticate_scoped_at(lines, peer, xff, now, scopes)?;
        Ok(Found {
            claims: AnyClaims::Seeds(f.claims),
            client_ip: f.client_ip,
        })
    }
}

/// `Authenticator::authenticate_optional_scoped_at`, or its registered-profile twin.
pub fn auth_optional(
    a: &Authenticator,
    lines: &[&[u8]],
    peer: Option<IpAddr>,
    xff: &[&[u8]],
    now: Option<u64>,
    scopes: Option<&RequiredScopes>,
) -> auth_core::Result<Option<Found>> {
    if is_registered(a.verifier()) {
        let f = a.authenticate_registered_optional_at(lines, peer, xff, now, scopes)?;
        Ok(f.map(|f| Found {
            claims: AnyClaims::Registered(f.claims),
            client_ip: f.client_ip,
        }))
    } else {
        let f = a.authenticate_optional_scoped_at(lines, peer, xff, now, scopes)?;
        Ok(f.map(|f| Found {
            claims: AnyClaims::Seeds(f.claims),
            client_ip: f.client_ip,
        }))
    }
}

/// The `profile=` and `required_claims=` arguments of `Verifier`: `"seeds"` (default) or
/// `"registered"`; `required_claims` (a list of registered claim names, default `["exp"]`)
/// only with `"registered"` (`ValueError` otherwise; an unknown name → `InvalidRequest`).
pub fn profile_arg(
    py: Python<'_>,
    profile: Option<&str>,
    required: Option<Vec<String>>,
) -> PyResult<ClaimsProfile> {
    match (profile.unwrap_or("seeds"), required) {
        ("registered", None) => Ok(ClaimsProfile::registered()),
        ("registered", Some(names)) => {
            core(py, || RequiredClaims::parse(&names)).map(ClaimsProfile::Registered)
        }
        ("seeds", None) => Ok(ClaimsProfile::Seeds),
        ("seeds", Some(_)) => Err(PyValueError::new_err(
            "required_claims applies to profile=\"registered\" only",
        )),
        (other, _) => Err(PyValueError::new_err(format!(
            "profile must be \"seeds\" or \"registered\", not {}",
            str_repr(other)
        ))),
    }
}

/// The required claims' names of a registered verifier, or None for a seeds one.
pub fn required_names(v: &Verifier) -> Option<Vec<&'static str>> {
    match v.options().profile {
        ClaimsProfile::Registered(r) => Some(r.names()),
        _ => None,
    }
}
