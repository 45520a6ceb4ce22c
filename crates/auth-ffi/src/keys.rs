//! `auth_key_ring`: HMAC keys pinned to one algorithm, one of them active for minting.

use std::ffi::c_char;

use authcore::{Algorithm, Key, SharedKeyRing};

use crate::error::auth_error;
use crate::result::auth_result;
use crate::util::{
    bytes, free_box, guard, handle, new_box, opt_text, out_ptr, panic_boundary_or, text, Castable,
    FfiResult,
};

/// The algorithm a key is pinned to (docs/keys.md). Passed to C functions as `uint32_t`.
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
    /// Ed25519 (RFC 8037); with `auth_key_ring_add` the secret is the raw 32-byte seed.
    AUTH_EDDSA = 4,
    /// ECDSA P-256 with SHA-256; with `auth_key_ring_add` the secret is the raw 32-byte scalar.
    AUTH_ES256 = 5,
    /// ECDSA P-384 with SHA-384; with `auth_key_ring_add` the secret is the raw 48-byte scalar.
    AUTH_ES384 = 6,
    /// ECDSA P-521 with SHA-512; with `auth_key_ring_add` the secret is the raw 66-byte scalar.
    AUTH_ES512 = 7,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (keys from PEM or JWK: `auth_key_ring_add_pem_for`).
    AUTH_RS256 = 8,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    AUTH_RS384 = 9,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    AUTH_RS512 = 10,
    /// RSASSA-PSS with SHA-256 (salt of 32 bytes).
    AUTH_PS256 = 11,
    /// RSASSA-PSS with SHA-384 (salt of 48 bytes).
    AUTH_PS384 = 12,
    /// RSASSA-PSS with SHA-512 (salt of 64 bytes).
    AUTH_PS512 = 13,
}

crate::util::enum_conversions!(auth_algorithm <=> Algorithm {
    AUTH_HS256 <=> HS256,
    AUTH_HS384 <=> HS384,
    AUTH_HS512 <=> HS512,
    AUTH_EDDSA <=> EdDSA,
    AUTH_ES256 <=> ES256,
    AUTH_ES384 <=> ES384,
    AUTH_ES512 <=> ES512,
    AUTH_RS256 <=> RS256,
    AUTH_RS384 <=> RS384,
    AUTH_RS512 <=> RS512,
    AUTH_PS256 <=> PS256,
    AUTH_PS384 <=> PS384,
    AUTH_PS512 <=> PS512,
});

/// A set of keys by `kid`: one active key mints, every key verifies (rotation).
///
/// One key ring, shared: issuers and verifiers created from it (`auth_issuer_new`,
/// `auth_verifier_new`) do not copy it, they follow it. Every later change made through
/// `auth_key_ring_add`, `_remove`, `_set_active` and `_set_default_kid` is seen by all
/// of them on their next call, with no rebuilding and no lock on the verify path (each
/// change publishes a new immutable version of the ring atomically; a mint or verify
/// uses the version current when it starts). This is the core's `SharedKeyRing`, with
/// the same meaning in Rust, C and Python.
///
/// Internally synchronized: safe to use from many threads at once, including changing
/// it on one thread while others mint and verify. Create with `auth_key_ring_new`,
/// release with `auth_key_ring_free`; issuers and verifiers keep the ring alive.
pub struct auth_key_ring {
    _private: [u8; 0],
}

impl Castable for auth_key_ring {
    type Ownership = crate::util::OwnershipBox;
    type RustType = SharedKeyRing;
}

/// The shared ring behind a handle (a new reference to the same ring, not a copy).
pub(crate) unsafe fn shared(ring: *const auth_key_ring) -> FfiResult<SharedKeyRing> {
    Ok(handle(ring, "ring")?.clone())
}

/// Looks an algorithm up by its name (`"HS256"` … `"PS512"`, as the core's
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
        out.write(auth_algorithm::from_core(alg) as u32);
        Ok(())
    })
}

/// Creates an empty key ring; `*ring_out` receives it (free with `auth_key_ring_free`).
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_new(ring_out: *mut *mut auth_key_ring) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let out = out_ptr(ring_out, "ring_out")?;
        out.write(new_box(SharedKeyRing::new()));
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
        let ring = handle(ring, "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        let alg = auth_algorithm::to_core(alg)?;
        let secret = bytes(secret, secret_len, "secret")?;
        let key = Key::new(kid, alg, secret)?;
        Ok(ring.add(key)?)
    })
}

/// Removes (retires) a key: its tokens stop verifying, in every verifier following the
/// ring, from their next call.
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
        let ring = handle(ring, "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        ring.remove(kid)?;
        Ok(())
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
        let ring = handle(ring, "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        Ok(ring.set_active(kid)?)
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
        let ring = handle(ring, "ring")?;
        let kid = opt_text(kid, kid_len, "kid")?;
        Ok(ring.set_default_kid(kid)?)
    })
}

/// Writes the number of keys to `*out`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_len(
    ring: *const auth_key_ring,
    out: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let ring = handle(ring, "ring")?;
        out_ptr(out, "out")?.write(ring.len());
        Ok(())
    })
}

/// Releases the caller's handle to a key ring. NULL is a no-op. Issuers and verifiers
/// created from it keep the ring (in its last state: with the handle gone, nothing can
/// change it any more).
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_free(ring: *mut auth_key_ring) {
    panic_boundary_or((), || free_box(ring))
}

/// Generates a new random HMAC secret (the core's `generate_secret`: at least 256
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
        let secret = authcore::generate_secret(&authcore::SystemRandom)?;
        crate::util::write_out(secret.as_bytes(), buf, buf_len, out_len)
    })
}

/// As `auth_generate_secret`, for a key of algorithm `alg` (an `auth_algorithm` number):
/// the core's `generate_secret_for`, as many random bytes as the algorithm's hash output
/// (32 for HS256, 48 for HS384, 64 for HS512), as base64url text. Errors also:
/// `AUTH_INVALID_ENUM` (unknown algorithm). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_generate_secret_for(
    alg: u32,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let alg = auth_algorithm::to_core(alg)?;
        let secret = authcore::generate_secret_for(alg, &authcore::SystemRandom)?;
        crate::util::write_out(secret.as_bytes(), buf, buf_len, out_len)
    })
}
