//! `auth_verifier`: verifying tokens, and inspecting them unverified.

use std::ffi::c_char;
use std::sync::Arc;

use authcore::{
    inspect_unverified, parse_client_ip, Unverified, Verifier, VerifyOptions, VerifyRequest,
};

use crate::claims::auth_claims;
use crate::error::auth_error;
use crate::keys::{auth_key_ring, shared};
use crate::result::auth_result;
use crate::revocation::auth_revocation;
use crate::scope::{auth_required_scopes, opt_required};
use crate::util::{
    bytes, free_arc, free_box, guard, handle, new_arc, new_box, opt_text, out_ptr,
    panic_boundary_or, text, write_out, Castable, Failure, FfiResult,
};

/// A borrowed string: `len` bytes at `ptr` (not NUL-terminated; `ptr` may be NULL only
/// when `len` is 0). UTF-8 where the function reading it needs text (audiences, IP
/// rules); raw bytes as received for HTTP header values.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_str {
    /// The bytes.
    pub ptr: *const c_char,
    /// Their number.
    pub len: usize,
}

/// Verification settings (docs/keys.md, §4, §7). Start from `auth_verify_options_default()`.
/// The strings it points to are only read during `auth_verifier_new`, which copies them.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_verify_options {
    /// Seconds of grace applied to `exp` and `nbf` (default 0).
    pub leeway: u64,
    /// How far in the future `iat` may be, in seconds (default 60).
    pub max_clock_skew: u64,
    /// Largest token accepted, in bytes (default 8192), checked before decoding.
    pub max_token_size: usize,
    /// The audiences this verifier identifies itself with: `audiences_len` strings at
    /// `audiences` (default NULL, 0: none). A token with `aud` verifies only when its `aud`
    /// names one of them (RFC 7519 §4.1.3); otherwise `AUTH_INVALID_CLAIMS`.
    pub audiences: *const auth_str,
    /// The number of strings at `audiences`.
    pub audiences_len: usize,
    /// The expected issuer (UTF-8, `issuer_len` bytes), or NULL for none (default). When
    /// set, a token verifies only when its `iss` is present and equal.
    pub issuer: *const c_char,
    /// Length of `issuer` in bytes.
    pub issuer_len: usize,
}

/// The core options an `auth_verify_options` describes.
///
/// SAFETY: the struct's pointers are NULL or valid for their lengths.
pub(crate) unsafe fn options_from_c(o: &auth_verify_options) -> FfiResult<VerifyOptions> {
    let mut options = VerifyOptions::default();
    options.leeway = o.leeway;
    options.max_clock_skew = o.max_clock_skew;
    options.max_token_size = o.max_token_size;
    if o.audiences_len > 0 {
        if o.audiences.is_null() {
            return Err(Failure::null("options.audiences"));
        }
        for a in std::slice::from_raw_parts(o.audiences, o.audiences_len) {
            options.add_audience(text(a.ptr, a.len, "options.audiences[]")?);
        }
    }
    options.set_issuer(opt_text(o.issuer, o.issuer_len, "options.issuer")?.map(str::to_owned));
    Ok(options)
}

/// The core's default verification settings (leeway 0 s, max clock skew 60 s, 8 KiB, no
/// audience, no issuer).
/// Thread-safe.
#[no_mangle]
pub extern "C" fn auth_verify_options_default() -> auth_verify_options {
    let empty = auth_verify_options {
        leeway: 0,
        max_clock_skew: 0,
        max_token_size: 0,
        audiences: std::ptr::null(),
        audiences_len: 0,
        issuer: std::ptr::null(),
        issuer_len: 0,
    };
    panic_boundary_or(empty, || {
        let d = VerifyOptions::default();
        auth_verify_options {
            leeway: d.leeway,
            max_clock_skew: d.max_clock_skew,
            max_token_size: d.max_token_size,
            ..empty
        }
    })
}

/// Verifies tokens against a shared key ring, with options and an optional default
/// revocation store.
///
/// Immutable and reference-counted: safe to share and to verify from many threads at
/// once (a host revocation callback it holds must then be thread-safe too). Create with
/// `auth_verifier_new`, release with `auth_verifier_free`. It follows its key ring: keys
/// added to or removed from the ring, and its default kid, apply from the next call (no
/// need to rebuild the verifier to rotate keys).
pub struct auth_verifier {
    _private: [u8; 0],
}

