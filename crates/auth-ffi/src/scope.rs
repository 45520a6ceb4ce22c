//! Scopes from C (docs/scopes.md): the `scope` claim's text, a host's vocabulary
//! (`auth_scope_vocabulary`), per-route requirements (`auth_required_scopes`), the scopes of
//! a mint request and of an issuer. The rules are the core's (`ScopeSet`,
//! `ScopeVocabulary`, `RequiredScopes`); this file only converts.
//!
//! Two shapes of input, as the core has them: a list of names the host gives (a mint
//! request's scopes, a requirement) is an array of `auth_str`; a set a token holds (its
//! `scope` claim, `auth_claims_scope`) is the claim's text, names separated by one space,
//! read strictly, with NULL for a token without the claim.

use std::ffi::c_char;
use std::sync::Arc;

use authcore::{RequiredScopes, ScopeSet, ScopeVocabulary};

use crate::error::auth_error;
use crate::http::byte_list;
use crate::issue::{auth_issuer, auth_mint_request};
use crate::result::auth_result;
use crate::util::{
    free_box, guard, handle, handle_mut, new_arc, new_box, opt_text, out_ptr, panic_boundary_or,
    text, utf8, write_out, Castable, FfiResult,
};
use crate::verify::auth_str;

/// `count` UTF-8 names at `names` (NULL allowed when `count` is 0).
///
/// SAFETY: as `byte_list`.
unsafe fn name_list<'a>(
    names: *const auth_str,
    count: usize,
    arg: &'static str,
) -> FfiResult<Vec<&'a str>> {
    byte_list(names, count, arg)?
        .into_iter()
        .map(|b| utf8(b, arg))
        .collect()
}

/// A held set given as the `scope` claim's text: NULL is a token without the claim.
///
/// SAFETY: as `opt_text`.
unsafe fn held_set(
    held: *const c_char,
    len: usize,
    arg: &'static str,
) -> FfiResult<Option<ScopeSet>> {
    match opt_text(held, len, arg)? {
        None => Ok(None),
        Some(t) => Ok(Some(ScopeSet::parse(t)?)),
    }
}

/// Reads the `scope` claim's text strictly (names of RFC 6749 §3.3 separated by exactly
/// one space, at least one, none twice, at most 64) and copies its canonical text (the
/// names sorted) into `buf` (see "Output buffers"). Errors: `AUTH_INVALID_SCOPE` (naming
/// the problem), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`, `AUTH_INSUFFICIENT_SIZE`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_scope_text_canonical(
    scope: *const c_char,
    scope_len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let set = ScopeSet::parse(text(scope, scope_len, "scope")?)?;
        write_out(set.to_string().as_bytes(), buf, buf_len, out_len)
    })
}

/// The scope names a host declares, each optionally including others (`sms` includes
/// `sms:send` and `sms:read`): holding a name holds everything it includes, transitively
/// (the core's `ScopeVocabulary`).
///
/// Immutable: may be read from any thread at once; freed once with
/// `auth_scope_vocabulary_free`. Whatever is built from it (`auth_required_scopes_new`,
/// `auth_issuer_with_scopes`) keeps its own copy: it may be freed right after.
pub struct auth_scope_vocabulary {
    _private: [u8; 0],
}

impl Castable for auth_scope_vocabulary {
    type Ownership = crate::util::OwnershipBox;
    type RustType = ScopeVocabulary;
}

/// Reads a vocabulary from strict JSON text (`json_len` bytes): an object whose members are
/// the names, each an object with an optional `description` (a string) and an optional
/// `includes` (an array of declared names):
/// `{"sms": {"description": "...", "includes": ["sms:send"]}, "sms:send": {}}`.
/// `*vocabulary_out` receives it (free with `auth_scope_vocabulary_free`). Errors:
/// `AUTH_INVALID_SCOPE` (not that shape, a bad or undeclared name, more than 256 names, a
/// cycle; the message names the problem), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_scope_vocabulary_new(
    json: *const c_char,
    json_len: usize,
    vocabulary_out: *mut *mut auth_scope_vocabulary,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let json = text(json, json_len, "json")?;
        let out = out_ptr(vocabulary_out, "vocabulary_out")?;
        out.write(new_box(ScopeVocabulary::from_json(json)?));
        Ok(())
    })
}

/// Whether a token whose `scope` claim is `held` (the claim's text, `held_len` bytes, read
/// strictly; NULL for a token without the claim, which holds every declared name) holds
/// `name`: it names it, or a name that includes it. An undeclared name is held only by a
/// token naming it exactly. `*out` receives the answer. Errors: `AUTH_INVALID_SCOPE` (`held`
/// is not a scope text), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_scope_vocabulary_holds(
    vocabulary: *const auth_scope_vocabulary,
    held: *const c_char,
    held_len: usize,
    name: *const c_char,
    name_len: usize,
    out: *mut bool,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let vocabulary = handle(vocabulary, "vocabulary")?;
        let held = held_set(held, held_len, "held")?;
        let name = text(name, name_len, "name")?;
        out_ptr(out, "out")?.write(vocabulary.holds(held.as_ref(), name));
        Ok(())
    })
}

