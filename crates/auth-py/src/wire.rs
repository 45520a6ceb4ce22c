//! The docs/apis.md request/response shapes (the core's `wire` module): logins, logout,
//! token-creation requests (JSON/XML) and their responses, error bodies.

use auth_core::{
    CreateTokenRequest, CreatedToken, Error, ErrorCode, Format, IpAllowList, IpRegex, RegexMode,
    ResellerAccount, ResellerLogin, Subject, TokenCreationPolicy, TokenTarget, UserAccount,
    UserLogin,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::claims::{claims_from_py, claims_to_py, PyMintedToken};
use crate::convert::{
    json_to_py, opt_client_ip, opt_str, opt_time, opt_u64, py_to_json, to_lifetime,
    to_principal_type, to_rule_texts, to_str, to_u64, type_name, utf8_of, TokenArg,
};
use crate::errors::{core, core_detached};
use crate::issue::PyIssuer;
use crate::revocation::PyMemoryStore;

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
    Ok(Error::with_message(code, message))
}

/// A body: `bytes` or `str`.
fn body_bytes(obj: &Bound<'_, PyAny>) -> PyResult<TokenArg> {
    TokenArg::extract_as(obj, ErrorCode::InvalidRequest, "body")
}

/// A successful dialer-user login (``POST /session.json``).
#[pyclass(frozen, module = "auth_core", name = "UserLogin")]
pub struct PyUserLogin(UserLogin);

#[pymethods]
impl PyUserLogin {
    /// The token (compact JWS).
    #[getter]
    fn token(&self) -> &str {
        self.0.token()
    }

    /// The minted token.
    #[getter]
    fn minted(&self) -> PyMintedToken {
        PyMintedToken(self.0.minted.clone())
    }

    /// ``user.id``.
    #[getter]
    fn user_id(&self) -> u64 {
        self.0.user_id
    }

    /// ``user.blocked`` (always False: blocked accounts get no token).
    #[getter]
    fn blocked(&self) -> bool {
        self.0.blocked
    }

    /// The response body: ``{"user": {"id": 123, "blocked": false}, "token": "<jwt>"}``.
    fn to_json(&self) -> String {
        self.0.to_json()
    }
}

/// A successful reseller login (``POST /v1/resellers/login.json``).
#[pyclass(frozen, module = "auth_core", name = "ResellerLogin")]
pub struct PyResellerLogin(ResellerLogin);

#[pymethods]
impl PyResellerLogin {
    /// The token (compact JWS).
    #[getter]
    fn token(&self) -> &str {
        self.0.token()
    }

    /// The minted token.
    #[getter]
    fn minted(&self) -> PyMintedToken {
        PyMintedToken(self.0.minted().clone())
    }

    /// ``reseller.id``.
    #[getter]
    fn reseller_id(&self) -> u64 {
        self.0.reseller_id()
    }

    /// ``reseller.name``.
    #[getter]
    fn reseller_name(&self) -> &str {
        self.0.reseller_name()
    }

    /// ``user_groups``, as given.
    #[getter]
    fn user_groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for g in self.0.user_groups() {
            list.append(json_to_py(py, g)?)?;
        }
        Ok(list)
    }

    /// ``user_balance``.
    #[getter]
    fn user_balance(&self) -> f64 {
        self.0.user_balance()
    }

    /// ``version``.
    #[getter]
    fn version(&self) -> &str {
        self.0.version()
    }

    /// The response body: ``{"token": ..., "reseller": {"id": ..., "name": ...},
    /// "user_groups": [...], "user_balance": 1000.00, "version": "1.0.0"}``.
    fn to_json(&self) -> String {
        self.0.to_json()
    }
}

