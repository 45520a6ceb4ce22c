//! The bounded, thread-safe in-memory store: sharded tables of keyed `jti` hashes and
//! principal cutoffs, purged of expired entries when full, never evicting a live revocation.
//! Each shard's `jti` keys are also in a small Bloom filter (`filter.rs`) read without a lock,
//! so that a lookup of an unrevoked token — the common case — touches neither the lock nor
//! the table.

mod filter;
mod key;
mod table;

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use arc_swap::ArcSwap;
use foldhash::quality::RandomState;

use self::key::JtiKey;
use self::table::JtiIndex;

use super::{RevocationQuery, RevocationStatus, RevocationStore};
use crate::claims::{valid_jti, Claims, Principal, PrincipalType};
use crate::clock;
use crate::error::{Error, ErrorCode, Result};

/// Default entry limit of [`MemoryRevocationStore::new`].
pub const DEFAULT_REVOCATION_CAPACITY: usize = 1_000_000;

/// How long past its token's `exp` a revocation is kept by default, in seconds (one hour):
/// enough for any sensible verifier leeway, so that a purge never makes a revoked token
/// verify again inside the leeway window.
pub const DEFAULT_EXPIRY_GRACE: u64 = 3_600;

/// Number of shards (a power of two); each is a separately locked hash table.
const SHARDS: usize = 16;
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

/// Stored "forget at" time of an entry that is never forgotten (static token).
const FOREVER: u64 = u64::MAX;

/// One shard's data, guarded by one lock.
#[derive(Default)]
struct ShardData {
    /// Number of `jti` entries in the shard's index.
    jti_count: usize,
    /// Principal → cutoff: its tokens, and the tokens it delegated, with `iat <= cutoff` are
    /// revoked. Never purged.
    principals: HashMap<Principal, u64>,
    /// A lower bound of every `forget_at` in the index (`FOREVER` when none can be
    /// forgotten), so a purge skips shards with nothing to drop.
    min_forget_at: u64,
}

impl ShardData {
    fn new() -> Self {
        ShardData {
            jti_count: 0,
            principals: HashMap::new(),
            min_forget_at: FOREVER,
        }
    }
}

/// A shard on its own cache lines, so readers of neighbouring shards do not contend.
///
/// `index` (the revoked ids and their filter, see `table.rs`) is read without any lock and
/// changed only under the write lock of `lock`, which also guards the principal cutoffs.
#[repr(align(128))]
struct Shard {
    lock: RwLock<ShardData>,
    index: ArcSwap<JtiIndex>,
}

impl Shard {
    fn new() -> Self {
        Shard {
            lock: RwLock::new(ShardData::new()),
            index: ArcSwap::from_pointee(JtiIndex::with_capacity(0)),
        }
    }

    /// Read access. A lock poisoned by a panic elsewhere is recovered: every mutation under
    /// it is a single insert, update or index swap, so the data is still consistent, and
    /// refusing to read it would make the store answer "not revoked".
    fn read(&self) -> RwLockReadGuard<'_, ShardData> {
        self.lock.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Write access, recovering a poisoned lock (see [`Shard::read`]).
    fn write(&self) -> RwLockWriteGuard<'_, ShardData> {
        self.lock.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a new `jti` key (the caller holds the write lock and has reserved room). A
    /// full index is replaced by the next larger one (twice the slots: tables are a power
    /// of two at most 7/8 full) holding every entry and the new one.
    fn insert_jti(&self, data: &mut ShardData, key: JtiKey, forget_at: u64) {
        let index = self.index.load();
        if data.jti_count >= index.capacity() || !index.insert_new(key.0, forget_at) {
            let grown = index.rebuilt(data.jti_count.saturating_add(1), |_| true);
            // Cannot fail: the new index has room for every entry and this one.
            grown.insert_new(key.0, forget_at);
            self.index.store(Arc::new(grown));
        }
        data.jti_count += 1;
        data.min_forget_at = data.min_forget_at.min(forget_at);
    }

