//! The login and token APIs' shapes (SPEC §1): the core's `wire` module, from C.
//!
//! Every decision (blocked accounts, IP restrictions, ownership, TTLs) is the core's; these
//! functions translate the host's account data in and the response bodies out.

use std::ffi::c_char;

use authcore::{
    create_token, error_status, login_error_json, login_reseller, login_user, logout,
    sms_error_body, CreateTokenRequest, CreatedToken, Format, ResellerAccount, ResellerLogin,
    TokenTarget, UserAccount, UserLogin,
};
use authcore::{Error, Lifetime};

use crate::claims::{auth_claims, auth_subject, subject_from_c};
use crate::error::auth_error;
use crate::ip::{auth_ip_allow_list, auth_ip_regex};
use crate::issue::{auth_issuer, auth_minted};
use crate::result::auth_result;
use crate::revocation::auth_memory_store;
use crate::util::{
    borrow_from, bytes, free_box, guard, handle, new_box, opt_bytes, opt_text, out_ptr,
    panic_boundary_or, text, utf8, write_out, Castable, Failure, FfiResult,
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

fn format(n: u32) -> FfiResult<Format> {
    auth_format::to_core(n)
}

fn format_number(f: Format) -> u32 {
    auth_format::from_core(f) as u32
}

// `auth_lifetime` is not converted by `enum_conversions!`: the core's `Lifetime::Ttl`
// carries the seconds, which C passes beside the kind.
fn lifetime(kind: u32, ttl: i64) -> FfiResult<Lifetime> {
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

fn lifetime_to_c(l: Lifetime) -> (u32, i64) {
    match l {
        Lifetime::Dynamic => (auth_lifetime::AUTH_LIFETIME_DYNAMIC as u32, 0),
        Lifetime::Static => (auth_lifetime::AUTH_LIFETIME_STATIC as u32, 0),
        Lifetime::Ttl(s) => (auth_lifetime::AUTH_LIFETIME_TTL as u32, s),
    }
}

unsafe fn client_ip(ip: *const c_char, len: usize) -> FfiResult<Option<std::net::IpAddr>> {
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
    panic_boundary_or(c"".as_ptr(), || match format(format_number) {
        Ok(Format::Json) => c"application/json".as_ptr(),
        Ok(Format::Xml) => c"application/xml".as_ptr(),
        Err(_) => c"".as_ptr(),
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
/// Errors: `AUTH_INVALID_REQUEST` (malformed body, no or bad `name`, ...),
/// `AUTH_INVALID_TTL`, `AUTH_INVALID_IP_RULE`, `AUTH_INVALID_ENUM`, `AUTH_NULL_ARGUMENT`.
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

/// Frees a token request. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_token_request_free(request: *mut auth_token_request) {
    panic_boundary_or((), || free_box(request))
}

// ---------------------------------------------------------------------------
// Token creation
// ---------------------------------------------------------------------------

/// A created token and the response of `POST /token`.
///
/// Immutable: may be read from any thread, freed once with `auth_created_token_free`.
pub struct auth_created_token {
    _private: [u8; 0],
}

impl Castable for auth_created_token {
    type Ownership = crate::util::OwnershipBox;
    type RustType = CreatedToken;
}

/// `POST /token`: creates a token for the caller itself (the core's `create_token` with
/// `TokenTarget::SelfAccount`). `caller` is the verified claims of the request's bearer
/// token; `now` NULL reads the system clock. `*created_out` receives the result (free
/// with `auth_created_token_free`). Errors: `AUTH_NOT_PERMITTED` (a rule outside the
/// caller's own `allowed_ips`), `AUTH_INVALID_TTL`, `AUTH_STATIC_NOT_ALLOWED`,
/// `AUTH_INVALID_KEY`, `AUTH_NULL_ARGUMENT`. Thread-safe for a shared issuer.
#[no_mangle]
pub unsafe extern "C" fn auth_create_token_self(
    issuer: *const auth_issuer,
    caller: *const auth_claims,
    request: *const auth_token_request,
    now: *const u64,
    created_out: *mut *mut auth_created_token,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let (issuer, caller) = (handle(issuer, "issuer")?, handle(caller, "caller")?);
        let request = handle(request, "request")?;
        let out = out_ptr(created_out, "created_out")?;
        let created = create_token(
            issuer,
            caller,
            request,
            TokenTarget::SelfAccount,
            now.as_ref().copied(),
        )?;
        out.write(new_box(created));
        Ok(())
    })
}

/// `POST /token/account/:accountID`: creates a token for a sub-account (the core's
/// `create_token` with `TokenTarget::SubAccount`). `account` is the sub-account the token
/// is for; `owned_by_caller` is the host's answer to "does the caller
/// own this account?" (false → `AUTH_NOT_PERMITTED`). Otherwise as
/// `auth_create_token_self`.
#[no_mangle]
pub unsafe extern "C" fn auth_create_token_sub_account(
    issuer: *const auth_issuer,
    caller: *const auth_claims,
    request: *const auth_token_request,
    account: *const auth_subject,
    owned_by_caller: bool,
    now: *const u64,
    created_out: *mut *mut auth_created_token,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let (issuer, caller) = (handle(issuer, "issuer")?, handle(caller, "caller")?);
        let request = handle(request, "request")?;
        let account = account.as_ref().ok_or_else(|| Failure::null("account"))?;
        let subject = subject_from_c(account)?;
        let out = out_ptr(created_out, "created_out")?;
        let target = TokenTarget::SubAccount {
            subject,
            owned_by_caller,
        };
        let created = create_token(issuer, caller, request, target, now.as_ref().copied())?;
        out.write(new_box(created));
        Ok(())
    })
}

