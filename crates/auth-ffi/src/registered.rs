//! The registered claims profile (docs/profiles.md) in C: a verifier for another issuer's
//! tokens (`auth_verifier_new_registered`), its verification call, and `auth_registered_claims`
//! read through accessors. A registered verifier given to `auth_verifier_verify` (or a seeds
//! one to `auth_verifier_verify_registered`) fails closed with `AUTH_INVALID_CLAIMS`.

use std::ffi::c_char;
use std::sync::Arc;

use authcore::{
    ClaimsProfile, RegisteredClaim, RegisteredClaims, RequiredClaims, Verifier, VerifyOptions,
    VerifyRequest,
};

use crate::claims::{list_count, list_item, optional_text, optional_u64};
use crate::error::auth_error;
use crate::keys::{auth_key_ring, shared};
use crate::result::auth_result;
use crate::revocation::auth_revocation;
use crate::scope::{auth_required_scopes, opt_required};
use crate::util::{
    bytes, free_box, guard, handle, new_arc, new_box, out_ptr, panic_boundary_or, write_out,
    Castable, FfiResult,
};
use crate::verify::{auth_verifier, auth_verify_options, options_from_c};

/// The registered claims a registered verifier can require, as bits of a `uint32_t` mask
/// (`AUTH_CLAIM_EXP | AUTH_CLAIM_SUB`). `AUTH_CLAIM_EXP` alone is the usual default.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_registered_claim {
    /// `iss`.
    AUTH_CLAIM_ISS = 1,
    /// `sub`.
    AUTH_CLAIM_SUB = 2,
    /// `aud`.
    AUTH_CLAIM_AUD = 4,
    /// `exp`.
    AUTH_CLAIM_EXP = 8,
    /// `nbf`.
    AUTH_CLAIM_NBF = 16,
    /// `iat`.
    AUTH_CLAIM_IAT = 32,
    /// `jti`.
    AUTH_CLAIM_JTI = 64,
}

fn required_from_mask(mask: u32) -> FfiResult<RequiredClaims> {
    if mask >> RegisteredClaim::ALL.len() != 0 {
        return Err(authcore::Error::with_message(
            authcore::ErrorCode::InvalidRequest,
            format!("required_claims has unknown bits ({mask:#x}): use AUTH_CLAIM_* values"),
        )
        .into());
    }
    Ok(RegisteredClaim::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .fold(RequiredClaims::NONE, |set, (_, c)| set.with(c)))
}

/// Creates a verifier of the registered claims profile (another issuer's tokens), as
/// `auth_verifier_new` does for this library's tokens: `options` (NULL: the defaults; its
/// audiences and issuer are checked against `aud` and `iss`), `revocation` (NULL: none;
/// asked by `jti` — a host callback store cannot answer such a query:
/// `AUTH_REVOCATION_UNAVAILABLE`), and `required_claims`, a mask of `AUTH_CLAIM_*` bits (0:
/// none required; unknown bits → `AUTH_INVALID_REQUEST`). Free with `auth_verifier_free`.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_new_registered(
    ring: *const auth_key_ring,
    options: *const auth_verify_options,
    required_claims: u32,
    revocation: *const auth_revocation,
    verifier_out: *mut *mut auth_verifier,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let keys = shared(ring)?;
        let out = out_ptr(verifier_out, "verifier_out")?;
        let mut options = match options.as_ref() {
            Some(o) => options_from_c(o)?,
            None => VerifyOptions::default(),
        };
        options.set_profile(ClaimsProfile::Registered(required_from_mask(
            required_claims,
        )?));
        let mut verifier = Verifier::with_options(keys, options);
        if !revocation.is_null() {
            let store = handle(revocation, "revocation")?;
            verifier.set_revocation_store(Some(crate::revocation::as_dyn(store)));
        }
        out.write(new_arc::<auth_verifier>(Arc::new(verifier)));
        Ok(())
    })
}

/// The validated claims of a token verified with the registered profile.
///
/// Immutable: may be read from any thread at once; free once with
/// `auth_registered_claims_free`. Text accessors copy into a caller buffer as the
/// `auth_claims_*` ones do.
pub struct auth_registered_claims {
    _private: [u8; 0],
}

impl Castable for auth_registered_claims {
    type Ownership = crate::util::OwnershipBox;
    type RustType = RegisteredClaims;
}

