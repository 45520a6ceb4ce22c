//! The HTTP edge (docs/http.md): `Authenticator` (a request's identity from its raw header
//! lines and peer), `Answer` (the response to a refusal), `bearer_token` and `bearer_credentials`. Every rule is
//! the core's `http` module; this file only turns Python values into header bytes and back.

use std::net::IpAddr;

use auth_core::{
    canonical_ip_text, peer_addr, Answer, AnswerStyle, Authenticator, Error, ErrorCode,
    RequiredScopes, ScopeVocabulary, TrustedProxies,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::convert::{opt_duration, opt_time, str_repr, to_rule_texts, type_name};
use crate::errors::{core, error_from_parts, run, AuthError, INTERNAL_CODE};
use crate::registered::{auth_optional, auth_required, Found};
use crate::revocation::{CallbackStore, Revocation};
use crate::scope::{required_arg, PyRequiredScopes, PyScopeVocabulary};
use crate::verify::{finish_with, PyVerifier};

/// One header value as the bytes that travelled: `bytes` as they are; a `str` as the
/// frameworks decode headers (Latin-1, one character per byte: ASGI servers, WSGI's
/// environ, Starlette and werkzeug all do), or its UTF-8 form when it has characters
/// above U+00FF (text that never came off the wire; the core refuses non-ASCII anyway).
fn header_bytes(item: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(s) = item.cast::<PyString>() {
        if let Ok(text) = s.to_cow() {
            if text.chars().all(|c| u32::from(c) <= 0xFF) {
                return Ok(text.chars().map(|c| u32::from(c) as u8).collect());
            }
            return Ok(text.as_bytes().to_vec());
        }
        // A lone surrogate: its bytes are not UTF-8, which the core refuses like any other.
        let b = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
        return Ok(b.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    if let Ok(b) = item.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = item.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        type_name(item)
    )))
}

/// The lines of one header: `None` (absent), one value (`str` / `bytes`), or an iterable of
/// values in the order received — every line, not joined, not picked.
pub(crate) fn header_lines(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<Vec<u8>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return Ok(vec![header_bytes(obj, what)?]);
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be None, a str or bytes value, or a list of them, not {}",
            type_name(obj)
        ))
    })?;
    iter.enumerate()
        .map(|(i, item)| header_bytes(&item?, &format!("{what}[{i}]")))
        .collect()
}

pub(crate) fn as_slices(lines: &[Vec<u8>]) -> Vec<&[u8]> {
    lines.iter().map(Vec::as_slice).collect()
}

/// Whether `obj` is an `ipaddress.IPv4Address` / `IPv6Address`.
fn is_ip_address(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let m = obj.py().import("ipaddress")?;
    Ok(obj.is_instance(&m.getattr("IPv4Address")?)?
        || obj.is_instance(&m.getattr("IPv6Address")?)?)
}

/// The connection's peer as the server reports it: `None`, or text (an `ipaddress` address
/// is its text) that is an IP address or — a socket path, a test client's name — no address.
fn peer_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<IpAddr>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let text = if let Ok(s) = obj.cast::<PyString>() {
        match s.to_cow() {
            Ok(t) => t.into_owned(),
            Err(_) => return Ok(None),
        }
    } else if is_ip_address(obj)? {
        obj.str()?.to_cow()?.into_owned()
    } else {
        return Err(PyTypeError::new_err(format!(
            "peer must be None, a str or an ipaddress address, not {}",
            type_name(obj)
        )));
    };
    Ok(peer_addr(&text))
}

/// Authenticates HTTP requests from their raw header lines (docs/http.md): the bearer token
/// of the ``Authorization`` lines (RFC 6750, read strictly), the client address (the peer,
/// or ``X-Forwarded-For`` when the peer is one of ``trusted_proxies``), then the verifier
/// with that address and the revocation sources.
///
/// ``trusted_proxies``: IPs/CIDRs (str or ``ipaddress`` objects) or an ``IpAllowList``;
/// ``trust_unix_peers``: a peer without an IP address (a Unix-domain socket) is a trusted
/// proxy too; ``revocation``: a ``MemoryRevocationStore``, ``RedisRevocationStore`` or
/// callable consulted in addition to the verifier's own; ``vocabulary``: the
/// ``ScopeVocabulary`` that resolves requirements given as names (``scopes=["sms:send"]``;
/// default: the verifier's). Thread-safe; verification releases the GIL.
#[pyclass(frozen, module = "auth_core", name = "Authenticator")]
pub struct PyAuthenticator {
    inner: Authenticator,
    verifier: Py<PyVerifier>,
    rules: Vec<String>,
    revocation: Option<Revocation>,
    vocabulary: Option<Py<PyScopeVocabulary>>,
}

