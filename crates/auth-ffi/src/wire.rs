//! How the login and token APIs' bodies look, from C: body formats, token-creation
//! requests (JSON/XML) and error bodies. The decisions are in `login.rs` and `token_api.rs`.

use std::ffi::c_char;

use authcore::{error_status, login_error_json, sms_error_body, CreateTokenRequest, Format};
use authcore::{Error, Lifetime};

use crate::error::auth_error;
use crate::result::auth_result;
use crate::util::{
    bytes, free_box, guard, handle, new_box, opt_text, out_ptr, panic_boundary_or, text, write_out,
    Castable, Failure, FfiResult,
};

/// A body format of the SMS API. Passed to C functions as `uint32_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_format {
    /// `application/json` (the default).
    AUTH_FORMAT_JSON = 1,
    /// `application/xml`.
    AUTH_FORMAT_XML = 2,
}

/// A token lifetime kind. Passed to C functions as `uint32_t`, with a TTL in seconds
/// that only `AUTH_LIFETIME_TTL` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_lifetime {
    /// A login token: `exp = iat + dynamic_ttl` (24 hours by default).
    AUTH_LIFETIME_DYNAMIC = 1,
    /// No `exp`: never expires.
    AUTH_LIFETIME_STATIC = 2,
    /// `exp = iat + ttl`, `ttl` in `1..=max_ttl`.
    AUTH_LIFETIME_TTL = 3,
}

crate::util::enum_conversions!(auth_format <=> Format {
    AUTH_FORMAT_JSON <=> Json,
    AUTH_FORMAT_XML <=> Xml,
});

pub(crate) fn format(n: u32) -> FfiResult<Format> {
    auth_format::to_core(n)
}

pub(crate) fn format_number(f: Format) -> u32 {
    auth_format::from_core(f) as u32
}

// `auth_lifetime` is not converted by `enum_conversions!`: the core's `Lifetime::Ttl`
// carries the seconds, which C passes beside the kind.
pub(crate) fn lifetime(kind: u32, ttl: i64) -> FfiResult<Lifetime> {
    match kind {
        1 => Ok(Lifetime::Dynamic),
        2 => Ok(Lifetime::Static),
        3 => Ok(Lifetime::Ttl(ttl)),
        _ => Err(Failure::new(
            auth_result::AUTH_INVALID_ENUM,
            format!("{kind} is not an auth_lifetime"),
        )),
    }
}

pub(crate) fn lifetime_to_c(l: Lifetime) -> (u32, i64) {
    match l {
        Lifetime::Dynamic => (auth_lifetime::AUTH_LIFETIME_DYNAMIC as u32, 0),
        Lifetime::Static => (auth_lifetime::AUTH_LIFETIME_STATIC as u32, 0),
        Lifetime::Ttl(s) => (auth_lifetime::AUTH_LIFETIME_TTL as u32, s),
    }
}

pub(crate) unsafe fn client_ip(
    ip: *const c_char,
    len: usize,
) -> FfiResult<Option<std::net::IpAddr>> {
    match opt_text(ip, len, "client_ip")? {
        None => Ok(None),
        Some(t) => Ok(Some(authcore::parse_client_ip(t)?)),
    }
}

/// Reads a `Content-Type` or `Accept` header value (the core's `Format::from_media_type`):
/// `*recognized` is false when it names neither JSON nor XML (answer 415/406, or use JSON
/// when the header is absent); otherwise `*format_out` receives an `auth_format` number.
/// Errors: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_format_from_media_type(
    value: *const c_char,
    value_len: usize,
    recognized: *mut bool,
    format_out: *mut u32,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let value = text(value, value_len, "value")?;
        let (recognized, out) = (
            out_ptr(recognized, "recognized")?,
            out_ptr(format_out, "format_out")?,
        );
        let f = Format::from_media_type(value);
        recognized.write(f.is_some());
        out.write(format_number(f.unwrap_or_default()));
        Ok(())
    })
}

/// The media type to answer with for an `auth_format` number (`"application/json"`,
/// `"application/xml"`), static; `""` for an unknown number. Thread-safe.
#[no_mangle]
pub extern "C" fn auth_format_content_type(format_number: u32) -> *const c_char {
    static TYPES: std::sync::OnceLock<[std::ffi::CString; 2]> = std::sync::OnceLock::new();
    panic_boundary_or(c"".as_ptr(), || {
        let types = TYPES.get_or_init(|| {
            [Format::Json, Format::Xml]
                .map(|f| std::ffi::CString::new(f.content_type()).unwrap_or_default())
        });
        match format(format_number) {
            Ok(Format::Json) => types[0].as_ptr(),
            Ok(Format::Xml) => types[1].as_ptr(),
            Err(_) => c"".as_ptr(),
        }
    })
}

// ---------------------------------------------------------------------------
// Token-creation requests
// ---------------------------------------------------------------------------

/// A parsed token-creation request (`POST /token` body, JSON or XML).
///
/// Immutable: may be read from any thread, freed once with `auth_token_request_free`.
pub struct auth_token_request {
    _private: [u8; 0],
}

impl Castable for auth_token_request {
    type Ownership = crate::util::OwnershipBox;
    type RustType = CreateTokenRequest;
}

