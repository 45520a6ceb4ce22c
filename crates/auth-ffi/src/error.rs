//! `auth_error`: the details of one failed call.

use std::ffi::c_char;

use crate::result::{auth_result, auth_result_http_status};
use crate::util::{free_box, handle, panic_boundary_or, Castable, ErrorDetails};

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

/// Frees an `auth_error`. NULL is a no-op. The error and its message must not be used
/// afterwards.
#[no_mangle]
pub unsafe extern "C" fn auth_error_free(error: *mut auth_error) {
    panic_boundary_or((), || free_box(error))
}
