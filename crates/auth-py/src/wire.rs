//! The docs/apis.md request/response shapes (the core's `wire` module) and the token API:
//! token-creation requests (JSON/XML), token creation and its responses, error bodies.
//! The login API is in `login.rs`.

use auth_core::{
    CreateTokenRequest, CreatedToken, Error, ErrorCode, Format, Subject, TokenCreationPolicy,
    TokenTarget,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::claims::{claims_from_py, claims_to_py, PyMintedToken};
use crate::convert::{
    opt_str, opt_time, opt_u64, to_principal_type, to_str, to_u64, type_name, TokenArg,
};
use crate::errors::{core, core_detached};
use crate::issue::PyIssuer;
use crate::scope::names_tuple;

fn to_format(obj: &Bound<'_, PyAny>) -> PyResult<Format> {
    match to_str(obj, "format")?.as_str() {
        "json" => Ok(Format::Json),
        "xml" => Ok(Format::Xml),
        other => Err(PyValueError::new_err(format!(
            "format must be 'json' or 'xml', got {other:?}"
        ))),
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Xml => "xml",
    }
}

/// A Python `AuthError` instance back as a core error (its `code` and `message`).
fn error_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Error> {
    let base = obj.py().get_type::<crate::errors::AuthError>();
    if !obj.is_instance(&base)? {
        return Err(PyTypeError::new_err(format!(
            "error must be an AuthError, not {}",
            type_name(obj)
        )));
    }
    let code: String = obj.getattr("code")?.extract()?;
    let code = ErrorCode::from_name(&code)
        .ok_or_else(|| PyValueError::new_err(format!("{code:?} is not an auth-core error code")))?;
    let message: String = obj
        .getattr("message")
        .and_then(|m| m.extract())
        .unwrap_or_else(|_| code.default_message().to_owned());
    Ok(crate::errors::error_from_parts(obj, code, message))
}

/// A body: `bytes` or `str`.
fn body_bytes(obj: &Bound<'_, PyAny>) -> PyResult<TokenArg> {
    TokenArg::extract_as(obj, ErrorCode::InvalidRequest, "body")
}

/// A token-creation request of the SMS API (``POST /token``), read strictly from JSON
/// (``{"token": {"name": ..., "ttl": ..., "allowed_ips": [...], "scopes": [...]}}``) or
/// XML (``<token><name>..</name><ttl>..</ttl><scopes><scope>..</scope></scopes></token>``).
/// ``ttl`` is None for an unlimited (static) token; ``allowed_ips`` are canonical rule
/// texts; ``scopes`` None keeps the caller's.
#[pyclass(frozen, module = "auth_core", name = "TokenRequest")]
pub struct PyTokenRequest(CreateTokenRequest);

#[pymethods]
impl PyTokenRequest {
    /// Reads a JSON body (``bytes`` or ``str``).
    #[staticmethod]
    fn from_json(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Self> {
        let body = body_bytes(body)?;
        core_detached(py, || CreateTokenRequest::from_json(body.as_bytes())).map(PyTokenRequest)
    }

    /// Reads an XML body (``bytes`` or ``str``).
    #[staticmethod]
    fn from_xml(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Self> {
        let body = body_bytes(body)?;
        core_detached(py, || CreateTokenRequest::from_xml(body.as_bytes())).map(PyTokenRequest)
    }

    /// Reads a body in ``format`` (``"json"`` or ``"xml"``; see ``media_format``).
    #[staticmethod]
    #[pyo3(signature = (body, format = None), text_signature = "(body, format='json')")]
    fn parse(
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let format = match format {
            Some(f) if !f.is_none() => to_format(f)?,
            _ => Format::Json,
        };
        let body = body_bytes(body)?;
        core_detached(py, || CreateTokenRequest::parse(body.as_bytes(), format)).map(PyTokenRequest)
    }

    /// ``name`` (the new token's ``token_name``).
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// ``ttl`` in seconds, or None (unlimited: a static token).
    #[getter]
    fn ttl(&self) -> Option<i64> {
        self.0.lifetime.ttl_seconds()
    }

    /// ``allowed_ips`` in canonical text (empty: no restriction).
    #[getter]
    fn allowed_ips(&self) -> Vec<String> {
        self.0.allowed_ips.iter().map(|r| r.to_string()).collect()
    }

    /// ``scopes``, sorted, or None when the body gives none (the new token keeps the
    /// caller's).
    #[getter]
    fn scopes<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        self.0
            .scopes
            .as_ref()
            .map(|s| names_tuple(py, s))
            .transpose()
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenRequest(name={}, ttl={}, allowed_ips={:?}, scopes={})",
            crate::convert::str_repr(&self.0.name),
            crate::convert::opt_repr(self.ttl()),
            self.allowed_ips(),
            self.0.scopes.as_ref().map_or_else(
                || "None".to_owned(),
                |s| format!(
                    "[{}]",
                    s.iter()
                        .map(crate::convert::str_repr)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            )
        )
    }
}

/// A created token and the response of ``POST /token``.
#[pyclass(frozen, module = "auth_core", name = "CreatedToken")]
pub struct PyCreatedToken(CreatedToken);

#[pymethods]
impl PyCreatedToken {
    /// The token (compact JWS).
    #[getter]
    fn token(&self) -> &str {
        self.0.token()
    }

    /// The token id (``jti``).
    #[getter]
    fn token_id(&self) -> &str {
        self.0.token_id()
    }

    /// The token's ``allowed_ips`` in canonical text (empty: no restriction).
    #[getter]
    fn allowed_ips(&self) -> Vec<String> {
        self.0.allowed_ips.clone()
    }

    /// The new token's ``scope`` names, sorted, or None (unscoped).
    #[getter]
    fn scopes<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        self.0
            .minted
            .claims
            .scope
            .as_ref()
            .map(|s| names_tuple(py, s))
            .transpose()
    }

    /// The minted token.
    #[getter]
    fn minted(&self) -> PyMintedToken {
        PyMintedToken(self.0.minted.clone())
    }

    /// The new token's claims.
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        claims_to_py(py, self.0.minted.claims.clone())
    }

    /// ``{"status": 1, "message": "OK", "token": ..., "token_id": ..., "allowed_ips": [...]}``.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// ``<response><status>1</status><message>OK</message><token>..</token><token_id>..</token_id></response>``.
    fn to_xml(&self) -> String {
        self.0.to_xml()
    }

    /// The response in ``format`` (``"json"`` or ``"xml"``).
    fn render(&self, format: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(self.0.render(to_format(format)?))
    }
}