    /// Drops `jti` entries with `forget_at <= now` (the caller holds the write lock);
    /// returns how many. [`FOREVER`] entries (static tokens) are kept whatever `now` is,
    /// `u64::MAX` included.
    fn purge(&self, data: &mut ShardData, now: u64) -> usize {
        if data.min_forget_at == FOREVER || data.min_forget_at > now {
            return 0;
        }
        let keep = |forget_at: u64| forget_at == FOREVER || forget_at > now;
        let index = self.index.load();
        let (mut kept, mut min) = (0usize, FOREVER);
        for (_, forget_at) in index.entries() {
            if keep(forget_at) {
                kept += 1;
                min = min.min(forget_at);
            }
        }
        let dropped = data.jti_count.saturating_sub(kept);
        if dropped > 0 {
            // A fresh index (and filter) without the dropped entries.
            self.index.store(Arc::new(index.rebuilt(kept, keep)));
        }
        data.jti_count = kept;
        data.min_forget_at = min;
        dropped
    }
}

/// A thread-safe, in-memory [`RevocationStore`] with bounded memory.
///
/// Share it between threads in an [`Arc`](std::sync::Arc) (`Arc<MemoryRevocationStore>` is itself a
/// `RevocationStore`); every method takes `&self`.
///
/// # What is stored
///
/// * **Revoked token ids** ([`revoke`](Self::revoke), [`revoke_claims`](Self::revoke_claims)).
///   The `jti` itself is not kept: the store keeps a 64-bit hash of it (foldhash under a
///   random seed chosen in [`new`](Self::new)) mapped to the time the entry may be
///   forgotten. 16 bytes of table slot per entry (≈ 20–40 bytes with the hash table's spare
///   room; see [`approx_memory_bytes`](Self::approx_memory_bytes)). Two different ids are
///   confused only on a 64-bit collision of randomly seeded hashes — with a million revoked ids,
///   a chance of about 2^-44 per verification — and then in the safe direction: an unrevoked
///   token would read as revoked (fail closed).
/// * **Principal cutoffs** ([`revoke_principal_before`](Self::revoke_principal_before)): every
///   token of that principal issued (`iat`) at or before the cutoff is revoked, and so is every
///   token that principal delegated (whose `parent` it is) under the same rule. Never forgotten.
///
/// # Bounded memory; never un-revokes
///
/// Both kinds of entry count against one limit ([`with_capacity_limit`](Self::with_capacity_limit),
/// default [`DEFAULT_REVOCATION_CAPACITY`]). When a new entry does not fit, the store first
/// drops the revocations of tokens that have expired ([`purge_expired`](Self::purge_expired));
/// if that frees nothing, the call fails with
/// [`ErrorCode::RevocationStoreFull`] and the store is unchanged. A live revocation is
/// **never** evicted to make room: that would silently make a revoked token valid again.
/// Updating an entry that already exists never needs room.
///
/// # Expiry and leeway
///
/// A dynamic token's revocation may be forgotten once `now >= exp + grace`, where `grace`
/// is [`DEFAULT_EXPIRY_GRACE`] (one hour) unless set with
/// [`with_expiry_grace`](Self::with_expiry_grace). A verifier configured
/// with a leeway accepts tokens until `exp + leeway`: keep the store's grace at least that
/// leeway, or a revoked token could verify again during the leeway window.
///
/// # Time
///
/// The store keeps no clock of its own. Each call's `now` (or the system clock when `None`)
/// serves that call only: one call with a wrong time (milliseconds by mistake, a clock far
/// ahead) cannot make later calls forget live revocations. The automatic purge of a full
/// store runs as of the calling method's own `now`, capped at the system clock plus the
/// grace (and skipped if the system clock cannot be read), so a `now` far in the future
/// frees nothing that is still live. [`purge_expired`](Self::purge_expired), called by the
/// host on purpose, uses its `now` as given. Static tokens' revocations and principal cutoffs
/// are never purged, whatever the time (`u64::MAX` included).
///
/// ```
/// use std::sync::Arc;
/// use auth_core::Principal;
/// use auth_core::{MemoryRevocationStore, RevocationQuery, RevocationStore};
///
/// let store = Arc::new(MemoryRevocationStore::new());
/// let now = 1_700_000_000;
/// store.revoke("token-1", Some(now + 86_400), Some(now)).unwrap(); // logout
/// store.revoke_principal_before(Principal::user(5), now, Some(now)).unwrap(); // password change
///
/// let q = RevocationQuery::new("token-1", Principal::user(9), now, Some(now + 86_400));
/// assert!(store.is_revoked(&q));
/// let q = RevocationQuery::new("token-2", Principal::user(5), now - 10, None);
/// assert!(store.is_revoked(&q));
/// // Minted in the same second as the cutoff: revoked too (fail closed).
/// let q = RevocationQuery::new("token-3", Principal::user(5), now, None);
/// assert!(store.is_revoked(&q));
/// let q = RevocationQuery::new("token-4", Principal::user(5), now + 1, None);
/// assert!(!store.is_revoked(&q));
/// // A token user 5 delegated to a sub-account falls with it.
/// let q = RevocationQuery::new("token-5", Principal::user(6), now - 10, None)
///     .with_parent(Some(Principal::user(5)));
/// assert!(store.is_revoked(&q));
/// ```
pub struct MemoryRevocationStore {
    shards: Box<[Shard]>,
    /// The secret key of the `jti` hash.
    hash_key: RandomState,
    /// Entries stored or reserved (jti entries plus principal cutoffs).
    count: AtomicUsize,
    limit: usize,
    /// Set once the first principal cutoff is stored (they are never removed), so lookups
    /// skip the principal tables while there are none.
    has_cutoffs: AtomicBool,
    grace: u64,
}