/// `Authenticator::authenticate_scoped_at` or `authenticate_optional_scoped_at`.
type AuthCall<T> = fn(
    &Authenticator,
    &[&[u8]],
    Option<IpAddr>,
    &[&[u8]],
    Option<u64>,
    Option<&RequiredScopes>,
) -> auth_core::Result<T>;
const REQUIRED: AuthCall<Found> = auth_required;

/// The optional arguments of one authentication.
struct Request<'a, 'py> {
    authorization: Option<&'a Bound<'py, PyAny>>,
    peer: Option<&'a Bound<'py, PyAny>>,
    forwarded_for: Option<&'a Bound<'py, PyAny>>,
    now: Option<&'a Bound<'py, PyAny>>,
    scopes: Option<&'a Bound<'py, PyAny>>,
}

impl PyAuthenticator {
    /// The vocabulary requirements given as names are resolved through.
    fn vocab(&self) -> Option<&ScopeVocabulary> {
        self.vocabulary.as_ref().map(|v| &v.get().0)
    }

    /// One authentication (`call`: `Authenticator::authenticate_scoped_at` or
    /// `authenticate_optional_scoped_at`), its revocation callable failures turned into
    /// exceptions.
    fn run_auth<T: Send>(
        &self,
        py: Python<'_>,
        r: Request<'_, '_>,
        call: AuthCall<T>,
    ) -> PyResult<T> {
        let authorization = header_lines(r.authorization, "authorization")?;
        let peer = peer_arg(r.peer)?;
        let forwarded = header_lines(r.forwarded_for, "forwarded_for")?;
        let now = opt_time(r.now, "now")?;
        let required = required_arg(r.scopes, self.vocab())?;
        let required = required.as_deref();
        let inner = &self.inner;
        let outcome = py.detach(|| {
            CallbackStore::run(|| {
                run(|| {
                    call(
                        inner,
                        &as_slices(&authorization),
                        peer,
                        &as_slices(&forwarded),
                        now,
                        required,
                    )
                })
            })
        });
        finish_with(py, outcome)
    }
}

#[pymethods]
impl PyAuthenticator {
    #[new]
    #[pyo3(signature = (verifier, *, trusted_proxies = None, trust_unix_peers = false, revocation = None, vocabulary = None))]
    fn new(
        py: Python<'_>,
        verifier: &Bound<'_, PyVerifier>,
        trusted_proxies: Option<&Bound<'_, PyAny>>,
        trust_unix_peers: bool,
        revocation: Option<&Bound<'_, PyAny>>,
        vocabulary: Option<Py<PyScopeVocabulary>>,
    ) -> PyResult<Self> {
        let rules = match trusted_proxies.filter(|o| !o.is_none()) {
            Some(obj) => to_rule_texts(obj, "trusted_proxies")?,
            None => Vec::new(),
        };
        let proxies =
            core(py, || TrustedProxies::parse(&rules))?.trust_unix_peers(trust_unix_peers);
        let revocation = Revocation::from_py(revocation)?;
        let mut inner =
            Authenticator::new(verifier.get().verifier.clone()).trusted_proxies(proxies);
        if let Some(r) = &revocation {
            inner = inner.revocation(r.to_store());
        }
        let vocabulary = vocabulary.or_else(|| verifier.get().vocabulary(py));
        Ok(PyAuthenticator {
            inner,
            verifier: verifier.clone().unbind(),
            rules,
            revocation,
            vocabulary,
        })
    }

    /// The vocabulary requirements given as names are resolved through, or None (names
    /// are then required exactly).
    #[getter]
    fn vocabulary(&self, py: Python<'_>) -> Option<Py<PyScopeVocabulary>> {
        self.vocabulary.as_ref().map(|v| v.clone_ref(py))
    }

