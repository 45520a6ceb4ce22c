//! Scopes (the core's `scope` module): `ScopeVocabulary` (the names a host declares and
//! their hierarchy), `RequiredScopes` (a route's requirement), `parse_scope`,
//! `valid_scope_name`, and the conversion of Python scope arguments. Every rule — what a
//! name is, the claim's text, the hierarchy, delegation, the check — is the core's.

use std::borrow::Cow;

use auth_core::{ErrorCode, RequiredScopes, ScopeSet, ScopeVocabulary};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple};

use crate::claims::{PyResellerClaims, PyUserClaims};
use crate::convert::{py_to_json, str_repr, to_str_as, type_name};
use crate::errors::core;

/// Scope names as a Python tuple (sorted, as the core keeps them).
pub fn names_tuple<'py>(py: Python<'py>, set: &ScopeSet) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, set.iter().collect::<Vec<_>>())
}

/// The names of a scope argument: the space-separated scope text (a `str`, read strictly
/// by the core: `InvalidScope`), or an iterable of `str` names (checked by the core where
/// they are used). Bytes and other types are a `TypeError`.
pub fn names_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() {
        let text = to_str_as(obj, ErrorCode::InvalidScope, what)?;
        let set = core(obj.py(), || ScopeSet::parse(&text))?;
        return Ok(set.iter().map(str::to_owned).collect());
    }
    let wrong = || {
        PyTypeError::new_err(format!(
            "{what} must be a list of scope names or the space-separated scope text, not {}",
            type_name(obj)
        ))
    };
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Err(wrong());
    }
    let iter = obj.try_iter().map_err(|_| wrong())?;
    iter.enumerate()
        .map(|(i, item)| {
            let item = item?;
            if !item.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(format!(
                    "{what}[{i}] must be str, not {}",
                    type_name(&item)
                )));
            }
            to_str_as(&item, ErrorCode::InvalidScope, &format!("{what}[{i}]"))
        })
        .collect()
}

/// A set of scopes a token holds (`held`, a caller's claim): `None` (no claim: everything
/// its principal may), a `UserClaims` / `ResellerClaims` (its `scope`), the scope text, or
/// an iterable of names (an empty one holds nothing).
pub fn held_arg(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<ScopeSet>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(c) = obj.cast::<PyUserClaims>() {
        return Ok(c.get().0.scope.clone());
    }
    if let Ok(c) = obj.cast::<PyResellerClaims>() {
        return Ok(c.get().0.scope.clone());
    }
    if let Ok(c) = obj.cast::<crate::registered::PyRegisteredClaims>() {
        // The registered profile: no claim holds no scope (docs/profiles.md).
        return Ok(Some(c.get().0.scope.clone().unwrap_or_default()));
    }
    let names = names_arg(obj, what)?;
    core(obj.py(), || ScopeSet::from_names(&names)).map(Some)
}

/// A requirement argument (`scopes=`): `None`; a `RequiredScopes` (used as it is); or
/// names / the scope text, resolved through `vocabulary` (undeclared → `InvalidScope`) or,
/// without one, required exactly.
pub fn required_arg<'a>(
    obj: Option<&'a Bound<'_, PyAny>>,
    vocabulary: Option<&ScopeVocabulary>,
) -> PyResult<Option<Cow<'a, RequiredScopes>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(r) = obj.cast::<PyRequiredScopes>() {
        return Ok(Some(Cow::Borrowed(&r.get().0)));
    }
    require(obj, vocabulary).map(|r| Some(Cow::Owned(r)))
}

/// `names` (names or scope text) as a requirement, through `vocabulary` when there is one.
pub fn require(
    names: &Bound<'_, PyAny>,
    vocabulary: Option<&ScopeVocabulary>,
) -> PyResult<RequiredScopes> {
    if let Ok(r) = names.cast::<PyRequiredScopes>() {
        return Ok(r.get().0.clone());
    }
    let py = names.py();
    let names = names_arg(names, "scopes")?;
    core(py, || match vocabulary {
        Some(v) => v.require(&names),
        None => ScopeSet::from_names(&names).map(RequiredScopes::exact),
    })
}

/// The scope names a host declares (docs/scopes.md), each optionally including others —
/// holding ``sms`` holds ``sms:send`` when ``sms`` includes it, transitively.
///
/// ``ScopeVocabulary({"sms": {"description": "Send and read SMS", "includes": ["sms:send",
/// "sms:read"]}, "sms:send": {}, "sms:read": {}})`` — a dict of names, each a dict with an
/// optional ``description`` (str) and ``includes`` (a list of declared names) — or
/// ``ScopeVocabulary.from_json(text)``, read as strictly (``InvalidScope`` for an unknown
/// member, a wrong type, a bad or undeclared name, a cycle, more than 256 names). Give it to
/// ``Issuer(vocabulary=...)`` (minting refuses undeclared names) and to ``Verifier`` /
/// ``Authenticator`` (requirements given as names are resolved through it). Immutable and
/// thread-safe.
#[pyclass(frozen, eq, module = "auth_core", name = "ScopeVocabulary")]
#[derive(PartialEq)]
pub struct PyScopeVocabulary(pub ScopeVocabulary);

