//! `auth_issuer`, `auth_mint_request`, `auth_minted`: minting tokens.

use std::ffi::c_char;
use std::sync::Arc;

use authcore::{
    check_jti, check_token_name, IpRule, Issuer, Lifetime, MintRequest, Minted, Subject, TtlPolicy,
};

use crate::claims::{auth_claims, auth_principal, principal_from_c};
use crate::error::auth_error;
use crate::keys::{auth_key_ring, shared};
use crate::result::auth_result;
use crate::util::{
    borrow_from, free_arc, free_box, guard, handle, handle_mut, new_arc, new_box, opt_text,
    out_ptr, panic_boundary_or, text, write_out, Castable, FfiResult,
};

/// An issuer's lifetime rules (docs/ttl.md). Start from `auth_ttl_policy_default()`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_ttl_policy {
    /// Lifetime of dynamic (login) tokens in seconds (default 86400, at least 1).
    pub dynamic_ttl: u64,
    /// Longest explicit TTL in seconds (default 10 years, at least 1).
    pub max_ttl: u64,
    /// Whether static (never-expiring) tokens may be minted (default true).
    pub allow_static: bool,
}

impl From<TtlPolicy> for auth_ttl_policy {
    fn from(p: TtlPolicy) -> Self {
        auth_ttl_policy {
            dynamic_ttl: p.dynamic_ttl,
            max_ttl: p.max_ttl,
            allow_static: p.allow_static,
        }
    }
}

/// The core's default TTL policy (24 h dynamic tokens, TTLs up to 10 years, static
/// tokens allowed). Thread-safe.
#[no_mangle]
pub extern "C" fn auth_ttl_policy_default() -> auth_ttl_policy {
    panic_boundary_or(
        auth_ttl_policy {
            dynamic_ttl: 1,
            max_ttl: 1,
            allow_static: false,
        },
        || TtlPolicy::default().into(),
    )
}

/// Mints tokens with the active key of a shared key ring under a TTL policy.
///
/// Immutable and reference-counted: safe to share and use from many threads at once.
/// Create with `auth_issuer_new`, release with `auth_issuer_free`. It follows its key
/// ring: each mint uses the ring's active key at that moment.
pub struct auth_issuer {
    _private: [u8; 0],
}

impl Castable for auth_issuer {
    type Ownership = crate::util::OwnershipArc;
    type RustType = Issuer;
}

unsafe fn new_issuer(
    ring: *const auth_key_ring,
    policy: *const auth_ttl_policy,
    max_token_size: Option<usize>,
    issuer_out: *mut *mut auth_issuer,
) -> FfiResult {
    let keys = shared(ring)?;
    let out = out_ptr(issuer_out, "issuer_out")?;
    let policy = match policy.as_ref() {
        None => TtlPolicy::default(),
        Some(p) => {
            let mut policy = TtlPolicy::default();
            policy.dynamic_ttl = p.dynamic_ttl;
            policy.max_ttl = p.max_ttl;
            policy.allow_static = p.allow_static;
            policy
        }
    };
    let mut issuer = Issuer::with_policy(keys, policy)?;
    if let Some(n) = max_token_size {
        issuer.set_max_token_size(n);
    }
    out.write(new_arc::<auth_issuer>(Arc::new(issuer)));
    Ok(())
}

/// Creates an issuer that follows `ring` (a later `auth_key_ring_set_active` applies from
/// its next mint; the issuer keeps the ring alive) with `policy` (NULL: the default
/// policy). `*issuer_out` receives it (free with `auth_issuer_free`).
/// Errors: `AUTH_INVALID_TTL` (a policy duration of 0), `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_issuer_new(
    ring: *const auth_key_ring,
    policy: *const auth_ttl_policy,
    issuer_out: *mut *mut auth_issuer,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || new_issuer(ring, policy, None, issuer_out))
}

/// As `auth_issuer_new`, with the longest token the issuer mints set to `max_token_size`
/// bytes (the core's `Issuer::set_max_token_size`; `auth_issuer_new` uses the default,
/// 8192, the verifiers' default `max_token_size`). A mint whose token would be longer fails
/// with `AUTH_INVALID_REQUEST`. Raise it together with the verifiers' `max_token_size`.
#[no_mangle]
pub unsafe extern "C" fn auth_issuer_new_with_max_token_size(
    ring: *const auth_key_ring,
    policy: *const auth_ttl_policy,
    max_token_size: usize,
    issuer_out: *mut *mut auth_issuer,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        new_issuer(ring, policy, Some(max_token_size), issuer_out)
    })
}

/// Writes the longest token `issuer` mints, in bytes, to `*out`. Errors:
/// `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_issuer_max_token_size(
    issuer: *const auth_issuer,
    out: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let issuer = handle(issuer, "issuer")?;
        out_ptr(out, "out")?.write(issuer.max_token_size());
        Ok(())
    })
}

