//! `auth_claims`: the validated claims of a token (docs/token-format.md), read through accessors.

use std::ffi::c_char;

use authcore::{Claims, Principal, PrincipalType, Subject};

use crate::result::auth_result;
use crate::util::{
    free_box, guard, handle, opt_text, out_ptr, panic_boundary_or, text, write_out, Castable,
    Failure, FfiResult,
};

/// The `type` claim. Passed to C functions as `uint32_t`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_principal_type {
    /// `"user"`.
    AUTH_PRINCIPAL_USER = 1,
    /// `"reseller"`.
    AUTH_PRINCIPAL_RESELLER = 2,
}

/// A principal: its type (an `auth_principal_type` number) and id. Used for `parent`
/// and for "revoke everything of principal X".
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_principal {
    /// `AUTH_PRINCIPAL_USER` or `AUTH_PRINCIPAL_RESELLER`.
    pub kind: u32,
    /// The principal's id.
    pub id: u64,
}

crate::util::enum_conversions!(auth_principal_type <=> PrincipalType {
    AUTH_PRINCIPAL_USER <=> User,
    AUTH_PRINCIPAL_RESELLER <=> Reseller,
});

pub(crate) fn principal_type_number(t: PrincipalType) -> u32 {
    auth_principal_type::from_core(t) as u32
}

pub(crate) fn principal_from_c(p: &auth_principal) -> FfiResult<Principal> {
    Ok(Principal {
        kind: auth_principal_type::to_core(p.kind)?,
        id: p.id,
    })
}

pub(crate) fn principal_to_c(p: Principal) -> auth_principal {
    auth_principal {
        kind: principal_type_number(p.kind),
        id: p.id,
    }
}

/// Who a token is for, as plain input (a sub-account at `auth_create_token_sub_account`).
/// The library copies what it needs during the call.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_subject {
    /// `AUTH_PRINCIPAL_USER` or `AUTH_PRINCIPAL_RESELLER` (an `auth_principal_type` number).
    pub kind: u32,
    /// `id`.
    pub id: u64,
    /// `name` (UTF-8, `name_len` bytes; required).
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// `admin` (users only; true for a reseller is `AUTH_INVALID_REQUEST`).
    pub admin: bool,
    /// `sms_from` (UTF-8), or NULL for none (users only; set for a reseller is
    /// `AUTH_INVALID_REQUEST`).
    pub sms_from: *const c_char,
    /// Length of `sms_from` in bytes.
    pub sms_from_len: usize,
    /// Whether `user_group_id` is set (users only; set for a reseller is
    /// `AUTH_INVALID_REQUEST`).
    pub has_user_group_id: bool,
    /// `user_group_id` (when `has_user_group_id`).
    pub user_group_id: u64,
}

/// The core subject an `auth_subject` describes.
///
/// SAFETY: the struct's pointers are NULL or valid for their lengths.
pub(crate) unsafe fn subject_from_c(s: &auth_subject) -> FfiResult<Subject> {
    let kind = auth_principal_type::to_core(s.kind)?;
    let name = text(s.name, s.name_len, "subject.name")?;
    let sms_from = opt_text(s.sms_from, s.sms_from_len, "subject.sms_from")?.map(str::to_owned);
    Ok(Subject::from_parts(
        kind,
        s.id,
        name,
        Some(s.admin),
        sms_from,
        s.has_user_group_id.then_some(s.user_group_id),
    )?)
}

/// The validated claims of a verified (or minted) token.
///
/// Immutable: may be read from any thread at once. Claims from `auth_verifier_verify` are
/// owned: free them once with `auth_claims_free`. Claims from `auth_minted_claims` are a
/// `const auth_claims *` borrowed from their minted token, valid while it lives, and never
/// freed.
///
/// Text accessors copy into a caller buffer (see "Output buffers" in the header's
/// introduction). Claim text may contain any Unicode, including U+0000 when a token
/// carries it: use the written length, not `strlen`.
pub struct auth_claims {
    _private: [u8; 0],
}

impl Castable for auth_claims {
    type Ownership = crate::util::OwnershipBox;
    type RustType = Claims;
}

unsafe fn read<T>(
    claims: *const auth_claims,
    f: impl FnOnce(&Claims) -> FfiResult<T>,
) -> FfiResult<T> {
    f(handle(claims, "claims")?)
}