/// Parses a request body (`body_len` bytes, at most 64 KiB; `format` an `auth_format`
/// number) strictly. `*request_out` receives it (free with `auth_token_request_free`).
/// Errors: `AUTH_INVALID_REQUEST` (malformed body, no or bad `name`, `scopes` not a list
/// of strings, ...), `AUTH_INVALID_TTL`, `AUTH_INVALID_IP_RULE`, `AUTH_INVALID_SCOPE` (a
/// bad scope name, one given twice, an empty list), `AUTH_INVALID_ENUM`,
/// `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_parse(
    body: *const c_char,
    body_len: usize,
    format_number: u32,
    request_out: *mut *mut auth_token_request,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let body = bytes(body.cast(), body_len, "body")?;
        let format = format(format_number)?;
        let out = out_ptr(request_out, "request_out")?;
        out.write(new_box(CreateTokenRequest::parse(body, format)?));
        Ok(())
    })
}

/// Copies the request's `name` into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_name(
    request: *const auth_token_request,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let r = handle(request, "request")?;
        write_out(r.name.as_bytes(), buf, buf_len, out_len)
    })
}

/// The requested lifetime: `*kind` an `auth_lifetime` number (`AUTH_LIFETIME_STATIC` when
/// `ttl` was absent or null), `*ttl` the seconds for `AUTH_LIFETIME_TTL` (else 0). The
/// range is checked when the token is created.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_lifetime(
    request: *const auth_token_request,
    kind: *mut u32,
    ttl: *mut i64,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let r = handle(request, "request")?;
        let (kind, ttl) = (out_ptr(kind, "kind")?, out_ptr(ttl, "ttl")?);
        let (k, t) = lifetime_to_c(r.lifetime);
        kind.write(k);
        ttl.write(t);
        Ok(())
    })
}

/// Writes the number of requested `allowed_ips` rules (0: no restriction) to `*count`.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_allowed_ips_count(
    request: *const auth_token_request,
    count: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let r = handle(request, "request")?;
        out_ptr(count, "count")?.write(r.allowed_ips.len());
        Ok(())
    })
}

/// Copies the canonical text of the `index`-th requested rule into `buf`
/// (`AUTH_INDEX_OUT_OF_RANGE` past the end).
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_allowed_ip(
    request: *const auth_token_request,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let r = handle(request, "request")?;
        let rule = r.allowed_ips.get(index).ok_or_else(|| {
            Failure::new(
                auth_result::AUTH_INDEX_OUT_OF_RANGE,
                "allowed_ips index out of range",
            )
        })?;
        write_out(rule.to_string().as_bytes(), buf, buf_len, out_len)
    })
}

/// The requested `scopes` (docs/scopes.md): `*present` false when the body had none (the
/// created token keeps the caller's); otherwise their canonical text (sorted, separated by
/// one space) is copied into `buf` (as `auth_claims_sms_from`). Whether the caller may give
/// them is decided when the token is created.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_scopes(
    request: *const auth_token_request,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let r = handle(request, "request")?;
        let present = out_ptr(present, "present")?;
        let scopes = r.scopes.as_ref().map(ToString::to_string);
        crate::claims::optional_text(scopes.as_deref(), present, buf, buf_len, out_len)
    })
}

/// Frees a token request. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_free(request: *mut auth_token_request) {
    panic_boundary_or((), || free_box(request))
}

// ---------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------

unsafe fn core_error<'a>(error: *const auth_error) -> FfiResult<&'a Error> {
    handle(error, "error")?.core.as_ref().ok_or_else(|| {
        Failure::new(
            auth_result::AUTH_NOT_CORE_ERROR,
            "the error carries one of the C binding's own codes and has no response body",
        )
    })
}

/// A new error with a core code (1–34) and its default message, for a host that reports
/// a failure itself (`AUTH_INVALID_CREDENTIALS` after a wrong password, ...) through the
/// error bodies below. `*error_out` receives it (free with `auth_error_free`). Errors:
/// `AUTH_INVALID_ENUM` (not a core code), `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_error_new(code: u32, error_out: *mut *mut auth_error) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let out = out_ptr(error_out, "error_out")?;
        let code = authcore::ErrorCode::from_u32(code).ok_or_else(|| {
            Failure::new(
                auth_result::AUTH_INVALID_ENUM,
                format!("{code} is not a core error code"),
            )
        })?;
        let details = crate::util::ErrorDetails::from_failure(Failure::from(Error::new(code)));
        out.write(new_box::<auth_error>(details));
        Ok(())
    })
}

/// Writes the HTTP status to answer `error` with (the core's `wire::error_status`: the
/// code's status, 500 for configuration errors) to `*status`. Errors:
/// `AUTH_NOT_CORE_ERROR`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_error_response_status(
    error: *const auth_error,
    status: *mut u16,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let e = core_error(error)?;
        out_ptr(status, "status")?.write(error_status(e));
        Ok(())
    })
}

/// Copies the dialer API's error body
/// `{"error": {"code": "...", "message": "...", "status": 406}}` for `error` into `buf`.
/// Errors also: `AUTH_NOT_CORE_ERROR`.
#[no_mangle]
pub unsafe extern "C" fn auth_error_login_json(
    error: *const auth_error,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        write_out(
            login_error_json(core_error(error)?).as_bytes(),
            buf,
            buf_len,
            out_len,
        )
    })
}

/// Copies the SMS API's error body for `error` in `format` (an `auth_format` number:
/// `{"status": 0, "message": "...", "error": "<code>"}` or the XML `<response>`) into
/// `buf`. Errors also: `AUTH_NOT_CORE_ERROR`, `AUTH_INVALID_ENUM`.
#[no_mangle]
pub unsafe extern "C" fn auth_error_sms_body(
    error: *const auth_error,
    format_number: u32,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let e = core_error(error)?;
        let body = sms_error_body(e, format(format_number)?);
        write_out(body.as_bytes(), buf, buf_len, out_len)
    })
}
