//! The store watcher: a thread that reads a shared revocation store's
//! [`status`](Revoker::status) every second and logs when it changes — once per change, never
//! per request (docs/server.md, "Operating it"):
//!
//! | change | level | message |
//! |---|---|---|
//! | connection lost, replica still current | INFO | `revocation store: connection lost, answering from the replica` |
//! | not current any more | WARN | `revocation store not ready: authenticated routes answer 503` (`reason` = `lost` or `stale`) |
//! | connected again, not yet current | INFO | `revocation store: connection restored` |
//! | current again | INFO | `revocation store recovered` |

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::revoke::{NotReady, Revoker, StoreStatus};

/// What the watcher logs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// The connection went down (the store may still be current).
    Disconnected,
    /// The connection came back.
    Reconnected,
    /// The store stopped being able to answer.
    NotReady(NotReady),
    /// The store can answer again.
    Recovered,
}

/// The changes from `before` to `now`: at most one about the connection, then at most one
/// about readiness.
pub(crate) fn changes(before: &StoreStatus, now: &StoreStatus) -> [Option<Change>; 2] {
    let connection = match (before.connected, now.connected) {
        (Some(true), Some(false)) => Some(Change::Disconnected),
        (Some(false), Some(true)) => Some(Change::Reconnected),
        _ => None,
    };
    let readiness = match (before.ready(), now.ready()) {
        (Ok(()), Err(why)) => Some(Change::NotReady(why)),
        (Err(_), Ok(())) => Some(Change::Recovered),
        _ => None,
    };
    [connection, readiness]
}

fn log(change: Change, now: &StoreStatus) {
    let staleness = now.staleness_seconds.unwrap_or(f64::NAN);
    match change {
        Change::Disconnected => tracing::info!(
            staleness_seconds = staleness,
            "revocation store: connection lost, answering from the replica"
        ),
        Change::Reconnected => tracing::info!("revocation store: connection restored"),
        Change::NotReady(why) => tracing::warn!(
            reason = why.as_str(),
            staleness_seconds = staleness,
            "revocation store not ready: authenticated routes answer 503"
        ),
        Change::Recovered => tracing::info!(
            entries = now.entries.unwrap_or(0),
            "revocation store recovered"
        ),
    }
}

/// Starts the watcher for `revoker` if it is a shared store (its status tells a connection):
/// a local store never changes. The thread ends when the store is dropped. The first status
/// is compared with a connected, ready one, so a store that starts unready is reported.
pub(crate) fn spawn(revoker: &Arc<dyn Revoker>, interval: Duration) -> std::io::Result<()> {
    if revoker.status().connected.is_none() {
        return Ok(());
    }
    let weak: Weak<dyn Revoker> = Arc::downgrade(revoker);
    std::thread::Builder::new()
        .name("revocation-store-watch".into())
        .spawn(move || {
            let mut before = StoreStatus {
                connected: Some(true),
                ..StoreStatus::default()
            };
            loop {
                let Some(store) = weak.upgrade() else { break };
                let now = store.status();
                drop(store);
                for change in changes(&before, &now).into_iter().flatten() {
                    log(change, &now);
                }
                before = now;
                std::thread::sleep(interval);
            }
        })
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(connected: bool, current: bool) -> StoreStatus {
        StoreStatus {
            not_current: !current,
            connected: Some(connected),
            ..StoreStatus::default()
        }
    }

    #[test]
    fn a_redis_outage_is_one_warning_between_infos() {
        // Killed: the connection drops first, the replica goes stale later; restarted: the
        // connection comes back, then the replica catches up.
        let steps = [
            status(true, true),
            status(false, true),
            status(false, true),
            status(false, false),
            status(false, false),
            status(true, false),
            status(true, true),
            status(true, true),
        ];
        let seen: Vec<Change> = steps
            .windows(2)
            .flat_map(|w| changes(&w[0], &w[1]))
            .flatten()
            .collect();
        assert_eq!(
            seen,
            [
                Change::Disconnected,
                Change::NotReady(NotReady::Lost),
                Change::Reconnected,
                Change::Recovered,
            ]
        );
    }

    #[test]
    fn a_store_stale_while_connected_is_reported_stale() {
        let c = changes(&status(true, true), &status(true, false));
        assert_eq!(c, [None, Some(Change::NotReady(NotReady::Stale))]);
    }

    #[test]
    fn a_local_store_has_nothing_to_watch() {
        let local = StoreStatus::local(0);
        assert_eq!(changes(&local, &local), [None, None]);
    }
}
