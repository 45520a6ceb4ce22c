//! The HTTP edge from C (docs/http.md): `auth_authenticator` turns a request's headers and
//! peer into claims (the core's `Authenticator`), and `auth_answer` is the response to a
//! refusal (the core's `Answer`). The rules are the core's; this file only converts.

use std::ffi::c_char;
use std::sync::Arc;

use authcore::{canonical_ip_text, peer_addr, Answer, AnswerStyle, Authenticator, TrustedProxies};

use crate::claims::auth_claims;
use crate::error::auth_error;
use crate::result::auth_result;
use crate::revocation::auth_revocation;
use crate::scope::{auth_required_scopes, opt_required};
use crate::util::{
    bytes, free_arc, free_box, guard, handle, new_arc, new_box, out_ptr, panic_boundary_or, utf8,
    write_out, Castable, Failure, FfiResult,
};
use crate::verify::{auth_str, auth_verifier};

/// A buffer of this many bytes holds the canonical text of any client address plus its
/// NUL (`INET6_ADDRSTRLEN`): give `auth_authenticate_request` one and it never answers
/// `AUTH_INSUFFICIENT_SIZE`.
pub const AUTH_IP_TEXT_SIZE: usize = 46;

/// Which body a refusal is answered with (`auth_error_answer`). Passed to C functions as
/// `uint32_t`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_answer_style {
    /// The login API's `{"error": {"code", "message", "status"}}` (JSON).
    AUTH_ANSWER_LOGIN_API = 1,
    /// The token API's `{"status": 0, "message", "error"}`, JSON or XML by `Accept`.
    AUTH_ANSWER_TOKEN_API = 2,
    /// `{"error": "<code>", "message": "..."}` (JSON): for a host's own routes.
    AUTH_ANSWER_PLAIN = 3,
    /// nginx `auth_request`: 401, 403 or 500 with no body.
    AUTH_ANSWER_AUTH_REQUEST = 4,
    /// The OAuth 2.0 endpoints (RFC 7662 introspection, RFC 7009 revocation): RFC 6749
    /// §5.2's `{"error": "<oauth error>", "error_description": "..."}` (JSON); a client whose
    /// Basic credentials failed is challenged with `Basic`.
    AUTH_ANSWER_OAUTH = 5,
}

crate::util::enum_conversions!(auth_answer_style <=> AnswerStyle {
    AUTH_ANSWER_LOGIN_API <=> LoginApi,
    AUTH_ANSWER_TOKEN_API <=> TokenApi,
    AUTH_ANSWER_PLAIN <=> Plain,
    AUTH_ANSWER_AUTH_REQUEST <=> AuthRequest,
    AUTH_ANSWER_OAUTH <=> OAuth,
});

/// `count` byte strings at `list` (NULL allowed when `count` is 0; an element's `ptr` may
/// be NULL only when its `len` is 0). Nothing is allocated from `count` up front: a wrong
/// count must not abort the host on a huge allocation.
///
/// SAFETY: a non-NULL `list` holds `count` readable elements, each valid for its length.
pub(crate) unsafe fn byte_list<'a>(
    list: *const auth_str,
    count: usize,
    arg: &'static str,
) -> FfiResult<Vec<&'a [u8]>> {
    if count > 0 && list.is_null() {
        return Err(Failure::null(arg));
    }
    let mut out = Vec::new();
    for i in 0..count {
        let s = *list.add(i);
        out.push(match (s.ptr.is_null(), s.len) {
            (true, 0) => &[][..],
            _ => bytes(s.ptr.cast(), s.len, arg)?,
        });
    }
    Ok(out)
}

/// Authenticates HTTP requests (the core's `Authenticator`): a verifier, the trusted
/// proxies whose `X-Forwarded-For` is believed, and optionally a revocation store
/// consulted in addition to the verifier's own.
///
/// Immutable and reference-counted: build one at start-up and authenticate from many
/// threads at once (a host revocation callback it holds must then be thread-safe too).
/// Create with `auth_authenticator_new`, release with `auth_authenticator_free`.
pub struct auth_authenticator {
    _private: [u8; 0],
}

impl Castable for auth_authenticator {
    type Ownership = crate::util::OwnershipArc;
    type RustType = Authenticator;
}

