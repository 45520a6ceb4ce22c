//! Brute-force protection: failed logins counted per account and per client address, and a
//! bound on the password checks running at once.
//!
//! Each key (an account, a client address or IPv6 network) has a window that opens at its
//! first failure. Once the failures in the window reach the limit, logins for that key are
//! refused with 429 and `Retry-After` (the seconds until the window closes), before any
//! password is checked — so a locked key costs the server nothing.
//!
//! **Reserve, then check.** [`FailedLogins::reserve`] counts an attempt as a failure
//! *before* the password is checked, under one lock, and hands back an [`Attempt`]: a
//! success undoes it ([`Attempt::succeeded`] clears the account and gives the address its
//! attempt back); anything else — a wrong password, an error, a task that never finished —
//! leaves it counted. So N simultaneous guesses can never all be checked when the limit is
//! below N (a check-then-count limiter lets every one of them through). The attempt also
//! holds one of [`LoginLimits::max_concurrent_checks`] slots: an Argon2 check holds its
//! memory (19 MiB by default) while it runs, and a login that finds every slot taken is
//! answered 429 at once instead of queueing memory without bound.
//!
//! Unknown accounts are counted like known ones, so the answers do not tell them apart.
//!
//! **Keys are fixed-size.** An account is counted under a 64-bit keyed hash of its API and
//! name (SipHash with a per-process random key), so a client cannot grow the table with long
//! names; IPv6 clients are counted per network of [`LoginLimits::ipv6_prefix`] bits (a /64
//! by default: one subscriber usually holds a whole /64, and counting single addresses would
//! let it try 2^64 times).
//!
//! **Memory is bounded**: at most [`LoginLimits::max_tracked`] keys per table. A full table
//! drops closed windows first, then the open window with the fewest failures (never a locked
//! one), so a flood of new keys cannot lock out every new client nor free a locked key.
//!
//! A hand-written fixed window rather than a GCRA limiter (`governor`): only failures count,
//! and an attempt must be reserved before it is known to be one.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many failed logins are allowed, per what, for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures allowed per account name in one window (default 5).
    pub per_account: u32,
    /// Failures allowed per client address (IPv6: per network) in one window (default 20).
    pub per_address: u32,
    /// The window, opened by a key's first failure (default 15 minutes).
    pub window: Duration,
    /// Keys tracked per table at most (default 100 000).
    pub max_tracked: usize,
    /// IPv6 clients are counted per network of this many bits (default 64; 128 counts
    /// single addresses).
    pub ipv6_prefix: u8,
    /// Password checks running at once at most (default: the number of CPUs).
    pub max_concurrent_checks: usize,
    /// How long a login waits for a free check slot (default 2 s); past it the answer is 429
    /// with `Retry-After: 1`. Waiting costs no password memory.
    pub check_wait: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            max_tracked: 100_000,
            ipv6_prefix: 64,
            max_concurrent_checks: std::thread::available_parallelism().map_or(2, |n| n.get()),
            check_wait: Duration::from_secs(2),
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
    windows: HashMap<K, Window>,
}

impl<K: Hash + Eq + Copy> Table<K> {
    fn new(limit: u32) -> Self {
        Table {
            limit,
            windows: HashMap::new(),
        }
    }

    /// `Some(retry after)` when `key` is locked at `now`.
    fn locked(&self, key: &K, now: Instant, limits: &LoginLimits) -> Option<Duration> {
        let w = self.windows.get(key)?;
        let age = now.duration_since(w.opened);
        (age < limits.window && w.failures >= self.limit).then(|| limits.window - age)
    }

    /// Makes room for a new key: closed windows go, then the open window with the fewest
    /// failures (the oldest of those), never a locked one. `false`: every key is locked.
    fn make_room(&mut self, now: Instant, limits: &LoginLimits) -> bool {
        if self.windows.len() < limits.max_tracked {
            return true;
        }
        self.windows
            .retain(|_, w| now.duration_since(w.opened) < limits.window);
        if self.windows.len() < limits.max_tracked {
            return true;
        }
        let victim = self
            .windows
            .iter()
            .filter(|(_, w)| w.failures < self.limit)
            .min_by_key(|(_, w)| (w.failures, w.opened))
            .map(|(k, _)| *k);
        match victim {
            Some(k) => {
                self.windows.remove(&k);
                true
            }
            None => false,
        }
    }