impl MemoryRevocationStore {
    /// An empty store holding at most [`DEFAULT_REVOCATION_CAPACITY`] entries.
    pub fn new() -> Self {
        Self::with_capacity_limit(DEFAULT_REVOCATION_CAPACITY)
    }

    /// An empty store holding at most `max_entries` entries (revoked token ids plus principal
    /// cutoffs). Memory is allocated as entries arrive, not up front. A limit of 0 makes
    /// every new revocation fail with [`ErrorCode::RevocationStoreFull`].
    pub fn with_capacity_limit(max_entries: usize) -> Self {
        MemoryRevocationStore {
            shards: (0..SHARDS).map(|_| Shard::new()).collect(),
            hash_key: RandomState::default(),
            count: AtomicUsize::new(0),
            limit: max_entries,
            has_cutoffs: AtomicBool::new(false),
            grace: DEFAULT_EXPIRY_GRACE,
        }
    }

    /// Keeps each dynamic token's revocation until `exp + grace_secs` instead of `exp`.
    /// Keep it at least the verifier's leeway (docs/ttl.md); the default is
    /// [`DEFAULT_EXPIRY_GRACE`].
    #[must_use]
    pub fn with_expiry_grace(mut self, grace_secs: u64) -> Self {
        self.grace = grace_secs;
        self
    }

    /// The entry limit given at construction.
    pub fn capacity_limit(&self) -> usize {
        self.limit
    }

    /// The expiry grace in seconds (see [`with_expiry_grace`](Self::with_expiry_grace)).
    pub fn expiry_grace(&self) -> u64 {
        self.grace
    }