/// ``POST /token``: a token for the caller's own subject (``caller``: the verified claims of
/// the bearer token). A caller restricted to ``allowed_ips`` cannot widen them
/// (``NotPermitted``), nor its scopes: the request's ``scopes`` must be declared in the
/// issuer's ``vocabulary`` (``InvalidScope``) and held by the caller (``NotPermitted``);
/// none given keeps the caller's.
#[pyfunction]
#[pyo3(signature = (issuer, caller, request, *, now = None, policy = None))]
pub fn create_token(
    py: Python<'_>,
    issuer: &Bound<'_, PyIssuer>,
    caller: &Bound<'_, PyAny>,
    request: &Bound<'_, PyTokenRequest>,
    now: Option<&Bound<'_, PyAny>>,
    policy: Option<&Bound<'_, PyTokenCreationPolicy>>,
) -> PyResult<PyCreatedToken> {
    let caller = claims_from_py(caller, "caller")?;
    let now = opt_time(now, "now")?;
    let issuer = &issuer.get().issuer;
    let req = &request.get().0;
    let policy = policy.map(|p| p.get().0).unwrap_or_default();
    core_detached(py, || {
        auth_core::create_token_with_policy(
            issuer,
            &caller,
            req,
            TokenTarget::SelfAccount,
            now,
            &policy,
        )
    })
    .map(PyCreatedToken)
}

/// Who may create tokens through the token API (the core's ``TokenCreationPolicy``);
/// every flag defaults to the core's default. Pass it as ``policy=`` to ``create_token``
/// and ``create_sub_account_token``.
#[pyclass(frozen, module = "auth_core", name = "TokenCreationPolicy")]
pub struct PyTokenCreationPolicy(pub TokenCreationPolicy);

#[pymethods]
impl PyTokenCreationPolicy {
    #[new]
    #[pyo3(signature = (*, allow_named_callers = None, allow_delegated_callers = None, login_children_may_outlive = None))]
    fn new(
        allow_named_callers: Option<bool>,
        allow_delegated_callers: Option<bool>,
        login_children_may_outlive: Option<bool>,
    ) -> Self {
        let mut p = TokenCreationPolicy::default();
        if let Some(v) = allow_named_callers {
            p.allow_named_callers = v;
        }
        if let Some(v) = allow_delegated_callers {
            p.allow_delegated_callers = v;
        }
        if let Some(v) = login_children_may_outlive {
            p.login_children_may_outlive = v;
        }
        PyTokenCreationPolicy(p)
    }

    /// Whether a caller whose own token is a named (token-API) token may create tokens.
    #[getter]
    fn allow_named_callers(&self) -> bool {
        self.0.allow_named_callers
    }

    /// Whether a caller whose token was minted for it by a parent may create tokens.
    #[getter]
    fn allow_delegated_callers(&self) -> bool {
        self.0.allow_delegated_callers
    }

    /// Whether a token created by a login caller may outlive the caller's token.
    #[getter]
    fn login_children_may_outlive(&self) -> bool {
        self.0.login_children_may_outlive
    }

