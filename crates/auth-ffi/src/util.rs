//! The boundary machinery: panic guards, failures, handle casts, input and output helpers.

use std::borrow::Cow;
use std::cell::Cell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Once};

use crate::result::auth_result;

/// Why a call failed: the C code plus a message for its `auth_error`.
pub(crate) struct Failure {
    pub code: auth_result,
    pub message: Cow<'static, str>,
    /// The core error this failure came from, if any (for the wire error bodies).
    pub core: Option<authcore::Error>,
}

impl Failure {
    pub fn new(code: auth_result, message: impl Into<Cow<'static, str>>) -> Self {
        Failure {
            code,
            message: message.into(),
            core: None,
        }
    }

    pub fn null(arg: &'static str) -> Self {
        Failure::new(
            auth_result::AUTH_NULL_ARGUMENT,
            format!("argument `{arg}` is NULL"),
        )
    }

    pub fn panic() -> Self {
        Failure::new(
            auth_result::AUTH_PANIC,
            "internal error: a panic was caught at the C boundary",
        )
    }
}

impl From<authcore::Error> for Failure {
    fn from(e: authcore::Error) -> Self {
        let mut f = Failure::new(auth_result::from_code(e.code()), e.message().to_owned());
        f.core = Some(e);
        f
    }
}

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

/// One failed call's details. See `auth_error_*` in `error.rs`.
pub(crate) struct ErrorDetails {
    pub code: auth_result,
    pub message: CString,
    pub core: Option<authcore::Error>,
}

impl ErrorDetails {
    pub fn from_failure(f: Failure) -> Self {
        let bytes: Vec<u8> = f.message.bytes().filter(|&b| b != 0).collect();
        ErrorDetails {
            code: f.code,
            // Interior NULs were removed above, so this cannot fail.
            message: CString::new(bytes).unwrap_or_default(),
            core: f.core,
        }
    }
}

thread_local! {
    /// How many panic boundaries of this library are active on this thread.
    static BOUNDARY_DEPTH: Cell<usize> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

/// Keeps a panic caught at the C boundary off the host's stderr.
///
/// The choice: a panic inside an exported function is already reported to the caller
/// as `AUTH_PANIC` (with an `auth_error`), so the default hook's message and backtrace
/// on the host's stderr would only be noise in a C program's logs. Rust has no
/// per-call hook, only a process-wide one, so the first call into the library chains a
/// hook in front of the one already installed (the default, or the host's own): it
/// stays silent while this thread is inside one of our boundaries and defers to the
/// previous hook everywhere else. A host that installs its own hook later simply
/// replaces ours (panics then print again, nothing else changes). rustls-ffi only
/// catches; we go one step further so that a caught panic is quiet.
fn install_quiet_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if BOUNDARY_DEPTH.with(Cell::get) == 0 {
            previous(info);
        }
    }));
}

/// Runs `f` with this thread marked as inside a panic boundary (see
/// [`install_quiet_hook`]); `catch_unwind` of `f` included.
fn catch_quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    QUIET_HOOK.call_once(install_quiet_hook);
    struct Depth;
    impl Drop for Depth {
        fn drop(&mut self) {
            BOUNDARY_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        }
    }
    BOUNDARY_DEPTH.with(|d| d.set(d.get() + 1));
    let _depth = Depth;
    catch_unwind(AssertUnwindSafe(f))
}

/// Runs `f` inside a panic boundary and reports a failure through the optional
/// `error_out` (written only on failure).
pub(crate) fn guard(
    error_out: *mut *mut crate::error::auth_error,
    f: impl FnOnce() -> FfiResult,
) -> auth_result {
    let failure = match catch_quietly(f) {
        Ok(Ok(())) => return auth_result::AUTH_OK,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::panic(),
    };
    let code = failure.code;
    if !error_out.is_null() {
        let written = catch_quietly(|| {
            let details = Box::new(ErrorDetails::from_failure(failure));
            // SAFETY: error_out is non-NULL and, by the API contract, writable.
            unsafe { *error_out = Box::into_raw(details).cast() };
        });
        if written.is_err() {
            return auth_result::AUTH_PANIC;
        }
    }
    code
}

/// Runs `f` inside a panic boundary, returning `fallback` if it panics. For functions
/// that return a value rather than an `auth_result` (names, versions, `_free`).
pub(crate) fn panic_boundary_or<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_quietly(f).unwrap_or(fallback)
}