    /// The requirement of ``names`` (a list, or the scope text) through ``vocabulary``
    /// (undeclared → ``InvalidScope``), or exactly when there is none. Build one per route.
    fn require(&self, names: &Bound<'_, PyAny>) -> PyResult<PyRequiredScopes> {
        crate::scope::require(names, self.vocab()).map(PyRequiredScopes)
    }

    /// The verifier every request goes through.
    #[getter]
    fn verifier(&self, py: Python<'_>) -> Py<PyVerifier> {
        self.verifier.clone_ref(py)
    }

    /// The trusted proxy ranges, as given (empty: ``X-Forwarded-For`` is read only from a
    /// trusted Unix-socket peer, if ``trust_unix_peers``).
    #[getter]
    fn trusted_proxies(&self) -> Vec<String> {
        self.rules.clone()
    }

    /// Whether a peer without an IP address is a trusted proxy.
    #[getter]
    fn trust_unix_peers(&self) -> bool {
        self.inner.proxies().trusts_unix_peers()
    }

    /// The revocation source consulted in addition to the verifier's own, or None.
    #[getter]
    fn revocation(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.revocation
            .as_ref()
            .map(|r| r.to_object(py))
            .transpose()
    }

    /// The claims of a request, or the ``AuthError`` subclass of the first failed check.
    ///
    /// ``authorization`` / ``forwarded_for``: every ``Authorization`` / ``X-Forwarded-For``
    /// line as received (a list of ``str`` or ``bytes``; one value; or None when absent);
    /// ``str`` values are read as Latin-1, as servers decode headers. ``peer``: the
    /// connection's address as the server reports it (text that is not an IP address — a
    /// Unix socket's path, a test client's name — and None mean: no IP address). ``now``:
    /// int UNIX seconds or an aware ``datetime`` (default: the system clock). A revocation
    /// callable fails closed as in ``Verifier.verify``. ``scopes``: what the route needs — a
    /// ``RequiredScopes``, or names resolved through ``vocabulary`` — checked after every
    /// other check: a token whose ``scope`` claim does not hold them → ``InsufficientScope``
    /// (403; a token without the claim holds everything).
    #[pyo3(signature = (authorization, peer, forwarded_for = None, *, now = None, scopes = None))]
    fn authenticate(
        &self,
        py: Python<'_>,
        authorization: Option<&Bound<'_, PyAny>>,
        peer: Option<&Bound<'_, PyAny>>,
        forwarded_for: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let r = Request {
            authorization,
            peer,
            forwarded_for,
            now,
            scopes,
        };
        self.run_auth(py, r, REQUIRED)?.claims.into_py(py)
    }

