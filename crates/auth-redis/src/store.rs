//! The store: writes that return once Redis acknowledged them, reads from the local replica
//! only, and the staleness bound that decides when the replica may not be trusted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use auth_core::{
    Error, ErrorCode, MemoryRevocationStore, Principal, Result, RevocationQuery, RevocationStatus,
    RevocationStore, RevocationWriter,
};

use crate::layout::{self, Layout};
use crate::options::RedisStoreOptions;

/// The latest expiry time given to Redis (UNIX seconds, year ~33,000): later ones are capped.
const MAX_EXPIRE_AT: u64 = 1_000_000_000_000;

/// What the store reports about itself ([`RedisRevocationStore::status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisStoreStatus {
    /// The replica's reader is connected to Redis.
    pub connected: bool,
    /// Time since the replica last confirmed it had every revocation (`None`: never yet).
    pub staleness: Option<Duration>,
    /// Whether verification currently trusts the replica: `staleness <= max_staleness`, and
    /// the replica holds every revocation it has read (a full replica that could not hold
    /// one is not current until it does; `last_error` says so).
    pub current: bool,
    /// The last error met by the reader or a write, if any (never contains the password).
    pub last_error: Option<String>,
    /// Entries in the local replica (revoked jtis plus principal cutoffs).
    pub entries: usize,
    /// Full rebuilds from the keys (at start, and when the stream was trimmed past the
    /// replica's position).
    pub snapshots: u64,
    /// Stream entries applied since start.
    pub applied: u64,
}

/// State shared by the handle and its reader thread.
pub(crate) struct Shared {
    pub(crate) replica: MemoryRevocationStore,
    pub(crate) client: crate::endpoint::Endpoint,
    pub(crate) layout: Layout,
    pub(crate) options: RedisStoreOptions,
    base: Instant,
    /// Nanoseconds since `base` at which the replica was last confirmed current, plus one
    /// (0: never).
    confirmed: AtomicU64,
    /// The replica lacks revocations that are in Redis (it was full): it is not current,
    /// whatever its last confirmation, until the reader has applied them.
    pub(crate) incomplete: AtomicBool,
    /// Keys of the previous layout exist under the prefix: the store does not start.
    pub(crate) previous_layout: AtomicBool,
    pub(crate) connected: AtomicBool,
    pub(crate) stop: AtomicBool,
    pub(crate) snapshots: AtomicU64,
    pub(crate) applied: AtomicU64,
    last_error: Mutex<Option<String>>,
    writer: Mutex<Option<redis::Connection>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn unavailable(context: &str, e: &redis::RedisError) -> Error {
    Error::with_message(
        ErrorCode::RevocationUnavailable,
        format!("redis {context}: {e}"),
    )
}

impl Shared {
    /// Records that the replica held every revocation written before `at`.
    pub(crate) fn confirm(&self, at: Instant) {
        let nanos = at.saturating_duration_since(self.base).as_nanos();
        let v = u64::try_from(nanos).unwrap_or(u64::MAX - 1) + 1;
        self.confirmed.fetch_max(v, Ordering::AcqRel);
    }

    pub(crate) fn staleness(&self) -> Option<Duration> {
        let c = self.confirmed.load(Ordering::Acquire);
        if c == 0 {
            return None;
        }
        let at = self.base + Duration::from_nanos(c - 1);
        Some(Instant::now().saturating_duration_since(at))
    }

    /// Whether verification may trust the replica now (without the fail-open allowance).
    fn current(&self) -> bool {
        !self.incomplete.load(Ordering::Acquire)
            && self
                .staleness()
                .is_some_and(|s| s <= self.options.max_staleness)
    }

    pub(crate) fn set_error(&self, e: impl Into<String>) {
        *lock(&self.last_error) = Some(e.into());
    }

    fn status_of(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        self.status_given(self.replica.is_revoked(query))
    }

    /// The answer when the local replica does (`known_revoked`) or does not know the token
    /// revoked.
    fn status_given(&self, known_revoked: bool) -> RevocationStatus {
        // A token the replica knows to be revoked is rejected whatever the staleness.
        if known_revoked {
            return RevocationStatus::Revoked;
        }
        // A replica that knows it lacks revocations cannot tell, in every mode: the opt-in
        // fail-open covers a silent Redis, not revocations known to be missing.
        if self.incomplete.load(Ordering::Acquire) {
            return RevocationStatus::Unavailable;
        }
        let bound = self.options.max_staleness;
        match self.staleness() {
            Some(s) if s <= bound => RevocationStatus::NotRevoked,
            Some(s) if self.options.fail_open_for.is_some_and(|f| s <= bound + f) => {
                RevocationStatus::NotRevoked
            }
            _ => RevocationStatus::Unavailable,
        }
    }