/// How a handle type is owned; the functions below accept only handles of the matching
/// kind, so freeing a boxed handle as an `Arc` (or the reverse, or freeing a borrowed
/// sub-object) does not compile. (The model is rustls-ffi's `Castable`.) Sub-objects
/// borrowed from a parent ([`borrow_from`]) reach C as `const T *`, which the `_free`
/// functions (taking `T *`) refuse under `-Werror`.
pub(crate) trait Ownership {}

/// A single-owner handle: `Box::into_raw`, freed once with [`free_box`].
pub(crate) enum OwnershipBox {}
/// A shared handle: `Arc::into_raw`, each reference released with [`free_arc`].
pub(crate) enum OwnershipArc {}

impl Ownership for OwnershipBox {}
impl Ownership for OwnershipArc {}

/// Ties an opaque C type to the Rust value its pointers stand for and to how that
/// value is owned.
pub(crate) trait Castable {
    /// [`OwnershipBox`] or [`OwnershipArc`].
    type Ownership: Ownership;
    /// The Rust value behind the pointer.
    type RustType;
}

/// Borrows the value behind a handle of any ownership (`arg` names it in the NULL error).
///
/// SAFETY: `p` is NULL or a live handle of this type created by this library.
pub(crate) unsafe fn handle<'a, T: Castable>(
    p: *const T,
    arg: &'static str,
) -> FfiResult<&'a T::RustType> {
    if p.is_null() {
        return Err(Failure::null(arg));
    }
    Ok(&*(p.cast::<T::RustType>()))
}

/// Mutably borrows the value behind a single-owner (boxed) handle.
///
/// SAFETY: as [`handle`], and no other reference to it is live (the API contract of
/// functions that take a non-const handle of a single-owner type).
pub(crate) unsafe fn handle_mut<'a, T: Castable<Ownership = OwnershipBox>>(
    p: *mut T,
    arg: &'static str,
) -> FfiResult<&'a mut T::RustType> {
    if p.is_null() {
        return Err(Failure::null(arg));
    }
    Ok(&mut *(p.cast::<T::RustType>()))
}

/// A new single-owner handle.
pub(crate) fn new_box<T: Castable<Ownership = OwnershipBox>>(v: T::RustType) -> *mut T {
    Box::into_raw(Box::new(v)).cast()
}

/// Frees a single-owner handle; NULL is a no-op.
///
/// SAFETY: `p` is NULL or a live handle from [`new_box`] of this type, not used after.
pub(crate) unsafe fn free_box<T: Castable<Ownership = OwnershipBox>>(p: *mut T) {
    if !p.is_null() {
        drop(Box::from_raw(p.cast::<T::RustType>()));
    }
}

/// A new shared (reference-counted) handle.
pub(crate) fn new_arc<T: Castable<Ownership = OwnershipArc>>(v: Arc<T::RustType>) -> *mut T {
    Arc::into_raw(v).cast_mut().cast()
}

/// Another reference to the value behind a shared handle.
///
/// SAFETY: `p` is a live handle from [`new_arc`] of this type.
pub(crate) unsafe fn clone_arc<T: Castable<Ownership = OwnershipArc>>(
    p: *const T,
    arg: &'static str,
) -> FfiResult<Arc<T::RustType>> {
    if p.is_null() {
        return Err(Failure::null(arg));
    }
    let p = p.cast::<T::RustType>();
    Arc::increment_strong_count(p);
    Ok(Arc::from_raw(p))
}

/// Releases a shared handle; NULL is a no-op.
///
/// SAFETY: `p` is NULL or a live handle from [`new_arc`] of this type, not used after.
pub(crate) unsafe fn free_arc<T: Castable<Ownership = OwnershipArc>>(p: *const T) {
    if !p.is_null() {
        drop(Arc::from_raw(p.cast::<T::RustType>()));
    }
}

/// A pointer to a sub-object borrowed from its parent (valid while the parent lives);
/// NULL when the parent pointer is NULL. The caller never frees it.
///
/// SAFETY: `parent` is NULL or a live handle of its type; `pick` returns a value stored
/// inside it.
pub(crate) unsafe fn borrow_from<P: Castable, T: Castable>(
    parent: *const P,
    pick: impl FnOnce(&P::RustType) -> &T::RustType,
) -> *const T {
    match handle(parent, "parent") {
        Ok(p) => (pick(p) as *const T::RustType).cast(),
        Err(_) => std::ptr::null(),
    }
}