/// Releases an issuer. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_issuer_free(issuer: *mut auth_issuer) {
    panic_boundary_or((), || free_arc(issuer))
}

/// What to mint: a subject plus optional settings. Not consumed by minting: one request
/// can mint many tokens, and be changed between mints.
///
/// Single-owner and mutable: use it from one thread at a time (minting only reads it).
/// Create with `auth_mint_request_new_user` / `_new_reseller`, release with
/// `auth_mint_request_free`. Defaults: a dynamic lifetime, a generated token id, the
/// system clock, no name, no IP restriction, no parent, no `nbf`, no scopes
/// (`auth_mint_request_set_scopes`).
pub struct auth_mint_request {
    _private: [u8; 0],
}

impl Castable for auth_mint_request {
    type Ownership = crate::util::OwnershipBox;
    type RustType = MintRequest;
}

/// A request for a user token: `id`, `name` (UTF-8), `admin`, `sms_from` (UTF-8; NULL for
/// none) and `user_group_id` (NULL for none). `*request_out` receives it (free with
/// `auth_mint_request_free`). Errors: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_new_user(
    id: u64,
    name: *const c_char,
    name_len: usize,
    admin: bool,
    sms_from: *const c_char,
    sms_from_len: usize,
    user_group_id: *const u64,
    request_out: *mut *mut auth_mint_request,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let name = text(name, name_len, "name")?;
        let sms_from = opt_text(sms_from, sms_from_len, "sms_from")?;
        let out = out_ptr(request_out, "request_out")?;
        let subject = Subject::User {
            id,
            name: name.to_owned(),
            admin,
            sms_from: sms_from.map(str::to_owned),
            user_group_id: user_group_id.as_ref().copied(),
        };
        out.write(new_box(MintRequest::new(subject)));
        Ok(())
    })
}

/// A request for a reseller token: `id` and `name` (UTF-8). `*request_out` receives it
/// (free with `auth_mint_request_free`). Errors: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_new_reseller(
    id: u64,
    name: *const c_char,
    name_len: usize,
    request_out: *mut *mut auth_mint_request,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let name = text(name, name_len, "name")?;
        let out = out_ptr(request_out, "request_out")?;
        out.write(new_box(MintRequest::new(Subject::reseller(id, name))));
        Ok(())
    })
}

unsafe fn with_request(
    request: *mut auth_mint_request,
    f: impl FnOnce(&mut MintRequest) -> FfiResult,
) -> auth_result {
    guard(std::ptr::null_mut(), || f(handle_mut(request, "request")?))
}

/// A dynamic (login) token: `exp = iat + dynamic_ttl` (the default).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_dynamic(
    request: *mut auth_mint_request,
) -> auth_result {
    with_request(request, |r| {
        r.lifetime = Lifetime::Dynamic;
        Ok(())
    })
}

/// A static token: no `exp` (refused at mint with `AUTH_STATIC_NOT_ALLOWED` by an issuer
/// whose policy forbids them).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_static(
    request: *mut auth_mint_request,
) -> auth_result {
    with_request(request, |r| {
        r.lifetime = Lifetime::Static;
        Ok(())
    })
}

/// An explicit TTL in seconds: `exp = iat + ttl`. Checked at mint (`AUTH_INVALID_TTL`
/// unless in `1..=max_ttl`).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_ttl(
    request: *mut auth_mint_request,
    ttl: i64,
) -> auth_result {
    with_request(request, |r| {
        r.lifetime = Lifetime::Ttl(ttl);
        Ok(())
    })
}