    /// Optional authentication (docs/http.md): ``authenticate``, except that a request
    /// without bearer credentials (no ``Authorization`` line, an empty one, another scheme)
    /// gives None — an anonymous caller. Credentials that fail (malformed, expired, revoked,
    /// ``ip_not_allowed``, …) still raise their ``AuthError``: a bad token never passes as
    /// none, nor one short of ``scopes`` (an anonymous request is still None).
    #[pyo3(signature = (authorization, peer, forwarded_for = None, *, now = None, scopes = None))]
    fn authenticate_optional(
        &self,
        py: Python<'_>,
        authorization: Option<&Bound<'_, PyAny>>,
        peer: Option<&Bound<'_, PyAny>>,
        forwarded_for: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Py<PyAny>>> {
        let optional: AuthCall<Option<Found>> = auth_optional;
        let r = Request {
            authorization,
            peer,
            forwarded_for,
            now,
            scopes,
        };
        match self.run_auth(py, r, optional)? {
            Some(found) => found.claims.into_py(py).map(Some),
            None => Ok(None),
        }
    }

    /// ``authenticate``, returning an ``Authenticated``: the claims and the client address
    /// the token was checked from.
    #[pyo3(signature = (authorization, peer, forwarded_for = None, *, now = None, scopes = None))]
    fn authenticate_request(
        &self,
        py: Python<'_>,
        authorization: Option<&Bound<'_, PyAny>>,
        peer: Option<&Bound<'_, PyAny>>,
        forwarded_for: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyAuthenticated> {
        let r = Request {
            authorization,
            peer,
            forwarded_for,
            now,
            scopes,
        };
        let found = self.run_auth(py, r, REQUIRED)?;
        Ok(PyAuthenticated {
            claims: found.claims.into_py(py)?,
            client_ip: found.client_ip.map(canonical_ip_text),
        })
    }

    /// The client address of a request from ``peer`` with these ``X-Forwarded-For`` lines
    /// (canonical text), or None when unknown (a peer without an IP address). A trusted
    /// proxy's entry that is not an address → ``InvalidIpAddress``.
    #[pyo3(signature = (peer, forwarded_for = None))]
    fn client_ip(
        &self,
        py: Python<'_>,
        peer: Option<&Bound<'_, PyAny>>,
        forwarded_for: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<String>> {
        let peer = peer_arg(peer)?;
        let forwarded = header_lines(forwarded_for, "forwarded_for")?;
        let ip = core(py, || {
            self.inner.proxies().client_ip(peer, &as_slices(&forwarded))
        })?;
        Ok(ip.map(canonical_ip_text))
    }

    fn __repr__(&self) -> String {
        format!(
            "Authenticator(trusted_proxies={:?}, trust_unix_peers={}, revocation={})",
            self.rules,
            if self.trust_unix_peers() {
                "True"
            } else {
                "False"
            },
            if self.revocation.is_some() {
                "<set>"
            } else {
                "None"
            }
        )
    }
}

/// A request that authenticated: its ``claims`` and the ``client_ip`` (canonical text, or
/// None when the connection has no IP address) the token was checked from.
#[pyclass(frozen, module = "auth_core", name = "Authenticated")]
pub struct PyAuthenticated {
    claims: Py<PyAny>,
    client_ip: Option<String>,
}

#[pymethods]
impl PyAuthenticated {
    /// The verified claims (``UserClaims`` or ``ResellerClaims``).
    #[getter]
    fn claims(&self, py: Python<'_>) -> Py<PyAny> {
        self.claims.clone_ref(py)
    }

    /// The client address, or None when unknown.
    #[getter]
    fn client_ip(&self) -> Option<String> {
        self.client_ip.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Authenticated(claims={}, client_ip={})",
            self.claims.bind(py).repr()?,
            self.client_ip
                .as_deref()
                .map_or_else(|| "None".to_owned(), str_repr)
        ))
    }
}

fn style_arg(style: &str) -> PyResult<AnswerStyle> {
    AnswerStyle::from_name(style).ok_or_else(|| {
        let names: Vec<&str> = AnswerStyle::ALL.iter().map(|s| s.as_str()).collect();
        PyValueError::new_err(format!(
            "style must be one of {}, not {}",
            names.join(", "),
            str_repr(style)
        ))
    })
}

/// The core error an ``AuthError`` instance stands for (``InternalError``: a server error).
fn error_of(err: &Bound<'_, PyAny>) -> PyResult<Error> {
    if !err.is_instance_of::<AuthError>() {
        return Err(PyTypeError::new_err(format!(
            "err must be an auth_core.AuthError, not {}",
            type_name(err)
        )));
    }
    let code: String = err.getattr("code")?.extract()?;
    let message: String = err.getattr("message")?.extract()?;
    let code = match ErrorCode::from_name(&code) {
        Some(c) => c,
        None if code == INTERNAL_CODE => ErrorCode::ServerError,
        None => {
            return Err(PyValueError::new_err(format!(
                "unknown error code {}",
                str_repr(&code)
            )))
        }
    };
    Ok(error_from_parts(err, code, message))
}

/// The HTTP answer to a refused request (docs/http.md): write ``status``, every pair of
/// ``headers`` and ``body`` as they are. Built by ``refusal``, ``rate_limited`` and
/// ``server_error``; ``style`` is ``"plain"`` (``{"error": "<code>", "message": ...}``),
/// ``"login_api"``, ``"token_api"`` (JSON or XML by ``accept``, the ``Accept`` lines),
/// ``"auth_request"`` (nginx: 401/403/500, no body) or ``"oauth"`` (RFC 6749 §5.2's
/// ``{"error", "error_description"}``, for introspection and revocation endpoints). Configuration errors and
/// ``server_error`` answer the code's generic message, never the details.
#[pyclass(frozen, module = "auth_core", name = "Answer")]
pub struct PyAnswer {
    answer: Answer,
}

impl PyAnswer {
    fn build(
        py: Python<'_>,
        style: &str,
        accept: Option<&Bound<'_, PyAny>>,
        f: impl FnOnce(AnswerStyle, &[&[u8]]) -> Answer,
    ) -> PyResult<Self> {
        let style = style_arg(style)?;
        let accept = header_lines(accept, "accept")?;
        let answer = core(py, || Ok(f(style, &as_slices(&accept))))?;
        Ok(PyAnswer { answer })
    }
}

#[pymethods]
impl PyAnswer {
    /// The answer to ``err`` (an ``AuthError`` instance).
    #[staticmethod]
    #[pyo3(signature = (err, style = "plain", accept = None))]
    fn refusal(
        py: Python<'_>,
        err: &Bound<'_, PyAny>,
        style: &str,
        accept: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let err = error_of(err)?;
        Self::build(py, style, accept, |s, a| Answer::refusal(&err, s, a))
    }