impl Castable for auth_verifier {
    type Ownership = crate::util::OwnershipArc;
    type RustType = Verifier;
}

/// Creates a verifier that follows `ring` (every later change of the ring applies from
/// its next call; the verifier keeps the ring alive), with `options` (NULL: the defaults) and
/// `revocation` (NULL: none; otherwise consulted on every verification, also those that
/// pass a store of their own; the verifier keeps its own reference). `*verifier_out` receives
/// it (free with `auth_verifier_free`). Errors: `AUTH_NULL_ARGUMENT` (also `audiences` NULL
/// with `audiences_len` > 0), `AUTH_INVALID_UTF8` (an audience or the issuer).
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_new(
    ring: *const auth_key_ring,
    options: *const auth_verify_options,
    revocation: *const auth_revocation,
    verifier_out: *mut *mut auth_verifier,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let keys = shared(ring)?;
        let out = out_ptr(verifier_out, "verifier_out")?;
        let options = match options.as_ref() {
            Some(o) => options_from_c(o)?,
            None => VerifyOptions::default(),
        };
        let mut verifier = Verifier::with_options(keys, options);
        if !revocation.is_null() {
            let store = handle(revocation, "revocation")?;
            verifier.set_revocation_store(Some(crate::revocation::as_dyn(store)));
        }
        out.write(new_arc::<auth_verifier>(Arc::new(verifier)));
        Ok(())
    })
}

/// Releases a verifier. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_free(verifier: *mut auth_verifier) {
    panic_boundary_or((), || free_arc(verifier))
}

/// Verifies `token` (`token_len` bytes; not NUL-terminated, and a NUL byte inside is
/// rejected as `AUTH_MALFORMED_TOKEN`, never truncated) with every check of docs/ (keys, TTL, IP rules, revocation).
///
/// - `now`: the time in UNIX seconds, or NULL for the system clock;
/// - `client_ip`: the client address as text (`client_ip_len` bytes, parsed strictly:
///   `AUTH_INVALID_IP_ADDRESS`; not UTF-8: `AUTH_INVALID_UTF8`), or NULL when unknown — a
///   token restricted by `allowed_ips` then fails with `AUTH_IP_NOT_ALLOWED`;
/// - `revocation`: a store for this call, consulted in addition to the verifier's own
///   (it never replaces it: a token revoked in either is `AUTH_TOKEN_REVOKED`), or NULL.
///
/// On success `*claims_out` receives the claims (free with `auth_claims_free`); on
/// failure it is untouched and the result is the reason (`AUTH_TOKEN_EXPIRED`,
/// `AUTH_BAD_SIGNATURE`, ...; `auth_result_http_status` gives the status to answer).
/// Thread-safe for a shared verifier.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_verify(
    verifier: *const auth_verifier,
    token: *const c_char,
    token_len: usize,
    now: *const u64,
    client_ip: *const c_char,
    client_ip_len: usize,
    revocation: *const auth_revocation,
    claims_out: *mut *mut auth_claims,
    error_out: *mut *mut auth_error,
) -> auth_result {
    auth_verifier_verify_scoped(
        verifier,
        token,
        token_len,
        now,
        client_ip,
        client_ip_len,
        revocation,
        std::ptr::null(),
        claims_out,
        error_out,
    )
}

/// As `auth_verifier_verify`, for a request that needs scopes (docs/scopes.md):
/// `required` (NULL: nothing) is checked last, after every other check including
/// revocation. A token whose `scope` claim does not hold every required name fails with
/// `AUTH_INSUFFICIENT_SCOPE` (403); its `*error_out` names the requirement
/// (`auth_error_required_scope`, and the `WWW-Authenticate` challenge of
/// `auth_error_answer`). A token without the claim holds everything. Thread-safe for a
/// shared verifier and requirement.
#[no_mangle]
pub unsafe extern "C" fn auth_verifier_verify_scoped(
    verifier: *const auth_verifier,
    token: *const c_char,
    token_len: usize,
    now: *const u64,
    client_ip: *const c_char,
    client_ip_len: usize,
    revocation: *const auth_revocation,
    required: *const auth_required_scopes,
    claims_out: *mut *mut auth_claims,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let verifier = handle(verifier, "verifier")?;
        let args = VerifyArgs {
            token,
            token_len,
            now,
            client_ip,
            client_ip_len,
            revocation,
            required,
            claims_out,
        };
        args.run(|token, req| verifier.verify_with(token, req))
    })
}

