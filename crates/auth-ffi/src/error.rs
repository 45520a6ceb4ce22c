//! `auth_error`: the details of one failed call.

use std::ffi::c_char;

use crate::result::{auth_result, auth_result_http_status};
use crate::util::{free_box, guard, handle, out_ptr, panic_boundary_or, Castable, ErrorDetails};

/// The details of one failed call: its code and a human-readable message (which never
/// echoes secrets).
///
/// Every function that can fail with a message takes a last argument
/// `auth_error **error_out`. Pass NULL if the result code is enough. Otherwise, on
/// failure (and only then) `*error_out` receives a new `auth_error` that the caller
/// owns and must release with `auth_error_free`; on success `*error_out` is left
/// untouched. Any previous value in `*error_out` is overwritten, not freed: free it
/// (or set it to NULL) before reusing the variable.
///
/// An `auth_error` is immutable: it may be read from any thread, and freed once.
pub struct auth_error {
    _private: [u8; 0],
}

impl Castable for auth_error {
    type Ownership = crate::util::OwnershipBox;
    type RustType = ErrorDetails;
}

/// The result code of the failed call; `AUTH_NULL_ARGUMENT` if `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_error_code(error: *const auth_error) -> auth_result {
    panic_boundary_or(auth_result::AUTH_PANIC, || match handle(error, "error") {
        Ok(e) => e.code,
        Err(f) => f.code,
    })
}

/// The message of the failed call as a NUL-terminated UTF-8 string, valid until
/// `auth_error_free(error)`; do not free it. An empty string if `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_error_message(error: *const auth_error) -> *const c_char {
    panic_boundary_or(c"".as_ptr(), || match handle(error, "error") {
        Ok(e) => e.message.as_ptr(),
        Err(_) => c"".as_ptr(),
    })
}

/// The stable snake_case name of the failed call's code (as `auth_result_name`).
/// Static; never NULL; do not free it.
#[no_mangle]
pub unsafe extern "C" fn auth_error_name(error: *const auth_error) -> *const c_char {
    crate::result::auth_result_name(auth_error_code(error) as u32)
}

/// The HTTP status for the failed call's code (as `auth_result_http_status`).
#[no_mangle]
pub unsafe extern "C" fn auth_error_http_status(error: *const auth_error) -> u16 {
    auth_result_http_status(auth_error_code(error) as u32)
}

/// For `AUTH_INSUFFICIENT_SCOPE`: the scopes the refused request needs, as a canonical
/// scope text (sorted, separated by one space) — what the `WWW-Authenticate` challenge of
/// `auth_error_answer` names. `*present` is false for any other error, and for one made
/// by `auth_error_new`; the text is copied into `buf` as `auth_claims_sms_from` copies.
#[no_mangle]
pub unsafe extern "C" fn auth_error_required_scope(
    error: *const auth_error,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let e = handle(error, "error")?;
        let present = out_ptr(present, "present")?;
        let scope = e.core.as_ref().and_then(authcore::Error::required_scope);
        crate::claims::optional_text(scope, present, buf, buf_len, out_len)
    })
}

/// Frees an `auth_error`. NULL is a no-op. The error and its message must not be used
/// afterwards.
#[no_mangle]
pub unsafe extern "C" fn auth_error_free(error: *mut auth_error) {
    panic_boundary_or((), || free_box(error))
}
