//! The Redis-backed revocation store (crate `auth-redis`, docs/revocation.md): created as an
//! `auth_revocation` handle that verifiers take like any other, plus its write and status
//! functions.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use authcore::RevocationWriter;

use crate::claims::{auth_claims, auth_principal, principal_from_c};
use crate::error::auth_error;
use crate::result::auth_result;
use crate::revocation::{auth_revocation, Revocation};
use crate::util::{guard, handle, new_box, out_ptr, text, write_out, Failure, FfiResult};

/// Options of `auth_redis_store_new`. Zero-initialize it (`auth_redis_options o = {0};`) and
/// set what differs from the defaults; a 0 or NULL field means its default.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_redis_options {
    /// Key prefix (UTF-8, `key_prefix_len` bytes, not NUL-terminated); NULL: `"auth:rev:"`.
    pub key_prefix: *const c_char,
    /// Length of `key_prefix` in bytes.
    pub key_prefix_len: usize,
    /// How long the local replica may go without confirming it is current before
    /// verification fails with `AUTH_REVOCATION_UNAVAILABLE`, in ms (0: 2000; at least 10).
    pub max_staleness_ms: u64,
    /// Opt-in bounded fail-open: past `max_staleness_ms`, tokens not known to be revoked are
    /// still accepted for this many more ms (0: fail closed at once). Known revoked tokens
    /// are rejected in every mode.
    pub fail_open_ms: u64,
    /// Connect and write round-trip timeout in ms (0: 2000).
    pub io_timeout_ms: u64,
    /// How long `auth_redis_store_new` waits for the first catch-up, in ms (0: 5000).
    pub start_timeout_ms: u64,
    /// Approximate stream length kept (0: 1,000,000).
    pub stream_maxlen: u64,
}

/// TLS files for `auth_redis_store_new_tls` (a `rediss://` URL): NUL-terminated paths of PEM
/// files, NULL for none. `ca_file`: the CA to trust instead of the public roots; `cert_file`
/// and `key_file` (both or neither): a client certificate for mutual TLS. The server's name
/// (the URL's host) is always checked against its certificate.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct auth_redis_tls {
    /// The CA certificate file (PEM), or NULL.
    pub ca_file: *const c_char,
    /// The client certificate file (PEM), or NULL.
    pub cert_file: *const c_char,
    /// The client key file (PEM), or NULL.
    pub key_file: *const c_char,
}

/// A NUL-terminated path, or `None` for NULL.
pub(crate) unsafe fn path(p: *const c_char, what: &str) -> FfiResult<Option<std::path::PathBuf>> {
    if p.is_null() {
        return Ok(None);
    }
    let s = std::ffi::CStr::from_ptr(p).to_str().map_err(|_| {
        Failure::new(
            auth_result::AUTH_INVALID_UTF8,
            format!("{what} is not UTF-8"),
        )
    })?;
    Ok(Some(std::path::PathBuf::from(s)))
}

/// What `auth_redis_store_status` reports.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct auth_redis_status {
    /// The replica's reader is connected to Redis.
    pub connected: bool,
    /// Verification trusts the replica (its staleness is within `max_staleness_ms`).
    pub current: bool,
    /// Whether the replica has ever confirmed it is current (`staleness_ms` is meaningful).
    pub has_staleness: bool,
    /// Time since the replica last confirmed it was current, in ms (the lag bound).
    pub staleness_ms: u64,
    /// Entries in the local replica.
    pub entries: u64,
    /// Full rebuilds from the keys since start.
    pub snapshots: u64,
    /// Stream entries applied since start.
    pub applied: u64,
    /// Estimated heap bytes of the local replica.
    pub memory_bytes: u64,
}

fn ms(v: u64, default: Duration) -> Duration {
    if v == 0 {
        default
    } else {
        Duration::from_millis(v)
    }
}

