//! Argument conversion: Python values → core types, with `TypeError` / `ValueError`
//! messages that name the argument. No token rule is decided here.

use std::net::IpAddr;

use std::borrow::Cow;

use auth_core::{ErrorCode, Principal, PrincipalType};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};

use crate::claims::PyPrincipal;
use crate::errors::{core, to_pyerr_msg};

/// Python-style repr of an optional value (`None` or the value's own repr).
pub fn opt_repr<T: std::fmt::Display>(v: Option<T>) -> String {
    match v {
        Some(v) => v.to_string(),
        None => "None".to_owned(),
    }
}

/// Python-style repr of a string (single quotes).
pub fn str_repr(s: &str) -> String {
    format!("'{}'", s.escape_default())
}

/// The type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .qualname()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// A non-negative integer below 2**64. `bool` is refused (it is an `int` subclass, but
/// `True` as an id or a time is a bug).
pub fn to_u64(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            type_name(obj)
        )));
    }
    obj.extract::<u64>().map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be an integer in 0..=2**64-1, got {}",
            obj.str().map(|s| s.to_string()).unwrap_or_default()
        ))
    })
}

/// A `timedelta`'s whole seconds and sub-second nanoseconds, or `None` for another object.
fn timedelta_parts(obj: &Bound<'_, PyAny>) -> PyResult<Option<(i128, u32)>> {
    let py = obj.py();
    let api = datetime_api(py)?;
    if !obj.is_instance(api.timedelta.bind(py))? {
        return Ok(None);
    }
    let (days, secs, micros) = delta_parts(obj)?;
    let whole = i128::from(days) * 86_400 + i128::from(secs);
    // `timedelta` normalizes microseconds into 0..1_000_000.
    let nanos = u32::try_from(micros).unwrap_or(0) * 1_000;
    Ok(Some((whole, nanos)))
}

/// A duration in seconds (`leeway`, `max_clock_skew`, `dynamic_ttl`, `expiry_grace`, ...):
/// an `int`, or a `timedelta` read by the core's rule for durations
/// ([`auth_core::Lifetime::ttl_from_parts`]: a fraction of a second → `InvalidTtl`). A
/// negative or too large value → `ValueError`, as for an int.
pub fn opt_duration(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u64>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let py = obj.py();
    match timedelta_parts(obj)? {
        None => to_u64(obj, what).map(Some).map_err(|e| {
            if e.is_instance_of::<PyTypeError>(py) {
                PyTypeError::new_err(format!(
                    "{what} must be an int (seconds) or a timedelta, not {}",
                    type_name(obj)
                ))
            } else {
                e
            }
        }),
        Some((whole, nanos)) => {
            let secs =
                crate::errors::core(py, || auth_core::Lifetime::ttl_from_parts(whole, nanos))?;
            u64::try_from(secs).map(Some).map_err(|_| {
                PyValueError::new_err(format!("{what} must not be negative, got {secs} s"))
            })
        }
    }
}

/// An optional [`to_u64`]: `None` stays `None`.
pub fn opt_u64(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u64>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => to_u64(o, what).map(Some),
    }
}

struct DateTimeApi {
    datetime: Py<PyAny>,
    timedelta: Py<PyAny>,
    epoch: Py<PyAny>,
}

static DATETIME: PyOnceLock<DateTimeApi> = PyOnceLock::new();

fn datetime_api(py: Python<'_>) -> PyResult<&DateTimeApi> {
    DATETIME.get_or_try_init(py, || {
        let m = py.import("datetime")?;
        let datetime = m.getattr("datetime")?;
        let utc = m.getattr("timezone")?.getattr("utc")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        let epoch = datetime.call((1970, 1, 1), Some(&kwargs))?;
        Ok(DateTimeApi {
            datetime: datetime.unbind(),
            timedelta: m.getattr("timedelta")?.unbind(),
            epoch: epoch.unbind(),
        })
    })
}

fn delta_parts(delta: &Bound<'_, PyAny>) -> PyResult<(i64, i64, i64)> {
    Ok((
        delta.getattr("days")?.extract()?,
        delta.getattr("seconds")?.extract()?,
        delta.getattr("microseconds")?.extract()?,
    ))
}

/// A time in UNIX seconds: an `int`, or an aware `datetime` (converted to UTC, fractions
/// of a second dropped). A naive `datetime` is refused: its time zone would be a guess.
pub fn to_time(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    let py = obj.py();
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return to_u64(obj, what);
    }
    let api = datetime_api(py)?;
    if !obj.is_instance(api.datetime.bind(py))? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int (UNIX seconds) or an aware datetime, not {}",
            type_name(obj)
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what} is a naive datetime; pass an aware one (e.g. datetime.now(timezone.utc)) or int seconds"
        )));
    }
    let delta = obj.sub(api.epoch.bind(py))?;
    let (days, secs, _) = delta_parts(&delta)?;
    let total = days * 86_400 + secs;
    u64::try_from(total).map_err(|_| {
        PyValueError::new_err(format!("{what} must not be before 1970-01-01T00:00:00Z"))
    })
}