    /// Revokes one token id (logout) until the token has expired.
    ///
    /// `exp` is the token's expiry (`None` for a static token: kept forever). The entry may
    /// be forgotten once `now >= exp + grace`, and never before `grace` (at least one second)
    /// past the revocation's own `now`: a revocation is always stored, even of a token that
    /// has already expired by `now`, because `now` may be ahead of the verifier's clock (and a
    /// clock may step back), and not even a purge at the same `now` forgets it. Revoking an id
    /// again keeps the later of the two times.
    ///
    /// # Errors
    ///
    /// * [`ErrorCode::InvalidRequest`] if `jti` is empty or longer than 128 characters.
    /// * [`ErrorCode::RevocationStoreFull`] if the store is full of entries that may not be
    ///   forgotten yet (expired ones are purged first). Nothing is evicted.
    ///
    /// `now` is UNIX seconds; `None` reads the system clock.
    pub fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> Result<()> {
        if !valid_jti(jti) {
            return Err(Error::with_message(
                ErrorCode::InvalidRequest,
                "jti must be 1 to 128 characters",
            ));
        }
        let now = clock::now_or_system(now)?;
        let forget_at = match exp {
            None => FOREVER,
            // Never silently dropped: kept at least `grace` (and at least one second) past
            // the time of revocation, so not even a purge at the same `now` forgets it.
            Some(exp) => exp
                .saturating_add(self.grace)
                .max(now.saturating_add(self.grace.max(1))),
        };
        let key = self.jti_key(jti);
        let shard = self.shard_of_jti(key);
        self.insert_with_room(now, || {
            let mut data = shard.write();
            if shard.index.load().raise_existing(key.0, forget_at) {
                return Ok(());
            }
            self.reserve()?;
            shard.insert_jti(&mut data, key, forget_at);
            Ok(())
        })
    }

    /// Revokes the token these claims describe (logout): [`revoke`](Self::revoke) with
    /// `claims.jti` and `claims.exp`.
    ///
    /// # Errors
    ///
    /// As [`revoke`](Self::revoke).
    pub fn revoke_claims(&self, claims: &Claims, now: Option<u64>) -> Result<()> {
        self.revoke(&claims.jti, claims.exp, now)
    }

    /// Revokes every token of `principal` issued at or before `before` (`iat <= before`), and
    /// every token it delegated (`parent` = `principal`) under the same rule: password change,
    /// blocked account. `iat` is whole seconds, so a token minted in the same second as the
    /// cutoff (possibly just before the password change) is revoked too — fail closed; the
    /// host logs the account in again after the change. Calling it again keeps the later
    /// cutoff; an earlier one never lowers it. Cutoffs are never purged.
    ///
    /// `now` is UNIX seconds (`None`: the system clock); it is only used to purge expired
    /// entries when the store is full (see *Time* on the type). `before` is never taken as
    /// the time: it may lie in the future.
    ///
    /// # Errors
    ///
    /// [`ErrorCode::RevocationStoreFull`] if a new cutoff does not fit once expired token
    /// revocations are purged. Updating an existing cutoff always succeeds.
    pub fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> Result<()> {
        let shard = self.shard_of_principal(principal);
        // An unreadable system clock only means no purge-on-full (see `insert_with_room`).
        let now = clock::now_or_system(now).unwrap_or(0);
        self.insert_with_room(now, || {
            let mut data = shard.write();
            if let Some(existing) = data.principals.get_mut(&principal) {
                *existing = (*existing).max(before);
                return Ok(());
            }
            self.reserve()?;
            data.principals.insert(principal, before);
            self.has_cutoffs.store(true, Ordering::Release);
            Ok(())
        })
    }

    /// Forgets the revocations of tokens that have expired (`exp + grace <= now`) and returns
    /// how many were dropped. Static tokens' revocations and principal cutoffs are kept, for
    /// any `now` (`u64::MAX` included).
    ///
    /// A host may call it periodically to release memory; `now` is used as given, for this
    /// call only (`None` reads the system clock, and if the clock cannot be read, nothing is
    /// forgotten). The store also purges by itself when full, with the capped time described
    /// under *Time* on the type. Shards with nothing to forget are skipped cheaply.
    pub fn purge_expired(&self, now: Option<u64>) -> usize {
        let Ok(now) = clock::now_or_system(now) else {
            return 0;
        };
        self.purge_at(now)
    }

    /// The purge itself, at `now`.
    fn purge_at(&self, now: u64) -> usize {
        let mut dropped = 0;
        for shard in self.shards.iter() {
            let n = shard.purge(&mut shard.write(), now);
            if n > 0 {
                self.count.fetch_sub(n, Ordering::Relaxed);
                dropped += n;
            }
        }
        dropped
    }

