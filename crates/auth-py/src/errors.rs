//! Exceptions: one Python class per core [`ErrorCode`], generated from `ErrorCode::ALL`
//! when the module is initialised, all under `auth_core.AuthError`.

use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};

use auth_core::{Error, ErrorCode};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

pyo3::create_exception!(
    auth_core,
    AuthError,
    PyException,
    "Base class of every auth-core error.\n\n\
     Each subclass stands for one stable docs/errors.md code and carries the class attributes\n\
     ``code`` (snake_case), ``number`` (the C ABI result value), ``http_status`` (int or\n\
     None) and ``default_message``; an instance's ``message`` is the specific,\n\
     human-readable reason (``str(error)`` is the same text)."
);

/// The code of [`InternalError`]: a Rust panic caught at the binding boundary (a bug).
pub const INTERNAL_CODE: &str = "internal_error";

/// The exception classes, indexed by `ErrorCode::as_u32() - 1`, and `InternalError`.
struct Classes {
    by_code: Vec<Py<PyType>>,
    internal: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// The code whose class a code's class derives from, when not `AuthError` directly:
/// `missing_token` is a kind of `malformed_token` (a request without a bearer token was
/// `MalformedToken` before the code existed, and `except MalformedToken` still catches it).
pub fn parent_code(code: ErrorCode) -> Option<ErrorCode> {
    match code {
        ErrorCode::MissingToken => Some(ErrorCode::MalformedToken),
        _ => None,
    }
}

/// `token_expired` → `TokenExpired` (the Rust variant name is already CamelCase).
pub fn class_name(code: ErrorCode) -> String {
    format!("{code:?}")
}

fn new_class(
    py: Python<'_>,
    base: &Bound<'_, PyType>,
    name: &str,
    doc: &str,
) -> PyResult<Py<PyType>> {
    let qual = CString::new(format!("auth_core.{name}"))
        .map_err(|_| pyo3::exceptions::PyValueError::new_err("class name"))?;
    let doc = CString::new(doc).map_err(|_| pyo3::exceptions::PyValueError::new_err("doc"))?;
    PyErr::new_type(py, &qual, Some(&doc), Some(base), None)
}

/// Creates `AuthError`, one subclass per code and `InternalError`, and adds them to `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<AuthError>();
    base.setattr("code", "auth_error")?;
    base.setattr("number", 0u32)?;
    base.setattr("http_status", py.None())?;
    base.setattr("default_message", "auth-core error")?;
    // `message`: the instance's text (its first argument), or the class's default message,
    // so that exceptions raised from Python code (`TokenExpired("...")`) read the same way.
    let message = py.eval(
        c"property(lambda self: self.args[0] if self.args and isinstance(self.args[0], str) else type(self).default_message, doc='The human-readable reason.')",
        None,
        None,
    )?;
    base.setattr("message", message)?;
    m.add("AuthError", &base)?;

    let classes = CLASSES.get_or_try_init(py, || -> PyResult<Classes> {
        let mut by_code = Vec::with_capacity(ErrorCode::ALL.len());
        for &code in ErrorCode::ALL {
            let status = match code.http_status() {
                Some(s) => format!("HTTP {s}"),
                None => "no HTTP status: configuration".to_owned(),
            };
            let doc = format!(
                "``{}`` (number {}, {}): {}.",
                code.as_str(),
                code.as_u32(),
                status,
                code.default_message()
            );
            // A parent comes earlier in `ErrorCode::ALL` (checked by a test), so it exists.
            let parent = parent_code(code)
                .and_then(|p| by_code.get((p.as_u32() - 1) as usize))
                .map(|p: &Py<PyType>| p.bind(py).clone())
                .unwrap_or_else(|| base.clone());
            let ty = new_class(py, &parent, &class_name(code), &doc)?;
            let b = ty.bind(py);
            b.setattr("code", code.as_str())?;
            b.setattr("number", code.as_u32())?;
            b.setattr("http_status", code.http_status())?;
            b.setattr("default_message", code.default_message())?;
            if code == ErrorCode::InsufficientScope {
                // What the request needs, for the RFC 6750 challenge (`Answer.refusal`
                // writes it back); None on an instance raised without it.
                b.setattr(REQUIRED_SCOPE, py.None())?;
            }
            by_code.push(ty);
        }
        let internal = new_class(
            py,
            &base,
            "InternalError",
            "``internal_error``: a bug inside auth-core (a Rust panic caught at the binding \
             boundary). Not a docs/errors.md code; the operation failed closed.",
        )?;
        let b = internal.bind(py);
        b.setattr("code", INTERNAL_CODE)?;
        b.setattr("number", 0u32)?;
        b.setattr("http_status", 500u16)?;
        b.setattr("default_message", "internal error")?;
        Ok(Classes { by_code, internal })
    })?;
    for (&code, ty) in ErrorCode::ALL.iter().zip(&classes.by_code) {
        m.add(class_name(code).as_str(), ty.bind(py))?;
    }
    m.add("InternalError", classes.internal.bind(py))?;
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    m.add("ERROR_CODES", PyTuple::new(py, codes)?)?;
    Ok(())
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES
        .get(py)
        .ok_or_else(|| PyException::new_err("auth_core exception classes are not initialised"))
}

