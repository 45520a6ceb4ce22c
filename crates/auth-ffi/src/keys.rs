//! `auth_key_ring`: HMAC keys pinned to one algorithm, one of them active for minting.

use std::ffi::c_char;
use std::sync::{Arc, RwLock};

use authcore::{Algorithm, Key, KeyRing};

use crate::error::auth_error;
use crate::result::auth_result;
use crate::util::{
    bytes, free_arc, guard, handle, new_arc, opt_text, out_ptr, panic_boundary_or, text, Castable,
    Failure, FfiResult,
};

/// The HMAC algorithm a key is pinned to (SPEC §3). Passed to C functions as `uint32_t`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_algorithm {
    /// HMAC-SHA-256 (the default).
    AUTH_HS256 = 1,
    /// HMAC-SHA-384.
    AUTH_HS384 = 2,
    /// HMAC-SHA-512.
    AUTH_HS512 = 3,
}

pub(crate) fn algorithm(n: u32) -> FfiResult<Algorithm> {
    match n {
        1 => Ok(Algorithm::HS256),
        2 => Ok(Algorithm::HS384),
        3 => Ok(Algorithm::HS512),
        _ => Err(Failure::new(
            auth_result::AUTH_INVALID_ENUM,
            format!("{n} is not an auth_algorithm"),
        )),
    }
}

fn algorithm_number(a: Algorithm) -> auth_algorithm {
    match a {
        Algorithm::HS256 => auth_algorithm::AUTH_HS256,
        Algorithm::HS384 => auth_algorithm::AUTH_HS384,
        Algorithm::HS512 => auth_algorithm::AUTH_HS512,
    }
}

/// A set of keys by `kid`: one active key mints, every key verifies (rotation).
///
/// Reference-counted and internally locked: safe to use from many threads at once,
/// including changing it on one thread while others read it. Verifiers and issuers copy
/// the ring when they are created (`auth_verifier_new`, `auth_issuer_new`); later
/// changes to the ring affect only verifiers and issuers created afterwards. Create
/// with `auth_key_ring_new`, release with `auth_key_ring_free`.
pub struct auth_key_ring {
    _private: [u8; 0],
}

impl Castable for auth_key_ring {
    type Inner = RwLock<KeyRing>;
}

/// The ring's current keys (a cheap copy: keys are reference-counted).
pub(crate) unsafe fn snapshot(ring: *const auth_key_ring) -> FfiResult<KeyRing> {
    let lock = handle(ring, "ring")?;
    Ok(lock.read().unwrap_or_else(|p| p.into_inner()).clone())
}

unsafe fn with_ring<T>(
    ring: *const auth_key_ring,
    f: impl FnOnce(&mut KeyRing) -> authcore::Result<T>,
) -> FfiResult<T> {
    let lock = handle(ring, "ring")?;
    let mut guard = lock.write().unwrap_or_else(|p| p.into_inner());
    Ok(f(&mut guard)?)
}

/// Looks an algorithm up by its name (`"HS256"`, `"HS384"`, `"HS512"`, as the core's
/// `Algorithm::parse`) and writes its `auth_algorithm` number to `*out`.
/// Unknown names → `AUTH_INVALID_KEY`; non-UTF-8 → `AUTH_INVALID_UTF8`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_algorithm_from_name(
    name: *const c_char,
    name_len: usize,
    out: *mut u32,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let name = text(name, name_len, "name")?;
        let out = out_ptr(out, "out")?;
        let alg = Algorithm::parse(name)?;
        out.write(algorithm_number(alg) as u32);
        Ok(())
    })
}

/// Creates an empty key ring; `*ring_out` receives it (free with `auth_key_ring_free`).
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_new(ring_out: *mut *mut auth_key_ring) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let out = out_ptr(ring_out, "ring_out")?;
        out.write(new_arc::<auth_key_ring>(Arc::new(RwLock::new(KeyRing::new()))).cast_mut());
        Ok(())
    })
}

/// Adds a key: `kid` (ASCII letters, digits and `-_.:`, 1–128 bytes), its algorithm
/// (an `auth_algorithm` number) and its secret bytes (copied; at least 32 bytes for
/// HS256). The first key added becomes active.
///
/// Errors: `AUTH_WEAK_KEY` (secret too short), `AUTH_INVALID_KEY` (bad or duplicate
/// kid), `AUTH_INVALID_ENUM` (unknown algorithm), `AUTH_INVALID_UTF8`,
/// `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_add(
    ring: *mut auth_key_ring,
    kid: *const c_char,
    kid_len: usize,
    alg: u32,
    secret: *const u8,
    secret_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        handle(ring.cast_const(), "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        let alg = algorithm(alg)?;
        let secret = bytes(secret, secret_len, "secret")?;
        let key = Key::new(kid, alg, secret)?;
        with_ring(ring, |r| r.add(key))
    })
}

/// Removes (retires) a key: its tokens stop verifying in verifiers created afterwards.
/// Removing the active key leaves no active key until `auth_key_ring_set_active`.
/// Errors: `AUTH_UNKNOWN_KEY`, `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_remove(
    ring: *mut auth_key_ring,
    kid: *const c_char,
    kid_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        handle(ring.cast_const(), "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        with_ring(ring, |r| r.remove(kid).map(drop))
    })
}

/// Makes `kid` the key new tokens are minted with. Errors: `AUTH_UNKNOWN_KEY`,
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_set_active(
    ring: *mut auth_key_ring,
    kid: *const c_char,
    kid_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        handle(ring.cast_const(), "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        with_ring(ring, |r| r.set_active(kid))
    })
}

/// Sets the key that verifies tokens without a `kid` header when the ring holds several
/// keys; `kid` NULL clears it. Errors: `AUTH_UNKNOWN_KEY`, `AUTH_INVALID_UTF8`,
/// `AUTH_NULL_ARGUMENT` (ring). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_set_default_kid(
    ring: *mut auth_key_ring,
    kid: *const c_char,
    kid_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        handle(ring.cast_const(), "ring")?;
        let kid = opt_text(kid, kid_len, "kid")?;
        with_ring(ring, |r| r.set_default_kid(kid))
    })
}

/// Writes the number of keys to `*out`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_len(
    ring: *const auth_key_ring,
    out: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let ring = snapshot(ring)?;
        out_ptr(out, "out")?.write(ring.len());
        Ok(())
    })
}

/// Releases the caller's reference to a key ring. NULL is a no-op. Verifiers and
/// issuers created from it keep working.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_free(ring: *mut auth_key_ring) {
    panic_boundary_or((), || free_arc(ring.cast_const()))
}

/// Generates a new random HMAC secret (the core's `keys::generate_secret`: at least 256
/// bits from the OS CSPRNG, as base64url text, usable as it is as `auth_key_ring_add`'s
/// secret bytes) and copies it into `buf` (see "Output buffers"). Errors:
/// `AUTH_INVALID_REQUEST` (no randomness available), `AUTH_INSUFFICIENT_SIZE` (a new
/// secret is generated on every call: retry with a larger buffer), `AUTH_NULL_ARGUMENT`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_generate_secret(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let secret = authcore::keys::generate_secret(&authcore::SystemRandom)?;
        crate::util::write_out(secret.as_bytes(), buf, buf_len, out_len)
    })
}