/// The scopes a caller may give a token it mints, for itself or a sub-account (the core's
/// `ScopeVocabulary::narrow`, what `auth_create_token_self` applies with the issuer's
/// vocabulary): `caller` is the calling token's `scope` claim text (NULL: no claim) and
/// `requested` the scopes asked for, as a scope text (NULL: none asked, the child inherits
/// the caller's claim). Every requested name must be declared (`AUTH_INVALID_SCOPE`) and
/// held by the caller (`AUTH_NOT_PERMITTED`, naming the first that is not).
///
/// On success `*present` says whether the child carries a `scope` claim (false: unscoped)
/// and its canonical text is copied into `buf` (as `auth_claims_sms_from`: an empty string
/// when absent). Errors also: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`,
/// `AUTH_INSUFFICIENT_SIZE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_scope_vocabulary_narrow(
    vocabulary: *const auth_scope_vocabulary,
    caller: *const c_char,
    caller_len: usize,
    requested: *const c_char,
    requested_len: usize,
    present: *mut bool,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let vocabulary = handle(vocabulary, "vocabulary")?;
        let caller = held_set(caller, caller_len, "caller")?;
        let requested = held_set(requested, requested_len, "requested")?;
        let present = out_ptr(present, "present")?;
        let child = vocabulary.narrow(caller.as_ref(), requested.as_ref())?;
        let text = child.as_ref().map(ToString::to_string);
        crate::claims::optional_text(text.as_deref(), present, buf, buf_len, out_len)
    })
}

/// Frees a vocabulary. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_scope_vocabulary_free(vocabulary: *mut auth_scope_vocabulary) {
    panic_boundary_or((), || free_box(vocabulary))
}

/// What a route requires: every name, each satisfied by itself or (with a vocabulary) by a
/// name that includes it (the core's `RequiredScopes`). Build one per route at start-up;
/// checking is a few comparisons.
///
/// Immutable: may be used from any thread at once; freed once with
/// `auth_required_scopes_free`. Functions that take one only read it during the call.
pub struct auth_required_scopes {
    _private: [u8; 0],
}

impl Castable for auth_required_scopes {
    type Ownership = crate::util::OwnershipBox;
    type RustType = RequiredScopes;
}

/// The requirement of a route from `vocabulary`: the `count` names at `names` (UTF-8; NULL
/// allowed when `count` is 0, which requires nothing), each declared in it and satisfied
/// by itself or a name that includes it. `*required_out` receives it (free with
/// `auth_required_scopes_free`). Errors: `AUTH_INVALID_SCOPE` (a bad or undeclared name,
/// one given twice, more than 64), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_required_scopes_new(
    vocabulary: *const auth_scope_vocabulary,
    names: *const auth_str,
    count: usize,
    required_out: *mut *mut auth_required_scopes,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let vocabulary = handle(vocabulary, "vocabulary")?;
        let names = name_list(names, count, "names")?;
        let out = out_ptr(required_out, "required_out")?;
        out.write(new_box(vocabulary.require(&names)?));
        Ok(())
    })
}

/// A requirement without a vocabulary (the core's `RequiredScopes::exact`): each of the
/// `count` names at `names` is satisfied only by a token naming it exactly. As
/// `auth_required_scopes_new` otherwise (no name needs to be declared).
#[no_mangle]
pub unsafe extern "C" fn auth_required_scopes_new_exact(
    names: *const auth_str,
    count: usize,
    required_out: *mut *mut auth_required_scopes,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let names = name_list(names, count, "names")?;
        let out = out_ptr(required_out, "required_out")?;
        out.write(new_box(RequiredScopes::exact(ScopeSet::from_names(
            &names,
        )?)));
        Ok(())
    })
}

/// Copies the required names as a canonical scope text (sorted, separated by one space;
/// empty when nothing is required) into `buf`.
#[no_mangle]
pub unsafe extern "C" fn auth_required_scopes_names(
    required: *const auth_required_scopes,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let r = handle(required, "required")?;
        write_out(r.names().to_string().as_bytes(), buf, buf_len, out_len)
    })
}

