//! # auth-ffi: the C ABI of auth-core
//!
//! Builds `libauth_core.so` and `libauth_core.a`; the header `include/auth_core.h` is
//! generated from this crate by cbindgen (and a test fails when the checked-in copy is
//! stale). Every rule lives in `auth-core`; this crate only translates types and errors.
//!
//! The conventions every exported function follows (repeated in the header):
//!
//! - every symbol is `auth_<type>_<verb>`; handles are opaque; `_free(NULL)` is a no-op;
//! - fallible functions return an `auth_result` (`AUTH_OK` is 0; 1–34 are the core's
//!   stable codes; 1000 and up the binding's own) and run inside a panic boundary:
//!   a Rust panic becomes `AUTH_PANIC`, never an unwind into C;
//! - every pointer is checked for NULL (`AUTH_NULL_ARGUMENT`); outputs are written only
//!   on success;
//! - untrusted input (tokens, addresses, bodies) is pointer + length, never
//!   NUL-terminated; text that must be UTF-8 and is not gives `AUTH_INVALID_UTF8`;
//! - text outputs go to caller buffers (NUL-terminated, length written, and
//!   `AUTH_INSUFFICIENT_SIZE` with the needed length when too small);
//! - details of a failure come through an optional `auth_error **error_out`.
//!
//! # Safety
//!
//! Every exported function is `unsafe extern "C"`: callers must pass pointers that are
//! NULL or valid for the documented access (handles created by this library and not yet
//! freed; input buffers readable for the given length; output pointers writable) and
//! must respect each type's documented thread rules.
#![allow(clippy::missing_safety_doc)]
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

pub mod asym;
pub mod claims;
pub mod error;
pub mod http;
pub mod ip;
pub mod issue;
pub mod jwks;
pub mod keys;
pub mod login;
pub mod redis;
pub mod registered;
pub mod result;
pub mod revocation;
pub mod scope;
pub mod signature_cache;
pub mod token_api;
mod util;
pub mod verify;
pub mod wire;

/// The major version of auth-core this header and library belong to
/// (`AUTH_CORE_VERSION_MAJOR` in C; a test checks it against the crate version).
/// Compare with `auth_version()` at run time to detect a header/library mismatch.
pub const AUTH_CORE_VERSION_MAJOR: u32 = 0;
/// The minor version (`AUTH_CORE_VERSION_MINOR` in C).
pub const AUTH_CORE_VERSION_MINOR: u32 = 1;
/// The patch version (`AUTH_CORE_VERSION_PATCH` in C).
pub const AUTH_CORE_VERSION_PATCH: u32 = 0;

#[cfg(test)]
mod tests {
    #[test]
    fn version_macros_match_the_crate_version() {
        let parse = |s: &str| s.parse::<u32>().expect("numeric version part");
        assert_eq!(
            super::AUTH_CORE_VERSION_MAJOR,
            parse(env!("CARGO_PKG_VERSION_MAJOR"))
        );
        assert_eq!(
            super::AUTH_CORE_VERSION_MINOR,
            parse(env!("CARGO_PKG_VERSION_MINOR"))
        );
        assert_eq!(
            super::AUTH_CORE_VERSION_PATCH,
            parse(env!("CARGO_PKG_VERSION_PATCH"))
        );
        let text = format!(
            "{}.{}.{}",
            super::AUTH_CORE_VERSION_MAJOR,
            super::AUTH_CORE_VERSION_MINOR,
            super::AUTH_CORE_VERSION_PATCH
        );
        assert!(env!("CARGO_PKG_VERSION").starts_with(&text));
    }
}
