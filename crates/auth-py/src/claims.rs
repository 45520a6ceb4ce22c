//! Typed claim objects: `UserClaims`, `ResellerClaims`, `Principal`, `MintedToken`,
//! `RevocationQuery`. Attribute values and `to_dict()` come straight from the core's claims.

use auth_core::{Claims, Minted, Principal, PrincipalType};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{json_to_py, opt_repr, str_repr, to_principal_type, to_u64};

/// Who a token speaks for (or who minted it: ``parent``): ``type`` (``"user"`` or
/// ``"reseller"``) and ``id``. Immutable and hashable.
#[pyclass(frozen, eq, hash, module = "auth_core", name = "Principal")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyPrincipal(pub Principal);

#[pymethods]
impl PyPrincipal {
    #[new]
    #[pyo3(signature = (r#type, id))]
    fn new(r#type: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPrincipal(Principal {
            kind: to_principal_type(r#type, "type")?,
            id: to_u64(id, "id")?,
        }))
    }

    /// ``Principal("user", id)``.
    #[staticmethod]
    fn user(id: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPrincipal(Principal::user(to_u64(id, "id")?)))
    }

    /// ``Principal("reseller", id)``.
    #[staticmethod]
    fn reseller(id: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPrincipal(Principal::reseller(to_u64(id, "id")?)))
    }

    /// ``"user"`` or ``"reseller"``.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// The user's or reseller's id.
    #[getter]
    fn id(&self) -> u64 {
        self.0.id
    }

    /// ``{"type": ..., "id": ...}`` (the ``parent`` claim's shape).
    #[allow(clippy::wrong_self_convention)] // Python's `to_dict(self)` convention
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("type", self.0.kind.as_str())?;
        d.set_item("id", self.0.id)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Principal(type={}, id={})",
            str_repr(self.0.kind.as_str()),
            self.0.id
        )
    }
}

/// The claims of a verified (or freshly minted) user token.
#[pyclass(frozen, eq, module = "auth_core", name = "UserClaims")]
#[derive(Clone, PartialEq)]
pub struct PyUserClaims(pub Claims);

/// The claims of a verified (or freshly minted) reseller token.
#[pyclass(frozen, eq, module = "auth_core", name = "ResellerClaims")]
#[derive(Clone, PartialEq)]
pub struct PyResellerClaims(pub Claims);

