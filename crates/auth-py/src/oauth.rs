//! The OAuth 2.0 endpoints' helpers (the core's `http::oauth`): RFC 7662 introspection and
//! RFC 7009 revocation forms, client credentials, who may revoke what, and the
//! introspection answer. The service moves the bytes; every rule is the core's.

use auth_core::{canonical_ip_text, ErrorCode, ScopeVocabulary, TokenForm};
use pyo3::prelude::*;

use crate::claims::claims_from_py;
use crate::convert::{str_repr, TokenArg};
use crate::errors::core;
use crate::http::{as_slices, header_lines};
use crate::scope::PyScopeVocabulary;

/// The form body of an introspection (RFC 7662 §2.1) or revocation (RFC 7009 §2.1)
/// request, read strictly by ``TokenForm.parse``: ``token``, ``token_type_hint`` (a hint
/// only) and this library's ``client_ip`` (the address the token was presented from,
/// canonical text).
#[pyclass(frozen, module = "auth_core", name = "TokenForm")]
pub struct PyTokenForm(TokenForm);

#[pymethods]
impl PyTokenForm {
    /// Reads an ``application/x-www-form-urlencoded`` body (``bytes`` or ``str``): at most
    /// 16 KiB, UTF-8, no parameter twice, a non-empty ``token`` (``InvalidRequest``
    /// otherwise; ``InvalidIpAddress`` for a bad ``client_ip``).
    #[staticmethod]
    fn parse(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Self> {
        let body = TokenArg::extract_as(body, ErrorCode::InvalidRequest, "body")?;
        core(py, || TokenForm::parse(body.as_bytes())).map(PyTokenForm)
    }

    /// The token asked about (a bearer secret: do not log it).
    #[getter]
    fn token(&self) -> &str {
        &self.0.token
    }

    /// ``token_type_hint``, or None.
    #[getter]
    fn token_type_hint(&self) -> Option<&str> {
        self.0.token_type_hint.as_deref()
    }

    /// ``client_ip`` (canonical text), or None.
    #[getter]
    fn client_ip(&self) -> Option<String> {
        self.0.client_ip.map(canonical_ip_text)
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenForm(token_type_hint={}, client_ip={})",
            self.0
                .token_type_hint
                .as_deref()
                .map_or_else(|| "None".to_owned(), str_repr),
            self.client_ip()
                .as_deref()
                .map_or_else(|| "None".to_owned(), str_repr)
        )
    }
}

/// The ``Basic`` client credentials of a request's ``Authorization`` lines (RFC 6749
/// §2.3.1): ``(client_id, client_secret)``, or None when there is no ``Basic`` credential;
/// ``InvalidRequest`` for one that is not ``base64(id:secret)`` or several lines.
#[pyfunction]
pub fn client_credentials(
    py: Python<'_>,
    authorization: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<(String, String)>> {
    let lines = header_lines(authorization, "authorization")?;
    core(py, || auth_core::client_credentials(&as_slices(&lines)))
}

/// Whether the holder of ``caller`` may revoke ``token`` (both claims) through RFC 7009: a
/// token of its own principal, or one it minted for a sub-account.
#[pyfunction]
pub fn may_revoke(caller: &Bound<'_, PyAny>, token: &Bound<'_, PyAny>) -> PyResult<bool> {
    let caller = claims_from_py(caller, "caller")?;
    let token = claims_from_py(token, "token")?;
    Ok(auth_core::may_revoke(&caller, &token))
}

/// The RFC 7662 §2.2 answer (JSON text) for ``claims``: ``{"active": false}`` for None
/// (every failure: nothing else is said), else ``{"active": true, "scope", "token_type",
/// "sub", ...}`` with ``scope`` every declared name the token holds through ``vocabulary``.
#[pyfunction]
#[pyo3(signature = (claims, vocabulary = None))]
pub fn introspection_json(
    claims: Option<&Bound<'_, PyAny>>,
    vocabulary: Option<&Bound<'_, PyScopeVocabulary>>,
) -> PyResult<String> {
    let claims = match claims.filter(|c| !c.is_none()) {
        Some(c) => Some(claims_from_py(c, "claims")?),
        None => None,
    };
    let empty = ScopeVocabulary::new();
    let vocabulary = vocabulary.map_or(&empty, |v| &v.get().0);
    Ok(auth_core::introspection_json(claims.as_ref(), vocabulary))
}