/// Creates an authenticator that verifies with `verifier` (it follows the verifier's key
/// ring and keeps its own reference to it) and believes `X-Forwarded-For` only from the
/// peers inside the `trusted_proxies_count` IP/CIDR rules at `trusted_proxies` (UTF-8,
/// parsed strictly; `trusted_proxies` may be NULL when the count is 0: no proxy is
/// trusted, the peer is always the client). `trust_unix_peers`: a peer without an IP
/// address (a Unix-domain socket, see `auth_authenticate_request`) is a trusted proxy too
/// (a reverse proxy on the same host). `revocation` (NULL: none) is consulted on every
/// request in addition to the verifier's own store; the authenticator keeps its own
/// reference. `*authenticator_out` receives it (free with `auth_authenticator_free`).
/// Errors: `AUTH_INVALID_IP_RULE` (naming the bad rule's index), `AUTH_INVALID_UTF8`,
/// `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_authenticator_new(
    verifier: *const auth_verifier,
    trusted_proxies: *const auth_str,
    trusted_proxies_count: usize,
    trust_unix_peers: bool,
    revocation: *const auth_revocation,
    authenticator_out: *mut *mut auth_authenticator,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let verifier = handle(verifier, "verifier")?;
        let out = out_ptr(authenticator_out, "authenticator_out")?;
        let mut rules = Vec::new();
        for rule in byte_list(trusted_proxies, trusted_proxies_count, "trusted_proxies")? {
            rules.push(utf8(rule, "trusted_proxies[]")?);
        }
        let proxies = TrustedProxies::parse(&rules)?.trust_unix_peers(trust_unix_peers);
        let mut authenticator = Authenticator::new(verifier.clone()).trusted_proxies(proxies);
        if !revocation.is_null() {
            let store = handle(revocation, "revocation")?;
            authenticator = authenticator.revocation(crate::revocation::as_dyn(store));
        }
        out.write(new_arc::<auth_authenticator>(Arc::new(authenticator)));
        Ok(())
    })
}

/// Releases an authenticator. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_authenticator_free(authenticator: *mut auth_authenticator) {
    panic_boundary_or((), || free_arc(authenticator))
}

/// Authenticates one request (the core's `Authenticator::authenticate_at`, docs/http.md):
/// its bearer token (RFC 6750, read strictly), its client address (the peer, or
/// `X-Forwarded-For` behind a trusted proxy), then verification with that address and
/// revocation.
///
/// - `authorization`: the values of every `Authorization` header line, in the order
///   received (`authorization_count` of them; NULL with 0 when the header is absent, which
///   is `AUTH_MISSING_TOKEN`). Values are bytes as received, not NUL-terminated;
/// - `peer`: the connection's peer address as the server writes it (`peer_len` bytes:
///   `"192.0.2.1"`, `"::1"`, `"[::1]"`), or NULL for a connection without an IP address
///   (a Unix-domain socket). Text that is not an IP address (a socket path) means the
///   same;
/// - `forwarded_for`: the values of every `X-Forwarded-For` line, in order
///   (`forwarded_for_count`; NULL with 0 when absent). Read only when the peer is a
///   trusted proxy;
/// - `now`: the time in UNIX seconds, or NULL for the system clock.
///
/// On success `*claims_out` receives the claims (free with `auth_claims_free`) and, when
/// `client_ip_buf` is not NULL, the canonical text of the client address the token was
/// checked from is copied into it as in "Output buffers" (`client_ip_buf_len` bytes,
/// `*client_ip_len` its length): the empty string when the address is unknown (an
/// untrusted peer without an IP address). A buffer of `AUTH_IP_TEXT_SIZE` bytes always
/// fits; a smaller one that does not gives `AUTH_INSUFFICIENT_SIZE` and no claims. Pass
/// `client_ip_buf` NULL (and `client_ip_len` NULL) when the address is not wanted.
///
/// On failure nothing is written to `*claims_out` and the result is the reason:
/// `AUTH_MISSING_TOKEN`, `AUTH_MALFORMED_TOKEN`, `AUTH_INVALID_IP_ADDRESS` (an unreadable
/// `X-Forwarded-For` entry from a trusted proxy), every verification code, or
/// `AUTH_NULL_ARGUMENT`. Answer the client with `auth_error_answer` on the `*error_out`
/// it wrote. Thread-safe for a shared authenticator.
#[no_mangle]
pub unsafe extern "C" fn auth_authenticate_request(
    authenticator: *const auth_authenticator,
    authorization: *const auth_str,
    authorization_count: usize,
    peer: *const c_char,
    peer_len: usize,
    forwarded_for: *const auth_str,
    forwarded_for_count: usize,
    now: *const u64,
    claims_out: *mut *mut auth_claims,
    client_ip_buf: *mut c_char,
    client_ip_buf_len: usize,
    client_ip_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    auth_authenticate_request_scoped(
        authenticator,
        authorization,
        authorization_count,
        peer,
        peer_len,
        forwarded_for,
        forwarded_for_count,
        now,
        std::ptr::null(),
        claims_out,
        client_ip_buf,
        client_ip_buf_len,
        client_ip_len,
        error_out,
    )
}

