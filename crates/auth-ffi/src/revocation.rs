//! Revocation (docs/revocation.md): the built-in in-memory store (`auth_memory_store`), host
//! callbacks, and `auth_revocation`, the store handle verifiers consult.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use authcore::{MemoryRevocationStore, RevocationQuery, RevocationStatus, RevocationStore};

use crate::claims::{auth_claims, auth_principal, principal_from_c, principal_to_c};
use crate::error::auth_error;
use crate::result::auth_result;
use crate::util::{
    clone_arc, free_arc, free_box, guard, handle, new_arc, new_box, out_ptr, panic_boundary_or,
    text, Castable, Failure,
};

/// What a revocation callback is asked about a token (the core's `RevocationQuery`).
/// Valid only during the call.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_revocation_query {
    /// The token id (`jti`, UTF-8, `jti_len` bytes, NOT NUL-terminated).
    pub jti: *const c_char,
    /// Length of `jti` in bytes.
    pub jti_len: usize,
    /// Who the token speaks for.
    pub principal: auth_principal,
    /// `iat`.
    pub iat: u64,
    /// Whether the token expires.
    pub has_exp: bool,
    /// `exp` (0 when `has_exp` is false).
    pub exp: u64,
    /// Whether the token was minted for a sub-account by a parent (`parent` claim).
    pub has_parent: bool,
    /// The parent (`{0, 0}` when `has_parent` is false): a store that blocks a principal
    /// should also block what it delegated.
    pub parent: auth_principal,
}

/// A host's answer to "is this token revoked?", called after every other check of a
/// verification passed, with the `userdata` given at registration and the query.
///
/// Return true if the token is revoked. A callback that cannot answer (its store is
/// unreachable) must fail closed and return true, which verification reports as
/// `AUTH_TOKEN_REVOKED`; to report it as `AUTH_REVOCATION_UNAVAILABLE` (HTTP 503) instead,
/// register an `auth_revocation_status_cb` with `auth_revocation_new_status_callback`. It must not unwind (C++ exceptions,
/// `longjmp`) through the library. When the verifier or store handle holding it is used
/// from several threads, the callback is called from those threads at once and must be
/// thread-safe.
#[allow(non_camel_case_types)]
pub type auth_revocation_cb = Option<
    unsafe extern "C" fn(userdata: *mut c_void, query: *const auth_revocation_query) -> bool,
>;

/// A revocation callback's three-way answer (the core's `RevocationStatus`), returned by an
/// `auth_revocation_status_cb`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_revocation_status {
    /// The token is not revoked.
    AUTH_REVOCATION_STATUS_NOT_REVOKED = 0,
    /// The token is revoked: verification fails with `AUTH_TOKEN_REVOKED`.
    AUTH_REVOCATION_STATUS_REVOKED = 1,
    /// The callback cannot answer (its store is unreachable): verification fails with
    /// `AUTH_REVOCATION_UNAVAILABLE` (HTTP 503) unless another store says revoked.
    AUTH_REVOCATION_STATUS_UNAVAILABLE = 2,
}

/// A host's answer to "is this token revoked?" that can also say "I cannot answer", called
/// like an `auth_revocation_cb`. Return an `auth_revocation_status` number; any other
/// number counts as `AUTH_REVOCATION_STATUS_UNAVAILABLE` (fail closed). The same threading
/// and unwinding rules as `auth_revocation_cb` apply.
#[allow(non_camel_case_types)]
pub type auth_revocation_status_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, query: *const auth_revocation_query) -> u32>;

/// Releases a callback's `userdata` once no verifier or handle uses the callback any more.
#[allow(non_camel_case_types)]
pub type auth_userdata_free_cb = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// The host function behind a [`CallbackStore`]: a yes/no answer, or a three-way one.
#[derive(Clone, Copy)]
enum HostCallback {
    Bool(unsafe extern "C" fn(*mut c_void, *const auth_revocation_query) -> bool),
    Status(unsafe extern "C" fn(*mut c_void, *const auth_revocation_query) -> u32),
}

struct CallbackStore {
    cb: HostCallback,
    userdata: *mut c_void,
    free_userdata: auth_userdata_free_cb,
}

// SAFETY: the API contract of `auth_revocation_new_callback` requires the callback and
// its userdata to be usable from any thread (documented on `auth_revocation_cb`).
unsafe impl Send for CallbackStore {}
// SAFETY: as above.
unsafe impl Sync for CallbackStore {}

impl RevocationStore for CallbackStore {
    fn is_revoked(&self, q: &RevocationQuery<'_>) -> bool {
        self.revocation_status(q) != RevocationStatus::NotRevoked
    }

