//! When and from where each token was last used, recorded off the request path.
//!
//! An authenticated request only notes `(token id, time, address)` in a bounded map (one
//! lock, no I/O); a thread writes the map to the database every interval, one `UPDATE` per
//! token whatever its number of uses, in one transaction. The update keeps the later time, so
//! several service processes sharing one database never move a token's last use back. When
//! the map is full (a burst of distinct tokens between two writes), uses of tokens not yet in
//! it are dropped until the next write and counted (`dropped`): the last use is a hint for
//! people, never a security decision, and memory stays bounded.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::Db;

/// The default most tokens noted between two writes (about 100 bytes each).
pub const DEFAULT_LAST_USED_CAPACITY: usize = 100_000;

/// The pending last uses.
#[derive(Debug)]
pub struct LastUsed {
    pending: Mutex<HashMap<String, (u64, Option<IpAddr>)>>,
    capacity: usize,
    dropped: AtomicU64,
}

impl LastUsed {
    /// An empty map holding at most `capacity` tokens between writes.
    pub fn new(capacity: usize) -> Self {
        LastUsed {
            pending: Mutex::new(HashMap::new()),
            capacity,
            dropped: AtomicU64::new(0),
        }
    }

    /// Notes a use of token `jti` at `at` (UNIX seconds) from `ip`.
    pub fn record(&self, jti: &str, at: u64, ip: Option<IpAddr>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = pending.get_mut(jti) {
            if at >= entry.0 {
                *entry = (at, ip);
            }
        } else if pending.len() < self.capacity {
            pending.insert(jti.to_owned(), (at, ip));
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How many tokens are waiting to be written.
    pub fn pending(&self) -> usize {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Uses not noted because the map was full, since start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes the pending uses to `db` (one transaction); on failure they are kept for the
    /// next write (merged with newer ones, still bounded).
    pub fn flush(&self, db: &Db) -> Result<usize, crate::db::DbError> {
        let taken = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if taken.is_empty() {
            return Ok(0);
        }
        let rows: Vec<(String, u64, Option<String>)> = taken
            .iter()
            .map(|(jti, (at, ip))| (jti.clone(), *at, ip.map(|ip| ip.to_string())))
            .collect();
        match db.record_last_uses(&rows) {
            Ok(()) => Ok(rows.len()),
            Err(e) => {
                for (jti, (at, ip)) in taken {
                    self.record(&jti, at, ip);
                }
                Err(e)
            }
        }
    }

    /// A thread writing the pending uses every `interval`.
    pub fn spawn(this: &Arc<LastUsed>, db: Arc<Db>, interval: Duration) -> std::io::Result<()> {
        let this = Arc::downgrade(this);
        std::thread::Builder::new()
            .name("last-used".into())
            .spawn(move || loop {
                std::thread::sleep(interval);
                let Some(this) = this.upgrade() else { return };
                if let Err(e) = this.flush(&db) {
                    tracing::warn!(error = %e, "last uses not written; kept for the next write");
                }
            })
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_is_bounded_and_keeps_the_latest_use() {
        let l = LastUsed::new(2);
        let ip = Some("203.0.113.1".parse().unwrap());
        l.record("a", 10, ip);
        l.record("a", 5, None);
        l.record("b", 1, None);
        l.record("c", 1, None);
        assert_eq!((l.pending(), l.dropped()), (2, 1));
        let pending = l.pending.lock().unwrap();
        assert_eq!(pending["a"], (10, ip));
    }
}