/// As `auth_authenticate_request`, for a route that needs scopes (the core's
/// `Authenticator::authenticate_scoped_at`, docs/scopes.md): after every other check, a
/// token whose `scope` claim does not hold every name of `required` (NULL: nothing
/// required) fails with `AUTH_INSUFFICIENT_SCOPE`; `auth_error_answer` on its `*error_out`
/// answers 403 with `WWW-Authenticate: Bearer error="insufficient_scope",
/// scope="<required names>"` (RFC 6750 §3.1). A token without the claim holds everything.
/// Thread-safe for a shared authenticator and requirement.
#[no_mangle]
pub unsafe extern "C" fn auth_authenticate_request_scoped(
    authenticator: *const auth_authenticator,
    authorization: *const auth_str,
    authorization_count: usize,
    peer: *const c_char,
    peer_len: usize,
    forwarded_for: *const auth_str,
    forwarded_for_count: usize,
    now: *const u64,
    required: *const auth_required_scopes,
    claims_out: *mut *mut auth_claims,
    client_ip_buf: *mut c_char,
    client_ip_buf_len: usize,
    client_ip_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let authenticator = handle(authenticator, "authenticator")?;
        let authorization = byte_list(authorization, authorization_count, "authorization")?;
        let forwarded_for = byte_list(forwarded_for, forwarded_for_count, "forwarded_for")?;
        let required = opt_required(required)?;
        let out = out_ptr(claims_out, "claims_out")?;
        if !client_ip_buf.is_null() && client_ip_len.is_null() {
            return Err(Failure::null("client_ip_len"));
        }
        // Peer text that is not UTF-8 is no IP address either: the core's `peer_addr`
        // decides, on the text with its invalid bytes replaced.
        let peer = match peer.is_null() {
            true => None,
            false => peer_addr(&String::from_utf8_lossy(bytes(
                peer.cast(),
                peer_len,
                "peer",
            )?)),
        };
        let ok = authenticator.authenticate_scoped_at(
            &authorization,
            peer,
            &forwarded_for,
            now.as_ref().copied(),
            required,
        )?;
        if !client_ip_buf.is_null() {
            let ip = ok.client_ip.map(canonical_ip_text).unwrap_or_default();
            write_out(
                ip.as_bytes(),
                client_ip_buf,
                client_ip_buf_len,
                client_ip_len,
            )?;
        }
        out.write(new_box(ok.claims));
        Ok(())
    })
}

/// The HTTP answer to a refused request (the core's `Answer`): a status, headers and a
/// body, to be written as they are.
///
/// Immutable: may be read from any thread, freed once with `auth_answer_free`. The
/// pointers its accessors give are borrowed from it and valid until it is freed.
pub struct auth_answer {
    _private: [u8; 0],
}

/// An answer with NUL-terminated copies of its header names, values and body (the
/// lengths C sees leave the NUL out).
pub(crate) struct AnswerParts {
    status: u16,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
}

fn with_nul(s: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v
}

impl From<Answer> for AnswerParts {
    fn from(a: Answer) -> Self {
        AnswerParts {
            status: a.status,
            headers: a
                .headers()
                .into_iter()
                .map(|(name, value)| (with_nul(name), with_nul(&value)))
                .collect(),
            body: with_nul(&a.body),
        }
    }
}

impl Castable for auth_answer {
    type Ownership = crate::util::OwnershipBox;
    type RustType = AnswerParts;
}