#[pymethods]
impl PyScopeVocabulary {
    #[new]
    #[pyo3(signature = (scopes = None))]
    fn new(py: Python<'_>, scopes: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let Some(scopes) = scopes.filter(|s| !s.is_none()) else {
            return Ok(PyScopeVocabulary(ScopeVocabulary::new()));
        };
        if !scopes.is_instance_of::<PyDict>() {
            return Err(PyTypeError::new_err(format!(
                "scopes must be a dict {{name: {{\"description\": ..., \"includes\": [...]}}}}, not {} \
                 (JSON text: ScopeVocabulary.from_json)",
                type_name(scopes)
            )));
        }
        let text = py_to_json(scopes, 0)?.to_string();
        core(py, || ScopeVocabulary::from_json(&text)).map(PyScopeVocabulary)
    }

    /// Reads a vocabulary from strict JSON text:
    /// ``{"sms": {"description": "...", "includes": ["sms:send"]}, "sms:send": {}}``.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = to_str_as(text, ErrorCode::InvalidScope, "text")?;
        core(py, || ScopeVocabulary::from_json(&text)).map(PyScopeVocabulary)
    }

    /// The declared names, sorted.
    fn names(&self) -> Vec<&str> {
        self.0.names().collect()
    }

    /// A declared name's description, or None.
    fn description(&self, name: &str) -> Option<&str> {
        self.0.description(name)
    }

    /// The names ``name`` includes directly (empty for an undeclared name).
    fn includes(&self, name: &str) -> Vec<&str> {
        self.0.includes(name)
    }

    /// Whether a token whose claim is ``held`` holds ``name``: ``held`` None (no claim:
    /// every declared name), claims, the scope text or a list of names, holding ``name`` or
    /// a name that includes it. An undeclared name is held only by naming it exactly.
    fn holds(&self, held: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<bool> {
        let held = held_arg(held, "held")?;
        Ok(self.0.holds(held.as_ref(), name))
    }

    /// Every declared name a token whose claim is ``held`` holds (None: all of them), sorted.
    fn expand<'py>(
        &self,
        py: Python<'py>,
        held: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let held = held_arg(held, "held")?;
        names_tuple(py, &self.0.expand(held.as_ref()))
    }

    /// The scopes a caller whose claim is ``caller`` may give a token it mints: ``requested``
    /// None inherits the caller's (None: unscoped); otherwise each requested name must be
    /// declared (``InvalidScope``) and held by the caller (``NotPermitted``).
    #[pyo3(signature = (caller, requested))]
    fn narrow<'py>(
        &self,
        py: Python<'py>,
        caller: Option<&Bound<'_, PyAny>>,
        requested: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let caller = held_arg(caller, "caller")?;
        let requested = held_arg(requested, "requested")?;
        let got = core(py, || self.0.narrow(caller.as_ref(), requested.as_ref()))?;
        got.map(|s| names_tuple(py, &s)).transpose()
    }

    /// A route's requirement: every name (a list, or the scope text) must be declared
    /// (``InvalidScope``); each is satisfied by itself or a name that includes it. Build one
    /// per route at start-up.
    fn require(&self, names: &Bound<'_, PyAny>) -> PyResult<PyRequiredScopes> {
        require(names, Some(&self.0)).map(PyRequiredScopes)
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __contains__(&self, name: &Bound<'_, PyAny>) -> bool {
        name.cast::<PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok().map(|n| self.0.contains(&n)))
            .unwrap_or(false)
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self.0.names().map(str_repr).collect();
        format!("ScopeVocabulary([{}])", names.join(", "))
    }
}

/// What a route requires (``ScopeVocabulary.require`` or, without a vocabulary,
/// ``RequiredScopes.exact``): every name, each satisfied by itself or a name that includes
/// it. Pass it as ``scopes=`` to ``Verifier.verify`` and ``Authenticator.authenticate``, or
/// ``check`` claims with it. ``str()`` is the scope text the challenge names. Immutable.
#[pyclass(frozen, eq, module = "auth_core", name = "RequiredScopes")]
#[derive(PartialEq)]
pub struct PyRequiredScopes(pub RequiredScopes);

#[pymethods]
impl PyRequiredScopes {
    /// A requirement without a vocabulary: each name (a list, or the scope text) satisfied
    /// only by itself.
    #[staticmethod]
    fn exact(names: &Bound<'_, PyAny>) -> PyResult<Self> {
        require(names, None).map(PyRequiredScopes)
    }

    /// The required names, sorted.
    #[getter]
    fn names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        names_tuple(py, self.0.names())
    }

    /// Nothing when a token whose claim is ``held`` (claims, None for no claim, the scope
    /// text or a list of names) holds every required name; else ``InsufficientScope``
    /// (403) naming the first missing one, its ``required_scope`` the whole requirement.
    fn check(&self, py: Python<'_>, held: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let held = held_arg(held, "held")?;
        core(py, || self.0.check(held.as_ref()))
    }

    fn __len__(&self) -> usize {
        self.0.names().len()
    }

    fn __str__(&self) -> String {
        self.0.names().to_string()
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self.0.names().iter().map(str_repr).collect();
        format!("RequiredScopes([{}])", names.join(", "))
    }
}

/// The names of a ``scope`` claim's text, sorted: names separated by exactly one space, at
/// least one, none twice, at most 64 (``InvalidScope`` naming the problem).
#[pyfunction]
pub fn parse_scope<'py>(py: Python<'py>, text: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let text = to_str_as(text, ErrorCode::InvalidScope, "text")?;
    let set = core(py, || ScopeSet::parse(&text))?;
    names_tuple(py, &set)
}

/// Whether ``name`` is a scope name: 1–64 characters of RFC 6749's ``scope-token``
/// (printable ASCII other than space, ``"`` and ``\``).
#[pyfunction]
pub fn valid_scope_name(name: &Bound<'_, PyAny>) -> PyResult<bool> {
    let s = name
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("name must be str, not {}", type_name(name))))?;
    Ok(s.to_cow()
        .map(|n| auth_core::valid_scope_name(&n))
        .unwrap_or(false))
}