    /// Number of entries (revoked token ids plus principal cutoffs), including expired ones
    /// not yet purged.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cutoff of `principal`, if any: its tokens (and those it delegated) with `iat` at or
    /// below it are revoked.
    pub fn principal_cutoff(&self, principal: Principal) -> Option<u64> {
        self.shard_of_principal(principal)
            .read()
            .principals
            .get(&principal)
            .copied()
    }

    /// Whether the token id `jti` is revoked at time `now`: it was revoked and its entry may
    /// not be forgotten yet (`now < exp + grace`). Unlike [`RevocationStore::is_revoked`],
    /// the answer does not depend on whether a purge has run. `now` is UNIX seconds; `None`
    /// reads the system clock (and if the clock cannot be read, any entry counts as revoked).
    /// A static token's revocation answers revoked at any `now`, `u64::MAX` included.
    pub fn is_jti_revoked(&self, jti: &str, now: Option<u64>) -> bool {
        let now = clock::now_or_system(now).unwrap_or(0);
        self.jti_forget_at(jti)
            .is_some_and(|forget_at| forget_at == FOREVER || now < forget_at)
    }

    /// An estimate of the heap memory the store uses, in bytes, from the tables' allocated
    /// capacity (not their length), the lookup filters and the store itself. Meant for sizing
    /// and benchmarks; it models the standard library's hash table layout and is not exact.
    pub fn approx_memory_bytes(&self) -> usize {
        fn table_bytes(capacity: usize, slot: usize) -> usize {
            if capacity == 0 {
                return 0;
            }
            // SwissTable: buckets are a power of two kept at most 7/8 full, one control byte
            // per bucket plus one group (16 bytes) of trailing control bytes.
            let buckets = if capacity < 8 {
                (capacity + 1).next_power_of_two()
            } else {
                (capacity.saturating_mul(8) / 7).next_power_of_two()
            };
            buckets.saturating_mul(slot + 1).saturating_add(16)
        }
        let mut total = std::mem::size_of::<Self>() + SHARDS * std::mem::size_of::<Shard>();
        for shard in self.shards.iter() {
            let data = shard.read();
            total += shard.index.load().memory_bytes();
            total += table_bytes(
                data.principals.capacity(),
                std::mem::size_of::<(Principal, u64)>(),
            );
        }
        total
    }

    // -- internals ------------------------------------------------------------------------

    fn jti_key(&self, jti: &str) -> JtiKey {
        JtiKey(self.hash_key.hash_one(jti))
    }

    fn shard_of_jti(&self, key: JtiKey) -> &Shard {
        // Bits 32.. : independent of the table's bucket index (low bits) and tag (top bits).
        &self.shards[(key.0 >> 32) as usize & (SHARDS - 1)]
    }

    fn shard_of_principal(&self, principal: Principal) -> &Shard {
        // Principals are few and host-chosen; a multiplicative mix spreads them over shards.
        let kind = match principal.kind {
            PrincipalType::User => 0u64,
            PrincipalType::Reseller => 1u64,
        };
        let mixed = (principal.id ^ kind.rotate_right(1)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        &self.shards[(mixed >> (64 - SHARD_BITS)) as usize]
    }

    fn jti_forget_at(&self, jti: &str) -> Option<u64> {
        let key = self.jti_key(jti);
        // Lock-free: the filter, then the table (see `table.rs`).
        self.shard_of_jti(key).index.load().get(key.0)
    }

    /// Reserves room for one new entry, or fails when the limit is reached.
    fn reserve(&self) -> Result<()> {
        self.count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                (c < self.limit).then_some(c + 1)
            })
            .map(|_| ())
            .map_err(|_| Error::new(ErrorCode::RevocationStoreFull))
    }

    /// Runs `insert`; if it finds the store full, purges expired entries (with no shard lock
    /// held) and tries once more. The purge runs as of `now` (the calling method's own time)
    /// capped at the system clock plus the grace, so that a wrong, far-future `now` cannot
    /// forget live revocations; without a readable system clock nothing is purged.
    fn insert_with_room(&self, now: u64, insert: impl Fn() -> Result<()>) -> Result<()> {
        match insert() {
            Err(e) if e.code() == ErrorCode::RevocationStoreFull => {
                let purged = match clock::system_now() {
                    Ok(system) => self.purge_at(now.min(system.saturating_add(self.grace))),
                    Err(_) => 0,
                };
                if purged == 0 && self.len() >= self.limit {
                    return Err(e);
                }
                insert()
            }
            other => other,
        }
    }
}