/// Writes the `type` claim (an `auth_principal_type` number) to `*out`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_type(
    claims: *const auth_claims,
    out: *mut u32,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        out_ptr(out, "out")?.write(principal_type_number(c.subject.kind()));
        Ok(())
    })
}

/// Writes the `id` claim to `*out`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_id(claims: *const auth_claims, out: *mut u64) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        out_ptr(out, "out")?.write(c.subject.id());
        Ok(())
    })
}

/// Copies the `name` claim into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_name(
    claims: *const auth_claims,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        read(claims, |c| {
            write_out(c.subject.name().as_bytes(), buf, buf_len, out_len)
        })
    })
}

/// The `admin` claim: `*present` is false for a reseller (no such claim); otherwise
/// `*out` receives it. On success both are written (`*out` false when absent).
#[no_mangle]
pub unsafe extern "C" fn auth_claims_admin(
    claims: *const auth_claims,
    present: *mut bool,
    out: *mut bool,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let (present, out) = (out_ptr(present, "present")?, out_ptr(out, "out")?);
        let v = c.subject.admin();
        present.write(v.is_some());
        out.write(v.unwrap_or(false));
        Ok(())
    })
}

/// The `sms_from` claim: `*present` says whether the token carries a non-null value
/// (never for a reseller); when present it is copied into `buf`. When absent, `*present`
/// is false, `*out_len` is 0 and `buf` (if `buf_len > 0`) holds an empty string.
/// `*present` is written on success and on `AUTH_INSUFFICIENT_SIZE`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_sms_from(
    claims: *const auth_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let present = out_ptr(present, "present")?;
        optional_text(c.subject.sms_from(), present, buf, buf_len, out_len)
    })
}

pub(crate) unsafe fn optional_text(
    v: Option<&str>,
    present: crate::util::OutPtr<bool>,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> FfiResult {
    let is_some = v.is_some();
    let r = write_out(v.unwrap_or("").as_bytes(), buf, buf_len, out_len);
    if r.is_ok()
        || r.as_ref()
            .is_err_and(|f| f.code == auth_result::AUTH_INSUFFICIENT_SIZE)
    {
        present.write(is_some);
    }
    r
}

/// The `user_group_id` claim: `*present` false when absent or null (always for a
/// reseller), else `*out` receives it. Both are written on success (`*out` 0 when absent).
#[no_mangle]
pub unsafe extern "C" fn auth_claims_user_group_id(
    claims: *const auth_claims,
    present: *mut bool,
    out: *mut u64,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        optional_u64(c.subject.user_group_id(), present, out)
    })
}

pub(crate) fn optional_u64(v: Option<u64>, present: *mut bool, out: *mut u64) -> FfiResult {
    let (present, out) = (out_ptr(present, "present")?, out_ptr(out, "out")?);
    present.write(v.is_some());
    out.write(v.unwrap_or(0));
    Ok(())
}

/// Writes `iat` (UNIX seconds) to `*out`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_iat(claims: *const auth_claims, out: *mut u64) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        out_ptr(out, "out")?.write(c.iat);
        Ok(())
    })
}

/// `exp`: `*has_exp` false for a static token (no expiry; `*out` then 0), else `*out`
/// receives it.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_exp(
    claims: *const auth_claims,
    has_exp: *mut bool,
    out: *mut u64,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        optional_u64(handle(claims, "claims")?.exp, has_exp, out)
    })
}

/// `nbf`: `*present` false when absent (`*out` then 0), else `*out` receives it.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_nbf(
    claims: *const auth_claims,
    present: *mut bool,
    out: *mut u64,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        optional_u64(handle(claims, "claims")?.nbf, present, out)
    })
}

/// Copies `jti` (the token id) into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_jti(
    claims: *const auth_claims,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        read(claims, |c| {
            write_out(c.jti.as_bytes(), buf, buf_len, out_len)
        })
    })
}

/// `token_name`, as `auth_claims_sms_from`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_token_name(
    claims: *const auth_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let present = out_ptr(present, "present")?;
        optional_text(c.token_name.as_deref(), present, buf, buf_len, out_len)
    })
}

/// `allowed_ips`: `*present` false when the token carries no such claim (no
/// restriction); true with `*count` rules otherwise — a present list of 0 rules allows
/// no address. Both are written on success.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_allowed_ips_count(
    claims: *const auth_claims,
    present: *mut bool,
    count: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        list_count(c.allowed_ips.as_deref(), present, count)
    })
}