unsafe fn options_from_c(o: *const auth_redis_options) -> FfiResult<RedisStoreOptions> {
    let mut opts = RedisStoreOptions::default();
    let Some(o) = o.as_ref() else {
        return Ok(opts);
    };
    if !o.key_prefix.is_null() {
        opts.key_prefix = text(o.key_prefix, o.key_prefix_len, "key_prefix")?.to_owned();
    }
    opts.max_staleness = ms(o.max_staleness_ms, opts.max_staleness);
    opts.fail_open_for = (o.fail_open_ms != 0).then(|| Duration::from_millis(o.fail_open_ms));
    opts.io_timeout = ms(o.io_timeout_ms, opts.io_timeout);
    opts.start_timeout = Some(ms(o.start_timeout_ms, Duration::from_secs(5)));
    if o.stream_maxlen != 0 {
        opts.stream_maxlen = o.stream_maxlen;
    }
    Ok(opts)
}

/// Connects a store and writes its revocation handle to `out`.
fn connect_into(
    url: &str,
    opts: RedisStoreOptions,
    out: crate::util::OutPtr<*mut auth_revocation>,
) -> FfiResult<()> {
    let store = Arc::new(RedisRevocationStore::connect(url, opts)?);
    out.write(new_box(Revocation(store.clone(), Some(store))));
    Ok(())
}

/// The Redis store behind a revocation handle, or `AUTH_INVALID_REQUEST` for another kind.
unsafe fn redis_of(r: *const auth_revocation) -> FfiResult<Arc<RedisRevocationStore>> {
    let r: &Revocation = handle(r, "store")?;
    r.1.clone().ok_or_else(|| {
        Failure::new(
            auth_result::AUTH_INVALID_REQUEST,
            "not a Redis revocation store (auth_redis_store_new)",
        )
    })
}

/// Connects to Redis at `url` (`redis://[user:password@]host:port[/db]`, UTF-8, `url_len`
/// bytes) and starts the store's local replica (a background thread following the Redis
/// stream). `options` may be NULL (defaults). Waits for the first catch-up (see
/// `start_timeout_ms`). `*store_out` receives a revocation handle: give it to
/// `auth_verifier_new` like any other, write with `auth_redis_store_revoke*`, free with
/// `auth_revocation_free` (verifiers holding it keep the store running).
/// Errors: `AUTH_INVALID_REQUEST` (URL or options), `AUTH_REVOCATION_UNAVAILABLE` (no first
/// catch-up in time: refused, wrong password, ...), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_new(
    url: *const c_char,
    url_len: usize,
    options: *const auth_redis_options,
    store_out: *mut *mut auth_revocation,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let url = text(url, url_len, "url")?;
        let out = out_ptr(store_out, "store_out")?;
        let opts = options_from_c(options)?;
        connect_into(url, opts, out)
    })
}

/// `auth_redis_store_new` for a `rediss://` URL with TLS files (`tls` may be NULL: the public
/// roots, no client certificate). Errors as `auth_redis_store_new`, and `AUTH_INVALID_REQUEST`
/// for TLS files with a `redis://` URL, a certificate without its key, or a file that cannot
/// be read; a wrong CA, an expired certificate or one for another name is
/// `AUTH_REVOCATION_UNAVAILABLE` with the reason (`auth_error_message`).
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_new_tls(
    url: *const c_char,
    url_len: usize,
    options: *const auth_redis_options,
    tls: *const auth_redis_tls,
    store_out: *mut *mut auth_revocation,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let url = text(url, url_len, "url")?;
        let out = out_ptr(store_out, "store_out")?;
        let mut opts = options_from_c(options)?;
        if let Some(t) = tls.as_ref() {
            opts.tls.ca_file = path(t.ca_file, "ca_file")?;
            opts.tls.cert_file = path(t.cert_file, "cert_file")?;
            opts.tls.key_file = path(t.key_file, "key_file")?;
        }
        connect_into(url, opts, out)
    })
}