macro_rules! claims_class {
    ($ty:ident, $kind:literal, { $($extra:tt)* }) => {
        #[pymethods]
        impl $ty {
            /// The ``type`` claim.
            #[classattr]
            fn r#type() -> &'static str {
                $kind
            }

            /// The ``id`` claim.
            #[getter]
            fn id(&self) -> u64 {
                self.0.subject.id()
            }

            /// The ``name`` claim.
            #[getter]
            fn name(&self) -> &str {
                self.0.subject.name()
            }

            /// Issued at (``iat``), UNIX seconds.
            #[getter]
            fn iat(&self) -> u64 {
                self.0.iat
            }

            /// Expiry (``exp``), UNIX seconds; None for a static token.
            #[getter]
            fn exp(&self) -> Option<u64> {
                self.0.exp
            }

            /// Not before (``nbf``), UNIX seconds, or None.
            #[getter]
            fn nbf(&self) -> Option<u64> {
                self.0.nbf
            }

            /// The token id (``jti``): what revocation keys on.
            #[getter]
            fn jti(&self) -> &str {
                &self.0.jti
            }

            /// The token id (``jti``), under the API's name.
            #[getter]
            fn token_id(&self) -> &str {
                &self.0.jti
            }

            /// The ``token_name`` claim, or None.
            #[getter]
            fn token_name(&self) -> Option<&str> {
                self.0.token_name.as_deref()
            }

            /// The ``allowed_ips`` rules in canonical text, or None (no restriction).
            #[getter]
            fn allowed_ips(&self) -> Option<Vec<String>> {
                self.0
                    .allowed_ips
                    .as_ref()
                    .map(|rules| rules.iter().map(|r| r.to_string()).collect())
            }

            /// Who minted the token for a sub-account (``parent``), or None.
            #[getter]
            fn parent(&self) -> Option<PyPrincipal> {
                self.0.parent.map(PyPrincipal)
            }

            /// The audiences the token names (``aud``; a single string is a list of one),
            /// or None when it names none.
            #[getter]
            fn audience(&self) -> Option<Vec<String>> {
                self.0.audience.clone()
            }

            /// The issuer the token names (``iss``), or None.
            #[getter]
            fn issuer(&self) -> Option<&str> {
                self.0.issuer.as_deref()
            }

            /// The ``scope`` claim's names, sorted (``" ".join(...)`` is the claim's text),
            /// or None for a token without the claim — it may do everything its principal
            /// may. Membership here is exact; what a name includes is the vocabulary's
            /// business (``ScopeVocabulary.holds``, ``RequiredScopes.check``).
            #[getter]
            fn scope<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<Option<Bound<'py, pyo3::types::PyTuple>>> {
                self.0
                    .scope
                    .as_ref()
                    .map(|s| crate::scope::names_tuple(py, s))
                    .transpose()
            }

            /// Who the token speaks for.
            #[getter]
            fn principal(&self) -> PyPrincipal {
                PyPrincipal(self.0.principal())
            }

            /// Whether the token never expires (no ``exp``).
            #[getter]
            fn is_static(&self) -> bool {
                self.0.is_static()
            }

            /// The custom claims (every claim the library does not own), as a dict.
            #[getter]
            fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                json_to_py(py, &serde_json::Value::Object(self.0.extra.clone()))
            }

            /// The claims as the JSON object the token carries (docs/token-format.md), as a dict.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                json_to_py(py, &self.0.to_json_value())
            }

            /// The claims as JSON text.
            fn to_json(&self) -> String {
                self.0.to_json()
            }

            fn __repr__(&self) -> String {
                format!("{}({})", stringify!($ty).trim_start_matches("Py"), self.0.to_json())
            }

            $($extra)*
        }
    };
}

claims_class!(PyUserClaims, "user", {
    /// The ``admin`` claim.
    #[getter]
    fn admin(&self) -> bool {
        self.0.subject.admin().unwrap_or(false)
    }

    /// The ``sms_from`` claim, or None.
    #[getter]
    fn sms_from(&self) -> Option<&str> {
        self.0.subject.sms_from()
    }

    /// The ``user_group_id`` claim, or None.
    #[getter]
    fn user_group_id(&self) -> Option<u64> {
        self.0.subject.user_group_id()
    }
});

claims_class!(PyResellerClaims, "reseller", {});

/// The typed claims object for `claims`.
pub fn claims_to_py(py: Python<'_>, claims: Claims) -> PyResult<Py<PyAny>> {
    Ok(match claims.subject.kind() {
        PrincipalType::User => Py::new(py, PyUserClaims(claims))?.into_any(),
        PrincipalType::Reseller => Py::new(py, PyResellerClaims(claims))?.into_any(),
    })
}

/// Claims from a `UserClaims` / `ResellerClaims` argument.
pub fn claims_from_py(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Claims> {
    if let Ok(c) = obj.cast::<PyUserClaims>() {
        Ok(c.get().0.clone())
    } else if let Ok(c) = obj.cast::<PyResellerClaims>() {
        Ok(c.get().0.clone())
    } else {
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be UserClaims or ResellerClaims, not {}",
            crate::convert::type_name(obj)
        )))
    }
}

/// A freshly minted token: ``token`` (the compact JWS to hand out), ``token_id`` (``jti``),
/// ``expires_at`` (``exp``, None for a static token) and ``claims``.
#[pyclass(frozen, module = "auth_core", name = "MintedToken")]
pub struct PyMintedToken(pub Minted);

