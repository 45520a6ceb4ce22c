//! `Verifier`: every check is the core's `Verifier::verify_with`, run without the GIL.

use std::net::IpAddr;
use std::sync::Arc;

use auth_core::{
    token_hint, ClaimsProfile, ErrorCode, RequiredScopes, ScopeVocabulary, SignatureCache,
    Verifier, VerifyOptions, VerifyRequest,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};

use crate::convert::{
    opt_client_ip, opt_duration, opt_str, opt_time, opt_u64, to_str, type_name, TokenArg,
};
use crate::errors::{run, to_pyerr_msg, Failure};
use crate::keys::PyKeyRing;
use crate::registered::{profile_arg, required_names, verify_any, AnyClaims};
use crate::revocation::{CallbackStore, Revocation};
use crate::scope::{required_arg, PyRequiredScopes, PyScopeVocabulary};

/// Verifies tokens against a ``KeyRing`` (docs/ (keys, TTL, IP rules, revocation), in the core's documented order).
///
/// ``leeway`` (s, default 0) is the grace on ``exp``/``nbf``; ``max_clock_skew`` (s, default
/// 60) how far in the future ``iat`` may be; ``max_token_size`` (bytes, default 8192) is
/// checked before decoding (``leeway`` and ``max_clock_skew`` also take a whole-second
/// ``timedelta``). ``revocation`` is a ``MemoryRevocationStore`` or a callable
/// ``(RevocationQuery) -> bool`` consulted for every token that passes the other checks.
/// ``audience`` (a str or a list of str) is what this verifier identifies itself with: a
/// token with ``aud`` verifies only when it names one of them (none configured: never);
/// ``issuer``, when given, must equal the token's ``iss``. Failures are ``InvalidClaims``.
/// ``vocabulary``: the ``ScopeVocabulary`` through which ``verify(..., scopes=[names])``
/// resolves a requirement (without one, names are required exactly).
/// ``profile``: ``"seeds"`` (default, this library's tokens) or ``"registered"`` (another
/// issuer's tokens, docs/profiles.md): ``verify`` then returns ``RegisteredClaims``, requiring
/// the registered claims named in ``required_claims`` (default ``["exp"]``).
/// ``signature_cache`` (default None: off) remembers up to that many EdDSA/ECDSA/RSA tokens
/// whose signature verified, so a token sent again skips only its signature check
/// (docs/signature-cache.md).
/// The verifier follows later changes of its ring (rotation) on its next call.
/// Thread-safe; verification releases the GIL.
#[pyclass(frozen, module = "auth_core", name = "Verifier")]
pub struct PyVerifier {
    pub(crate) verifier: Verifier,
    revocation: Option<Revocation>,
    vocabulary: Option<Py<PyScopeVocabulary>>,
    /// Made by `JwksClient.verifier`: verification goes through the client (fetching a stale
    /// set, refetching for an unknown `kid`).
    pub(crate) jwks: Option<auth_jwks::JwksClient>,
}

impl PyVerifier {
    /// The verifier's vocabulary (a new reference), if it has one.
    pub(crate) fn vocabulary(&self, py: Python<'_>) -> Option<Py<PyScopeVocabulary>> {
        self.vocabulary.as_ref().map(|v| v.clone_ref(py))
    }

    fn vocab(&self) -> Option<&ScopeVocabulary> {
        self.vocabulary.as_ref().map(|v| &v.get().0)
    }
}

type Outcome = (Result<AnyClaims, Failure>, Option<PyErr>);

/// How many tokens `verify_many` reads or verifies between two checks for signals.
const SIGNAL_CHECK_EVERY: usize = 256;
/// How many tokens `verify_many` reads between two moments it lets other Python threads run
/// (reading holds the GIL; verifying releases it chunk by chunk anyway).
const YIELD_GIL_EVERY: usize = 64 * SIGNAL_CHECK_EVERY;