    /// Runs one write script on the writer connection, reconnecting once if it fails.
    fn write(&self, script: &redis::Script, keys: [&str; 2], args: &[String]) -> Result<()> {
        let mut guard = lock(&self.writer);
        let mut last = None;
        for _attempt in 0..2 {
            if guard.is_none() {
                match self.open_writer() {
                    Ok(c) => *guard = Some(c),
                    Err(e) => {
                        last = Some(unavailable("connect", &e));
                        continue;
                    }
                }
            }
            let Some(con) = guard.as_mut() else { continue };
            let mut inv = script.key(keys[0]);
            inv.key(keys[1]);
            for a in args {
                inv.arg(a.as_str());
            }
            match inv.invoke::<String>(con) {
                Ok(_id) => match self.replicated(con) {
                    Ok(()) => return Ok(()),
                    Err(e) => {
                        // Written on the primary, not confirmed on enough replicas: a
                        // failover now could lose it, so it is not acknowledged (and not
                        // retried: the write itself went through).
                        self.set_error(e.message().to_owned());
                        return Err(e);
                    }
                },
                Err(e) => {
                    *guard = None;
                    last = Some(unavailable("write", &e));
                }
            }
        }
        let err = last.unwrap_or_else(|| Error::new(ErrorCode::RevocationUnavailable));
        self.set_error(err.message().to_owned());
        Err(err)
    }

    /// `WAIT` for [`RedisStoreOptions::required_replicas`] replicas (within `io_timeout`);
    /// `revocation_unavailable` when fewer confirmed the write.
    fn replicated(&self, con: &mut redis::Connection) -> Result<()> {
        let mut want = self.options.required_replicas();
        if want == 0 {
            return Ok(());
        }
        if self.options.min_replicas.is_none() {
            // The default under Sentinel or a cluster: 1 when the primary has a replica. A primary left
            // alone (its replica promoted away or gone) acknowledges by itself rather than
            // refuse every write until a replica comes back; `min_replicas` set makes N strict.
            let role: redis::Value = redis::cmd("ROLE")
                .query(con)
                .map_err(|e| unavailable("ROLE", &e))?;
            want = want.min(connected_replicas(&role));
            if want == 0 {
                return Ok(());
            }
        }
        let timeout = u64::try_from(self.options.io_timeout.as_millis()).unwrap_or(u64::MAX);
        let got: i64 = redis::cmd("WAIT")
            .arg(want)
            .arg(timeout)
            .query(con)
            .map_err(|e| unavailable("WAIT", &e))?;
        if got >= i64::from(want) {
            Ok(())
        } else {
            Err(Error::with_message(
                ErrorCode::RevocationUnavailable,
                format!(
                    "the revocation reached {got} of the {want} replica(s) required within {timeout} ms: \
                     not acknowledged (it holds on the primary and in this process)"
                ),
            ))
        }
    }