/// Builds an answer from a style number and `Accept` lines, and writes it out.
unsafe fn write_answer(
    style: u32,
    accept: *const auth_str,
    accept_count: usize,
    answer_out: *mut *mut auth_answer,
    make: impl FnOnce(AnswerStyle, &[&[u8]]) -> FfiResult<Answer>,
) -> FfiResult {
    let style = auth_answer_style::to_core(style)?;
    let accept = byte_list(accept, accept_count, "accept")?;
    let out = out_ptr(answer_out, "answer_out")?;
    out.write(new_box(AnswerParts::from(make(style, &accept)?)));
    Ok(())
}

/// The answer to the refusal `error` (from `auth_authenticate_request` or any other call
/// that failed with a core code; `auth_error_new` makes one from a code) in `style` (an
/// `auth_answer_style` number), given the request's `Accept` header values
/// (`accept_count` of them; NULL with 0 when absent; the token API answers XML when they
/// ask for it). Status, challenge (`WWW-Authenticate`), body and the other headers are the
/// core's (docs/http.md): in `AUTH_ANSWER_AUTH_REQUEST` the status is 401, 403 or 500
/// and there is no body. `*answer_out` receives it (free with `auth_answer_free`).
/// Errors: `AUTH_NOT_CORE_ERROR` (an error with one of the binding's own codes, a bug of
/// the host or the library: answer `auth_answer_server_error`), `AUTH_INVALID_ENUM`,
/// `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_error_answer(
    error: *const auth_error,
    style: u32,
    accept: *const auth_str,
    accept_count: usize,
    answer_out: *mut *mut auth_answer,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let details = handle(error, "error")?;
        write_answer(style, accept, accept_count, answer_out, |style, accept| {
            let err = details.core.as_ref().ok_or_else(|| {
                Failure::new(
                    auth_result::AUTH_NOT_CORE_ERROR,
                    "the error carries one of the C binding's own codes and has no answer",
                )
            })?;
            Ok(Answer::refusal(err, style, accept))
        })
    })
}

/// The answer to too many attempts: 429 `rate_limited` (401 in
/// `AUTH_ANSWER_AUTH_REQUEST`) with `Retry-After: retry_after` (seconds, at least 1), in
/// `style` for the request's `Accept` values (as `auth_error_answer`). `*answer_out`
/// receives it (free with `auth_answer_free`). Errors: `AUTH_INVALID_ENUM`,
/// `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_rate_limited(
    retry_after: u64,
    style: u32,
    accept: *const auth_str,
    accept_count: usize,
    answer_out: *mut *mut auth_answer,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        write_answer(style, accept, accept_count, answer_out, |style, accept| {
            Ok(Answer::rate_limited(retry_after, style, accept))
        })
    })
}

/// The answer for the server's own fault: 500 `server_error` with the code's generic
/// message (log the details, never send them), in `style` for the request's `Accept`
/// values (as `auth_error_answer`). `*answer_out` receives it (free with
/// `auth_answer_free`). Errors: `AUTH_INVALID_ENUM`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_server_error(
    style: u32,
    accept: *const auth_str,
    accept_count: usize,
    answer_out: *mut *mut auth_answer,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        write_answer(style, accept, accept_count, answer_out, |style, accept| {
            Ok(Answer::server_error(style, accept))
        })
    })
}

/// The answer's HTTP status (401, 403, 429, ...); 0 if `answer` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_status(answer: *const auth_answer) -> u16 {
    panic_boundary_or(0, || handle(answer, "answer").map_or(0, |a| a.status))
}

/// The number of the answer's headers; 0 if `answer` is NULL. Every answer has
/// `cache-control`; `content-type` comes with a body, `www-authenticate` with a challenge
/// and `retry-after` with `rate_limited`.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_header_count(answer: *const auth_answer) -> usize {
    panic_boundary_or(0, || {
        handle(answer, "answer").map_or(0, |a| a.headers.len())
    })
}

/// The `index`-th header of the answer: `*name` (lower case, `*name_len` bytes) and
/// `*value` (`*value_len` bytes), both borrowed from the answer (valid until
/// `auth_answer_free`; never free them) and NUL-terminated too. Errors:
/// `AUTH_INDEX_OUT_OF_RANGE` (`index` >= `auth_answer_header_count`), `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_header(
    answer: *const auth_answer,
    index: usize,
    name: *mut *const c_char,
    name_len: *mut usize,
    value: *mut *const c_char,
    value_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let a = handle(answer, "answer")?;
        let outs = (
            out_ptr(name, "name")?,
            out_ptr(name_len, "name_len")?,
            out_ptr(value, "value")?,
            out_ptr(value_len, "value_len")?,
        );
        let (n, v) = a.headers.get(index).ok_or_else(|| {
            Failure::new(
                auth_result::AUTH_INDEX_OUT_OF_RANGE,
                format!("the answer has {} headers", a.headers.len()),
            )
        })?;
        outs.0.write(n.as_ptr().cast());
        outs.1.write(n.len() - 1);
        outs.2.write(v.as_ptr().cast());
        outs.3.write(v.len() - 1);
        Ok(())
    })
}

