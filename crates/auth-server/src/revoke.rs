//! The revocation store the service reads at every request and writes to at logout, as a
//! trait object, so that the shared Redis store (`auth-redis`) takes the in-memory store's
//! place without touching the routes (`authctl serve --redis URL`); what the store says
//! about itself ([`StoreStatus`], for `/readyz`, `/metrics` and the store watcher); and
//! [`RevocationSync`], which keeps it in step with what other processes record in the
//! database.

use auth_core::{MemoryRevocationStore, RevocationStore, RevocationWriter};

/// A revocation store the service can also write to: the verifier reads it through
/// [`RevocationStore`]; logout writes through [`RevocationWriter`] (the core's
/// [`auth_core::logout`]). Implemented for `MemoryRevocationStore` and, with the `redis`
/// feature, `auth_redis::RedisRevocationStore`; another store implements it with an empty
/// `impl Revoker for MyStore {}` (always ready) or overrides [`status`](Revoker::status).
pub trait Revoker: RevocationStore + RevocationWriter {
    /// What the store says about itself: whether it can answer now, and its gauges. Must not
    /// do I/O (it is read by `/readyz`, `/metrics` and a watcher thread every second). The
    /// default: always ready, no gauges.
    fn status(&self) -> StoreStatus {
        StoreStatus::default()
    }

    /// `Ok` when the store can answer now; else why not ([`StoreStatus::ready`]).
    fn ready(&self) -> Result<(), NotReady> {
        self.status().ready()
    }
}

/// Why a revocation store cannot answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotReady {
    /// A shared store whose replica has not confirmed it is current within its staleness
    /// bound, and whose connection is down: authenticated routes answer 503.
    Lost,
    /// A shared store whose replica is not current although connected (catching up, or a
    /// full replica): authenticated routes answer 503.
    Stale,
}

impl NotReady {
    /// `lost` or `stale`: the reason in `/readyz`'s body and the logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            NotReady::Lost => "lost",
            NotReady::Stale => "stale",
        }
    }
}

/// What a revocation store says about itself ([`Revoker::status`]). Fields a store cannot
/// tell are `None`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct StoreStatus {
    /// `true`: the store cannot answer now (a shared store past its staleness bound).
    pub not_current: bool,
    /// Entries held (revoked token ids plus principal cutoffs).
    pub entries: Option<usize>,
    /// A shared store: whether it is connected to its source.
    pub connected: Option<bool>,
    /// A shared store: seconds since it last confirmed it was current (`None`: never yet,
    /// or not a shared store).
    pub staleness_seconds: Option<f64>,
}

impl StoreStatus {
    /// A store that is always current, holding `entries` entries.
    pub fn local(entries: usize) -> Self {
        StoreStatus {
            entries: Some(entries),
            ..StoreStatus::default()
        }
    }

    /// `Ok` when the store can answer; else [`NotReady::Lost`] (not current, disconnected)
    /// or [`NotReady::Stale`] (not current, connected).
    pub fn ready(&self) -> Result<(), NotReady> {
        match (self.not_current, self.connected) {
            (false, _) => Ok(()),
            (true, Some(false)) => Err(NotReady::Lost),
            (true, _) => Err(NotReady::Stale),
        }
    }
}

impl Revoker for MemoryRevocationStore {
    fn status(&self) -> StoreStatus {
        StoreStatus::local(self.len())
    }
}

#[cfg(feature = "redis")]
impl Revoker for auth_redis::RedisRevocationStore {
    fn status(&self) -> StoreStatus {
        let s = auth_redis::RedisRevocationStore::status(self);
        StoreStatus {
            not_current: !s.current,
            entries: Some(s.entries),
            connected: Some(s.connected),
            staleness_seconds: s.staleness.map(|d| d.as_secs_f64()),
        }
    }
}

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use auth_core::{Principal, RevocationQuery, RevocationStatus};

use crate::db::{Db, DbError, LogEntry};

/// How many log entries one poll applies at most.
const POLL_BATCH: usize = 10_000;

/// Keeps a process's revocation store in step with the database it shares with other
/// processes (`authctl accounts`, other service processes): every revocation and principal
/// cutoff recorded there is applied here within one poll interval, whoever wrote it.
pub struct RevocationSync {
    db: Arc<Db>,
    revoker: Arc<dyn Revoker>,
    /// Seconds after `exp` a revocation is still loaded.
    grace: u64,
    /// The last log sequence number applied, and whether the last poll failed.
    state: Mutex<(i64, bool)>,
}

impl std::fmt::Debug for RevocationSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationSync").finish_non_exhaustive()
    }
}