    fn open_writer(&self) -> redis::RedisResult<redis::Connection> {
        let con = self.client.connect(self.options.io_timeout)?;
        con.set_read_timeout(Some(self.options.io_timeout))?;
        con.set_write_timeout(Some(self.options.io_timeout))?;
        Ok(con)
    }
}

/// The replicas a primary's `ROLE` reply lists (`["master", offset, [[ip, port, offset], …]]`).
fn connected_replicas(role: &redis::Value) -> u32 {
    match role {
        redis::Value::Array(items) => match items.get(2) {
            Some(redis::Value::Array(replicas)) => {
                u32::try_from(replicas.len()).unwrap_or(u32::MAX)
            }
            _ => 0,
        },
        _ => 0,
    }
}

/// A revocation store shared by every process through Redis (see the crate documentation).
///
/// Reads ([`RevocationStore`]) are local lookups in a replica; writes ([`RevocationWriter`])
/// return once Redis acknowledged them and apply locally at once. Give it to a verifier with
/// `Verifier::set_revocation_store(Some(Arc::new(store)))`.
pub struct RedisRevocationStore {
    shared: Arc<Shared>,
    reader: Mutex<Option<JoinHandle<()>>>,
    jti_script: redis::Script,
    principal_script: redis::Script,
}

impl RedisRevocationStore {
    /// Connects to `url` (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS
    /// with the `tls` feature, [`RedisStoreOptions::tls`]) and starts the replica's reader
    /// thread. Waits for the first catch-up
    /// up to [`RedisStoreOptions::start_timeout`].
    ///
    /// # Errors
    ///
    /// * [`ErrorCode::InvalidRequest`]: a URL that does not parse, options out of range, TLS
    ///   files with a `redis://` URL, a client certificate without its key (or the reverse),
    ///   a TLS file that cannot be read or parsed, `rediss://` in a build without TLS.
    /// * [`ErrorCode::RevocationUnavailable`]: the first catch-up did not finish in time
    ///   (the message says why: refused connection, wrong password, ...).
    pub fn connect(url: &str, options: RedisStoreOptions) -> Result<Self> {
        if options.max_staleness < Duration::from_millis(10) {
            return Err(Error::with_message(
                ErrorCode::InvalidRequest,
                "max_staleness must be at least 10 ms",
            ));
        }
        layout::check_prefix(&options.key_prefix)
            .map_err(|why| Error::with_message(ErrorCode::InvalidRequest, why))?;
        let client = match (&options.sentinel, &options.cluster) {
            (Some(_), Some(_)) => {
                return Err(Error::with_message(
                    ErrorCode::InvalidRequest,
                    "give Sentinel or a cluster, not both",
                ))
            }
            (None, Some(seeds)) => {
                let clients = seeds
                    .iter()
                    .map(|s| redis::Client::open(format!("redis://{s}")))
                    .collect::<redis::RedisResult<Vec<_>>>()
                    .map_err(|e| {
                        Error::with_message(
                            ErrorCode::InvalidRequest,
                            format!("cluster seeds: {e}"),
                        )
                    })?;
                if clients.is_empty() {
                    return Err(Error::with_message(
                        ErrorCode::InvalidRequest,
                        "a cluster needs at least one seed HOST:PORT",
                    ));
                }
                crate::endpoint::Endpoint::Cluster {
                    seeds: clients,
                    key: Layout::new(&options.key_prefix).stream,
                }
            }
            (None, None) => {
                crate::endpoint::Endpoint::Direct(crate::tls::client(url, &options.tls)?)
            }
            (Some(s), None) => {
                if s.sentinels.is_empty() || s.master.is_empty() {
                    return Err(Error::with_message(
                        ErrorCode::InvalidRequest,
                        "Sentinel needs at least one HOST:PORT and the primary's name",
                    ));
                }
                crate::endpoint::Endpoint::sentinel(&s.sentinels, &s.master).map_err(|e| {
                    Error::with_message(
                        ErrorCode::InvalidRequest,
                        format!("Sentinel addresses: {e}"),
                    )
                })?
            }
        };
        let shared = Arc::new(Shared {
            replica: MemoryRevocationStore::with_capacity_limit(options.replica_capacity)
                .with_expiry_grace(options.expiry_grace),
            client,
            layout: Layout::new(&options.key_prefix),
            base: Instant::now(),
            confirmed: AtomicU64::new(0),
            incomplete: AtomicBool::new(false),
            previous_layout: AtomicBool::new(false),
            connected: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            snapshots: AtomicU64::new(0),
            applied: AtomicU64::new(0),
            last_error: Mutex::new(None),
            writer: Mutex::new(None),
            options,
        });
        let thread_shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("auth-redis-replica".into())
            .spawn(move || crate::sync::run(&thread_shared))
            .map_err(|e| {
                Error::with_message(
                    ErrorCode::RevocationUnavailable,
                    format!("cannot start the replica thread: {e}"),
                )
            })?;
        let store = RedisRevocationStore {
            shared,
            reader: Mutex::new(Some(handle)),
            jti_script: redis::Script::new(layout::REVOKE_JTI),
            principal_script: redis::Script::new(layout::REVOKE_PRINCIPAL),
        };
        if let Some(wait) = store.shared.options.start_timeout {
            store.wait_current(wait)?;
        }
        Ok(store)
    }

