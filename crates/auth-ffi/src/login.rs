//! The login API from C: user and reseller logins and logout (the core's `login_user`,
//! `login_reseller` and `logout`). Every decision (blocked accounts, IP restrictions) is
//! the core's; these functions translate the host's account data in and the bodies out.

use std::ffi::c_char;

use authcore::{
    login_reseller, login_user, logout, ResellerAccount, ResellerLogin, UserAccount, UserLogin,
};

use crate::claims::auth_claims;
use crate::error::auth_error;
use crate::ip::{auth_ip_allow_list, auth_ip_regex};
use crate::issue::{auth_issuer, auth_minted};
use crate::result::auth_result;
use crate::revocation::auth_memory_store;
use crate::util::{
    borrow_from, free_box, guard, handle, new_box, opt_bytes, opt_text, out_ptr, panic_boundary_or,
    text, utf8, write_out, Castable, Failure,
};
use crate::wire::{client_ip, lifetime};

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
    /// The response's `version` (UTF-8), or NULL or empty for the core's default
    /// (`"1.0.0"`).
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

/// `POST /v1/resellers/login.json` for a reseller that is not blocked: as
/// `auth_login_reseller_v2` with `blocked` false.
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
    auth_login_reseller_v2(
        issuer,
        account,
        false,
        client_ip_text,
        client_ip_len,
        lifetime_kind,
        ttl,
        now,
        login_out,
        error_out,
    )
}

/// `POST /v1/resellers/login.json`: logs a reseller in (the core's `login_reseller`): a
/// `blocked` account → `AUTH_RESELLER_INVALID_CREDENTIALS` (the answer to a wrong
/// password); a non-finite balance → `AUTH_INVALID_REQUEST`; an allow-list the client
/// address (`client_ip`, NULL when unknown) is outside of → `AUTH_RESELLER_IP_DENIED`;
/// otherwise mints a token carrying the allow-list as `allowed_ips`. `user_groups_json`
/// that is not a JSON array → `AUTH_INVALID_REQUEST`. `*login_out` receives the result
/// (free with `auth_reseller_login_free`). Otherwise as `auth_login_user`.
///
/// `blocked` is a parameter rather than a member of `auth_reseller_account`: the struct
/// is allocated by the caller, so a new member would break programs built against an
/// older header.
#[no_mangle]
pub unsafe extern "C" fn auth_login_reseller_v2(
    issuer: *const auth_issuer,
    account: *const auth_reseller_account,
    blocked: bool,
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
            account_.blocked = blocked;
            account_.set_version(opt_text(a.version, a.version_len, "account.version")?);
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