/// One verification. The verifier's own revocation source is the core verifier's store;
/// the call's (if any) is the request's store: the core consults both, and a token revoked
/// in either is `TokenRevoked`. A callable's failure (either source) comes back for the
/// `__cause__` of `RevocationUnavailable`.
fn verify_one(
    v: &Verifier,
    jwks: Option<&auth_jwks::JwksClient>,
    token: &[u8],
    now: Option<u64>,
    client_ip: Option<IpAddr>,
    call_revocation: Option<&Revocation>,
    scopes: Option<&RequiredScopes>,
) -> Outcome {
    let mut request = VerifyRequest::default();
    request.now = now;
    request.client_ip = client_ip;
    request.revocation = call_revocation.map(Revocation::as_store);
    request.scopes = scopes;
    // A refused `Bearer …` text (or one with a line ending) says what to remove.
    CallbackStore::run(|| {
        run(|| {
            match jwks {
                Some(c) if matches!(v.options().profile, ClaimsProfile::Registered(_)) => c
                    .verify_registered_with(v, token, &request)
                    .map(AnyClaims::Registered),
                Some(c) => c.verify_with(v, token, &request).map(AnyClaims::Seeds),
                None => verify_any(v, token, &request),
            }
            .map_err(|e| token_hint(e, token))
        })
    })
}

/// How much of a failed revocation callable's message goes into `RevocationUnavailable`'s own
/// message. The whole exception stays in `__cause__`; a bound here keeps nested failures (a
/// callable that itself verifies with a failing callable) from growing the text a full
/// copy per level.
const CAUSE_TEXT_CHARS: usize = 120;

/// `TypeName: message`, the message cut to [`CAUSE_TEXT_CHARS`] characters.
fn short_cause(py: Python<'_>, cause: &PyErr) -> String {
    let type_name = cause
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "exception".to_owned());
    let text = cause
        .value(py)
        .str()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut short: String = text.chars().take(CAUSE_TEXT_CHARS).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    if short.is_empty() {
        type_name
    } else {
        format!("{type_name}: {short}")
    }
}

/// The Python result of one verification: claims, or the exception. A revocation
/// callable's `BaseException` that is not an `Exception` is returned unchanged.
fn finish(py: Python<'_>, outcome: Outcome) -> PyResult<Py<PyAny>> {
    finish_with(py, outcome)?.into_py(py)
}

/// The result of a call that consulted revocation sources ([`CallbackStore::run`]), or the
/// exception: a failed revocation callable's exception becomes the `__cause__` of
/// `RevocationUnavailable` (or, when it is not an `Exception`, is raised unchanged).
pub(crate) fn finish_with<T>(
    py: Python<'_>,
    outcome: (Result<T, Failure>, Option<PyErr>),
) -> PyResult<T> {
    match outcome {
        (_, Some(cause)) if CallbackStore::is_fatal(py, &cause) => Err(cause),
        (Ok(value), _) => Ok(value),
        (Err(Failure::Auth(e)), Some(cause)) if e.code() == ErrorCode::RevocationUnavailable => {
            let err = to_pyerr_msg(
                py,
                ErrorCode::RevocationUnavailable,
                &format!(
                    "the revocation callable failed ({}); the token's revocation status is unknown",
                    short_cause(py, &cause)
                ),
            );
            err.set_cause(py, Some(cause));
            Err(err)
        }
        (Err(f), _) => Err(f.into_pyerr(py)),
    }
}

/// The ``audience`` argument: None, a str, or an iterable of str.
fn audiences(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if obj.is_instance_of::<PyString>() {
        return Ok(vec![to_str(obj, "audience")?]);
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Err(PyTypeError::new_err(format!(
            "audience must be a str or a list of str, not {}",
            type_name(obj)
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "audience must be a str or a list of str, not {}",
            type_name(obj)
        ))
    })?;
    iter.enumerate()
        .map(|(i, a)| to_str(&a?, &format!("audience[{i}]")))
        .collect()
}

