//! # auth-py
//!
//! The Python binding of auth-core: the `auth_core._native` extension module, built by
//! maturin from `bindings/python` (one abi3 wheel for CPython ≥ 3.9).
//!
//! This crate only translates: Python arguments become core types (with `TypeError` /
//! `ValueError` for values of the wrong Python type or range), core results become typed
//! Python objects, and every core [`auth_core::Error`] becomes the Python exception class
//! of its [`auth_core::ErrorCode`] — one class per code, generated at import from
//! `ErrorCode::ALL`, all under `auth_core.AuthError`. Every rule stays in auth-core.
//!
//! Core calls run inside a panic guard: a Rust panic (a bug) surfaces as
//! `auth_core.InternalError`, never as pyo3's `PanicException`, and nothing is accepted.
//! Verification, minting and allow-list construction release the GIL (`Python::detach`).
#![deny(missing_docs)]

use pyo3::prelude::*;

mod claims;
mod convert;
mod errors;
mod http;
mod ip;
mod issue;
mod jwks;
mod keys;
mod login;
mod oauth;
mod redis_store;
mod registered;
mod revocation;
mod scope;
mod verify;
mod wire;

/// Decodes a token's header and claims WITHOUT verifying anything but the encoding (for
/// display and debugging only; never trust the values). Returns
/// ``{"header": {...}, "claims": {...}}``. Malformed or oversized tokens raise as ``verify``.
#[pyfunction]
#[pyo3(signature = (token, *, max_size = None), text_signature = "(token, *, max_size=8192)")]
fn inspect_unverified(
    py: Python<'_>,
    token: &Bound<'_, PyAny>,
    max_size: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let token = convert::TokenArg::extract(token, "token")?;
    let max = convert::opt_u64(max_size, "max_size")?
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .unwrap_or(auth_core::DEFAULT_MAX_TOKEN_SIZE);
    let u = errors::core(py, || auth_core::inspect_unverified(token.as_bytes(), max))?;
    let d = pyo3::types::PyDict::new(py);
    d.set_item("header", convert::json_to_py(py, &u.header)?)?;
    d.set_item("claims", convert::json_to_py(py, &u.claims)?)?;
    Ok(d.into_any().unbind())
}

/// The `auth_core._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(errors::error_class, m)?)?;
    m.add_function(wrap_pyfunction!(inspect_unverified, m)?)?;
    m.add_function(wrap_pyfunction!(ip::canonical_ip, m)?)?;
    m.add_function(wrap_pyfunction!(ip::forwarded_mentions, m)?)?;
    m.add_class::<keys::PyKeyRing>()?;
    m.add_class::<issue::PyIssuer>()?;
    m.add_class::<verify::PyVerifier>()?;
    m.add_class::<claims::PyPrincipal>()?;
    m.add_class::<claims::PyUserClaims>()?;
    m.add_class::<claims::PyResellerClaims>()?;
    m.add_class::<registered::PyRegisteredClaims>()?;
    m.add_class::<claims::PyMintedToken>()?;
    m.add_class::<claims::PyRevocationQuery>()?;
    m.add_class::<ip::PyIpAllowList>()?;
    m.add_class::<ip::PyIpRegex>()?;
    m.add_class::<revocation::PyMemoryStore>()?;
    m.add_class::<redis_store::PyRedisStore>()?;
    m.add_class::<jwks::PyJwksClient>()?;
    m.add_class::<login::PyUserLogin>()?;
    m.add_class::<login::PyResellerLogin>()?;
    m.add_class::<wire::PyTokenRequest>()?;
    m.add_class::<wire::PyCreatedToken>()?;
    m.add_function(wrap_pyfunction!(keys::generate_secret, m)?)?;
    m.add_function(wrap_pyfunction!(keys::generate_private_key_pem, m)?)?;
    m.add_class::<wire::PyTokenCreationPolicy>()?;
    m.add_function(wrap_pyfunction!(login::login_user, m)?)?;
    m.add_function(wrap_pyfunction!(login::login_reseller, m)?)?;
    m.add_function(wrap_pyfunction!(login::logout, m)?)?;
    m.add_function(wrap_pyfunction!(wire::create_token, m)?)?;
    m.add_function(wrap_pyfunction!(wire::create_sub_account_token, m)?)?;
    m.add_function(wrap_pyfunction!(wire::media_format, m)?)?;
    m.add_function(wrap_pyfunction!(wire::content_type, m)?)?;
    m.add_function(wrap_pyfunction!(wire::error_status, m)?)?;
    m.add_function(wrap_pyfunction!(wire::login_error_json, m)?)?;
    m.add_function(wrap_pyfunction!(wire::sms_error_body, m)?)?;
    m.add_class::<http::PyAuthenticator>()?;
    m.add_class::<http::PyAuthenticated>()?;
    m.add_class::<http::PyAnswer>()?;
    m.add_function(wrap_pyfunction!(http::bearer_token, m)?)?;
    m.add_function(wrap_pyfunction!(http::bearer_credentials, m)?)?;
    m.add_class::<scope::PyScopeVocabulary>()?;
    m.add_class::<scope::PyRequiredScopes>()?;
    m.add_function(wrap_pyfunction!(scope::parse_scope, m)?)?;
    m.add_function(wrap_pyfunction!(scope::valid_scope_name, m)?)?;
    m.add("MAX_SCOPES", auth_core::MAX_SCOPES)?;
    m.add("MAX_SCOPE_CHARS", auth_core::MAX_SCOPE_CHARS)?;
    m.add("MAX_VOCABULARY_SCOPES", auth_core::MAX_VOCABULARY_SCOPES)?;
    m.add_class::<oauth::PyTokenForm>()?;
    m.add_function(wrap_pyfunction!(oauth::client_credentials, m)?)?;
    m.add_function(wrap_pyfunction!(oauth::may_revoke, m)?)?;
    m.add_function(wrap_pyfunction!(oauth::introspection_json, m)?)?;
    m.add("DEFAULT_DYNAMIC_TTL", auth_core::DEFAULT_DYNAMIC_TTL)?;
    m.add("DEFAULT_MAX_TTL", auth_core::DEFAULT_MAX_TTL)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