#[pymethods]
impl PyMintedToken {
    /// The compact JWS (a bearer secret: do not log it).
    #[getter]
    fn token(&self) -> &str {
        &self.0.token
    }

    /// The token id (``jti``).
    #[getter]
    fn token_id(&self) -> &str {
        self.0.token_id()
    }

    /// The expiry (``exp``) in UNIX seconds, None for a static token.
    #[getter]
    fn expires_at(&self) -> Option<u64> {
        self.0.expires_at()
    }

    /// The claims signed into the token.
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        claims_to_py(py, self.0.claims.clone())
    }

    fn __repr__(&self) -> String {
        format!(
            "MintedToken(token_id={}, expires_at={})",
            str_repr(self.0.token_id()),
            opt_repr(self.0.expires_at())
        )
    }
}

/// What a revocation callable is asked: ``jti``, ``type`` and ``id`` of the principal,
/// ``iat`` and ``exp`` (None: static) of a token that passed every other check, and its
/// ``parent`` (who delegated it, or None).
#[pyclass(frozen, module = "auth_core", name = "RevocationQuery")]
pub struct PyRevocationQuery {
    pub jti: String,
    pub principal: Principal,
    pub iat: u64,
    pub exp: Option<u64>,
    pub parent: Option<Principal>,
}

#[pymethods]
impl PyRevocationQuery {
    /// The token id.
    #[getter]
    fn jti(&self) -> &str {
        &self.jti
    }

    /// The principal's type, ``"user"`` or ``"reseller"``.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.principal.kind.as_str()
    }

    /// The principal's id.
    #[getter]
    fn id(&self) -> u64 {
        self.principal.id
    }

    /// The principal.
    #[getter]
    fn principal(&self) -> PyPrincipal {
        PyPrincipal(self.principal)
    }

    /// Issued at, UNIX seconds.
    #[getter]
    fn iat(&self) -> u64 {
        self.iat
    }

    /// Expiry, UNIX seconds, or None (static token).
    #[getter]
    fn exp(&self) -> Option<u64> {
        self.exp
    }

    /// Who minted the token for a sub-account (its ``parent`` claim), or None: a store
    /// that blocks a principal should also block what it delegated.
    #[getter]
    fn parent(&self) -> Option<PyPrincipal> {
        self.parent.map(PyPrincipal)
    }

    fn __repr__(&self) -> String {
        format!(
            "RevocationQuery(jti={}, type={}, id={}, iat={}, exp={}, parent={})",
            str_repr(&self.jti),
            str_repr(self.principal.kind.as_str()),
            self.principal.id,
            self.iat,
            opt_repr(self.exp),
            match self.parent {
                Some(p) => format!("Principal({:?}, {})", p.kind.as_str(), p.id),
                None => "None".to_owned(),
            }
        )
    }
}

/// Sets a mint request's custom claims from a dict of JSON values or JSON object text.
pub fn set_extra(
    py: Python<'_>,
    req: &mut auth_core::MintRequest,
    extra: &Bound<'_, PyAny>,
) -> PyResult<()> {
    if let Ok(text) = extra.cast::<pyo3::types::PyString>() {
        let text = crate::convert::to_str(text.as_any(), "extra")?;
        return crate::errors::core(py, || req.set_extra_json(&text));
    }
    if !extra.is_instance_of::<pyo3::types::PyDict>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "extra must be a dict or JSON object text, not {}",
            crate::convert::type_name(extra)
        )));
    }
    match crate::convert::py_to_json(extra, 0)? {
        serde_json::Value::Object(map) => {
            crate::errors::core(py, || auth_core::check_extra_claims(&map))?;
            req.extra = map;
            Ok(())
        }
        _ => Err(pyo3::exceptions::PyTypeError::new_err(
            "extra must be a dict or JSON object text",
        )),
    }
}