    /// Waits until the replica has confirmed it is current, at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`ErrorCode::RevocationUnavailable`] with the last error when it has not in time.
    pub fn wait_current(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.shared.current() {
                return Ok(());
            }
            let refused = self.shared.previous_layout.load(Ordering::Acquire);
            if refused || Instant::now() >= deadline {
                let why = lock(&self.shared.last_error)
                    .clone()
                    .unwrap_or_else(|| "no answer from Redis".to_owned());
                let message = if refused {
                    why
                } else {
                    format!("replica not current after {timeout:?}: {why}")
                };
                return Err(Error::with_message(
                    ErrorCode::RevocationUnavailable,
                    message,
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The store's state: connection, staleness, last error, replica size.
    pub fn status(&self) -> RedisStoreStatus {
        let s = &self.shared;
        let staleness = s.staleness();
        RedisStoreStatus {
            connected: s.connected.load(Ordering::Acquire),
            staleness,
            current: s.current(),
            last_error: lock(&s.last_error).clone(),
            entries: s.replica.len(),
            snapshots: s.snapshots.load(Ordering::Relaxed),
            applied: s.applied.load(Ordering::Relaxed),
        }
    }

    /// The options the store was created with.
    pub fn options(&self) -> &RedisStoreOptions {
        &self.shared.options
    }

    /// The local replica's estimated heap use in bytes (see
    /// `MemoryRevocationStore::approx_memory_bytes`).
    pub fn approx_memory_bytes(&self) -> usize {
        self.shared.replica.approx_memory_bytes()
    }

    /// Whether this jti is revoked in the local replica (and not yet past its expiry).
    pub fn is_jti_revoked(&self, jti: &str, now: Option<u64>) -> bool {
        self.shared.replica.is_jti_revoked(jti, now)
    }

    /// The principal's cutoff in the local replica.
    pub fn principal_cutoff(&self, principal: Principal) -> Option<u64> {
        self.shared.replica.principal_cutoff(principal)
    }
}

/// Applies a revocation to the replica first: it is known locally at once, and a bad jti is
/// refused before anything reaches Redis. A full replica is reported after the write.
fn local_first(r: Result<()>) -> Result<Option<Error>> {
    match r {
        Ok(()) => Ok(None),
        Err(e) if e.code() == ErrorCode::RevocationStoreFull => Ok(Some(e)),
        Err(e) => Err(e),
    }
}

impl RevocationWriter for RedisRevocationStore {
    /// Revokes `jti` in Redis (durably: returns once Redis acknowledged) and locally.
    ///
    /// Errors: `invalid_request` (bad jti), `revocation_unavailable` (Redis did not
    /// acknowledge: the revocation holds in this process only), `revocation_store_full`
    /// (the local replica is full; Redis has it).
    fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> Result<()> {
        let full = local_first(self.shared.replica.revoke(jti, exp, now))?;
        let now = match now {
            Some(n) => n,
            None => auth_core::system_now()?,
        };
        let grace = self.shared.options.expiry_grace;
        // Capped well below where Redis's millisecond expiry times overflow.
        let forget_at = exp
            .unwrap_or(0)
            .max(now)
            .saturating_add(grace.max(1))
            .min(MAX_EXPIRE_AT);
        self.shared.write(
            &self.jti_script,
            [&self.shared.layout.jti(jti), &self.shared.layout.stream],
            &[
                jti.to_owned(),
                layout::encode_exp(exp),
                forget_at.to_string(),
                self.shared.options.stream_maxlen.to_string(),
            ],
        )?;
        full.map_or(Ok(()), Err)
    }

    /// Sets the principal's cutoff in Redis (durably) and locally; the later cutoff is kept.
    fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> Result<()> {
        let full = local_first(
            self.shared
                .replica
                .revoke_principal_before(principal, before, now),
        )?;
        self.shared.write(
            &self.principal_script,
            [&self.shared.layout.cutoffs, &self.shared.layout.stream],
            &[
                layout::encode_principal(principal),
                layout::pad(before),
                self.shared.options.stream_maxlen.to_string(),
            ],
        )?;
        full.map_or(Ok(()), Err)
    }
}

impl RevocationStore for RedisRevocationStore {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        self.shared.status_of(query) != RevocationStatus::NotRevoked
    }

    /// `Revoked` if the replica knows it; else `NotRevoked` while the replica is current
    /// (or within the opt-in fail-open bound); else `Unavailable`.
    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        self.shared.status_of(query)
    }

    /// A registered-profile token (docs/profiles.md): by its `jti`, with the same staleness
    /// rule.
    fn jti_revocation_status(&self, jti: &str, exp: Option<u64>) -> RevocationStatus {
        let known = self.shared.replica.jti_revocation_status(jti, exp);
        self.shared.status_given(known == RevocationStatus::Revoked)
    }
}

impl Drop for RedisRevocationStore {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(h) = lock(&self.reader).take() {
            let _ = h.join();
        }
    }
}

impl std::fmt::Debug for RedisRevocationStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRevocationStore")
            .field("key_prefix", &self.shared.options.key_prefix)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}
