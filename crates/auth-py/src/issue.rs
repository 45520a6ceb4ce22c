//! `Issuer`: mints user and reseller tokens with the ring's active key.

use auth_core::{Issuer, MintRequest, Subject, TtlPolicy};
use pyo3::prelude::*;

use crate::claims::PyMintedToken;
use crate::convert::{
    opt_duration, opt_str, opt_time, opt_u64, to_lifetime, to_principal, to_rule_texts, to_str,
    to_u64,
};
use crate::errors::{core, core_detached};
use crate::keys::PyKeyRing;
use crate::scope::{names_arg, PyScopeVocabulary};

/// Mints tokens with the active key of a ``KeyRing`` under a lifetime policy.
///
/// ``dynamic_ttl`` (default 86400 s) is the lifetime of login tokens, ``max_ttl`` (default
/// 10 years) the longest explicit ``ttl``, ``allow_static`` whether never-expiring tokens
/// may be minted. Durations below 1 s → ``InvalidTtl``. ``vocabulary``: the
/// ``ScopeVocabulary`` of the scope names tokens may carry (none: every mint with
/// ``scopes`` → ``InvalidScope``); the token API's ``create_token`` narrows through it.
/// The issuer follows later changes of its ring (rotation) on its next call. Thread-safe;
/// minting releases the GIL.
#[pyclass(frozen, module = "auth_core", name = "Issuer")]
pub struct PyIssuer {
    pub(crate) issuer: Issuer,
    vocabulary: Option<Py<PyScopeVocabulary>>,
}

/// The optional arguments shared by `mint_user` and `mint_reseller`.
struct MintOptions<'a, 'py> {
    ttl: Option<&'a Bound<'py, PyAny>>,
    r#static: bool,
    token_name: Option<&'a Bound<'py, PyAny>>,
    allowed_ips: Option<&'a Bound<'py, PyAny>>,
    parent: Option<&'a Bound<'py, PyAny>>,
    token_id: Option<&'a Bound<'py, PyAny>>,
    not_before: Option<&'a Bound<'py, PyAny>>,
    now: Option<&'a Bound<'py, PyAny>>,
    extra: Option<&'a Bound<'py, PyAny>>,
    scopes: Option<&'a Bound<'py, PyAny>>,
}