    fn revocation_status(&self, q: &RevocationQuery<'_>) -> RevocationStatus {
        let query = auth_revocation_query {
            jti: q.jti.as_ptr().cast(),
            jti_len: q.jti.len(),
            principal: principal_to_c(q.principal),
            iat: q.iat,
            has_exp: q.exp.is_some(),
            exp: q.exp.unwrap_or(0),
            has_parent: q.parent.is_some(),
            parent: q
                .parent
                .map(principal_to_c)
                .unwrap_or(auth_principal { kind: 0, id: 0 }),
        };
        match self.cb {
            HostCallback::Bool(cb) => {
                // SAFETY: the callback was supplied by the host for exactly this call shape.
                match unsafe { cb(self.userdata, &query) } {
                    true => RevocationStatus::Revoked,
                    false => RevocationStatus::NotRevoked,
                }
            }
            HostCallback::Status(cb) => {
                // SAFETY: as above.
                match unsafe { cb(self.userdata, &query) } {
                    0 => RevocationStatus::NotRevoked,
                    1 => RevocationStatus::Revoked,
                    _ => RevocationStatus::Unavailable,
                }
            }
        }
    }
}

impl Drop for CallbackStore {
    fn drop(&mut self) {
        if let Some(free) = self.free_userdata {
            // SAFETY: called once, when the last user of the callback is gone.
            unsafe { free(self.userdata) }
        }
    }
}

/// A revocation store as verifiers see it: the built-in in-memory store or a host
/// callback.
///
/// Reference-counted: a verifier created with it keeps its own reference. Safe to use
/// from many threads at once (for a callback store: if the callback is thread-safe).
/// Create with `auth_revocation_from_memory_store` or `auth_revocation_new_callback`,
/// release with `auth_revocation_free`.
pub struct auth_revocation {
    _private: [u8; 0],
}

/// What an `auth_revocation` handle holds: the store, and the Redis-backed store again
/// when it is one (for its write and status functions).
pub(crate) struct Revocation(
    pub(crate) Arc<dyn RevocationStore>,
    pub(crate) Option<Arc<auth_redis::RedisRevocationStore>>,
);

impl RevocationStore for Revocation {
    fn is_revoked(&self, q: &RevocationQuery<'_>) -> bool {
        self.0.is_revoked(q)
    }
    fn revocation_status(&self, q: &RevocationQuery<'_>) -> RevocationStatus {
        self.0.revocation_status(q)
    }
}

impl Castable for auth_revocation {
    type Ownership = crate::util::OwnershipBox;
    type RustType = Revocation;
}

/// The store behind a handle, for a verifier to keep.
pub(crate) fn as_dyn(r: &Revocation) -> Arc<dyn RevocationStore> {
    r.0.clone()
}

/// Wraps a host callback (see `auth_revocation_cb`) into a revocation store.
/// `free_userdata` (may be NULL) is called with `userdata` once the last verifier and
/// handle using the callback are freed. `*revocation_out` receives the handle (free with
/// `auth_revocation_free`). Errors: `AUTH_NULL_ARGUMENT` (`callback`, `revocation_out`).
#[no_mangle]
pub unsafe extern "C" fn auth_revocation_new_callback(
    callback: auth_revocation_cb,
    userdata: *mut c_void,
    free_userdata: auth_userdata_free_cb,
    revocation_out: *mut *mut auth_revocation,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let cb = HostCallback::Bool(callback.ok_or_else(|| Failure::null("callback"))?);
        new_callback_store(cb, userdata, free_userdata, revocation_out)
    })
}

/// Wraps a host callback that can say it cannot answer (see `auth_revocation_status_cb`)
/// into a revocation store: `AUTH_REVOCATION_STATUS_UNAVAILABLE` (or an unknown number)
/// makes verification fail with `AUTH_REVOCATION_UNAVAILABLE`. Otherwise as
/// `auth_revocation_new_callback`.
#[no_mangle]
pub unsafe extern "C" fn auth_revocation_new_status_callback(
    callback: auth_revocation_status_cb,
    userdata: *mut c_void,
    free_userdata: auth_userdata_free_cb,
    revocation_out: *mut *mut auth_revocation,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let cb = HostCallback::Status(callback.ok_or_else(|| Failure::null("callback"))?);
        new_callback_store(cb, userdata, free_userdata, revocation_out)
    })
}

unsafe fn new_callback_store(
    cb: HostCallback,
    userdata: *mut c_void,
    free_userdata: auth_userdata_free_cb,
    revocation_out: *mut *mut auth_revocation,
) -> crate::util::FfiResult {
    let out = out_ptr(revocation_out, "revocation_out")?;
    let store = CallbackStore {
        cb,
        userdata,
        free_userdata,
    };
    out.write(new_box(Revocation(Arc::new(store), None)));
    Ok(())
}

/// A revocation handle sharing the in-memory `store` (revocations added to the store
/// later are seen by verifiers using the handle). `*revocation_out` receives it (free
/// with `auth_revocation_free`; the store handle stays valid and separately owned).
#[no_mangle]
pub unsafe extern "C" fn auth_revocation_from_memory_store(
    store: *const auth_memory_store,
    revocation_out: *mut *mut auth_revocation,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let store: Arc<MemoryRevocationStore> = clone_arc(store, "store")?;
        let out = out_ptr(revocation_out, "revocation_out")?;
        out.write(new_box(Revocation(store, None)));
        Ok(())
    })
}

/// Releases a revocation handle. NULL is a no-op. Verifiers holding the store keep it.
#[no_mangle]
pub unsafe extern "C" fn auth_revocation_free(revocation: *mut auth_revocation) {
    panic_boundary_or((), || free_box(revocation))
}