/// Checks a token's `scope` claim against the requirement: `held` is the claim's text
/// (`held_len` bytes, read strictly; NULL for a token without the claim, which holds
/// everything). `AUTH_OK` when every required name is held, else `AUTH_INSUFFICIENT_SCOPE`
/// (403) naming the first missing one, with an `*error_out` whose
/// `auth_error_required_scope` and `auth_error_answer` challenge name the whole
/// requirement. Errors also: `AUTH_INVALID_SCOPE` (`held` is not a scope text),
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_required_scopes_check(
    required: *const auth_required_scopes,
    held: *const c_char,
    held_len: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let r = handle(required, "required")?;
        let held = held_set(held, held_len, "held")?;
        Ok(r.check(held.as_ref())?)
    })
}

/// Frees a requirement. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_required_scopes_free(required: *mut auth_required_scopes) {
    panic_boundary_or((), || free_box(required))
}

/// The scope names (UTF-8) the token will carry in its `scope` claim: the `count` names at
/// `names`, checked here (each a scope name, none twice, at most 64; an empty list is
/// refused, since it would mint a token that may do nothing), or `names` NULL with `count`
/// 0 for an unscoped token (no claim: everything its principal may do; the default).
/// Minting refuses a name the issuer does not declare (`auth_issuer_with_scopes`).
/// Errors: `AUTH_INVALID_SCOPE` (the request is unchanged), `AUTH_INVALID_UTF8`,
/// `AUTH_NULL_ARGUMENT` (request, or `names` NULL with a count).
#[no_mangle]
pub unsafe extern "C" fn auth_mint_request_set_scopes(
    request: *mut auth_mint_request,
    names: *const auth_str,
    count: usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let r = handle_mut(request, "request")?;
        if names.is_null() && count == 0 {
            r.scopes = None;
            return Ok(());
        }
        let names = name_list(names, count, "names")?;
        Ok(r.set_scopes(&names)?)
    })
}

/// A new issuer like `issuer` — following the same key ring, with the same TTL policy and
/// longest token — that declares `vocabulary` (the core's `Issuer::set_scopes`; an issuer
/// from `auth_issuer_new` declares none, so it refuses every scoped mint with
/// `AUTH_INVALID_SCOPE`). Minting with it refuses undeclared names, and the token API
/// (`auth_create_token_self`, `auth_create_token_sub_account_v2`) narrows with it: a
/// created token never gets a scope its caller lacks (`AUTH_NOT_PERMITTED`). Issuers are
/// immutable, so this makes a new one rather than changing `issuer` (which keeps working
/// as it was). `*issuer_out` receives it (free with `auth_issuer_free`); it keeps its own
/// copy of the vocabulary. Errors: `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_issuer_with_scopes(
    issuer: *const auth_issuer,
    vocabulary: *const auth_scope_vocabulary,
    issuer_out: *mut *mut auth_issuer,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let issuer = handle(issuer, "issuer")?;
        let vocabulary = handle(vocabulary, "vocabulary")?;
        let out = out_ptr(issuer_out, "issuer_out")?;
        let mut scoped = issuer.clone();
        scoped.set_scopes(vocabulary.clone());
        out.write(new_arc::<auth_issuer>(Arc::new(scoped)));
        Ok(())
    })
}

/// The scopes a request needs, for functions that take an optional `auth_required_scopes`.
///
/// SAFETY: `required` is NULL or a live handle.
pub(crate) unsafe fn opt_required<'a>(
    required: *const auth_required_scopes,
) -> FfiResult<Option<&'a RequiredScopes>> {
    match required.is_null() {
        true => Ok(None),
        false => handle(required, "required").map(Some),
    }
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
    fn an_insufficient_scope_error_keeps_the_requirement() {
        let vocab =
            ScopeVocabulary::from_pairs(&[("sms", &["sms:send"][..]), ("sms:send", &[])]).unwrap();
        let vocab = new_box::<auth_scope_vocabulary>(vocab);
        let names = strs(&["sms:send"]);
        let mut required = null_mut();
        let mut err = null_mut();
        unsafe {
            let rc = auth_required_scopes_new(vocab, names.as_ptr(), 1, &mut required, null_mut());
            assert_eq!(rc, auth_result::AUTH_OK);
            assert_eq!(
                auth_required_scopes_check(required, c"sms".as_ptr(), 3, &mut err),
                auth_result::AUTH_OK
            );
            assert!(err.is_null());
            let rc = auth_required_scopes_check(required, c"other".as_ptr(), 5, &mut err);
            assert_eq!(rc, auth_result::AUTH_INSUFFICIENT_SCOPE);
            let details = handle(err.cast_const(), "error").ok().unwrap();
            let core = details.core.as_ref().unwrap();
            assert_eq!(core.required_scope(), Some("sms:send"));
            crate::error::auth_error_free(err);
            assert_eq!(
                auth_required_scopes_check(required, null(), 0, null_mut()),
                auth_result::AUTH_OK
            );
            auth_required_scopes_free(required);
            auth_scope_vocabulary_free(vocab);
        }
    }
}