    /// 429 ``rate_limited`` with ``Retry-After`` (seconds, at least 1; int or timedelta).
    #[staticmethod]
    #[pyo3(signature = (retry_after, style = "plain", accept = None))]
    fn rate_limited(
        py: Python<'_>,
        retry_after: &Bound<'_, PyAny>,
        style: &str,
        accept: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let secs = opt_duration(Some(retry_after), "retry_after")?.unwrap_or(1);
        Self::build(py, style, accept, |s, a| Answer::rate_limited(secs, s, a))
    }

    /// 500 ``server_error`` with the generic message (log the details yourself).
    #[staticmethod]
    #[pyo3(signature = (style = "plain", accept = None))]
    fn server_error(
        py: Python<'_>,
        style: &str,
        accept: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Self::build(py, style, accept, Answer::server_error)
    }

    /// The HTTP status.
    #[getter]
    fn status(&self) -> u16 {
        self.answer.status
    }

    /// The body's media type, or None when there is no body.
    #[getter]
    fn content_type(&self) -> Option<&'static str> {
        self.answer.content_type
    }

    /// The ``WWW-Authenticate`` value, or None (``insufficient_scope`` names the scopes the
    /// request needs: ``Bearer error="insufficient_scope", scope="..."``).
    #[getter]
    fn challenge(&self) -> Option<&str> {
        self.answer.challenge.as_deref()
    }

    /// The ``Retry-After`` seconds, or None.
    #[getter]
    fn retry_after(&self) -> Option<u64> {
        self.answer.retry_after
    }

    /// The body (UTF-8; empty when ``content_type`` is None).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.answer.body.as_bytes())
    }

    /// The body as text.
    #[getter]
    fn text(&self) -> &str {
        &self.answer.body
    }

    /// Every header of the answer, ``(name, value)`` with lower-case names:
    /// ``content-type`` (with a body), ``cache-control: no-store``, ``www-authenticate`` and
    /// ``retry-after`` when set.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.answer.headers()
    }

    fn __repr__(&self) -> String {
        format!(
            "Answer(status={}, challenge={}, body={})",
            self.answer.status,
            self.answer
                .challenge
                .as_deref()
                .map_or_else(|| "None".to_owned(), str_repr),
            str_repr(&self.answer.body)
        )
    }
}

/// The token of a request's ``Authorization`` lines (None, one value, or every line as
/// received), read as RFC 6750 §2.1 strictly (docs/http.md). No bearer credential →
/// ``MissingToken`` (a ``MalformedToken``); a malformed one → ``MalformedToken``.
#[pyfunction]
pub fn bearer_token(py: Python<'_>, authorization: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let lines = header_lines(authorization, "authorization")?;
    core(py, || {
        auth_core::bearer_token(&as_slices(&lines)).map(str::to_owned)
    })
}

/// ``bearer_token`` for optional authentication: None when the request carries no bearer
/// credentials (the lines ``bearer_token`` answers with ``MissingToken``); a malformed bearer
/// credential still raises ``MalformedToken``.
#[pyfunction]
pub fn bearer_credentials(
    py: Python<'_>,
    authorization: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    let lines = header_lines(authorization, "authorization")?;
    core(py, || {
        auth_core::bearer_credentials(&as_slices(&lines)).map(|t| t.map(str::to_owned))
    })
}