/// A store that finds its Redis primary through Redis Sentinel and follows a failover
/// without a restart: `sentinels` is `HOST:PORT[,HOST:PORT...]` (UTF-8, `sentinels_len`
/// bytes), `master` the name of the primary set they monitor. `min_replicas` (NULL: the
/// default) makes a write acknowledged only once that many replicas have it (`WAIT`); the
/// default is 1 while the primary has a replica, else 0. Otherwise as `auth_redis_store_new`.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_new_sentinel(
    sentinels: *const c_char,
    sentinels_len: usize,
    master: *const c_char,
    master_len: usize,
    options: *const auth_redis_options,
    min_replicas: *const u32,
    store_out: *mut *mut auth_revocation,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let list = text(sentinels, sentinels_len, "sentinels")?;
        let master = text(master, master_len, "master")?;
        let out = out_ptr(store_out, "store_out")?;
        let mut opts = options_from_c(options)?;
        let addresses: Vec<String> = list
            .split(',')
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        opts.sentinel = Some(auth_redis::SentinelConfig::new(addresses, master));
        opts.min_replicas = min_replicas.as_ref().copied();
        connect_into("redis://sentinel", opts, out)
    })
}

/// A store on a Redis Cluster: `seeds` is `HOST:PORT[,HOST:PORT...]` (any nodes of the
/// cluster); the primary serving the store's one slot is found at every connection, so a
/// failover or a resharding is followed without a restart. `min_replicas` as in
/// `auth_redis_store_new_sentinel`. Otherwise as `auth_redis_store_new`.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_new_cluster(
    seeds: *const c_char,
    seeds_len: usize,
    options: *const auth_redis_options,
    min_replicas: *const u32,
    store_out: *mut *mut auth_revocation,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let list = text(seeds, seeds_len, "seeds")?;
        let out = out_ptr(store_out, "store_out")?;
        let mut opts = options_from_c(options)?;
        opts.cluster = Some(
            list.split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
        );
        opts.min_replicas = min_replicas.as_ref().copied();
        connect_into("redis://cluster", opts, out)
    })
}

/// Revokes one token id in Redis and locally; returns once Redis acknowledged it. `exp` is
/// the token's expiry (NULL: a static token, kept forever); `now` NULL: the system clock.
/// Errors: `AUTH_REVOCATION_UNAVAILABLE` (not acknowledged; the revocation still holds in
/// this process), `AUTH_INVALID_REQUEST` (bad jti, or not a Redis store),
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_revoke(
    store: *const auth_revocation,
    jti: *const c_char,
    jti_len: usize,
    exp: *const u64,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = redis_of(store)?;
        let jti = text(jti, jti_len, "jti")?;
        Ok(RevocationWriter::revoke(
            &*store,
            jti,
            exp.as_ref().copied(),
            now.as_ref().copied(),
        )?)
    })
}

/// Revokes the token these claims describe (logout), as `auth_redis_store_revoke`.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_revoke_claims(
    store: *const auth_revocation,
    claims: *const auth_claims,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = redis_of(store)?;
        let claims = handle(claims, "claims")?;
        Ok(authcore::logout(&*store, claims, now.as_ref().copied())?)
    })
}

/// Revokes every token of `principal` (and what it delegated) issued up to `before`, in
/// Redis and locally; the later cutoff is kept. Errors as `auth_redis_store_revoke`, and
/// `AUTH_INVALID_ENUM`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_revoke_principal_before(
    store: *const auth_revocation,
    principal: *const auth_principal,
    before: u64,
    now: *const u64,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let store = redis_of(store)?;
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

/// Writes the store's state (connected, current, staleness, replica size) to `*out`.
/// Errors: `AUTH_INVALID_REQUEST` (not a Redis store), `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_status(
    store: *const auth_revocation,
    out: *mut auth_redis_status,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let store = redis_of(store)?;
        let out = out_ptr(out, "out")?;
        let s = store.status();
        out.write(auth_redis_status {
            connected: s.connected,
            current: s.current,
            has_staleness: s.staleness.is_some(),
            staleness_ms: s
                .staleness
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            entries: s.entries as u64,
            snapshots: s.snapshots,
            applied: s.applied,
            memory_bytes: store.approx_memory_bytes() as u64,
        });
        Ok(())
    })
}

/// Copies the last error the store met (reader or write; empty if none) into `buf`
/// (`buf_len` bytes, NUL-terminated) and its length to `*out_len`; with a buffer too small,
/// `AUTH_INSUFFICIENT_SIZE` and the needed length. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_redis_store_last_error(
    store: *const auth_revocation,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let store = redis_of(store)?;
        let e = store.status().last_error.unwrap_or_default();
        write_out(e.as_bytes(), buf, buf_len, out_len)
    })
}