impl PyIssuer {
    fn mint(
        &self,
        py: Python<'_>,
        subject: Subject,
        o: MintOptions<'_, '_>,
    ) -> PyResult<PyMintedToken> {
        let mut req = MintRequest::new(subject);
        req.lifetime = to_lifetime(py, o.ttl, o.r#static)?;
        req.token_name = opt_str(o.token_name, "token_name")?;
        if let Some(rules) = o.allowed_ips.filter(|r| !r.is_none()) {
            let texts = to_rule_texts(rules, "allowed_ips")?;
            core(py, || req.set_allowed_ips(&texts))?;
        }
        req.parent = match o.parent {
            Some(p) if !p.is_none() => Some(to_principal(p, "parent")?),
            _ => None,
        };
        req.token_id = opt_str(o.token_id, "token_id")?;
        req.not_before = opt_time(o.not_before, "not_before")?;
        req.now = opt_time(o.now, "now")?;
        if let Some(extra) = o.extra.filter(|e| !e.is_none()) {
            crate::claims::set_extra(py, &mut req, extra)?;
        }
        if let Some(scopes) = o.scopes.filter(|s| !s.is_none()) {
            let names = names_arg(scopes, "scopes")?;
            core(py, || req.set_scopes(&names))?;
        }
        let issuer = &self.issuer;
        core_detached(py, || issuer.mint(&req)).map(PyMintedToken)
    }
}

#[pymethods]
impl PyIssuer {
    #[new]
    #[pyo3(
        signature = (ring, dynamic_ttl = None, max_ttl = None, allow_static = true, max_token_size = None, *, vocabulary = None),
        text_signature = "(ring, dynamic_ttl=86400, max_ttl=315360000, allow_static=True, max_token_size=8192, *, vocabulary=None)"
    )]
    fn new(
        py: Python<'_>,
        ring: &Bound<'_, PyKeyRing>,
        dynamic_ttl: Option<&Bound<'_, PyAny>>,
        max_ttl: Option<&Bound<'_, PyAny>>,
        allow_static: bool,
        max_token_size: Option<&Bound<'_, PyAny>>,
        vocabulary: Option<Py<PyScopeVocabulary>>,
    ) -> PyResult<Self> {
        let d = TtlPolicy::default();
        let policy = {
            let mut policy = TtlPolicy::default();
            policy.dynamic_ttl = opt_duration(dynamic_ttl, "dynamic_ttl")?.unwrap_or(d.dynamic_ttl);
            policy.max_ttl = opt_duration(max_ttl, "max_ttl")?.unwrap_or(d.max_ttl);
            policy.allow_static = allow_static;
            policy
        };
        let max_token_size = opt_u64(max_token_size, "max_token_size")?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut issuer = core(py, || {
            Issuer::with_policy(ring.get().shared.clone(), policy)
        })?;
        if let Some(n) = max_token_size {
            issuer.set_max_token_size(n);
        }
        if let Some(v) = &vocabulary {
            issuer.set_scopes(v.get().0.clone());
        }
        Ok(PyIssuer { issuer, vocabulary })
    }

    /// The scope names tokens may carry, or None (none declared).
    #[getter]
    fn vocabulary(&self, py: Python<'_>) -> Option<Py<PyScopeVocabulary>> {
        self.vocabulary.as_ref().map(|v| v.clone_ref(py))
    }

    /// The longest token this issuer mints, in bytes (default 8192, the verifiers'
    /// default ``max_token_size``); a longer one → ``InvalidRequest``.
    #[getter]
    fn max_token_size(&self) -> usize {
        self.issuer.max_token_size()
    }

    /// Lifetime of dynamic (login) tokens, seconds.
    #[getter]
    fn dynamic_ttl(&self) -> u64 {
        self.issuer.policy().dynamic_ttl
    }

    /// Longest explicit ``ttl``, seconds.
    #[getter]
    fn max_ttl(&self) -> u64 {
        self.issuer.policy().max_ttl
    }

    /// Whether static (never-expiring) tokens may be minted.
    #[getter]
    fn allow_static(&self) -> bool {
        self.issuer.policy().allow_static
    }

    /// Mints a user token. Lifetime: dynamic by default (``dynamic_ttl``), ``ttl=`` seconds
    /// (int or whole-second ``timedelta``) or ``static=True`` (no ``exp``); both → ``InvalidRequest``.
    /// ``allowed_ips``: a list of IP/CIDR rules (or an ``IpAllowList``); ``parent``: a
    /// ``Principal`` or ``(type, id)``; ``not_before`` / ``now``: int seconds or aware datetime;
    /// ``extra``: custom claims, a dict of JSON values or JSON object text (a name the
    /// library owns, duplicate keys or nesting too deep → ``InvalidRequest``); ``scopes``:
    /// the ``scope`` claim, a list of names (or the scope text), each declared in
    /// ``vocabulary`` (``InvalidScope`` otherwise, and for an empty list: leave it None for
    /// an unscoped token, which may do everything its principal may).
    #[pyo3(signature = (
        id, name, admin = false, sms_from = None, user_group_id = None, *,
        ttl = None, r#static = false, token_name = None, allowed_ips = None, parent = None,
        token_id = None, not_before = None, now = None, extra = None, scopes = None
    ), text_signature = "($self, id, name, admin=False, sms_from=None, user_group_id=None, *, ttl=None, static=False, token_name=None, allowed_ips=None, parent=None, token_id=None, not_before=None, now=None, extra=None, scopes=None)")]
    #[allow(clippy::too_many_arguments)]
    fn mint_user(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        admin: bool,
        sms_from: Option<&Bound<'_, PyAny>>,
        user_group_id: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
        r#static: bool,
        token_name: Option<&Bound<'_, PyAny>>,
        allowed_ips: Option<&Bound<'_, PyAny>>,
        parent: Option<&Bound<'_, PyAny>>,
        token_id: Option<&Bound<'_, PyAny>>,
        not_before: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyMintedToken> {
        let subject = Subject::User {
            id: to_u64(id, "id")?,
            name: to_str(name, "name")?,
            admin,
            sms_from: opt_str(sms_from, "sms_from")?,
            user_group_id: opt_u64(user_group_id, "user_group_id")?,
        };
        self.mint(
            py,
            subject,
            MintOptions {
                ttl,
                r#static,
                token_name,
                allowed_ips,
                parent,
                token_id,
                not_before,
                now,
                extra,
                scopes,
            },
        )
    }

    /// Mints a reseller token; the options are those of ``mint_user``.
    #[pyo3(signature = (
        id, name, *,
        ttl = None, r#static = false, token_name = None, allowed_ips = None, parent = None,
        token_id = None, not_before = None, now = None, extra = None, scopes = None
    ), text_signature = "($self, id, name, *, ttl=None, static=False, token_name=None, allowed_ips=None, parent=None, token_id=None, not_before=None, now=None, extra=None, scopes=None)")]
    #[allow(clippy::too_many_arguments)]
    fn mint_reseller(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        ttl: Option<&Bound<'_, PyAny>>,
        r#static: bool,
        token_name: Option<&Bound<'_, PyAny>>,
        allowed_ips: Option<&Bound<'_, PyAny>>,
        parent: Option<&Bound<'_, PyAny>>,
        token_id: Option<&Bound<'_, PyAny>>,
        not_before: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyAny>>,
        scopes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyMintedToken> {
        let subject = Subject::Reseller {
            id: to_u64(id, "id")?,
            name: to_str(name, "name")?,
        };
        self.mint(
            py,
            subject,
            MintOptions {
                ttl,
                r#static,
                token_name,
                allowed_ips,
                parent,
                token_id,
                not_before,
                now,
                extra,
                scopes,
            },
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Issuer(dynamic_ttl={}, max_ttl={}, allow_static={})",
            self.issuer.policy().dynamic_ttl,
            self.issuer.policy().max_ttl,
            if self.issuer.policy().allow_static {
                "True"
            } else {
                "False"
            }
        )
    }
}
