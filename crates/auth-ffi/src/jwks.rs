//! `auth_jwks_client`: a JWK Set fetched by URL (crate `auth-jwks`, docs/jwks.md), the ring
//! it keeps current, and verification through it.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use auth_jwks::{JwksClient, JwksOptions};

use crate::claims::auth_claims;
use crate::error::auth_error;
use crate::keys::auth_key_ring;
use crate::result::auth_result;
use crate::revocation::auth_revocation;
use crate::scope::auth_required_scopes;
use crate::util::{
    free_arc, guard, handle, new_arc, new_box, out_ptr, panic_boundary_or, text, Castable,
    ErrorDetails, Failure,
};
use crate::verify::{auth_verifier, VerifyArgs};

/// Options of `auth_jwks_client_new`. Zero-initialize it (`auth_jwks_options o = {0};`) and
/// set what differs from the defaults; a 0 field means its default.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct auth_jwks_options {
    /// How long a fetched set is used before the next verification fetches it again, when the
    /// answer has no `Cache-Control: max-age`, in ms (0: 300000).
    pub cache_ms: u64,
    /// The longest `max-age` honoured, in ms (0: 86400000).
    pub max_cache_ms: u64,
    /// Ignore the answer's `Cache-Control` (always use `cache_ms`).
    pub ignore_cache_control: bool,
    /// Least time between two fetch attempts started by verification (an unknown `kid`, a
    /// stale set, a retry after a failure), in ms (0: 30000).
    pub cooldown_ms: u64,
    /// Connect timeout, and longest wait for the answer's head and for its body, in ms
    /// (0: 5000).
    pub timeout_ms: u64,
    /// Deadline of a whole fetch, in ms (0: 10000).
    pub deadline_ms: u64,
    /// Largest answer read, in bytes (0: 262144, also the maximum).
    pub max_bytes: usize,
    /// Accept an `http://` URL (a loopback test server only: anyone on the path could choose
    /// the keys). Default false: only `https://`.
    pub allow_http: bool,
}

/// What `auth_jwks_client_status` reports.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct auth_jwks_status {
    /// Keys in the ring now (0 until a fetch succeeded).
    pub keys: u64,
    /// Fetch attempts so far.
    pub attempts: u64,
    /// Attempts that failed.
    pub failures: u64,
    /// Whether a fetch has succeeded (then `fresh_for_ms` is meaningful).
    pub has_keys: bool,
    /// How long the set stays fresh, in ms (0: stale, the next verification may fetch).
    pub fresh_for_ms: u64,
    /// Whether the last attempt failed (`auth_jwks_client_last_error` says why).
    pub failing: bool,
}

/// A JWK Set fetched by URL, kept in a key ring (docs/jwks.md): fetched on first use, again
/// when stale, and once more (cooldown allowing) for a token whose `kid` it lacks; a bad
/// answer never replaces the keys. Verify through `auth_jwks_client_verify` so that this
/// happens; with no set fetched yet that is `AUTH_JWKS_UNAVAILABLE` (503).
///
/// Reference-counted and internally synchronized: share it between threads (one fetch at a
/// time). Create with `auth_jwks_client_new`, release with `auth_jwks_client_free`.
pub struct auth_jwks_client {
    _private: [u8; 0],
}

impl Castable for auth_jwks_client {
    type Ownership = crate::util::OwnershipArc;
    type RustType = JwksClient;
}

fn ms(v: u64, default: Duration) -> Duration {
    if v == 0 {
        default
    } else {
        Duration::from_millis(v)
    }
}

fn options_from_c(o: Option<&auth_jwks_options>) -> JwksOptions {
    let mut opts = JwksOptions::default();
    if let Some(o) = o {
        opts.cache_lifetime = ms(o.cache_ms, opts.cache_lifetime);
        opts.max_cache_lifetime = ms(o.max_cache_ms, opts.max_cache_lifetime);
        opts.honour_cache_control = !o.ignore_cache_control;
        opts.refetch_cooldown = ms(o.cooldown_ms, opts.refetch_cooldown);
        opts.timeout = ms(o.timeout_ms, opts.timeout);
        opts.deadline = ms(o.deadline_ms, opts.deadline);
        if o.max_bytes != 0 {
            opts.max_bytes = o.max_bytes;
        }
        opts.allow_http = o.allow_http;
    }
    opts
}