/// Sets `token_name` (UTF-8; 1–255 characters, checked here); NULL clears it.
/// Errors: `AUTH_INVALID_REQUEST` (empty or too long; the request is unchanged),
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT` (request).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_token_name(
    request: *mut auth_mint_request,
    name: *const c_char,
    name_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let r = handle_mut(request, "request")?;
        let name = opt_text(name, name_len, "name")?;
        if let Some(n) = name {
            check_token_name(n)?;
        }
        r.token_name = name.map(str::to_owned);
        Ok(())
    })
}

/// Appends one rule (IPv4/IPv6 address or CIDR, parsed strictly) to `allowed_ips`.
/// A bad rule → `AUTH_INVALID_IP_RULE` and the request is unchanged.
/// Errors also: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_add_allowed_ip(
    request: *mut auth_mint_request,
    rule: *const c_char,
    rule_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let r = handle_mut(request, "request")?;
        let rule = IpRule::parse(text(rule, rule_len, "rule")?)?;
        r.allowed_ips.push(rule);
        Ok(())
    })
}

/// Empties `allowed_ips` (no restriction; the claim is omitted).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_clear_allowed_ips(
    request: *mut auth_mint_request,
) -> auth_result {
    with_request(request, |r| {
        r.allowed_ips.clear();
        Ok(())
    })
}

/// Sets `parent` (who mints for a sub-account); NULL clears it.
/// Errors: `AUTH_INVALID_ENUM` (unknown `kind`), `AUTH_NULL_ARGUMENT` (request).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_parent(
    request: *mut auth_mint_request,
    parent: *const auth_principal,
) -> auth_result {
    with_request(request, |r| {
        r.parent = match parent.as_ref() {
            None => None,
            Some(p) => Some(principal_from_c(p)?),
        };
        Ok(())
    })
}

/// Sets the token id (`jti`, UTF-8, 1–128 characters, checked here); NULL: generate
/// 128 random bits (the default). Errors: `AUTH_INVALID_REQUEST` (empty or too long; the
/// request is unchanged), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_token_id(
    request: *mut auth_mint_request,
    token_id: *const c_char,
    token_id_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let r = handle_mut(request, "request")?;
        let token_id = opt_text(token_id, token_id_len, "token_id")?;
        if let Some(id) = token_id {
            check_jti(id)?;
        }
        r.token_id = token_id.map(str::to_owned);
        Ok(())
    })
}

/// Sets `nbf` (UNIX seconds); NULL clears it.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_not_before(
    request: *mut auth_mint_request,
    not_before: *const u64,
) -> auth_result {
    with_request(request, |r| {
        r.not_before = not_before.as_ref().copied();
        Ok(())
    })
}

/// Sets the issue time `iat` (UNIX seconds); NULL: read the system clock at mint (the
/// default).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_now(
    request: *mut auth_mint_request,
    now: *const u64,
) -> auth_result {
    with_request(request, |r| {
        r.now = now.as_ref().copied();
        Ok(())
    })
}

/// Frees a mint request. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_free(request: *mut auth_mint_request) {
    panic_boundary_or((), || free_box(request))
}

/// A freshly minted token and the claims signed into it.
///
/// Immutable: may be read from any thread. One from `auth_issuer_mint` is owned (free it
/// once with `auth_minted_free`); one from `auth_created_token_minted`,
/// `auth_user_login_minted` or `auth_reseller_login_minted` is a `const auth_minted *`
/// borrowed from its parent, valid while the parent lives, and never freed.
pub struct auth_minted {
    _private: [u8; 0],
}

impl Castable for auth_minted {
    type Ownership = crate::util::OwnershipBox;
    type RustType = Minted;
}

/// Mints a token. `*minted_out` receives it (free with `auth_minted_free`). The request
/// is only read. Errors: `AUTH_INVALID_KEY` (no active key), `AUTH_INVALID_TTL`,
/// `AUTH_STATIC_NOT_ALLOWED`, `AUTH_INVALID_SCOPE` (a scope the issuer does not declare:
/// `auth_issuer_with_scopes`), `AUTH_INVALID_REQUEST` (a token id or name out of range, a
/// time past 2^53 − 1), `AUTH_NULL_ARGUMENT`. Thread-safe for a shared issuer.
#[no_mangle]
pub unsafe extern "C" fn auth_issuer_mint(
    issuer: *const auth_issuer,
    request: *const auth_mint_request,
    minted_out: *mut *mut auth_minted,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let issuer = handle(issuer, "issuer")?;
        let request = handle(request, "request")?;
        let out = out_ptr(minted_out, "minted_out")?;
        let minted = issuer.mint(request)?;
        out.write(new_box(minted));
        Ok(())
    })
}

/// Copies the compact token (ASCII) into `buf` (NUL-terminated) and its length to
/// `*out_len`. See "Output buffers" in the header's introduction.
#[no_mangle]
pub unsafe extern "C" fn auth_minted_token(
    minted: *const auth_minted,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let m = handle(minted, "minted")?;
        write_out(m.token.as_bytes(), buf, buf_len, out_len)
    })
}

/// Copies the token id (`jti`, the API's `token_id`) into `buf`, as `auth_minted_token`.
#[no_mangle]
pub unsafe extern "C" fn auth_minted_token_id(
    minted: *const auth_minted,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let m = handle(minted, "minted")?;
        write_out(m.token_id().as_bytes(), buf, buf_len, out_len)
    })
}

/// The minted token's claims, borrowed: valid as long as `minted` (and, for a minted
/// token borrowed from a login or created token, its parent) lives. Do not free it.
/// NULL when `minted` is NULL.
#[no_mangle]
pub unsafe extern "C" fn auth_minted_claims(minted: *const auth_minted) -> *const auth_claims {
    panic_boundary_or(std::ptr::null(), || {
        borrow_from::<auth_minted, auth_claims>(minted, |m| &m.claims)
    })
}

/// Frees a minted token. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_minted_free(minted: *mut auth_minted) {
    panic_boundary_or((), || free_box(minted))
}
