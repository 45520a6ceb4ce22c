//! Brute-force protection: failed logins counted per account and per client address.
//!
//! Each key (an account name, a client address) has a window that opens at its first
//! failure. Once the failures in the window reach the limit, logins for that key are
//! refused with 429 and `Retry-After` (the seconds until the window closes), before any
//! password is checked — so a locked key costs the server nothing. A successful login
//! clears its account's count (not its address's). Unknown accounts are counted like known
//! ones, so the answers do not tell them apart.
//!
//! A hand-written fixed window rather than a GCRA limiter (`governor`): a GCRA counts every
//! attempt it is asked about, and here only failures count while every attempt must be
//! checked first — that needs a "peek", which `governor` does not offer.
//!
//! Memory is bounded: at most [`LoginLimits::max_tracked`] keys per table; when a table is
//! full, closed windows are dropped first, and if it is still full a new key is refused
//! (fail closed) until windows close.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failed logins are allowed, per what, for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures allowed per account name in one window (default 5).
    pub per_account: u32,
    /// Failures allowed per client address in one window (default 20).
    pub per_address: u32,
    /// The window, opened by a key's first failure (default 15 minutes).
    pub window: Duration,
    /// Keys tracked per table at most (default 100 000).
    pub max_tracked: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            max_tracked: 100_000,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Window {
    opened: Instant,
    failures: u32,
}

struct Table<K> {
    limit: u32,
    windows: Mutex<HashMap<K, Window>>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(limit: u32) -> Self {
        Table {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(retry after)` when `key` is locked at `now`.
    fn locked(&self, key: &K, now: Instant, limits: &LoginLimits) -> Option<Duration> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get(key) {
            Some(w) if now.duration_since(w.opened) < limits.window => {
                (w.failures >= self.limit).then(|| limits.window - now.duration_since(w.opened))
            }
            Some(_) => None,
            None if windows.len() >= limits.max_tracked => Some(limits.window),
            None => None,
        }
    }

    fn fail(&self, key: K, now: Instant, limits: &LoginLimits) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if !windows.contains_key(&key) && windows.len() >= limits.max_tracked {
            windows.retain(|_, w| now.duration_since(w.opened) < limits.window);
            if windows.len() >= limits.max_tracked {
                return;
            }
        }
        let w = windows.entry(key).or_insert(Window {
            opened: now,
            failures: 0,
        });
        if now.duration_since(w.opened) >= limits.window {
            *w = Window {
                opened: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
    }

    fn clear(&self, key: &K) {
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// The failed-login counters of one server. `Send + Sync`.
pub struct FailedLogins {
    limits: LoginLimits,
    accounts: Table<String>,
    addresses: Table<IpAddr>,
}

impl std::fmt::Debug for FailedLogins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailedLogins")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The account key: the API and the name, so a user and a reseller of one name are apart.
fn account_key(api: &str, account: &str) -> String {
    format!("{api}:{account}")
}

impl FailedLogins {
    /// Empty counters with these limits.
    pub fn new(limits: LoginLimits) -> Self {
        FailedLogins {
            limits,
            accounts: Table::new(limits.per_account),
            addresses: Table::new(limits.per_address),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &LoginLimits {
        &self.limits
    }

    /// Before checking a password: `Err(retry after, whole seconds ≥ 1)` when the account
    /// (`api` is `"user"` or `"reseller"`) or the address is locked.
    pub fn check(&self, api: &str, account: &str, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let a = self
            .accounts
            .locked(&account_key(api, account), now, &self.limits);
        let b = self.addresses.locked(&ip, now, &self.limits);
        match a.max(b) {
            None => Ok(()),
            Some(wait) => Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)),
        }
    }

    /// After a refused login: one more failure for the account and the address.
    pub fn failed(&self, api: &str, account: &str, ip: IpAddr) {
        let now = Instant::now();
        self.accounts
            .fail(account_key(api, account), now, &self.limits);
        self.addresses.fail(ip, now, &self.limits);
    }

    /// After a successful login: the account's failures are forgotten.
    pub fn succeeded(&self, api: &str, account: &str) {
        self.accounts.clear(&account_key(api, account));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_account_locks_after_its_limit_of_failures_from_any_address() {
        let f = FailedLogins::new(LoginLimits {
            per_account: 3,
            per_address: 100,
            ..LoginLimits::default()
        });
        for i in 0..3 {
            assert_eq!(f.check("user", "alice", ip(&format!("10.0.0.{i}"))), Ok(()));
            f.failed("user", "alice", ip(&format!("10.0.0.{i}")));
        }
        let wait = f.check("user", "alice", ip("10.9.9.9")).unwrap_err();
        assert!(wait > 800 && wait <= 900, "{wait}");
        // Another account, and the same name on the other API, are not locked.
        assert_eq!(f.check("user", "bob", ip("10.0.0.1")), Ok(()));
        assert_eq!(f.check("reseller", "alice", ip("10.0.0.1")), Ok(()));
    }

    #[test]
    fn an_address_locks_after_its_limit_whatever_the_accounts() {
        let f = FailedLogins::new(LoginLimits {
            per_account: 100,
            per_address: 2,
            ..LoginLimits::default()
        });
        f.failed("user", "a", ip("192.0.2.1"));
        f.failed("reseller", "b", ip("192.0.2.1"));
        assert!(f.check("user", "c", ip("192.0.2.1")).is_err());
        assert_eq!(f.check("user", "c", ip("192.0.2.2")), Ok(()));
    }

    #[test]
    fn success_clears_the_account_and_windows_close() {
        let f = FailedLogins::new(LoginLimits {
            per_account: 1,
            per_address: 100,
            window: Duration::from_millis(50),
            ..LoginLimits::default()
        });
        f.failed("user", "a", ip("192.0.2.1"));
        assert!(f.check("user", "a", ip("192.0.2.1")).is_err());
        f.succeeded("user", "a");
        assert_eq!(f.check("user", "a", ip("192.0.2.1")), Ok(()));
        f.failed("user", "a", ip("192.0.2.1"));
        assert_eq!(f.check("user", "a", ip("192.0.2.1")), Err(1));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(f.check("user", "a", ip("192.0.2.1")), Ok(()));
    }

    #[test]
    fn a_full_table_refuses_new_keys_until_windows_close() {
        let f = FailedLogins::new(LoginLimits {
            per_account: 5,
            per_address: 5,
            max_tracked: 2,
            ..LoginLimits::default()
        });
        f.failed("user", "a", ip("192.0.2.1"));
        f.failed("user", "b", ip("192.0.2.2"));
        // Both tables are full of open windows: a third key is refused, known keys are not.
        assert!(f.check("user", "c", ip("192.0.2.1")).is_err());
        assert!(f.check("user", "a", ip("192.0.2.3")).is_err());
        assert_eq!(f.check("user", "a", ip("192.0.2.1")), Ok(()));
    }
}