/// The created token (its text, id and claims), borrowed: valid as long as `created`
/// lives; do not free it. NULL when `created` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_created_token_minted(
    created: *const auth_created_token,
) -> *const auth_minted {
    panic_boundary_or(std::ptr::null(), || {
        borrow_from::<auth_created_token, auth_minted>(created, |c| &c.minted)
    })
}

/// Copies the response body in `format` (an `auth_format` number: the JSON
/// `{"status": 1, "message": "OK", "token": ..., "token_id": ..., "allowed_ips": [...]}` or
/// the XML `<response>...</response>`) into `buf`. Errors also: `AUTH_INVALID_ENUM`.
#[no_mangle]
pub unsafe extern "C" fn auth_created_token_render(
    created: *const auth_created_token,
    format_number: u32,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(created, "created")?;
        let body = c.render(format(format_number)?);
        write_out(body.as_bytes(), buf, buf_len, out_len)
    })
}

/// Frees a created token. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_created_token_free(created: *mut auth_created_token) {
    panic_boundary_or((), || free_box(created))
}

// ---------------------------------------------------------------------------
// Logins
// ---------------------------------------------------------------------------

/// A dialer-platform user as the host found it, after checking the password. A plain
/// input struct: the library copies what it needs during the call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_user_account {
    /// `id`.
    pub id: u64,
    /// `name` (UTF-8, `name_len` bytes; required).
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// `admin`.
    pub admin: bool,
    /// Whether the account is blocked (it then gets no token: `AUTH_INVALID_CREDENTIALS`).
    pub blocked: bool,
    /// `sms_from` (UTF-8), or NULL for none.
    pub sms_from: *const c_char,
    /// Length of `sms_from` in bytes.
    pub sms_from_len: usize,
    /// Whether `user_group_id` is set.
    pub has_user_group_id: bool,
    /// `user_group_id` (when `has_user_group_id`).
    pub user_group_id: u64,
    /// The user group's `allowed_regex`, or NULL for none.
    pub allowed_regex: *const auth_ip_regex,
}

/// A successful dialer user login.
///
/// Immutable: may be read from any thread, freed once with `auth_user_login_free`.
pub struct auth_user_login {
    _private: [u8; 0],
}

