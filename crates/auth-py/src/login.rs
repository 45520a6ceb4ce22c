//! The login API (the core's `login` module): user and reseller logins, their responses,
//! and logout.

use auth_core::{
    ErrorCode, IpAllowList, IpRegex, RegexMode, ResellerAccount, ResellerLogin, UserAccount,
    UserLogin,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::claims::{claims_from_py, PyMintedToken};
use crate::convert::{
    json_to_py, opt_client_ip, opt_str, opt_time, opt_u64, py_to_json, to_lifetime, to_rule_texts,
    to_str, to_u64, type_name, utf8_of,
};
use crate::errors::{core, core_detached};
use crate::issue::PyIssuer;
use crate::revocation::PyMemoryStore;

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

/// Logs a reseller in (the host has checked name and password): a ``blocked`` account →
/// ``ResellerInvalidCredentials`` (the answer to a wrong password); ``allowed_ips`` (the
/// reseller's ``settings.allowedIPs``: rules or an ``IpAllowList``; None: unrestricted) that
/// ``client_ip`` is outside → ``ResellerIpDenied``; else a token carrying those rules.
/// ``version`` omitted (or empty) is the library's default, ``"1.0.0"``.
#[pyfunction]
#[pyo3(signature = (
    issuer, *, id, name, blocked = false, allowed_ips = None, user_groups = None,
    user_balance = 0.0, version = None, client_ip = None, ttl = None, r#static = false, now = None
), text_signature = "(issuer, *, id, name, blocked=False, allowed_ips=None, user_groups=None, user_balance=0.0, version=None, client_ip=None, ttl=None, static=False, now=None)")]
#[allow(clippy::too_many_arguments)]
pub fn login_reseller(
    py: Python<'_>,
    issuer: &Bound<'_, PyIssuer>,
    id: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    blocked: bool,
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
        account.blocked = blocked;
        account.set_version(opt_str(version, "version")?.as_deref());
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