/// Verifies `token` with a registered verifier (`auth_verifier_new_registered`): the
/// signature, then the registered claims' types, ranges and required ones, `aud` and
/// `iss`, the times, revocation by `jti` (the verifier's store and `revocation`, NULL: none)
/// and `required` scopes last (NULL: none; a token without a `scope` claim holds none).
/// `*claims_out` receives the claims on success (free with `auth_registered_claims_free`).
/// A seeds verifier → `AUTH_INVALID_CLAIMS`. Thread-safe for a shared verifier.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_verify_registered(
    verifier: *const auth_verifier,
    token: *const c_char,
    token_len: usize,
    now: *const u64,
    revocation: *const auth_revocation,
    required: *const auth_required_scopes,
    claims_out: *mut *mut auth_registered_claims,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let verifier = handle(verifier, "verifier")?;
        let token = bytes(token.cast(), token_len, "token")?;
        let out = out_ptr(claims_out, "claims_out")?;
        let store = match revocation.is_null() {
            true => None,
            false => Some(handle(revocation, "revocation")?),
        };
        let req = {
            let mut request = VerifyRequest::default();
            request.now = now.as_ref().copied();
            request.revocation = store.map(|s| s as &dyn authcore::RevocationStore);
            request.scopes = opt_required(required)?;
            request
        };
        let claims = verifier
            .verify_registered_with(token, &req)
            .map_err(|e| match e.code() {
                authcore::ErrorCode::InsufficientScope => e,
                _ => authcore::token_hint(e, token),
            })?;
        out.write(new_box(claims));
        Ok(())
    })
}

unsafe fn text_claim(
    claims: *const auth_registered_claims,
    pick: impl FnOnce(&RegisteredClaims) -> Option<&str>,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> FfiResult {
    let c = handle(claims, "claims")?;
    let present = out_ptr(present, "present")?;
    optional_text(pick(c), present, buf, buf_len, out_len)
}

/// `iss`: `*present` false when absent; when present it is copied into `buf` (as
/// `auth_claims_sms_from`).
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_iss(
    claims: *const auth_registered_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        text_claim(claims, |c| c.iss.as_deref(), present, buf, buf_len, out_len)
    })
}

/// `sub`, as `auth_registered_claims_iss`.
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_sub(
    claims: *const auth_registered_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        text_claim(claims, |c| c.sub.as_deref(), present, buf, buf_len, out_len)
    })
}

/// `jti`, as `auth_registered_claims_iss`.
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_jti(
    claims: *const auth_registered_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        text_claim(claims, |c| c.jti.as_deref(), present, buf, buf_len, out_len)
    })
}

/// `scope`, as its canonical text (the names sorted, one space apart), as
/// `auth_registered_claims_iss`. Absent: the token holds no scope.
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_scope(
    claims: *const auth_registered_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        text_claim(
            claims,
            |c| c.scope.as_ref().map(|s| s.as_str()),
            present,
            buf,
            buf_len,
            out_len,
        )
    })
}

/// Which NumericDate `auth_registered_claims_time` reads.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_registered_time {
    /// `exp`.
    AUTH_TIME_EXP = 1,
    /// `nbf`.
    AUTH_TIME_NBF = 2,
    /// `iat`.
    AUTH_TIME_IAT = 3,
}

/// `exp`, `nbf` or `iat` (`which`, an `auth_registered_time` number; another →
/// `AUTH_INVALID_ENUM`): `*present` false when absent (`*out` then 0), else `*out`
/// receives it (UNIX seconds).
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_time(
    claims: *const auth_registered_claims,
    which: u32,
    present: *mut bool,
    out: *mut u64,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let v = match which {
            1 => c.exp,
            2 => c.nbf,
            3 => c.iat,
            _ => {
                return Err(crate::util::Failure::new(
                    auth_result::AUTH_INVALID_ENUM,
                    "which must be AUTH_TIME_EXP, AUTH_TIME_NBF or AUTH_TIME_IAT",
                ))
            }
        };
        optional_u64(v, present, out)
    })
}

/// `aud`: `*present` false when absent; true with `*count` audiences otherwise (a single
/// string is one audience).
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_aud_count(
    claims: *const auth_registered_claims,
    present: *mut bool,
    count: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        list_count(handle(claims, "claims")?.aud.as_deref(), present, count)
    })
}

/// Copies the `index`-th audience into `buf`; `AUTH_INDEX_OUT_OF_RANGE` past the end.
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_aud(
    claims: *const auth_registered_claims,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let aud = list_item(c.aud.as_deref(), index, "aud")?;
        write_out(aud.as_bytes(), buf, buf_len, out_len)
    })
}

/// Copies the custom claims (every member that is not a registered claim or `scope`) as a
/// compact JSON object into `buf` (`{}` when there are none).
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_custom_json(
    claims: *const auth_registered_claims,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        write_out(c.custom_json().as_bytes(), buf, buf_len, out_len)
    })
}

/// Copies every claim (registered, `scope` and custom) as a compact JSON object into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_json(
    claims: *const auth_registered_claims,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        write_out(c.to_json().as_bytes(), buf, buf_len, out_len)
    })
}

/// Releases registered claims. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_registered_claims_free(claims: *mut auth_registered_claims) {
    panic_boundary_or((), || free_box(claims))
}