impl Castable for auth_user_login {
    type Ownership = crate::util::OwnershipBox;
    type RustType = UserLogin;
}

/// `POST /session.json`: logs a user in (the core's `login_user`): a blocked account →
/// `AUTH_INVALID_CREDENTIALS`; a group regex that the client address (`client_ip`, NULL
/// when unknown) does not match → `AUTH_LOGIN_IP_DENIED` (406); otherwise mints with
/// `lifetime_kind`/`ttl` (an `auth_lifetime`, normally `AUTH_LIFETIME_DYNAMIC`) at `now`
/// (NULL: the system clock). `*login_out` receives the result (free with
/// `auth_user_login_free`). Errors also: `AUTH_INVALID_IP_ADDRESS`, minting errors,
/// `AUTH_INVALID_UTF8`, `AUTH_INVALID_ENUM`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_login_user(
    issuer: *const auth_issuer,
    account: *const auth_user_account,
    client_ip_text: *const c_char,
    client_ip_len: usize,
    lifetime_kind: u32,
    ttl: i64,
    now: *const u64,
    login_out: *mut *mut auth_user_login,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let issuer = handle(issuer, "issuer")?;
        let a = account.as_ref().ok_or_else(|| Failure::null("account"))?;
        let out = out_ptr(login_out, "login_out")?;
        let lifetime = lifetime(lifetime_kind, ttl)?;
        let allowed_regex = match a.allowed_regex.is_null() {
            true => None,
            false => Some(handle(a.allowed_regex, "account.allowed_regex")?.clone()),
        };
        let account = {
            let mut account_ =
                UserAccount::new(a.id, text(a.name, a.name_len, "account.name")?.to_owned());
            account_.admin = a.admin;
            account_.blocked = a.blocked;
            account_.sms_from =
                opt_text(a.sms_from, a.sms_from_len, "account.sms_from")?.map(str::to_owned);
            account_.user_group_id = a.has_user_group_id.then_some(a.user_group_id);
            account_.allowed_regex = allowed_regex;
            account_
        };
        let ip = client_ip(client_ip_text, client_ip_len)?;
        out.write(new_box(login_user(
            issuer,
            &account,
            ip,
            lifetime,
            now.as_ref().copied(),
        )?));
        Ok(())
    })
}

/// The login's token (its text, id and claims), borrowed: valid as long as `login`
/// lives; do not free it. NULL when `login` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_user_login_minted(
    login: *const auth_user_login,
) -> *const auth_minted {
    panic_boundary_or(std::ptr::null(), || {
        borrow_from::<auth_user_login, auth_minted>(login, |l| &l.minted)
    })
}

/// Copies the response body `{"user": {"id": 123, "blocked": false}, "token": "<jwt>"}`
/// into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_user_login_to_json(
    login: *const auth_user_login,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let l = handle(login, "login")?;
        write_out(l.to_json().as_bytes(), buf, buf_len, out_len)
    })
}

/// Frees a user login. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_user_login_free(login: *mut auth_user_login) {
    panic_boundary_or((), || free_box(login))
}

/// A reseller as the host found it, after checking the name and password. A plain input
/// struct: the library copies what it needs during the call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_reseller_account {
    /// `id`.
    pub id: u64,
    /// `name` (UTF-8, `name_len` bytes; required).
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// `settings.allowedIPs`, or NULL for no restriction (an empty list allows nothing).
    pub allowed_ips: *const auth_ip_allow_list,
    /// The response's `user_groups` as JSON array text (UTF-8), or NULL for `[]`.
    pub user_groups_json: *const c_char,
    /// Length of `user_groups_json` in bytes.
    pub user_groups_json_len: usize,
    /// The response's `user_balance` (must be finite).
    pub user_balance: f64,
    /// The response's `version` (UTF-8; required).
    pub version: *const c_char,
    /// Length of `version` in bytes.
    pub version_len: usize,
}