/// The arguments every verify function shares, read and checked in one place.
pub(crate) struct VerifyArgs {
    pub token: *const c_char,
    pub token_len: usize,
    pub now: *const u64,
    pub client_ip: *const c_char,
    pub client_ip_len: usize,
    pub revocation: *const auth_revocation,
    pub required: *const auth_required_scopes,
    pub claims_out: *mut *mut auth_claims,
}

impl VerifyArgs {
    /// Reads the arguments into a request, calls `verify`, writes the claims.
    ///
    /// SAFETY: the pointers are NULL or valid as the verify functions document.
    pub(crate) unsafe fn run(
        self,
        verify: impl FnOnce(&[u8], &VerifyRequest<'_>) -> authcore::Result<authcore::Claims>,
    ) -> FfiResult {
        let token = bytes(self.token.cast(), self.token_len, "token")?;
        let out = out_ptr(self.claims_out, "claims_out")?;
        let client_ip = match opt_text(self.client_ip, self.client_ip_len, "client_ip")? {
            None => None,
            Some(t) => Some(parse_client_ip(t)?),
        };
        let store = match self.revocation.is_null() {
            true => None,
            false => Some(handle(self.revocation, "revocation")?),
        };
        let required = opt_required(self.required)?;
        let req = {
            let mut request = VerifyRequest::default();
            request.now = self.now.as_ref().copied();
            request.client_ip = client_ip;
            request.revocation = store.map(|s| s as &dyn authcore::RevocationStore);
            request.scopes = required;
            request
        };
        // A refused `Bearer …` text (or one with a line ending) says what to remove. (A
        // token short of scope verified first, so it has no such text; its error is kept
        // as it is, with the requirement for the challenge.)
        let claims = verify(token, &req).map_err(|e| match e.code() {
            authcore::ErrorCode::InsufficientScope => e,
            _ => authcore::token_hint(e, token),
        })?;
        out.write(new_box(claims));
        Ok(())
    }
}

/// A token's header and claims, decoded WITHOUT verifying anything (for debugging and
/// logging only; never for access decisions).
///
/// Immutable: may be read from any thread, freed once with `auth_unverified_free`.
pub struct auth_unverified {
    _private: [u8; 0],
}

impl Castable for auth_unverified {
    type Ownership = crate::util::OwnershipBox;
    type RustType = Unverified;
}

/// Decodes a token's header and claims without verifying the signature or any claim
/// (the core's `inspect_unverified`; `max_size` bytes at most). `*unverified_out`
/// receives it (free with `auth_unverified_free`). Errors: `AUTH_TOKEN_TOO_LARGE`,
/// `AUTH_MALFORMED_TOKEN`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_inspect_unverified(
    token: *const c_char,
    token_len: usize,
    max_size: usize,
    unverified_out: *mut *mut auth_unverified,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let token = bytes(token.cast(), token_len, "token")?;
        let out = out_ptr(unverified_out, "unverified_out")?;
        out.write(new_box(inspect_unverified(token, max_size)?));
        Ok(())
    })
}

unsafe fn unverified_json(
    u: *const auth_unverified,
    pick: impl FnOnce(&Unverified) -> String,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> FfiResult {
    let u = handle(u, "unverified")?;
    write_out(pick(u).as_bytes(), buf, buf_len, out_len)
}

/// Copies the unverified header as compact JSON into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_unverified_header_json(
    unverified: *const auth_unverified,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        unverified_json(unverified, |u| u.header.to_string(), buf, buf_len, out_len)
    })
}

/// Copies the unverified claims as compact JSON into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_unverified_claims_json(
    unverified: *const auth_unverified,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        unverified_json(unverified, |u| u.claims.to_string(), buf, buf_len, out_len)
    })
}

/// Frees an inspected token. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_unverified_free(unverified: *mut auth_unverified) {
    panic_boundary_or((), || free_box(unverified))
}