/// An optional [`to_time`].
pub fn opt_time(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u64>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => to_time(o, what).map(Some),
    }
}

/// A TTL in seconds: an `int` (any sign: the core reports `invalid_ttl` for out-of-range
/// values) or a `timedelta` of whole seconds.
pub fn to_ttl(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        // Beyond i128 the sign is all that matters: the core refuses it either way.
        let whole = obj.extract::<i128>().unwrap_or_else(|_| {
            if obj.lt(0i32).unwrap_or(false) {
                i128::MIN
            } else {
                i128::MAX
            }
        });
        return crate::errors::core(py, || auth_core::Lifetime::ttl_from_parts(whole, 0));
    }
    if let Some(parts) = timedelta_parts(obj)? {
        return crate::errors::core(py, || auth_core::Lifetime::ttl_from_parts(parts.0, parts.1));
    }
    Err(PyTypeError::new_err(format!(
        "ttl must be an int (seconds) or a timedelta, not {}",
        type_name(obj)
    )))
}

/// The lifetime `ttl=` / `static=` ask for (the core decides: neither → dynamic; both →
/// `invalid_request`).
pub fn to_lifetime(
    py: Python<'_>,
    ttl: Option<&Bound<'_, PyAny>>,
    r#static: bool,
) -> PyResult<auth_core::Lifetime> {
    let ttl = match ttl {
        Some(t) if !t.is_none() => Some(to_ttl(py, t)?),
        _ => None,
    };
    core(py, || auth_core::Lifetime::from_options(ttl, r#static))
}

/// The UTF-8 text of a `str`. A `str` that has no UTF-8 form (a lone surrogate such as
/// `"\ud800"`) is bad input of the kind `code` names, so it raises that `AuthError`
/// subclass (never a bare `UnicodeEncodeError`, which `except AuthError` would miss).
pub fn utf8_of<'a>(
    s: &'a Bound<'_, PyString>,
    code: ErrorCode,
    what: &str,
) -> PyResult<Cow<'a, str>> {
    s.to_cow().map_err(|_| not_unicode(s.py(), code, what))
}

/// The error for a `str` argument with no UTF-8 form.
pub fn not_unicode(py: Python<'_>, code: ErrorCode, what: &str) -> PyErr {
    to_pyerr_msg(
        py,
        code,
        &format!("{what} is not valid Unicode text (it contains a lone surrogate)"),
    )
}

/// A `str` argument (no bytes, no other type); text with no UTF-8 form is `invalid_request`.
pub fn to_str(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    to_str_as(obj, ErrorCode::InvalidRequest, what)
}

/// A `str` argument whose text, when it has no UTF-8 form, is bad input of kind `code`.
pub fn to_str_as(obj: &Bound<'_, PyAny>, code: ErrorCode, what: &str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => Ok(utf8_of(s, code, what)?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be str, not {}",
            type_name(obj)
        ))),
    }
}

/// An optional [`to_str`].
pub fn opt_str(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<String>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => to_str(o, what).map(Some),
    }
}

/// A token: `str` or `bytes`, borrowed without copying where the interpreter allows.
pub enum TokenArg {
    /// A `str` token.
    Str(PyBackedStr),
    /// A `bytes` token (need not be UTF-8: the core then reports `malformed_token`).
    Bytes(PyBackedBytes),
}

impl TokenArg {
    /// The token's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            TokenArg::Str(s) => s.as_bytes(),
            TokenArg::Bytes(b) => b,
        }
    }

    /// Extracts a token argument: a `str` with no UTF-8 form is `malformed_token`.
    pub fn extract(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<TokenArg> {
        Self::extract_as(obj, ErrorCode::MalformedToken, what)
    }

    /// Extracts `str` or `bytes`. A `str` with no UTF-8 form (a lone surrogate) is handed
    /// to the core as the bytes `encode("utf-8", "surrogatepass")` gives, which are not
    /// UTF-8: the core then rejects it with its own code (`malformed_token` for a token,
    /// `invalid_request` for a body), per item in a batch. `code` is used only if even that
    /// encoding fails.
    pub fn extract_as(obj: &Bound<'_, PyAny>, code: ErrorCode, what: &str) -> PyResult<TokenArg> {
        if obj.is_instance_of::<PyString>() {
            match obj.extract::<PyBackedStr>() {
                Ok(s) => Ok(TokenArg::Str(s)),
                Err(_) => obj
                    .call_method1("encode", ("utf-8", "surrogatepass"))
                    .and_then(|b| Ok(b.extract::<PyBackedBytes>()?))
                    .map(TokenArg::Bytes)
                    .map_err(|_| not_unicode(obj.py(), code, what)),
            }
        } else if obj.is_instance_of::<PyBytes>() {
            Ok(TokenArg::Bytes(obj.extract()?))
        } else {
            Err(PyTypeError::new_err(format!(
                "{what} must be str or bytes, not {}",
                type_name(obj)
            )))
        }
    }
}