/// Makes a client for `url` (UTF-8, `url_len` bytes; `https://`, or `http://` with
/// `allow_http`). `options` may be NULL (defaults). `ca_file`: a NUL-terminated path of a PEM
/// file of CA certificates to trust instead of the public roots, or NULL. Fetches nothing yet
/// (call `auth_jwks_client_refresh` to fetch at start-up). `*client_out` receives it.
/// Errors: `AUTH_INVALID_REQUEST` (the URL, an option, the CA file), `AUTH_INVALID_UTF8`,
/// `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_new(
    url: *const c_char,
    url_len: usize,
    options: *const auth_jwks_options,
    ca_file: *const c_char,
    client_out: *mut *mut auth_jwks_client,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let url = text(url, url_len, "url")?;
        let out = out_ptr(client_out, "client_out")?;
        let mut opts = options_from_c(options.as_ref());
        opts.ca_file = crate::redis::path(ca_file, "ca_file")?;
        let client = JwksClient::new(url, opts)?;
        out.write(new_arc::<auth_jwks_client>(Arc::new(client)));
        Ok(())
    })
}

/// Releases a client. NULL is a no-op. Rings taken from it stay valid.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_free(client: *mut auth_jwks_client) {
    panic_boundary_or((), || free_arc(client))
}

/// Fetches the set now and replaces the ring with it (waiting for a fetch already running).
/// Errors: `AUTH_JWKS_UNAVAILABLE` with the reason (`auth_error_message`; the ring is
/// unchanged), `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_refresh(
    client: *const auth_jwks_client,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || Ok(handle(client, "client")?.refresh()?))
}

/// Writes a handle on the client's key ring to `*ring_out` (the same ring, not a copy: it
/// changes as the client fetches; free with `auth_key_ring_free`). Make the verifier for
/// `auth_jwks_client_verify` from it with `auth_verifier_new`. Errors: `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_key_ring(
    client: *const auth_jwks_client,
    ring_out: *mut *mut auth_key_ring,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(client, "client")?;
        let out = out_ptr(ring_out, "ring_out")?;
        out.write(new_box::<auth_key_ring>(c.ring()));
        Ok(())
    })
}

/// As `auth_verifier_verify_scoped`, through the client: the set is fetched first when it is
/// stale or was never fetched, and once more (cooldown allowing) when the token's `kid` is
/// not in it. `verifier` must follow the client's ring (`auth_jwks_client_key_ring`):
/// otherwise `AUTH_INVALID_REQUEST`. With no set fetched: `AUTH_JWKS_UNAVAILABLE` (503).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_verify(
    client: *const auth_jwks_client,
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
        let c = handle(client, "client")?;
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
        args.run(|token, req| c.verify_with(verifier, token, req))
    })
}

/// Why the last fetch failed: `*error_out` receives a new error (free with `auth_error_free`),
/// or NULL when the last fetch succeeded or none was made. Errors: `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_last_error(
    client: *const auth_jwks_client,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(client, "client")?;
        let out = out_ptr(error_out, "error_out")?;
        out.write(match c.last_error() {
            None => std::ptr::null_mut(),
            Some(e) => new_box::<auth_error>(ErrorDetails::from_failure(Failure::from(e))),
        });
        Ok(())
    })
}

/// Writes the client's counters to `*status_out`. Errors: `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_jwks_client_status(
    client: *const auth_jwks_client,
    status_out: *mut auth_jwks_status,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(client, "client")?;
        let out = out_ptr(status_out, "status_out")?;
        out.write(status_of(c));
        Ok(())
    })
}

fn status_of(c: &JwksClient) -> auth_jwks_status {
    let s = c.status();
    auth_jwks_status {
        keys: s.keys as u64,
        attempts: s.attempts,
        failures: s.failures,
        has_keys: s.fresh_for.is_some(),
        fresh_for_ms: s
            .fresh_for
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        failing: s.last_error.is_some(),
    }
}
