//! IP policies: `IpAllowList` (IP/CIDR rules), `IpRegex` (a user group's `allowed_regex`)
//! and `canonical_ip`.

use auth_core::{canonical_ip_text, ErrorCode, IpAllowList, IpRegex, RegexMode};
use pyo3::prelude::*;

use crate::convert::{to_client_ip, to_rule_texts, to_str_as};
use crate::errors::{core, core_detached};

/// A host-side allow-list of IPv4/IPv6 addresses and CIDR networks (e.g. a reseller's
/// ``allowedIPs``), parsed strictly (``InvalidIpRule`` naming the bad entry) and checked
/// in O(log n). An empty list allows nothing. Immutable and thread-safe.
#[pyclass(frozen, module = "auth_core", name = "IpAllowList")]
pub struct PyIpAllowList {
    list: IpAllowList,
}

impl PyIpAllowList {
    /// The rules in canonical text.
    pub fn rule_texts(&self) -> Vec<String> {
        self.list.rules().iter().map(|r| r.to_string()).collect()
    }
}

#[pymethods]
impl PyIpAllowList {
    #[new]
    fn new(py: Python<'_>, rules: &Bound<'_, PyAny>) -> PyResult<Self> {
        let texts = to_rule_texts(rules, "rules")?;
        let list = core_detached(py, || IpAllowList::parse(&texts))?;
        Ok(PyIpAllowList { list })
    }

    /// Whether ``ip`` (``str`` or ``ipaddress`` address; IPv4-mapped IPv6 counts as IPv4) is
    /// inside a rule. A malformed address → ``InvalidIpAddress``.
    fn contains(&self, ip: &Bound<'_, PyAny>) -> PyResult<bool> {
        let addr = to_client_ip(ip)?;
        Ok(self.list.contains(addr))
    }

    fn __contains__(&self, ip: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.contains(ip)
    }

    /// The rules as given, in canonical text (``"192.168.2.0/24"``, ``"2001:db8::1"``).
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.rule_texts()
    }

    fn __len__(&self) -> usize {
        self.list.len()
    }

    fn __repr__(&self) -> String {
        format!("IpAllowList(<{} rules>)", self.list.len())
    }
}

/// A regular expression on the client address (a user group's ``allowed_regex``).
///
/// The address is parsed strictly first, then its canonical text (dotted IPv4, RFC 5952
/// IPv6, IPv4-mapped as IPv4) must match the pattern in full (``^(?:P)$``), or anywhere with
/// ``search=True``. Linear-time matching; an empty, invalid or oversized pattern →
/// ``InvalidRegex``. Immutable and thread-safe.
#[pyclass(frozen, module = "auth_core", name = "IpRegex")]
pub struct PyIpRegex {
    pub(crate) regex: IpRegex,
}

#[pymethods]
impl PyIpRegex {
    #[new]
    #[pyo3(signature = (pattern, search = false))]
    fn new(py: Python<'_>, pattern: &Bound<'_, PyAny>, search: bool) -> PyResult<Self> {
        let pattern = to_str_as(pattern, ErrorCode::InvalidRegex, "pattern")?;
        let mode = if search {
            RegexMode::Search
        } else {
            RegexMode::FullMatch
        };
        let regex = core_detached(py, || IpRegex::new(&pattern, mode))?;
        Ok(PyIpRegex { regex })
    }

    /// Whether ``ip`` (``str`` or ``ipaddress`` address) matches. A malformed address →
    /// ``InvalidIpAddress`` (it never reaches the pattern).
    fn matches(&self, ip: &Bound<'_, PyAny>) -> PyResult<bool> {
        let addr = to_client_ip(ip)?;
        Ok(self.regex.is_match(addr))
    }

    /// The pattern as given.
    #[getter]
    fn pattern(&self) -> &str {
        self.regex.pattern()
    }

    /// Whether the pattern may match anywhere (search) rather than in full.
    #[getter]
    fn search(&self) -> bool {
        self.regex.mode() == RegexMode::Search
    }

    fn __repr__(&self) -> String {
        format!(
            "IpRegex({}, search={})",
            crate::convert::str_repr(self.regex.pattern()),
            if self.search() { "True" } else { "False" }
        )
    }
}

/// The canonical text of a client address (strict parse; IPv4-mapped → IPv4; RFC 5952
/// IPv6). A malformed address → ``InvalidIpAddress``.
#[pyfunction]
pub fn canonical_ip(py: Python<'_>, ip: &Bound<'_, PyAny>) -> PyResult<String> {
    let addr = to_client_ip(ip)?;
    core(py, || Ok(canonical_ip_text(addr)))
}

/// Whether a server could have taken ``peer`` from these forwarding header lines
/// (``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP``): the core's ``forwarded_mentions``, which
/// the integrations use to refuse a peer their server may have rewritten.
#[pyfunction]
pub fn forwarded_mentions(peer: &str, lines: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    let lines = crate::http::header_lines(lines, "forwarding header")?;
    Ok(auth_core::forwarded_mentions(
        peer,
        &crate::http::as_slices(&lines),
    ))
}