impl Default for MemoryRevocationStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryRevocationStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRevocationStore")
            .field("len", &self.len())
            .field("capacity_limit", &self.limit)
            .field("expiry_grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl RevocationStore for MemoryRevocationStore {
    /// Revoked if the token's `jti` was revoked (an expired entry not yet purged still answers
    /// revoked, which is harmless: the token has expired), or if its principal or its
    /// `parent` (the principal that delegated it) has a cutoff and `query.iat` is at or
    /// before it.
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        if self.has_cutoffs.load(Ordering::Acquire) {
            let cut = |p: Principal| {
                self.principal_cutoff(p)
                    .is_some_and(|cutoff| query.iat <= cutoff)
            };
            if cut(query.principal) || query.parent.is_some_and(cut) {
                return true;
            }
        }
        self.jti_forget_at(query.jti).is_some()
    }

    /// A registered-profile token (no principal): revoked if its `jti` was revoked.
    fn jti_revocation_status(&self, jti: &str, _exp: Option<u64>) -> RevocationStatus {
        if self.jti_forget_at(jti).is_some() {
            RevocationStatus::Revoked
        } else {
            RevocationStatus::NotRevoked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(jti: &str) -> RevocationQuery<'_> {
        RevocationQuery {
            jti,
            principal: Principal::user(1),
            iat: 100,
            exp: Some(1_000),
            parent: None,
        }
    }

    #[test]
    fn poisoned_shard_still_answers_revoked() {
        let store = MemoryRevocationStore::with_capacity_limit(10);
        store.revoke("victim", None, Some(100)).unwrap();
        let key = store.jti_key("victim");
        let shard = store.shard_of_jti(key);
        let poisoner = std::thread::scope(|s| {
            s.spawn(|| {
                let _guard = shard.lock.write().unwrap();
                panic!("poison the shard");
            })
            .join()
        });
        assert!(poisoner.is_err());
        assert!(shard.lock.is_poisoned());
        assert!(store.is_revoked(&query("victim")));
        assert!(store.is_jti_revoked("victim", Some(200)));
        // Writes keep working too.
        store.revoke("victim-2", None, Some(100)).unwrap();
        assert!(store.is_revoked(&query("victim-2")));
        assert_eq!(store.purge_expired(Some(u64::MAX - 1)), 0);
    }

    #[test]
    fn jtis_spread_evenly_over_the_shards() {
        let store = MemoryRevocationStore::new();
        let mut per_shard = [0usize; SHARDS];
        for i in 0..16_000 {
            let key = store.jti_key(&format!("token-{i}"));
            let shard = store.shard_of_jti(key) as *const Shard;
            let index = store
                .shards
                .iter()
                .position(|s| std::ptr::eq(s, shard))
                .unwrap();
            per_shard[index] += 1;
        }
        // 1,000 expected per shard; a skewed shard choice would leave some nearly empty.
        assert!(
            per_shard.iter().all(|&n| (800..1200).contains(&n)),
            "{per_shard:?}"
        );
    }

    #[test]
    fn purge_skips_shards_without_expired_entries() {
        let store = MemoryRevocationStore::with_capacity_limit(100).with_expiry_grace(0);
        store.revoke("a", Some(50), Some(10)).unwrap();
        store.revoke("b", None, Some(10)).unwrap();
        let shard = store.shard_of_jti(store.jti_key("a"));
        assert_eq!(shard.read().min_forget_at, 50);
        assert_eq!(store.purge_expired(Some(49)), 0);
        assert_eq!(store.purge_expired(Some(50)), 1);
        assert_eq!(shard.read().min_forget_at, FOREVER);
    }
}