/// A token-creation request of the SMS API (``POST /token``), read strictly from JSON
/// (``{"token": {"name": ..., "ttl": ..., "allowed_ips": [...]}}``) or XML
/// (``<token><name>..</name><ttl>..</ttl></token>``). ``ttl`` is None for an unlimited
/// (static) token; ``allowed_ips`` are canonical rule texts.
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

    fn __repr__(&self) -> String {
        format!(
            "TokenRequest(name={}, ttl={}, allowed_ips={:?})",
            crate::convert::str_repr(&self.0.name),
            crate::convert::opt_repr(self.ttl()),
            self.allowed_ips()
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

/// Logs a dialer user in (the host has checked the password): a blocked account →
/// ``InvalidCredentials``; a group ``allowed_regex`` (an ``IpRegex`` or a pattern string,
/// full match) that ``client_ip`` does not match → ``LoginIpDenied`` (406); else a token
/// (dynamic unless ``ttl``/``static`` say otherwise).
#[pyfunction]
#[pyo3(signature = (
    issuer, *, id, name, admin = false, blocked = false, sms_from = None, user_group_id = None,
    allowed_regex = None, client_ip = None, ttl = None, r#static = false, now = None
), text_signature = "(issuer, *, id, name, admin=False, blocked=False, sms_from=None, user_group_id=None, allowed_regex=None, client_ip=None, ttl=None, static=False, now=None)")]
#[allow(clippy::too_many_arguments)]
pub fn login_user(
    py: Python<'_>,
    issuer: &Bound<'_, PyIssuer>,
    id: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    admin: bool,
    blocked: bool,
    sms_from: Option<&Bound<'_, PyAny>>,
    user_group_id: Option<&Bound<'_, PyAny>>,
    allowed_regex: Option<&Bound<'_, PyAny>>,
    client_ip: Option<&Bound<'_, PyAny>>,
    ttl: Option<&Bound<'_, PyAny>>,
    r#static: bool,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyUserLogin> {
    let allowed_regex = match allowed_regex {
        None => None,
        Some(r) if r.is_none() => None,
        Some(r) => Some(if let Ok(re) = r.cast::<crate::ip::PyIpRegex>() {
            re.get().regex.clone()
        } else if let Ok(s) = r.cast::<PyString>() {
            let pattern = utf8_of(s, ErrorCode::InvalidRegex, "allowed_regex")?.into_owned();
            core(py, || IpRegex::new(&pattern, RegexMode::default()))?
        } else {
            return Err(PyTypeError::new_err(format!(
                "allowed_regex must be an IpRegex or str, not {}",
                type_name(r)
            )));
        }),
    };
    let account = {
        let mut account = UserAccount::new(to_u64(id, "id")?, to_str(name, "name")?);
        account.admin = admin;
        account.blocked = blocked;
        account.sms_from = opt_str(sms_from, "sms_from")?;
        account.user_group_id = opt_u64(user_group_id, "user_group_id")?;
        account.allowed_regex = allowed_regex;
        account
    };
    let client_ip = opt_client_ip(client_ip)?;
    let lifetime = to_lifetime(py, ttl, r#static)?;
    let now = opt_time(now, "now")?;
    let issuer = &issuer.get().issuer;
    core_detached(py, || {
        auth_core::login_user(issuer, &account, client_ip, lifetime, now)
    })
    .map(PyUserLogin)
}

/// Logs a reseller in (the host has checked name and password): ``allowed_ips`` (the
/// reseller's ``settings.allowedIPs``: rules or an ``IpAllowList``; None: unrestricted) that
/// ``client_ip`` is outside → ``ResellerIpDenied``; else a token carrying those rules.
#[pyfunction]
#[pyo3(signature = (
    issuer, *, id, name, allowed_ips = None, user_groups = None, user_balance = 0.0,
    version = None, client_ip = None, ttl = None, r#static = false, now = None
), text_signature = "(issuer, *, id, name, allowed_ips=None, user_groups=None, user_balance=0.0, version='', client_ip=None, ttl=None, static=False, now=None)")]
#[allow(clippy::too_many_arguments)]
pub fn login_reseller(
    py: Python<'_>,
    issuer: &Bound<'_, PyIssuer>,
    id: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    allowed_ips: Option<&Bound<'_, PyAny>>,
    user_groups: Option<&Bound<'_, PyAny>>,
    user_balance: f64,
    version: Option<&Bound<'_, PyAny>>,
    client_ip: Option<&Bound<'_, PyAny>>,
    ttl: Option<&Bound<'_, PyAny>>,
    r#static: bool,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyResellerLogin> {
    let allowed_ips = match allowed_ips {
        Some(r) if !r.is_none() => {
            let texts = to_rule_texts(r, "allowed_ips")?;
            Some(core_detached(py, || IpAllowList::parse(&texts))?)
        }
        _ => None,
    };
    let user_groups = match user_groups {
        Some(g) if !g.is_none() => match py_to_json(g, 0)? {
            serde_json::Value::Array(items) => items,
            _ => return Err(PyTypeError::new_err("user_groups must be a list")),
        },
        _ => Vec::new(),
    };
    let account = {
        let mut account = ResellerAccount::new(to_u64(id, "id")?, to_str(name, "name")?);
        account.allowed_ips = allowed_ips;
        account.user_groups = user_groups;
        account.user_balance = user_balance;
        account.version = opt_str(version, "version")?.unwrap_or_default();
        account
    };
    let client_ip = opt_client_ip(client_ip)?;
    let lifetime = to_lifetime(py, ttl, r#static)?;
    let now = opt_time(now, "now")?;
    let issuer = &issuer.get().issuer;
    core_detached(py, || {
        auth_core::login_reseller(issuer, &account, client_ip, lifetime, now)
    })
    .map(PyResellerLogin)
}

/// Logout (both APIs): revokes the token these verified claims describe in ``store`` (a
/// ``MemoryRevocationStore`` or a ``RedisRevocationStore``).
#[pyfunction]
#[pyo3(signature = (store, claims, *, now = None))]
pub fn logout(
    py: Python<'_>,
    store: &Bound<'_, PyAny>,
    claims: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let claims = claims_from_py(claims, "claims")?;
    let now = opt_time(now, "now")?;
    if let Ok(m) = store.cast::<PyMemoryStore>() {
        let store = &m.get().store;
        return core(py, || auth_core::logout(&**store, &claims, now));
    }
    if let Ok(r) = store.cast::<crate::redis_store::PyRedisStore>() {
        let store = std::sync::Arc::clone(&r.get().store);
        return crate::errors::core_detached(py, || auth_core::logout(&*store, &claims, now));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "store must be a MemoryRevocationStore or a RedisRevocationStore, not {}",
        crate::convert::type_name(store)
    )))
}

