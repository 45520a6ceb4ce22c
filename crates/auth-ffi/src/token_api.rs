//! The token API from C: `POST /token` and `POST /token/account/:id` (the core's
//! `create_token`). Every decision (ownership, the caller's restrictions, TTLs) is the
//! core's; these functions translate the request in and the response out.

use std::ffi::c_char;

use authcore::{create_token_with_policy, CreatedToken, TokenCreationPolicy, TokenTarget};

use crate::claims::{auth_claims, auth_subject, subject_from_c};
use crate::error::auth_error;
use crate::issue::{auth_issuer, auth_minted};
use crate::result::auth_result;
use crate::util::{
    borrow_from, free_box, guard, handle, new_box, out_ptr, panic_boundary_or, write_out, Castable,
    Failure,
};
use crate::wire::{auth_token_request, format};

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

/// Who may create tokens through the token API (the core's `TokenCreationPolicy`). Start
/// from `auth_token_creation_policy_default()`; NULL where a function takes one means the
/// defaults.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_token_creation_policy {
    /// Whether a caller whose own token is a named (token-API) token may create tokens.
    pub allow_named_callers: bool,
    /// Whether a caller whose own token was minted for it by a parent may create tokens.
    pub allow_delegated_callers: bool,
    /// Whether a token created by a login (dynamic) caller may outlive the caller's token.
    pub login_children_may_outlive: bool,
}

/// The core's default token-creation policy. Thread-safe.
#[no_mangle]
pub extern "C" fn auth_token_creation_policy_default() -> auth_token_creation_policy {
    let to_c = |p: TokenCreationPolicy| auth_token_creation_policy {
        allow_named_callers: p.allow_named_callers,
        allow_delegated_callers: p.allow_delegated_callers,
        login_children_may_outlive: p.login_children_may_outlive,
    };
    panic_boundary_or(
        auth_token_creation_policy {
            allow_named_callers: false,
            allow_delegated_callers: false,
            login_children_may_outlive: false,
        },
        || to_c(TokenCreationPolicy::default()),
    )
}

fn policy_from_c(p: Option<&auth_token_creation_policy>) -> TokenCreationPolicy {
    let mut policy = TokenCreationPolicy::default();
    if let Some(p) = p {
        policy.allow_named_callers = p.allow_named_callers;
        policy.allow_delegated_callers = p.allow_delegated_callers;
        policy.login_children_may_outlive = p.login_children_may_outlive;
    }
    policy
}

/// `POST /token`: creates a token for the caller itself (the core's `create_token` with
/// `TokenTarget::SelfAccount`). `caller` is the verified claims of the request's bearer
/// token; `policy` who may create tokens (NULL: the defaults); `now` NULL reads the system
/// clock. `*created_out` receives the result (free
/// with `auth_created_token_free`). The request's `scopes` are narrowed with the issuer's
/// vocabulary (`auth_issuer_with_scopes`, docs/scopes.md): none asked keeps the caller's
/// `scope` claim (an unscoped caller makes an unscoped token). Errors: `AUTH_NOT_PERMITTED`
/// (a rule outside the caller's own `allowed_ips`, a scope the caller does not hold),
/// `AUTH_INVALID_SCOPE` (a scope the issuer does not declare), `AUTH_INVALID_TTL`,
/// `AUTH_STATIC_NOT_ALLOWED`, `AUTH_INVALID_KEY`, `AUTH_NULL_ARGUMENT`. Thread-safe for a
/// shared issuer.
#[no_mangle]
pub unsafe extern "C" fn auth_create_token_self(
    issuer: *const auth_issuer,
    caller: *const auth_claims,
    request: *const auth_token_request,
    policy: *const auth_token_creation_policy,
    now: *const u64,
    created_out: *mut *mut auth_created_token,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let (issuer, caller) = (handle(issuer, "issuer")?, handle(caller, "caller")?);
        let request = handle(request, "request")?;
        let out = out_ptr(created_out, "created_out")?;
        let created = create_token_with_policy(
            issuer,
            caller,
            request,
            TokenTarget::SelfAccount,
            now.as_ref().copied(),
            &policy_from_c(policy.as_ref()),
        )?;
        out.write(new_box(created));
        Ok(())
    })
}

/// `POST /token/account/:accountID` for an account the host found, owns or not, and that
/// is not blocked: as `auth_create_token_sub_account_v2` with `blocked` false.
#[no_mangle]
pub unsafe extern "C" fn auth_create_token_sub_account(
    issuer: *const auth_issuer,
    caller: *const auth_claims,
    request: *const auth_token_request,
    account: *const auth_subject,
    owned_by_caller: bool,
    policy: *const auth_token_creation_policy,
    now: *const u64,
    created_out: *mut *mut auth_created_token,
    error_out: *mut *mut auth_error,
) -> auth_result {
    if account.is_null() {
        // NULL here was always an error; only `_v2` reads it as "not found".
        return guard(error_out, || Err(Failure::null("account")));
    }
    auth_create_token_sub_account_v2(
        issuer,
        caller,
        request,
        account,
        owned_by_caller,
        false,
        policy,
        now,
        created_out,
        error_out,
    )
}

/// `POST /token/account/:accountID`: creates a token for a sub-account (the core's
/// `create_token` with `TokenTarget::SubAccount`, or `TokenTarget::UnknownAccount`). The
/// host passes what it found under the id: `account` is the sub-account, or NULL when no
/// account has that id; `owned_by_caller` its answer to "does the caller own this
/// account?"; `blocked` whether the account is blocked. The library decides: an unknown,
/// foreign or blocked account → `AUTH_NOT_PERMITTED` (one answer for the three).
/// Otherwise as `auth_create_token_self`.
#[no_mangle]
pub unsafe extern "C" fn auth_create_token_sub_account_v2(
    issuer: *const auth_issuer,
    caller: *const auth_claims,
    request: *const auth_token_request,
    account: *const auth_subject,
    owned_by_caller: bool,
    blocked: bool,
    policy: *const auth_token_creation_policy,
    now: *const u64,
    created_out: *mut *mut auth_created_token,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let (issuer, caller) = (handle(issuer, "issuer")?, handle(caller, "caller")?);
        let request = handle(request, "request")?;
        let target = match account.as_ref() {
            None => TokenTarget::UnknownAccount,
            Some(account) => TokenTarget::SubAccount {
                subject: subject_from_c(account)?,
                owned_by_caller,
                blocked,
            },
        };
        let out = out_ptr(created_out, "created_out")?;
        let created = create_token_with_policy(
            issuer,
            caller,
            request,
            target,
            now.as_ref().copied(),
            &policy_from_c(policy.as_ref()),
        )?;
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
/// `{"status": 1, "message": "OK", "token": ..., "token_id": ..., "allowed_ips": [...]}`,
/// with `"scopes": [...]` after it when the token carries a `scope` claim, or the XML
/// `<response>...</response>`, with `<scopes><scope>...</scope></scopes>` then) into
/// `buf`. Errors also: `AUTH_INVALID_ENUM`.
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