/// Why a sync failed: the database, or the store refused an entry.
#[derive(Debug)]
pub enum SyncError {
    /// The database.
    Db(DbError),
    /// The revocation store (full, or a shared store that did not acknowledge).
    Store(auth_core::Error),
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::Db(e) => e.fmt(f),
            SyncError::Store(e) => e.fmt(f),
        }
    }
}

impl From<DbError> for SyncError {
    fn from(e: DbError) -> Self {
        SyncError::Db(e)
    }
}

impl From<auth_core::Error> for SyncError {
    fn from(e: auth_core::Error) -> Self {
        SyncError::Store(e)
    }
}

impl RevocationSync {
    /// Loads every live revocation and cutoff of `db` into `revoker` (revocations expired
    /// more than `grace` seconds ago are forgotten), and follows the log from there.
    pub fn load(db: Arc<Db>, revoker: Arc<dyn Revoker>, grace: u64) -> Result<Self, SyncError> {
        let sync = RevocationSync {
            db,
            revoker,
            grace,
            state: Mutex::new((0, false)),
        };
        sync.reload()?;
        Ok(sync)
    }

    fn reload(&self) -> Result<usize, SyncError> {
        // The log position is read first: whatever is written meanwhile is applied again by
        // the next poll, which is harmless (revocations are idempotent).
        let seq = self.db.latest_log_seq()?;
        let now = auth_core::system_now()?;
        let tokens = self.db.live_revocations(now, self.grace)?;
        for (jti, exp) in &tokens {
            self.revoker.revoke(jti, *exp, None)?;
        }
        let cutoffs = self.db.cutoffs()?;
        for (principal, before) in &cutoffs {
            self.revoker
                .revoke_principal_before(*principal, *before, None)?;
        }
        tracing::info!(
            revocations = tokens.len(),
            cutoffs = cutoffs.len(),
            "revocations loaded"
        );
        self.lock().0 = seq;
        Ok(tokens.len() + cutoffs.len())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (i64, bool)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies what was logged since the last poll; returns how many entries. A process that
    /// fell behind the log's retention reloads everything.
    pub fn poll(&self) -> Result<usize, SyncError> {
        let mut state = self.lock();
        let read = self.db.revocation_log_after(state.0, POLL_BATCH)?;
        if read.gap {
            drop(state);
            tracing::warn!("the revocation log moved past this process: reloading everything");
            return self.reload();
        }
        let n = read.entries.len();
        for (seq, entry) in read.entries {
            // What the store already holds is not written again: with a shared store, the
            // process that recorded a logout wrote it there already, and every other process
            // would write it once more.
            match entry {
                LogEntry::Token { jti, exp } => {
                    // A jti-only question: no principal cutoff matches this principal and time.
                    let probe =
                        RevocationQuery::new(&jti, Principal::user(u64::MAX), u64::MAX, exp);
                    if self.revoker.revocation_status(&probe) != RevocationStatus::Revoked {
                        self.revoker.revoke(&jti, exp, None)?;
                    }
                }
                LogEntry::Principal { principal, before } => {
                    // Revoked at `before` exactly when the store's cutoff is that late already.
                    let probe = RevocationQuery::new("", principal, before, None);
                    if self.revoker.revocation_status(&probe) != RevocationStatus::Revoked {
                        self.revoker
                            .revoke_principal_before(principal, before, None)?;
                    }
                }
            }
            state.0 = seq;
        }
        Ok(n)
    }

    /// Polls every `interval` on a thread of its own, until `sync` is dropped. Failures are
    /// logged once when they start and once when they end.
    pub fn spawn(sync: &Arc<RevocationSync>, interval: Duration) -> std::io::Result<()> {
        let weak: Weak<RevocationSync> = Arc::downgrade(sync);
        std::thread::Builder::new()
            .name("revocation-sync".into())
            .spawn(move || {
                let mut polls = 0u64;
                loop {
                    std::thread::sleep(interval);
                    let Some(sync) = weak.upgrade() else { break };
                    let result = sync.poll();
                    let mut state = sync.lock();
                    match result {
                        Ok(_) if state.1 => {
                            state.1 = false;
                            tracing::info!("revocation sync with the database recovered");
                        }
                        Err(e) if !state.1 => {
                            state.1 = true;
                            tracing::warn!(error = %e, "revocation sync with the database failed");
                        }
                        _ => {}
                    }
                    drop(state);
                    polls += 1;
                    if polls.is_multiple_of(1000) {
                        if let Ok(now) = auth_core::system_now() {
                            let horizon = now.saturating_sub(crate::db::revocations::LOG_RETENTION);
                            let _ = sync.db.prune_revocation_log(horizon);
                            let _ = sync.db.prune_issued_tokens(horizon);
                        }
                    }
                }
            })
            .map(|_| ())
    }
}