/// Copies the canonical text of the `index`-th `allowed_ips` rule into `buf`.
/// `AUTH_INDEX_OUT_OF_RANGE` when `index >= count` (or the claim is absent).
#[no_mangle]
pub unsafe extern "C" fn auth_claims_allowed_ip(
    claims: *const auth_claims,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let rule = list_item(c.allowed_ips.as_deref(), index, "allowed_ips")?;
        write_out(rule.to_string().as_bytes(), buf, buf_len, out_len)
    })
}

/// `iss`: `*present` says whether the token names an issuer; when present it is copied
/// into `buf` (as `auth_claims_sms_from`). A verifier configured with an expected issuer
/// only returns claims whose `iss` equals it.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_issuer(
    claims: *const auth_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let present = out_ptr(present, "present")?;
        optional_text(c.issuer.as_deref(), present, buf, buf_len, out_len)
    })
}

/// `aud`: `*present` false when the token names no audience; true with `*count`
/// audiences otherwise (a single-string `aud` is a list of one). Both are written on
/// success. A verified token's audiences always include one the verifier was configured
/// with.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_audience_count(
    claims: *const auth_claims,
    present: *mut bool,
    count: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        list_count(c.audience.as_deref(), present, count)
    })
}

/// Copies the `index`-th audience of `aud` into `buf`. `AUTH_INDEX_OUT_OF_RANGE` when
/// `index >= count` (or the claim is absent).
#[no_mangle]
pub unsafe extern "C" fn auth_claims_audience(
    claims: *const auth_claims,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let aud = list_item(c.audience.as_deref(), index, "aud")?;
        write_out(aud.as_bytes(), buf, buf_len, out_len)
    })
}

/// `parent`: `*present` false when absent (`*out` then `{0, 0}`), else `*out` receives it.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_parent(
    claims: *const auth_claims,
    present: *mut bool,
    out: *mut auth_principal,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let (present, out) = (out_ptr(present, "present")?, out_ptr(out, "out")?);
        present.write(c.parent.is_some());
        out.write(
            c.parent
                .map(principal_to_c)
                .unwrap_or(auth_principal { kind: 0, id: 0 }),
        );
        Ok(())
    })
}

/// `scope` (docs/scopes.md): `*present` false for a token without the claim (an unscoped
/// token: it may do everything its principal may); when present its text — the names,
/// sorted, separated by one space — is copied into `buf` (as `auth_claims_sms_from`). Pass
/// it as the `held` text of `auth_scope_vocabulary_holds` or `auth_required_scopes_check`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_scope(
    claims: *const auth_claims,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let c = handle(claims, "claims")?;
        let present = out_ptr(present, "present")?;
        let scope = c.scope.as_ref().map(ToString::to_string);
        optional_text(scope.as_deref(), present, buf, buf_len, out_len)
    })
}

/// Copies the claims as compact JSON in the docs/token-format.md wire shape (`Claims::to_json`) into
/// `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_to_json(
    claims: *const auth_claims,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        read(claims, |c| {
            write_out(c.to_json().as_bytes(), buf, buf_len, out_len)
        })
    })
}

/// Frees claims. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_claims_free(claims: *mut auth_claims) {
    panic_boundary_or((), || free_box(claims))
}

/// Writes whether an optional list claim is present and its length (0 when absent).
pub(crate) unsafe fn list_count<T>(
    list: Option<&[T]>,
    present: *mut bool,
    count: *mut usize,
) -> FfiResult {
    let (present, count) = (out_ptr(present, "present")?, out_ptr(count, "count")?);
    present.write(list.is_some());
    count.write(list.map_or(0, <[T]>::len));
    Ok(())
}

/// The `index`-th item of an optional list claim; `AUTH_INDEX_OUT_OF_RANGE` past its end
/// or when the claim is absent.
pub(crate) fn list_item<'a, T>(
    list: Option<&'a [T]>,
    index: usize,
    claim: &str,
) -> FfiResult<&'a T> {
    list.and_then(|l| l.get(index)).ok_or_else(|| {
        Failure::new(
            auth_result::AUTH_INDEX_OUT_OF_RANGE,
            format!("{claim} index out of range"),
        )
    })
}