/// The exception class of `code`.
pub fn class_of<'py>(py: Python<'py>, code: ErrorCode) -> PyResult<Bound<'py, PyType>> {
    let c = classes(py)?;
    Ok(c.by_code[(code.as_u32() - 1) as usize].bind(py).clone())
}

fn instance(py: Python<'_>, ty: &Bound<'_, PyType>, message: &str) -> PyErr {
    match ty.call1((message,)) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => {
            let _ = py;
            e
        }
    }
}

/// The attribute of an `InsufficientScope` instance naming the scopes the request needs
/// (space-separated), as the core's `Error::required_scope`.
pub const REQUIRED_SCOPE: &str = "required_scope";

/// The Python exception for a core error (with `required_scope` when the error names one).
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    match class_of(py, e.code()) {
        Ok(ty) => {
            let err = instance(py, &ty, e.message());
            if let Some(scope) = e.required_scope() {
                if let Err(failed) = err.value(py).setattr(REQUIRED_SCOPE, scope) {
                    return failed;
                }
            }
            err
        }
        Err(err) => err,
    }
}

/// The core error an `AuthError` instance of `code` stands for: its message and, when it
/// carries one, its `required_scope` (a text that is not a scope list is dropped by the
/// core: it would be written into a header).
pub fn error_from_parts(err: &Bound<'_, PyAny>, code: ErrorCode, message: String) -> Error {
    let e = Error::with_message(code, message);
    match err
        .getattr(REQUIRED_SCOPE)
        .and_then(|s| s.extract::<String>())
    {
        Ok(scope) => e.with_required_scope(&scope),
        Err(_) => e,
    }
}

/// The Python exception for a core error with a specific message.
pub fn to_pyerr_msg(py: Python<'_>, code: ErrorCode, message: &str) -> PyErr {
    match class_of(py, code) {
        Ok(ty) => instance(py, &ty, message),
        Err(err) => err,
    }
}

/// What a call into the core can end with besides success.
pub enum Failure {
    /// A core error: raised as its code's class.
    Auth(Error),
    /// A Rust panic, caught: raised as `InternalError` (fails closed).
    Panic(String),
}

impl Failure {
    /// The Python exception.
    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Auth(e) => to_pyerr(py, &e),
            Failure::Panic(what) => match classes(py) {
                Ok(c) => instance(
                    py,
                    c.internal.bind(py),
                    &format!("internal error in auth-core (panic: {what}); nothing was accepted"),
                ),
                Err(err) => err,
            },
        }
    }
}

/// Runs a core call, turning a panic into [`Failure::Panic`]. Safe to call without the GIL.
pub fn run<T>(f: impl FnOnce() -> auth_core::Result<T>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::Auth(e)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".to_owned());
            Err(Failure::Panic(what))
        }
    }
}

/// [`run`] with the GIL held, converting the failure to a Python exception.
pub fn core<T>(py: Python<'_>, f: impl FnOnce() -> auth_core::Result<T>) -> PyResult<T> {
    run(f).map_err(|e| e.into_pyerr(py))
}

/// [`run`] with the GIL released (for CPU work that touches no Python object).
pub fn core_detached<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> auth_core::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| run(f)).map_err(|e| e.into_pyerr(py))
}

/// `error_class(code)`: the exception class of a snake_case code.
#[pyfunction]
pub fn error_class(py: Python<'_>, code: &str) -> PyResult<Py<PyType>> {
    if code == INTERNAL_CODE {
        return Ok(classes(py)?.internal.clone_ref(py));
    }
    match ErrorCode::from_name(code) {
        Some(c) => Ok(class_of(py, c)?.unbind()),
        None => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown error code {code:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_their_children() {
        for &code in ErrorCode::ALL {
            if let Some(parent) = parent_code(code) {
                assert!(parent.as_u32() < code.as_u32(), "{code:?}");
            }
        }
    }
}