/// A secret: `bytes`, `bytearray` or `str` (its UTF-8 bytes; none → `invalid_key`).
pub fn to_secret(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        Ok(utf8_of(s, ErrorCode::InvalidKey, "secret")?
            .as_bytes()
            .to_vec())
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(b.as_bytes().to_vec())
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        Ok(b.to_vec())
    } else {
        Err(PyTypeError::new_err(format!(
            "secret must be bytes or str, not {}",
            type_name(obj)
        )))
    }
}

struct IpApi {
    address_types: Py<PyTuple>,
    text_types: Py<PyTuple>,
}

static IPADDRESS: PyOnceLock<IpApi> = PyOnceLock::new();

fn ip_api(py: Python<'_>) -> PyResult<&IpApi> {
    IPADDRESS.get_or_try_init(py, || {
        let m = py.import("ipaddress")?;
        let v4 = m.getattr("IPv4Address")?;
        let v6 = m.getattr("IPv6Address")?;
        let address_types = PyTuple::new(py, [v4.clone(), v6.clone()])?.unbind();
        let text_types = PyTuple::new(
            py,
            [v4, v6, m.getattr("IPv4Network")?, m.getattr("IPv6Network")?],
        )?
        .unbind();
        Ok(IpApi {
            address_types,
            text_types,
        })
    })
}

/// A client address: `str` or `ipaddress.IPv4Address` / `IPv6Address`, parsed strictly by
/// the core (`invalid_ip_address`).
pub fn to_client_ip(obj: &Bound<'_, PyAny>) -> PyResult<IpAddr> {
    let py = obj.py();
    let text = if let Ok(s) = obj.cast::<PyString>() {
        utf8_of(s, ErrorCode::InvalidIpAddress, "client_ip")?.into_owned()
    } else if obj.is_instance(ip_api(py)?.address_types.bind(py))? {
        obj.str()?.to_cow()?.into_owned()
    } else {
        return Err(PyTypeError::new_err(format!(
            "client_ip must be str, ipaddress.IPv4Address or ipaddress.IPv6Address, not {}",
            type_name(obj)
        )));
    };
    core(py, || auth_core::parse_client_ip(&text))
}

/// An optional [`to_client_ip`].
pub fn opt_client_ip(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<IpAddr>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => to_client_ip(o).map(Some),
    }
}

/// A list of IP rule texts: an iterable (not a `str`) of `str` or `ipaddress` addresses and
/// networks (their `str()`); an `IpAllowList` gives its rules.
pub fn to_rule_texts(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    let py = obj.py();
    if let Ok(list) = obj.cast::<crate::ip::PyIpAllowList>() {
        return Ok(list.get().rule_texts());
    }
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a list of rule strings, not a single {}",
            type_name(obj)
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be an iterable of str, not {}",
            type_name(obj)
        ))
    })?;
    let text_types = ip_api(py)?.text_types.bind(py);
    let mut out = match obj.len() {
        Ok(n) => Vec::with_capacity(n),
        Err(_) => Vec::new(),
    };
    for (i, item) in iter.enumerate() {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            let text = utf8_of(s, ErrorCode::InvalidIpRule, &format!("{what}[{i}]"))?;
            out.push(text.into_owned());
        } else if item.is_instance(text_types)? {
            out.push(item.str()?.to_cow()?.into_owned());
        } else {
            return Err(PyTypeError::new_err(format!(
                "{what}[{i}] must be str, not {}",
                type_name(&item)
            )));
        }
    }
    Ok(out)
}

/// A principal type name: `"user"` or `"reseller"`.
pub fn to_principal_type(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<PrincipalType> {
    let s = to_str(obj, what)?;
    PrincipalType::from_claim(&s).ok_or_else(|| {
        PyValueError::new_err(format!("{what} must be 'user' or 'reseller', got {s:?}"))
    })
}

/// A principal: `Principal`, or a `(type, id)` tuple.
pub fn to_principal(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Principal> {
    if let Ok(p) = obj.cast::<PyPrincipal>() {
        return Ok(p.get().0);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        if t.len() == 2 {
            let kind = to_principal_type(&t.get_item(0)?, &format!("{what}[0]"))?;
            let id = to_u64(&t.get_item(1)?, &format!("{what}[1]"))?;
            return Ok(Principal { kind, id });
        }
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a Principal or a (type, id) tuple, not {}",
        type_name(obj)
    )))
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// A Python `dict`/`list`/scalar tree as a JSON value (for the wire helpers). Only JSON
/// types are accepted: dict keys must be `str`, floats must be finite.
pub fn py_to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    if depth > 64 {
        return Err(PyValueError::new_err("value is nested too deeply"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        return Err(PyValueError::new_err("integer out of the JSON range"));
    }
    if let Ok(f) = obj.extract::<f64>() {
        if obj.is_instance_of::<pyo3::types::PyFloat>() {
            return serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| PyValueError::new_err("NaN and infinity are not JSON"));
        }
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(
            utf8_of(s, ErrorCode::InvalidRequest, "a string value")?.into_owned(),
        ));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key = to_str(&k, "dict key")?;
            map.insert(key, py_to_json(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(py_to_json(&item?, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{} is not a JSON value",
        type_name(obj)
    )))
}