/// ``POST /token``: a token for the caller's own subject (``caller``: the verified claims of
/// the bearer token). A caller restricted to ``allowed_ips`` cannot widen them (``NotPermitted``).
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
/// ``"reseller"``, with the account's claims), ``parent`` = the caller. ``owned_by_caller``
/// is the host's answer to "does the caller own it?"; False → ``NotPermitted`` (403).
#[pyfunction]
#[pyo3(signature = (
    issuer, caller, request, *, r#type, id, name, owned_by_caller, admin = false,
    sms_from = None, user_group_id = None, now = None, policy = None
), text_signature = "(issuer, caller, request, *, type, id, name, owned_by_caller, admin=False, sms_from=None, user_group_id=None, now=None, policy=None)")]
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
    now: Option<&Bound<'_, PyAny>>,
    policy: Option<&Bound<'_, PyTokenCreationPolicy>>,
) -> PyResult<PyCreatedToken> {
    let caller = claims_from_py(caller, "caller")?;
    let id = to_u64(id, "id")?;
    let name = to_str(name, "name")?;
    let kind = to_principal_type(r#type, "type")?;
    let sms_from = opt_str(sms_from, "sms_from")?;
    let user_group_id = opt_u64(user_group_id, "user_group_id")?;
    let subject = core(py, || {
        Subject::from_parts(kind, id, name, Some(admin), sms_from, user_group_id)
    })?;
    let policy = policy.map(|p| p.get().0).unwrap_or_default();
    let now = opt_time(now, "now")?;
    let issuer = &issuer.get().issuer;
    let req = &request.get().0;
    let target = TokenTarget::SubAccount {
        subject,
        owned_by_caller,
        blocked: false,
    };
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
