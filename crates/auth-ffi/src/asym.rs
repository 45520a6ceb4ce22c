//! Asymmetric keys (EdDSA, ES256/384/512, RS256 … PS512) from PEM and JWK, JWK Sets in and out, and custom claims
//! (docs/keys.md, docs/token-format.md). The core decides; these functions translate.

use std::ffi::c_char;

use authcore::{Key, KeyRing, SharedKeyRing};

use crate::claims::auth_claims;
use crate::error::auth_error;
use crate::issue::auth_mint_request;
use crate::keys::auth_key_ring;
use crate::result::auth_result;
use crate::util::{guard, handle, handle_mut, new_box, out_ptr, text, write_out};

/// Adds an asymmetric key from PEM text (`pem_len` bytes, UTF-8): an unencrypted PKCS#8
/// private key (`BEGIN PRIVATE KEY`: mints and verifies), an SPKI public key
/// (`BEGIN PUBLIC KEY`: verifies only) or a PKCS#1 RSA key (`BEGIN RSA PUBLIC KEY`,
/// `BEGIN RSA PRIVATE KEY`). The key type sets the algorithm; an RSA key is RS256 (pin it
/// to another with `auth_key_ring_add_pem_for`). The first key added becomes active;
/// minting with a public key is `AUTH_INVALID_KEY`.
///
/// Errors: `AUTH_INVALID_KEY` (unreadable PEM, another key type, bad or duplicate kid; the
/// message names the key), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_add_pem(
    ring: *mut auth_key_ring,
    kid: *const c_char,
    kid_len: usize,
    pem: *const c_char,
    pem_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let ring = handle(ring, "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        let pem = text(pem, pem_len, "pem")?;
        Ok(ring.add(Key::from_pem(kid, pem)?)?)
    })
}

/// Like `auth_key_ring_add_pem`, with the key pinned to `alg` (an `auth_algorithm`), which
/// must fit it: an RSA key to any of `AUTH_RS256` … `AUTH_PS512`, an EC key to the algorithm
/// of its curve, an Ed25519 key to `AUTH_EDDSA`; otherwise `AUTH_INVALID_KEY`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_add_pem_for(
    ring: *mut auth_key_ring,
    kid: *const c_char,
    kid_len: usize,
    alg: u32,
    pem: *const c_char,
    pem_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let ring = handle(ring, "ring")?;
        let kid = text(kid, kid_len, "kid")?;
        let alg = crate::keys::auth_algorithm::to_core(alg)?;
        let pem = text(pem, pem_len, "pem")?;
        Ok(ring.add(Key::from_pem_for(kid, alg, pem)?)?)
    })
}

/// Adds an asymmetric key from one JWK (JSON object text; its `kid` names it),
/// private (with `d`) or public, read as strictly as `auth_key_ring_from_jwks` reads each key.
/// Errors: `AUTH_INVALID_KEY` (naming the key), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_add_jwk(
    ring: *mut auth_key_ring,
    jwk: *const c_char,
    jwk_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let ring = handle(ring, "ring")?;
        let jwk = text(jwk, jwk_len, "jwk")?;
        Ok(ring.add(Key::from_jwk(jwk)?)?)
    })
}

/// Creates a verify-only key ring from JWK Set text (`{"keys": [...]}`); `*ring_out`
/// receives it (free with `auth_key_ring_free`). Read strictly: a duplicate `kid`, a
/// `kty`/`crv`/`alg` mismatch, a point not on the curve, an RSA key against the RSA rules
/// (docs/keys.md), wrong member lengths, bad base64url, or a private member →
/// `AUTH_INVALID_KEY` with a message naming the key; nothing is created then. A key for
/// another use (`use` other than `"sig"`, `key_ops` without `"verify"`, a JWE `alg`) is
/// left out. Also `AUTH_INVALID_UTF8`,
/// `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_from_jwks(
    jwks: *const c_char,
    jwks_len: usize,
    ring_out: *mut *mut auth_key_ring,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let out = out_ptr(ring_out, "ring_out")?;
        let jwks = text(jwks, jwks_len, "jwks")?;
        let ring = KeyRing::from_jwks(jwks)?;
        out.write(new_box(SharedKeyRing::from(ring)));
        Ok(())
    })
}

/// Replaces every key of `ring` with those of JWK Set text, atomically (a refresh): on
/// error nothing changes, and issuers and verifiers following the ring see the old set
/// or the new one, never a mix. Errors as `auth_key_ring_from_jwks`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_replace_from_jwks(
    ring: *mut auth_key_ring,
    jwks: *const c_char,
    jwks_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let ring = handle(ring, "ring")?;
        let jwks = text(jwks, jwks_len, "jwks")?;
        Ok(ring.replace_from_jwks(jwks)?)
    })
}

/// Copies the public keys of the ring's EdDSA and ES256 keys as JWK Set text into `buf`
/// (caller buffer: `AUTH_INSUFFICIENT_SIZE` with the needed length in `*out_len` when
/// short). HMAC secrets are never exported. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_key_ring_to_jwks(
    ring: *const auth_key_ring,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let ring = handle(ring, "ring")?;
        write_out(ring.to_jwks().as_bytes(), buf, buf_len, out_len)
    })
}

/// Sets the custom claims of a mint request from JSON object text; NULL clears them.
/// Errors: `AUTH_INVALID_REQUEST` (not a strict JSON object, a duplicate key, nesting too
/// deep, more than 64 claims, or a name the library owns such as `exp`; the request is
/// unchanged), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_extra_json(
    request: *mut auth_mint_request,
    json: *const c_char,
    json_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let r = handle_mut(request, "request")?;
        if json.is_null() {
            r.extra.clear();
            return Ok(());
        }
        let json = text(json, json_len, "json")?;
        Ok(r.set_extra_json(json)?)
    })
}

/// Copies the custom claims (every claim the library does not own) as compact JSON
/// object text into `buf` (`{}` when there are none; caller buffer as
/// `auth_claims_to_json`).
#[no_mangle]
pub unsafe extern "C" fn auth_claims_extra_json(
    claims: *const auth_claims,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        write_out(c.extra_json().as_bytes(), buf, buf_len, out_len)
    })
}