    /// One more failure for `key`; `false` when the table has no room for it.
    fn count(&mut self, key: K, now: Instant, limits: &LoginLimits) -> bool {
        if !self.windows.contains_key(&key) && !self.make_room(now, limits) {
            return false;
        }
        let w = self.windows.entry(key).or_insert(Window {
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
        true
    }

    /// Takes back one counted attempt of `key`.
    fn uncount(&mut self, key: &K) {
        if let Some(w) = self.windows.get_mut(key) {
            w.failures = w.failures.saturating_sub(1);
            if w.failures == 0 {
                self.windows.remove(key);
            }
        }
    }
}

struct Tables {
    accounts: Table<u64>,
    addresses: Table<IpAddr>,
}

struct Shared {
    limits: LoginLimits,
    hasher: RandomState,
    tables: Mutex<Tables>,
    checks: AtomicUsize,
}

/// The failed-login counters of one server. `Send + Sync`.
pub struct FailedLogins {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FailedLogins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailedLogins")
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

/// Why [`FailedLogins::reserve`] gave no attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Every password-check slot is taken: nothing was counted, try again shortly.
    Busy,
    /// The account or the address is locked: retry after this many seconds (≥ 1).
    Locked(u64),
}

/// A reserved login attempt ([`FailedLogins::reserve`]): counted as a failure unless
/// [`succeeded`](Attempt::succeeded) is called; holds a password-check slot until dropped.
#[derive(Debug)]
#[must_use = "an attempt is a failure unless it succeeded"]
pub struct Attempt {
    shared: Arc<Shared>,
    account: u64,
    address: IpAddr,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Attempt {
    /// The password was right: the account's failures are forgotten and the address gets
    /// this attempt back.
    pub fn succeeded(self) {
        let mut t = self.shared.lock();
        t.accounts.windows.remove(&self.account);
        t.addresses.uncount(&self.address);
    }
}

impl Attempt {
    /// The attempt was no guess (the password was right, but the login was refused for
    /// another reason, such as the group's address rule): it is not counted, and the account's
    /// earlier failures stay.
    pub fn not_counted(self) {
        let mut t = self.shared.lock();
        t.accounts.uncount(&self.account);
        t.addresses.uncount(&self.address);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        self.shared.checks.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The account key: a keyed hash of the API and the name (a user and a reseller of one
    /// name are apart).
    fn account_key(&self, api: &str, account: &str) -> u64 {
        self.hasher.hash_one((api, account))
    }

    /// The address key: IPv4 as it is, IPv6 masked to its network.
    fn address_key(&self, ip: IpAddr) -> IpAddr {
        match auth_core::normalize_addr(ip) {
            IpAddr::V6(v6) => {
                let bits = u32::from(self.limits.ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
            v4 => v4,
        }
    }
}

/// Whole seconds, at least 1.
fn retry_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl FailedLogins {
    /// Empty counters with these limits.
    pub fn new(limits: LoginLimits) -> Self {
        FailedLogins {
            shared: Arc::new(Shared {
                limits,
                hasher: RandomState::new(),
                tables: Mutex::new(Tables {
                    accounts: Table::new(limits.per_account),
                    addresses: Table::new(limits.per_address),
                }),
                checks: AtomicUsize::new(0),
            }),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &LoginLimits {
        &self.shared.limits
    }

    /// Before checking a password: reserves the attempt — counted as a failure of the
    /// account (`api` is `"user"` or `"reseller"`) and the address until it
    /// [`succeeded`](Attempt::succeeded) — and a password-check slot.
    ///
    /// `Err(Refused::Busy)`: every check slot is taken (nothing was counted; the caller may
    /// wait a little and try again). `Err(Refused::Locked(retry after, whole seconds ≥ 1))`:
    /// the account or the address is locked, or a table is full of locked keys.
    pub fn reserve(&self, api: &str, account: &str, ip: IpAddr) -> Result<Attempt, Refused> {
        let s = &self.shared;
        let taken = s.checks.fetch_add(1, Ordering::AcqRel);
        let slot = SlotGuard(s);
        if taken >= s.limits.max_concurrent_checks.max(1) {
            return Err(Refused::Busy);
        }
        let now = Instant::now();
        let account = s.account_key(api, account);
        let address = s.address_key(ip);
        let mut t = s.lock();
        let wait = t
            .accounts
            .locked(&account, now, &s.limits)
            .max(t.addresses.locked(&address, now, &s.limits));
        if let Some(wait) = wait {
            return Err(Refused::Locked(retry_secs(wait)));
        }
        if !t.accounts.count(account, now, &s.limits) {
            return Err(Refused::Locked(retry_secs(s.limits.window)));
        }
        if !t.addresses.count(address, now, &s.limits) {
            t.accounts.uncount(&account);
            return Err(Refused::Locked(retry_secs(s.limits.window)));
        }
        std::mem::forget(slot);
        Ok(Attempt {
            shared: s.clone(),
            account,
            address,
        })
    }

    /// Keys tracked now: (accounts, addresses).
    pub fn tracked(&self) -> (usize, usize) {
        let t = self.shared.lock();
        (t.accounts.windows.len(), t.addresses.windows.len())
    }
}

/// Gives a check slot back unless forgotten (handed to an [`Attempt`]).
struct SlotGuard<'a>(&'a Shared);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        self.0.checks.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn limits(per_account: u32, per_address: u32) -> LoginLimits {
        LoginLimits {
            per_account,
            per_address,
            max_concurrent_checks: 1000,
            ..LoginLimits::default()
        }
    }

    /// A failed attempt: reserved, then dropped without success.
    fn fail(f: &FailedLogins, api: &str, account: &str, addr: &str) {
        drop(f.reserve(api, account, ip(addr)).unwrap());
    }

    #[test]
    fn an_account_locks_after_its_limit_of_failures_from_any_address() {
        let f = FailedLogins::new(limits(3, 100));
        for i in 0..3 {
            fail(&f, "user", "alice", &format!("10.0.0.{i}"));
        }
        let Refused::Locked(wait) = f.reserve("user", "alice", ip("10.9.9.9")).unwrap_err() else {
            panic!("locked expected")
        };
        assert!(wait > 800 && wait <= 900, "{wait}");
        // Another account, and the same name on the other API, are not locked.
        assert!(f.reserve("user", "bob", ip("10.0.0.1")).is_ok());
        assert!(f.reserve("reseller", "alice", ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn an_address_locks_after_its_limit_whatever_the_accounts() {
        let f = FailedLogins::new(limits(100, 2));
        fail(&f, "user", "a", "192.0.2.1");
        fail(&f, "reseller", "b", "192.0.2.1");
        assert!(f.reserve("user", "c", ip("192.0.2.1")).is_err());
        assert!(f.reserve("user", "c", ip("192.0.2.2")).is_ok());
    }

    #[test]
    fn simultaneous_attempts_are_counted_before_any_password_is_checked() {
        let f = Arc::new(FailedLogins::new(limits(5, 20)));
        let threads: Vec<_> = (0..40)
            .map(|_| {
                let f = f.clone();
                std::thread::spawn(move || f.reserve("user", "alice", ip("192.0.2.7")).ok())
            })
            .collect();
        // Every attempt is still "checking its password" (held) when the others arrive.
        let held: Vec<Attempt> = threads
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        assert_eq!(held.len(), 5, "only the account's limit may be checked");
    }

    #[test]
    fn password_checks_running_at_once_are_bounded() {
        let f = FailedLogins::new(LoginLimits {
            max_concurrent_checks: 2,
            ..limits(100, 100)
        });
        let a = f.reserve("user", "a", ip("192.0.2.1")).unwrap();
        let b = f.reserve("user", "b", ip("192.0.2.2")).unwrap();
        assert_eq!(
            f.reserve("user", "c", ip("192.0.2.3")).unwrap_err(),
            Refused::Busy
        );
        drop(a);
        b.succeeded();
        assert!(f.reserve("user", "c", ip("192.0.2.3")).is_ok());
    }

    #[test]
    fn success_clears_the_account_and_gives_the_address_its_attempt_back() {
        let f = FailedLogins::new(LoginLimits {
            window: Duration::from_millis(50),
            ..limits(1, 1)
        });
        f.reserve("user", "a", ip("192.0.2.1")).unwrap().succeeded();
        f.reserve("user", "a", ip("192.0.2.1")).unwrap().succeeded();
        assert_eq!(f.tracked(), (0, 0));
        fail(&f, "user", "a", "192.0.2.1");
        assert_eq!(
            f.reserve("user", "a", ip("192.0.2.1")).unwrap_err(),
            Refused::Locked(1)
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(f.reserve("user", "a", ip("192.0.2.1")).is_ok());
    }

    #[test]
    fn ipv6_clients_are_counted_per_network() {
        let f = FailedLogins::new(limits(1000, 20));
        for i in 0..20 {
            fail(
                &f,
                "user",
                &format!("u{i}"),
                &format!("2001:db8:1:2::{i:x}"),
            );
        }
        assert!(f.reserve("user", "x", ip("2001:db8:1:2:ffff::1")).is_err());
        assert!(f.reserve("user", "x", ip("2001:db8:1:3::1")).is_ok());
        let single = FailedLogins::new(LoginLimits {
            ipv6_prefix: 128,
            ..limits(1000, 1)
        });
        fail(&single, "user", "u", "2001:db8::1");
        assert!(single.reserve("user", "u", ip("2001:db8::2")).is_ok());
    }

    #[test]
    fn account_keys_have_a_fixed_size_whatever_the_name() {
        let f = FailedLogins::new(limits(1, 1000));
        let long = "x".repeat(64 * 1024);
        fail(&f, "user", &long, "192.0.2.1");
        assert!(f.reserve("user", &long, ip("192.0.2.2")).is_err());
        assert!(f.reserve("user", &long[1..], ip("192.0.2.2")).is_ok());
    }

    #[test]
    fn a_full_table_makes_room_but_never_frees_a_locked_key() {
        let f = FailedLogins::new(LoginLimits {
            max_tracked: 2,
            ..limits(2, 1000)
        });
        fail(&f, "user", "a", "192.0.2.1");
        fail(&f, "user", "b", "192.0.2.2");
        // Full of open windows below the limit: a new client still gets in.
        assert!(f.reserve("user", "c", ip("192.0.2.3")).is_ok());
        // Two locked accounts fill the table: they stay locked, and a new key waits.
        let g = FailedLogins::new(LoginLimits {
            max_tracked: 2,
            ..limits(1, 1000)
        });
        fail(&g, "user", "a", "192.0.2.1");
        fail(&g, "user", "b", "192.0.2.2");
        assert!(g.reserve("user", "c", ip("192.0.2.3")).is_err());
        assert!(g.reserve("user", "a", ip("192.0.2.4")).is_err());
        assert!(g.reserve("user", "b", ip("192.0.2.4")).is_err());
    }
}