/// A successful reseller login.
///
/// Immutable: may be read from any thread, freed once with `auth_reseller_login_free`.
pub struct auth_reseller_login {
    _private: [u8; 0],
}

impl Castable for auth_reseller_login {
    type Ownership = crate::util::OwnershipBox;
    type RustType = ResellerLogin;
}

/// `POST /v1/resellers/login.json`: logs a reseller in (the core's `login_reseller`): a
/// non-finite balance → `AUTH_INVALID_REQUEST`; an allow-list the client address
/// (`client_ip`, NULL when unknown) is outside of → `AUTH_RESELLER_IP_DENIED`; otherwise
/// mints a token carrying the allow-list as `allowed_ips`. `user_groups_json` that is not
/// a JSON array → `AUTH_INVALID_REQUEST`. `*login_out` receives the result (free with
/// `auth_reseller_login_free`). Otherwise as `auth_login_user`.
#[no_mangle]
pub unsafe extern "C" fn auth_login_reseller(
    issuer: *const auth_issuer,
    account: *const auth_reseller_account,
    client_ip_text: *const c_char,
    client_ip_len: usize,
    lifetime_kind: u32,
    ttl: i64,
    now: *const u64,
    login_out: *mut *mut auth_reseller_login,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let issuer = handle(issuer, "issuer")?;
        let a = account.as_ref().ok_or_else(|| Failure::null("account"))?;
        let out = out_ptr(login_out, "login_out")?;
        let lifetime = lifetime(lifetime_kind, ttl)?;
        let allowed_ips = match a.allowed_ips.is_null() {
            true => None,
            false => Some(handle(a.allowed_ips, "account.allowed_ips")?.clone()),
        };
        let user_groups = match opt_bytes(
            a.user_groups_json.cast(),
            a.user_groups_json_len,
            "account.user_groups_json",
        )? {
            None => Vec::new(),
            Some(b) => {
                let t = utf8(b, "account.user_groups_json")?;
                ResellerAccount::parse_user_groups_json(t)?
            }
        };
        let account = {
            let mut account_ =
                ResellerAccount::new(a.id, text(a.name, a.name_len, "account.name")?.to_owned());
            account_.allowed_ips = allowed_ips;
            account_.user_groups = user_groups;
            account_.user_balance = a.user_balance;
            account_.version = text(a.version, a.version_len, "account.version")?.to_owned();
            account_
        };
        let ip = client_ip(client_ip_text, client_ip_len)?;
        out.write(new_box(login_reseller(
            issuer,
            &account,
            ip,
            lifetime,
            now.as_ref().copied(),
        )?));
        Ok(())
    })
}

/// The login's token (its text, id and claims), borrowed: valid as long as `login`
/// lives; do not free it. NULL when `login` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_reseller_login_minted(
    login: *const auth_reseller_login,
) -> *const auth_minted {
    panic_boundary_or(std::ptr::null(), || {
        borrow_from::<auth_reseller_login, auth_minted>(login, |l| l.minted())
    })
}

/// Copies the response body `{"token": ..., "reseller": {"id": ..., "name": ...},
/// "user_groups": [...], "user_balance": 1000.00, "version": "..."}` into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_reseller_login_to_json(
    login: *const auth_reseller_login,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let l = handle(login, "login")?;
        write_out(l.to_json().as_bytes(), buf, buf_len, out_len)
    })
}

/// Frees a reseller login. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_reseller_login_free(login: *mut auth_reseller_login) {
    panic_boundary_or((), || free_box(login))
}

/// Logout (both APIs, the core's `logout`): revokes the token these verified claims
/// describe in `store` at `now` (UNIX seconds;
/// NULL: the system clock). Errors: `AUTH_REVOCATION_STORE_FULL`,
/// `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_logout(
    store: *const auth_memory_store,
    claims: *const auth_claims,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = handle(store, "store")?;
        let claims = handle(claims, "claims")?;
        Ok(logout(store, claims, now.as_ref().copied())?)
    })
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

/// A new error with a core code (1–26) and its default message, for a host that reports
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