/// The answer's body: `*body` (borrowed from the answer, valid until `auth_answer_free`,
/// NUL-terminated too) and its length `*body_len` (0 when the answer has no body, as in
/// `AUTH_ANSWER_AUTH_REQUEST`; then send no `Content-Length` body). The media type is the
/// `content-type` header. Errors: `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_body(
    answer: *const auth_answer,
    body: *mut *const c_char,
    body_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let a = handle(answer, "answer")?;
        let (body, body_len) = (out_ptr(body, "body")?, out_ptr(body_len, "body_len")?);
        body.write(a.body.as_ptr().cast());
        body_len.write(a.body.len() - 1);
        Ok(())
    })
}

/// Frees an answer (and every pointer its accessors gave). NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_answer_free(answer: *mut auth_answer) {
    panic_boundary_or((), || free_box(answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::{null, null_mut};

    fn strs(items: &[&str]) -> Vec<auth_str> {
        items
            .iter()
            .map(|s| auth_str {
                ptr: s.as_ptr().cast(),
                len: s.len(),
            })
            .collect()
    }

    #[test]
    fn every_style_number_names_a_core_style() {
        for style in AnswerStyle::ALL {
            let n = auth_answer_style::from_core(style) as u32;
            assert_eq!(auth_answer_style::to_core(n).ok(), Some(style));
        }
        assert!(auth_answer_style::to_core(0).is_err());
    }

    #[test]
    fn a_bad_trusted_proxy_rule_is_an_invalid_ip_rule() {
        let ring = authcore::KeyRing::single(
            authcore::Key::new(
                "k",
                authcore::Algorithm::HS256,
                b"a secret of at least 32 bytes....",
            )
            .unwrap(),
        );
        let verifier = new_arc::<auth_verifier>(Arc::new(authcore::Verifier::new(ring)));
        let rules = strs(&["127.0.0.1", "10.0.0.1/8"]);
        let mut out = null_mut();
        let rc = unsafe {
            auth_authenticator_new(
                verifier,
                rules.as_ptr(),
                2,
                false,
                null(),
                &mut out,
                null_mut(),
            )
        };
        assert_eq!(rc, auth_result::AUTH_INVALID_IP_RULE);
        assert!(out.is_null());
        let rc = unsafe {
            auth_authenticator_new(
                verifier,
                rules.as_ptr(),
                1,
                true,
                null(),
                &mut out,
                null_mut(),
            )
        };
        assert_eq!(rc, auth_result::AUTH_OK);
        unsafe {
            auth_authenticator_free(out);
            crate::verify::auth_verifier_free(verifier);
        }
    }

    #[test]
    fn a_missing_token_is_answered_with_a_bare_bearer_challenge() {
        let err = Failure::from(authcore::Error::new(authcore::ErrorCode::MissingToken));
        let err = new_box::<auth_error>(crate::util::ErrorDetails::from_failure(err));
        let mut answer = null_mut();
        let style = auth_answer_style::AUTH_ANSWER_PLAIN as u32;
        let rc = unsafe { auth_error_answer(err, style, null(), 0, &mut answer) };
        assert_eq!(rc, auth_result::AUTH_OK);
        let mut found = false;
        unsafe {
            assert_eq!(auth_answer_status(answer), 401);
            for i in 0..auth_answer_header_count(answer) {
                let (mut n, mut nl, mut v, mut vl) = (null(), 0, null(), 0);
                let rc = auth_answer_header(answer, i, &mut n, &mut nl, &mut v, &mut vl);
                assert_eq!(rc, auth_result::AUTH_OK);
                let name = std::slice::from_raw_parts(n.cast::<u8>(), nl);
                let value = std::slice::from_raw_parts(v.cast::<u8>(), vl);
                found |= name == b"www-authenticate" && value == b"Bearer";
            }
            auth_answer_free(answer);
            crate::error::auth_error_free(err);
        }
        assert!(found);
    }
}