/// Converts between a `#[repr(u32)]` C enum (declared by hand, so cbindgen sees it) and
/// the core enum it stands for, variant by variant:
///
/// ```ignore
/// enum_conversions!(auth_algorithm <=> Algorithm { AUTH_HS256 <=> HS256, ... });
/// ```
///
/// gives `auth_algorithm::to_core(n: u32) -> FfiResult<Algorithm>` (an unknown number →
/// `AUTH_INVALID_ENUM`) and `auth_algorithm::from_core(Algorithm) -> auth_algorithm`.
/// Both are `match`es without a wildcard over the core enum, so a variant added to the
/// core fails to compile here until it is given a C number.
macro_rules! enum_conversions {
    ($c:ident <=> $core:ident { $($cv:ident <=> $rv:ident),+ $(,)? }) => {
        impl $c {
            /// The core value for a C number; `AUTH_INVALID_ENUM` for an unknown one.
            #[allow(dead_code)]
            pub(crate) fn to_core(n: u32) -> $crate::util::FfiResult<$core> {
                $(if n == $c::$cv as u32 {
                    return Ok($core::$rv);
                })+
                Err($crate::util::Failure::new(
                    $crate::result::auth_result::AUTH_INVALID_ENUM,
                    format!("{n} is not an {}", stringify!($c)),
                ))
            }

            /// The C value for a core value.
            #[allow(dead_code)]
            pub(crate) fn from_core(v: $core) -> $c {
                match v {
                    $($core::$rv => $c::$cv,)+
                }
            }
        }
    };
}
pub(crate) use enum_conversions;

/// Writes an output value (the out-pointer was checked for NULL first by [`out_ptr`]).
pub(crate) fn out_ptr<T>(p: *mut T, arg: &'static str) -> FfiResult<OutPtr<T>> {
    if p.is_null() {
        Err(Failure::null(arg))
    } else {
        Ok(OutPtr(p))
    }
}

/// A checked, non-NULL out-parameter.
pub(crate) struct OutPtr<T>(*mut T);

impl<T> OutPtr<T> {
    /// Writes the value.
    pub fn write(self, v: T) {
        // SAFETY: non-NULL (checked) and, by the API contract, writable.
        unsafe { self.0.write(v) }
    }
}

/// Input bytes given as pointer + length. NULL is refused whatever the length; a
/// non-NULL pointer with length 0 is the empty input.
///
/// SAFETY: a non-NULL `p` points to `len` readable bytes that outlive the call.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize, arg: &'static str) -> FfiResult<&'a [u8]> {
    if p.is_null() {
        return Err(Failure::null(arg));
    }
    if len == 0 {
        return Ok(&[]);
    }
    Ok(std::slice::from_raw_parts(p, len))
}

/// Optional input bytes: NULL means absent.
///
/// SAFETY: as [`bytes`].
pub(crate) unsafe fn opt_bytes<'a>(
    p: *const u8,
    len: usize,
    arg: &'static str,
) -> FfiResult<Option<&'a [u8]>> {
    if p.is_null() {
        Ok(None)
    } else {
        bytes(p, len, arg).map(Some)
    }
}

/// Input text given as pointer + length; `AUTH_INVALID_UTF8` if it is not UTF-8.
///
/// SAFETY: as [`bytes`].
pub(crate) unsafe fn text<'a>(
    p: *const c_char,
    len: usize,
    arg: &'static str,
) -> FfiResult<&'a str> {
    utf8(bytes(p.cast(), len, arg)?, arg)
}

/// Optional input text: NULL means absent.
///
/// SAFETY: as [`bytes`].
pub(crate) unsafe fn opt_text<'a>(
    p: *const c_char,
    len: usize,
    arg: &'static str,
) -> FfiResult<Option<&'a str>> {
    match opt_bytes(p.cast(), len, arg)? {
        None => Ok(None),
        Some(b) => utf8(b, arg).map(Some),
    }
}