/// The built-in thread-safe in-memory revocation store with bounded memory: revoked
/// token ids (kept until the token expires; static tokens' forever) and per-principal
/// "issued before" cutoffs.
///
/// Reference-counted and internally synchronized: safe to revoke and verify from many
/// threads at once. Create with `auth_memory_store_new` or
/// `auth_memory_store_new_with_limits`, release with `auth_memory_store_free`; give it to
/// verifiers through `auth_revocation_from_memory_store`.
pub struct auth_memory_store {
    _private: [u8; 0],
}

impl Castable for auth_memory_store {
    type Ownership = crate::util::OwnershipArc;
    type RustType = MemoryRevocationStore;
}

/// An empty store with the core's default entry limit. `*store_out` receives it (free
/// with `auth_memory_store_free`).
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_new(
    store_out: *mut *mut auth_memory_store,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let out = out_ptr(store_out, "store_out")?;
        out.write(new_arc::<auth_memory_store>(Arc::new(
            MemoryRevocationStore::new(),
        )));
        Ok(())
    })
}

/// An empty store holding at most `max_entries` entries (revoked ids plus principal
/// cutoffs; 0 makes every new revocation fail with `AUTH_REVOCATION_STORE_FULL`), keeping
/// each dynamic token's revocation until `exp + expiry_grace` seconds (set it to at least
/// the verifiers' leeway). `*store_out` receives it (free with `auth_memory_store_free`).
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_new_with_limits(
    max_entries: usize,
    expiry_grace: u64,
    store_out: *mut *mut auth_memory_store,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let out = out_ptr(store_out, "store_out")?;
        let store =
            MemoryRevocationStore::with_capacity_limit(max_entries).with_expiry_grace(expiry_grace);
        out.write(new_arc::<auth_memory_store>(Arc::new(store)));
        Ok(())
    })
}

/// Revokes one token id (logout) at time `now` (UNIX seconds; NULL: the system clock):
/// `exp` is the token's expiry (NULL for a static token, kept forever). Errors:
/// `AUTH_INVALID_REQUEST` (jti empty or over 128 characters), `AUTH_REVOCATION_STORE_FULL`,
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_revoke(
    store: *const auth_memory_store,
    jti: *const c_char,
    jti_len: usize,
    exp: *const u64,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = handle(store, "store")?;
        let jti = text(jti, jti_len, "jti")?;
        Ok(store.revoke(jti, exp.as_ref().copied(), now.as_ref().copied())?)
    })
}

/// Revokes the token these claims describe (logout) at time `now` (NULL: the system
/// clock). Errors as `auth_memory_store_revoke`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_revoke_claims(
    store: *const auth_memory_store,
    claims: *const auth_claims,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = handle(store, "store")?;
        let claims = handle(claims, "claims")?;
        Ok(store.revoke_claims(claims, now.as_ref().copied())?)
    })
}

/// Revokes every token of `principal` issued up to `before` (`iat <= before`): password
/// change, blocked account. `now` (NULL: the system clock) is only used to purge expired
/// entries when the store is full. Errors: `AUTH_REVOCATION_STORE_FULL`, `AUTH_INVALID_ENUM`,
/// `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_revoke_principal_before(
    store: *const auth_memory_store,
    principal: *const auth_principal,
    before: u64,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = handle(store, "store")?;
        let principal = principal
            .as_ref()
            .ok_or_else(|| Failure::null("principal"))?;
        Ok(store.revoke_principal_before(
            principal_from_c(principal)?,
            before,
            now.as_ref().copied(),
        )?)
    })
}

/// Forgets revocations of tokens expired at `now` (NULL: the system clock); `*removed`
/// (may be NULL) receives how many were dropped. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_purge_expired(
    store: *const auth_memory_store,
    now: *const u64,
    removed: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let n = handle(store, "store")?.purge_expired(now.as_ref().copied());
        if !removed.is_null() {
            out_ptr(removed, "removed")?.write(n);
        }
        Ok(())
    })
}

/// Writes the number of entries (revoked ids plus principal cutoffs, including expired
/// ones not yet purged) to `*out`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_len(
    store: *const auth_memory_store,
    out: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let n = handle(store, "store")?.len();
        out_ptr(out, "out")?.write(n);
        Ok(())
    })
}

/// Writes to `*out` whether token id `jti` is revoked at `now` (NULL: the system clock).
/// Errors: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_is_jti_revoked(
    store: *const auth_memory_store,
    jti: *const c_char,
    jti_len: usize,
    now: *const u64,
    out: *mut bool,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let store = handle(store, "store")?;
        let jti = text(jti, jti_len, "jti")?;
        out_ptr(out, "out")?.write(store.is_jti_revoked(jti, now.as_ref().copied()));
        Ok(())
    })
}

/// Releases the caller's reference to a store. NULL is a no-op. Revocation handles and
/// verifiers sharing it keep it alive.
#[no_mangle]
pub unsafe extern "C" fn auth_memory_store_free(store: *mut auth_memory_store) {
    panic_boundary_or((), || free_arc(store))
}