impl PyVerifier {
    /// A verifier of `ring` from the constructor's arguments (`numbers`: leeway, max clock
    /// skew, max token size).
    pub(crate) fn build(
        ring: auth_core::SharedKeyRing,
        numbers: [Option<&Bound<'_, PyAny>>; 3],
        profile: ClaimsProfile,
        revocation: Option<&Bound<'_, PyAny>>,
        audience: Option<&Bound<'_, PyAny>>,
        issuer: Option<&Bound<'_, PyAny>>,
        vocabulary: Option<Py<PyScopeVocabulary>>,
    ) -> PyResult<Self> {
        let [leeway, max_clock_skew, max_token_size] = numbers;
        let d = VerifyOptions::default();
        let options = {
            let mut options = VerifyOptions::default();
            options.leeway = opt_duration(leeway, "leeway")?.unwrap_or(d.leeway);
            options.max_clock_skew =
                opt_duration(max_clock_skew, "max_clock_skew")?.unwrap_or(d.max_clock_skew);
            options.max_token_size = opt_u64(max_token_size, "max_token_size")?
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
                .unwrap_or(d.max_token_size);
            for a in audiences(audience)? {
                options.add_audience(a);
            }
            options.set_issuer(opt_str(issuer, "issuer")?);
            options.set_profile(profile);
            options
        };
        let revocation = Revocation::from_py(revocation)?;
        let mut verifier = Verifier::with_options(ring, options);
        verifier.set_revocation_store(revocation.as_ref().map(Revocation::to_store));
        Ok(PyVerifier {
            verifier,
            revocation,
            vocabulary,
            jwks: None,
        })
    }
}

#[pymethods]
impl PyVerifier {
    #[new]
    #[pyo3(
        signature = (ring, leeway = None, max_clock_skew = None, max_token_size = None, revocation = None, audience = None, issuer = None, vocabulary = None, profile = None, required_claims = None, signature_cache = None),
        text_signature = "(ring, leeway=0, max_clock_skew=60, max_token_size=8192, revocation=None, audience=None, issuer=None, vocabulary=None, profile='seeds', required_claims=None, signature_cache=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        ring: &Bound<'_, PyKeyRing>,
        leeway: Option<&Bound<'_, PyAny>>,
        max_clock_skew: Option<&Bound<'_, PyAny>>,
        max_token_size: Option<&Bound<'_, PyAny>>,
        revocation: Option<&Bound<'_, PyAny>>,
        audience: Option<&Bound<'_, PyAny>>,
        issuer: Option<&Bound<'_, PyAny>>,
        vocabulary: Option<Py<PyScopeVocabulary>>,
        profile: Option<&str>,
        required_claims: Option<Vec<String>>,
        signature_cache: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let profile = profile_arg(ring.py(), profile, required_claims)?;
        let mut built = PyVerifier::build(
            ring.get().shared.clone(),
            [leeway, max_clock_skew, max_token_size],
            profile,
            revocation,
            audience,
            issuer,
            vocabulary,
        )?;
        let capacity = opt_u64(signature_cache, "signature_cache")?.unwrap_or(0);
        if capacity > 0 {
            let capacity = usize::try_from(capacity).unwrap_or(usize::MAX);
            built
                .verifier
                .set_signature_cache(Some(Arc::new(SignatureCache::new(capacity))));
        }
        Ok(built)
    }