pub(crate) fn utf8<'a>(b: &'a [u8], arg: &'static str) -> FfiResult<&'a str> {
    std::str::from_utf8(b).map_err(|e| {
        Failure::new(
            auth_result::AUTH_INVALID_UTF8,
            format!(
                "argument `{arg}` is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Copies `data` plus a terminating NUL into a caller buffer of `buf_len` bytes and
/// writes `data.len()` (without the NUL) to `out_len`. When the buffer is smaller than
/// `data.len() + 1` nothing is copied, `out_len` still receives `data.len()` and the
/// result is `AUTH_INSUFFICIENT_SIZE`. `buf` may be NULL only when `buf_len` is 0 (a
/// size query).
///
/// SAFETY: a non-NULL `buf` points to `buf_len` writable bytes.
pub(crate) unsafe fn write_out(
    data: &[u8],
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> FfiResult {
    let out_len = out_ptr(out_len, "out_len")?;
    if buf.is_null() && buf_len != 0 {
        return Err(Failure::null("buf"));
    }
    if buf_len <= data.len() {
        out_len.write(data.len());
        return Err(Failure::new(
            auth_result::AUTH_INSUFFICIENT_SIZE,
            format!(
                "buffer of {buf_len} bytes is too small: {} bytes are needed (text plus NUL)",
                data.len() + 1
            ),
        ));
    }
    std::ptr::copy_nonoverlapping(data.as_ptr(), buf.cast::<u8>(), data.len());
    *buf.add(data.len()) = 0;
    out_len.write(data.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serialises the tests that panic or swap the process-wide panic hook.
    static HOOK_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn a_panic_becomes_auth_panic_with_error_details() {
        let _lock = HOOK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut err: *mut crate::error::auth_error = std::ptr::null_mut();
        let rc = guard(&mut err, || panic!("boom"));
        assert_eq!(rc, auth_result::AUTH_PANIC);
        assert!(!err.is_null());
        unsafe {
            assert_eq!(crate::error::auth_error_code(err), auth_result::AUTH_PANIC);
            crate::error::auth_error_free(err);
        }
        assert_eq!(panic_boundary_or(7, || panic!("boom")), 7);
    }

    #[test]
    fn write_out_reports_the_needed_length_and_copies_nothing_when_short() {
        let mut buf = [b'z' as c_char; 4];
        let mut len = 0usize;
        let r = unsafe { write_out(b"abcd", buf.as_mut_ptr(), 4, &mut len) };
        assert_eq!(
            r.err().map(|f| f.code),
            Some(auth_result::AUTH_INSUFFICIENT_SIZE)
        );
        assert_eq!(len, 4);
        assert!(buf.iter().all(|&b| b == b'z' as c_char));
        let mut buf = [0 as c_char; 5];
        assert!(unsafe { write_out(b"abcd", buf.as_mut_ptr(), 5, &mut len) }.is_ok());
        assert_eq!(buf[4], 0);
    }

    #[test]
    fn a_panic_caught_at_the_boundary_reaches_no_hook_and_others_still_do() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let _lock = HOOK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // The host's hook, counting the panics it is shown (by payload, so a panic of
        // another test on another thread is not counted).
        static INSIDE: AtomicUsize = AtomicUsize::new(0);
        static OUTSIDE: AtomicUsize = AtomicUsize::new(0);
        std::panic::set_hook(Box::new(|info| {
            let text = info.payload().downcast_ref::<&str>().copied().unwrap_or("");
            match text {
                "inside the boundary" => INSIDE.fetch_add(1, Ordering::SeqCst),
                "outside the boundary" => OUTSIDE.fetch_add(1, Ordering::SeqCst),
                _ => 0,
            };
        }));
        // What the first call into the library does (already done once in this process
        // if another test called first, which would leave the host's hook on top).
        install_quiet_hook();
        let rc = guard(std::ptr::null_mut(), || panic!("inside the boundary"));
        assert_eq!(rc, auth_result::AUTH_PANIC);
        assert_eq!(panic_boundary_or(3, || panic!("inside the boundary")), 3);
        let nested = guard(std::ptr::null_mut(), || {
            assert_eq!(panic_boundary_or(1, || panic!("inside the boundary")), 1);
            Ok(())
        });
        assert_eq!(nested, auth_result::AUTH_OK);
        assert_eq!(
            INSIDE.load(Ordering::SeqCst),
            0,
            "a caught panic was printed"
        );
        // Outside any boundary (after the calls above returned) the host's hook runs.
        assert!(catch_unwind(|| panic!("outside the boundary")).is_err());
        assert_eq!(OUTSIDE.load(Ordering::SeqCst), 1);
        drop(std::panic::take_hook()); // back to the default hook
    }
}