    fn __repr__(&self) -> String {
        let b = |v: bool| if v { "True" } else { "False" };
        format!(
            "TokenCreationPolicy(allow_named_callers={}, allow_delegated_callers={}, login_children_may_outlive={})",
            b(self.0.allow_named_callers),
            b(self.0.allow_delegated_callers),
            b(self.0.login_children_may_outlive)
        )
    }
}

/// ``POST /token/account/:accountID``: a token for a sub-account (``type`` ``"user"`` or
/// ``"reseller"``, with the account's claims), ``parent`` = the caller. The host passes what
/// it found under the id: ``owned_by_caller`` (does the caller own it?), ``blocked``, and
/// ``found=False`` when no account has that id (the account arguments are then not used).
/// The library decides: an unknown, foreign or blocked account → ``NotPermitted`` (403),
/// one answer for the three.
#[pyfunction]
#[pyo3(signature = (
    issuer, caller, request, *, r#type, id, name, owned_by_caller, admin = false,
    sms_from = None, user_group_id = None, blocked = false, found = true, now = None,
    policy = None
), text_signature = "(issuer, caller, request, *, type, id, name, owned_by_caller, admin=False, sms_from=None, user_group_id=None, blocked=False, found=True, now=None, policy=None)")]
#[allow(clippy::too_many_arguments)]
pub fn create_sub_account_token(
    py: Python<'_>,
    issuer: &Bound<'_, PyIssuer>,
    caller: &Bound<'_, PyAny>,
    request: &Bound<'_, PyTokenRequest>,
    r#type: &Bound<'_, PyAny>,
    id: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    owned_by_caller: bool,
    admin: bool,
    sms_from: Option<&Bound<'_, PyAny>>,
    user_group_id: Option<&Bound<'_, PyAny>>,
    blocked: bool,
    found: bool,
    now: Option<&Bound<'_, PyAny>>,
    policy: Option<&Bound<'_, PyTokenCreationPolicy>>,
) -> PyResult<PyCreatedToken> {
    let caller = claims_from_py(caller, "caller")?;
    let id = to_u64(id, "id")?;
    let name = to_str(name, "name")?;
    let kind = to_principal_type(r#type, "type")?;
    let sms_from = opt_str(sms_from, "sms_from")?;
    let user_group_id = opt_u64(user_group_id, "user_group_id")?;
    let target = match found {
        false => TokenTarget::UnknownAccount,
        true => TokenTarget::SubAccount {
            subject: core(py, || {
                Subject::from_parts(kind, id, name, Some(admin), sms_from, user_group_id)
            })?,
            owned_by_caller,
            blocked,
        },
    };
    let policy = policy.map(|p| p.get().0).unwrap_or_default();
    let now = opt_time(now, "now")?;
    let issuer = &issuer.get().issuer;
    let req = &request.get().0;
    core_detached(py, || {
        auth_core::create_token_with_policy(issuer, &caller, req, target, now, &policy)
    })
    .map(PyCreatedToken)
}

/// The format a ``Content-Type`` or ``Accept`` header value asks for: ``"json"``,
/// ``"xml"``, or None when it names neither (answer 415/406, or default to JSON when the
/// header is absent).
#[pyfunction]
pub fn media_format(value: &Bound<'_, PyAny>) -> PyResult<Option<&'static str>> {
    let value = value.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!("value must be str, not {}", type_name(value)))
    })?;
    // A value with no UTF-8 form (a lone surrogate) names no format.
    Ok(value
        .to_cow()
        .ok()
        .and_then(|v| Format::from_media_type(&v))
        .map(format_name))
}

/// The media type to answer with for ``format``: ``"application/json"`` or ``"application/xml"``.
#[pyfunction]
pub fn content_type(format: &Bound<'_, PyAny>) -> PyResult<&'static str> {
    Ok(to_format(format)?.content_type())
}

/// The HTTP status to answer an ``AuthError`` with (500 for configuration errors).
#[pyfunction]
pub fn error_status(error: &Bound<'_, PyAny>) -> PyResult<u16> {
    Ok(auth_core::error_status(&error_from_py(error)?))
}

/// The dialer API's error body: ``{"error": {"code": ..., "message": ..., "status": ...}}``.
#[pyfunction]
pub fn login_error_json(error: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(auth_core::login_error_json(&error_from_py(error)?))
}

/// The SMS API's error body in ``format`` (``"json"``: ``{"status": 0, "message": ...,
/// "error": "<code>"}``; ``"xml"``: ``<response><status>0</status>...</response>``).
#[pyfunction]
#[pyo3(signature = (error, format = None), text_signature = "(error, format='json')")]
pub fn sms_error_body(
    error: &Bound<'_, PyAny>,
    format: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let format = match format {
        Some(f) if !f.is_none() => to_format(f)?,
        _ => Format::Json,
    };
    Ok(auth_core::sms_error_body(&error_from_py(error)?, format))
}