    /// The counters of the signature cache (docs/signature-cache.md) as a dict — ``hits``,
    /// ``misses``, ``inserts``, ``evictions``, ``expired``, ``invalidations``, ``entries``,
    /// ``capacity`` — or None when the verifier has no cache.
    fn signature_cache_stats(&self) -> Option<std::collections::BTreeMap<&'static str, u64>> {
        self.verifier.signature_cache().map(|c| {
            let s = c.stats();
            std::collections::BTreeMap::from([
                ("hits", s.hits),
                ("misses", s.misses),
                ("inserts", s.inserts),
                ("evictions", s.evictions),
                ("expired", s.expired),
                ("invalidations", s.invalidations),
                ("entries", s.entries),
                ("capacity", s.capacity),
            ])
        })
    }

    /// The vocabulary requirements given as names are resolved through, or None.
    #[getter]
    #[pyo3(name = "vocabulary")]
    fn vocabulary_getter(&self, py: Python<'_>) -> Option<Py<PyScopeVocabulary>> {
        self.vocabulary(py)
    }

    /// The requirement of ``names`` (a list, or the scope text) through ``vocabulary``
    /// (undeclared → ``InvalidScope``), or exactly when there is none. Build one per route.
    fn require(&self, names: &Bound<'_, PyAny>) -> PyResult<PyRequiredScopes> {
        crate::scope::require(names, self.vocab()).map(PyRequiredScopes)
    }

    /// The audiences this verifier identifies itself with (empty: none; a token with
    /// ``aud`` then never verifies).
    #[getter]
    fn audience(&self) -> Vec<String> {
        self.verifier.options().audiences.clone()
    }

    /// The expected issuer, or None (``iss`` not checked).
    #[getter]
    fn issuer(&self) -> Option<String> {
        self.verifier.options().issuer.clone()
    }

    /// The claims profile: ``"seeds"`` or ``"registered"``.
    #[getter]
    fn profile(&self) -> &'static str {
        self.verifier.options().profile.name()
    }

    /// The registered claims a token must carry (``profile="registered"``), or None.
    #[getter]
    fn required_claims(&self) -> Option<Vec<&'static str>> {
        required_names(&self.verifier)
    }

    /// Grace on ``exp`` / ``nbf``, seconds.
    #[getter]
    fn leeway(&self) -> u64 {
        self.verifier.options().leeway
    }

    /// Tolerance for ``iat`` in the future, seconds.
    #[getter]
    fn max_clock_skew(&self) -> u64 {
        self.verifier.options().max_clock_skew
    }

    /// Largest token accepted, bytes.
    #[getter]
    fn max_token_size(&self) -> usize {
        self.verifier.options().max_token_size
    }

    /// The verifier's own revocation source, or None.
    #[getter]
    fn revocation(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.revocation
            .as_ref()
            .map(|r| r.to_object(py))
            .transpose()
    }

    /// Verifies ``token`` (str or bytes) and returns its ``UserClaims`` / ``ResellerClaims``,
    /// or raises the ``AuthError`` subclass of the first failed check.
    ///
    /// ``now``: int UNIX seconds or an aware ``datetime`` (a naive one → ``ValueError``);
    /// default: the system clock. ``client_ip``: ``str`` or ``ipaddress`` address, required
    /// by tokens with ``allowed_ips``. ``revocation`` is consulted for this call in addition to
    /// the verifier's own (never instead of it): a token revoked in either is ``TokenRevoked``.
    /// If a revocation callable raises an ``Exception`` or returns a non-bool, it could not
    /// answer: ``RevocationUnavailable`` (503) is raised with the callable's exception as
    /// ``__cause__`` (its message quotes at most 120 characters of it), unless a store
    /// says the token is revoked (then ``TokenRevoked``). Any other
    /// ``BaseException`` (``KeyboardInterrupt``, ``SystemExit``) is raised unchanged.
    /// ``scopes``: what the request needs — a ``RequiredScopes``, or names resolved through
    /// ``vocabulary`` — checked last: a token whose ``scope`` claim does not hold them →
    /// ``InsufficientScope`` (403; a token without the claim holds everything).
    #[pyo3(signature = (token, *, now = None, client_ip = None, revocation = None, scopes = None))]
    pub(crate) fn verify(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        client_ip: Option<&Bound<'_, PyAny>>,
        revocation: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let token = TokenArg::extract(token, "token")?;
        let now = opt_time(now, "now")?;
        let client_ip = opt_client_ip(client_ip)?;
        let call_rev = Revocation::from_py(revocation)?;
        let rev = call_rev.as_ref();
        let required = required_arg(scopes, self.vocab())?;
        let need = required.as_deref();
        let verifier = &self.verifier;
        let jwks = self.jwks.as_ref();
        let outcome =
            py.detach(|| verify_one(verifier, jwks, token.as_bytes(), now, client_ip, rev, need));
        finish(py, outcome)
    }

    /// Verifies many tokens in one call (the GIL is released per chunk of 256 tokens, and
    /// signals are checked between chunks, so Ctrl-C interrupts a long batch). Returns a list
    /// with one entry per token, in order: the claims object when the token verified,
    /// otherwise the ``AuthError`` instance (not raised) saying why. Arguments are those of
    /// ``verify`` and apply to every token; a ``tokens`` that is not an iterable of str/bytes
    /// raises ``TypeError``. A ``KeyboardInterrupt``/``SystemExit`` (any ``BaseException``
    /// that is not an ``Exception``) from a revocation callable ends the batch and is raised.
    #[pyo3(signature = (tokens, *, now = None, client_ip = None, revocation = None, scopes = None))]
    fn verify_many(
        &self,
        py: Python<'_>,
        tokens: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        client_ip: Option<&Bound<'_, PyAny>>,
        revocation: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyList>> {
        if tokens.is_instance_of::<PyString>()
            || tokens.is_instance_of::<PyBytes>()
            || tokens.is_instance_of::<PyByteArray>()
        {
            return Err(PyTypeError::new_err(format!(
                "tokens must be an iterable of tokens, not a single {}",
                type_name(tokens)
            )));
        }
        let iter = tokens.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "tokens must be an iterable of str or bytes, not {}",
                type_name(tokens)
            ))
        })?;
        // Reading millions of tokens takes seconds: a Ctrl-C is answered, and other Python
        // threads (a timer that signals, say) get to run, while they are read too.
        let mut args = Vec::new();
        for (i, t) in iter.enumerate() {
            if i > 0 && i % SIGNAL_CHECK_EVERY == 0 {
                if i % YIELD_GIL_EVERY == 0 {
                    py.detach(|| ());
                }
                py.check_signals()?;
            }
            args.push(TokenArg::extract(&t?, &format!("tokens[{i}]"))?);
        }
        let now = opt_time(now, "now")?;
        let client_ip = opt_client_ip(client_ip)?;
        let call_rev = Revocation::from_py(revocation)?;
        let rev = call_rev.as_ref();
        let required = required_arg(scopes, self.vocab())?;
        let need = required.as_deref();
        let verifier = &self.verifier;
        let jwks = self.jwks.as_ref();
        let out = PyList::empty(py);
        // Signals are checked between chunks (Ctrl-C interrupts a long batch), and an
        // interrupt raised by a revocation callable ends the batch at once.
        for chunk in args.chunks(SIGNAL_CHECK_EVERY) {
            py.check_signals()?;
            let mut outcomes = Vec::with_capacity(chunk.len());
            py.detach(|| {
                for t in chunk {
                    let outcome =
                        verify_one(verifier, jwks, t.as_bytes(), now, client_ip, rev, need);
                    let fatal = matches!(&outcome.1, Some(e) if Python::attach(|py| CallbackStore::is_fatal(py, e)));
                    outcomes.push(outcome);
                    if fatal {
                        break;
                    }
                }
            });
            for outcome in outcomes {
                match finish(py, outcome) {
                    Ok(claims) => out.append(claims)?,
                    Err(e) if e.is_instance_of::<pyo3::exceptions::PyException>(py) => {
                        out.append(e.into_value(py))?
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        py.check_signals()?;
        Ok(out.unbind())
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(leeway={}, max_clock_skew={}, max_token_size={}, revocation={})",
            self.verifier.options().leeway,
            self.verifier.options().max_clock_skew,
            self.verifier.options().max_token_size,
            match &self.revocation {
                None => "None",
                Some(Revocation::Memory(_)) => "MemoryRevocationStore",
                Some(Revocation::Callable(_)) => "<callable>",
                Some(Revocation::Redis(_)) => "RedisRevocationStore",
            }
        )
    }
}
