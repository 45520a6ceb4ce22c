//! The verified-signature cache (docs/signature-cache.md): positive signature verdicts of
//! asymmetric tokens, remembered per key-ring snapshot, so that a token a client sends again
//! and again costs a lookup instead of an ECDSA or Ed25519 verification.
//!
//! What is cached is only "these exact token bytes carry a valid signature under this exact
//! ring": the claims are decoded and the times, audience, issuer, IP rules, revocation and
//! scopes are checked on every call, hit or miss.
//!
//! ## Why `quick_cache`
//! The map is `quick_cache::sync::Cache` (S3-FIFO eviction, sharded `RwLock`s, a hit takes
//! only a read lock): a widely used, maintained cache with no I/O and no threads. Built with
//! its default features off (`stats` only), `cargo tree -e normal` shows it brings
//! `equivalent` and `hashbrown` (already in the tree through `indexmap`), nothing else.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use arc_swap::ArcSwap;
use quick_cache::sync::Cache;
use quick_cache::{Equivalent, Lifecycle, UnitWeighter};

use crate::keys::{Algorithm, KeyRing};

/// The capacity `authctl serve` gives its cache by default, in tokens (about 5 MB with
/// 400-byte tokens; [`SignatureCache::new`] takes any capacity).
pub const DEFAULT_SIGNATURE_CACHE_CAPACITY: usize = 10_000;
/// Default longest token cached, in bytes ([`SignatureCacheOptions::max_token_bytes`]).
pub const DEFAULT_SIGNATURE_CACHE_MAX_TOKEN_BYTES: usize = 2048;
/// Default life of an entry for a token without `exp`, in seconds
/// ([`SignatureCacheOptions::ttl_without_exp`]).
pub const DEFAULT_SIGNATURE_CACHE_TTL_WITHOUT_EXP: u64 = 3600;

/// Settings of a [`SignatureCache`]. The memory it may hold is bounded by
/// `capacity × (max_token_bytes + about 100 bytes)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureCacheOptions {
    /// Most entries held (one per distinct token); 0 caches nothing.
    pub capacity: usize,
    /// Tokens longer than this many bytes are never cached (default 2048).
    pub max_token_bytes: usize,
    /// How long the verdict of a token **without** `exp` is kept, in seconds (default 3600).
    /// A token with `exp` is kept until its `exp` at the latest.
    pub ttl_without_exp: u64,
    /// Whether HMAC (HS256/384/512) verdicts are cached too (default `false`: checking
    /// an HMAC costs about what a lookup does, PERFORMANCE.md).
    pub include_hmac: bool,
}

impl SignatureCacheOptions {
    /// The defaults with this capacity.
    pub fn with_capacity(capacity: usize) -> Self {
        SignatureCacheOptions {
            capacity,
            max_token_bytes: DEFAULT_SIGNATURE_CACHE_MAX_TOKEN_BYTES,
            ttl_without_exp: DEFAULT_SIGNATURE_CACHE_TTL_WITHOUT_EXP,
            include_hmac: false,
        }
    }
}

impl Default for SignatureCacheOptions {
    fn default() -> Self {
        SignatureCacheOptions::with_capacity(DEFAULT_SIGNATURE_CACHE_CAPACITY)
    }
}

/// Counters of a [`SignatureCache`], for operators ([`SignatureCache::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureCacheStats {
    /// Verifications whose signature check was skipped: the same bytes verified before
    /// under the same ring.
    pub hits: u64,
    /// Lookups that found nothing usable (absent, or past the entry's deadline).
    pub misses: u64,
    /// Verdicts stored.
    pub inserts: u64,
    /// Entries dropped to stay within the capacity (a verdict two threads store at once
    /// counts here once too: the second replaces the first).
    pub evictions: u64,
    /// Entries dropped because their token had expired (or their no-`exp` life ended).
    pub expired: u64,
    /// Times the cache was emptied because the key ring changed (or by [`SignatureCache::clear`]).
    pub invalidations: u64,
    /// Entries held now.
    pub entries: u64,
    /// Most entries held (the configured capacity rounded up to the shards).
    pub capacity: u64,
}

/// A bounded, thread-safe cache of **positive** signature verdicts (docs/signature-cache.md).
///
/// Opt-in: give one to [`Verifier::set_signature_cache`](crate::Verifier::set_signature_cache).
/// An entry is the full token bytes (compared in full; the hash only picks the bucket), the
/// key-ring snapshot it was verified under, and a deadline: the token's `exp`, or
/// [`SignatureCacheOptions::ttl_without_exp`] for a token without one. Any change to the
/// ring (add, remove, rotate, set active, replace, JWKS refresh) empties the cache. Only the
/// signature check is skipped on a hit; every other check runs on every call.
///
/// `Send + Sync`: share one (in an `Arc`) between the clones of one verifier. Give each
/// key ring its own cache: verifiers on different rings sharing one would keep emptying it.
///
/// ```
/// use std::sync::Arc;
/// use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, SignatureCache, Subject, Verifier, VerifyRequest};
///
/// let raw: Vec<u8> = (1..=32).collect(); // an Ed25519 private key (use a random one)
/// let key = Key::new("k1", Algorithm::EdDSA, &raw)?;
/// let issuer = Issuer::new(KeyRing::single(key));
/// let mut req = MintRequest::new(Subject::user(1, "alice", false));
/// req.now = Some(1_700_000_000);
/// let token = issuer.mint(&req)?.token;
///
/// let mut verifier = Verifier::new(issuer.keys().clone());
/// let cache = Arc::new(SignatureCache::new(10_000));
/// verifier.set_signature_cache(Some(cache.clone()));
/// let at = VerifyRequest::at(1_700_000_001);
/// verifier.verify_with(&token, &at)?; // verifies the signature, remembers it
/// verifier.verify_with(&token, &at)?; // skips it: every other check still runs
/// assert_eq!((cache.stats().misses, cache.stats().hits), (1, 1));
/// # Ok::<(), auth_core::Error>(())
/// ```
pub struct SignatureCache {
    entries: Cache<EntryKey, u64, UnitWeighter, TokenHasher, CountEvictions>,
    /// The ring snapshot the entries belong to, and its generation number.
    current: ArcSwap<Generation>,
    /// Serializes generation changes; holds the last generation number given out.
    switch: Mutex<u64>,
    options: SignatureCacheOptions,
    inserts: AtomicU64,
    expired: AtomicU64,
    invalidations: AtomicU64,
    evictions: Arc<AtomicU64>,
}

/// A ring snapshot known to the cache. The `Weak` keeps the snapshot's allocation (not its
/// keys) alive, so its address cannot be reused by a later snapshot while this is current:
/// comparing addresses is then sound (no ABA).
struct Generation {
    ring: Weak<KeyRing>,
    number: u64,
}

impl std::fmt::Debug for SignatureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureCache")
            .field("options", &self.options)
            .field("stats", &self.stats())
            .finish()
    }
}

impl SignatureCache {
    /// A cache of at most `capacity` entries with the other defaults
    /// ([`SignatureCacheOptions::with_capacity`]).
    pub fn new(capacity: usize) -> Self {
        SignatureCache::with_options(SignatureCacheOptions::with_capacity(capacity))
    }

    /// A cache with these settings.
    pub fn with_options(options: SignatureCacheOptions) -> Self {
        SignatureCache::build(options, TokenHasher::Seeded(Default::default()))
    }

    fn build(options: SignatureCacheOptions, hasher: TokenHasher) -> Self {
        let evictions = Arc::new(AtomicU64::new(0));
        let items = options.capacity.max(1);
        SignatureCache {
            entries: Cache::with(
                items,
                items as u64,
                UnitWeighter,
                hasher,
                CountEvictions(evictions.clone()),
            ),
            current: ArcSwap::from_pointee(Generation {
                ring: Weak::new(),
                number: 0,
            }),
            switch: Mutex::new(0),
            options,
            inserts: AtomicU64::new(0),
            expired: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
            evictions,
        }
    }

    /// The settings.
    pub fn options(&self) -> &SignatureCacheOptions {
        &self.options
    }

    /// The counters.
    pub fn stats(&self) -> SignatureCacheStats {
        let expired = self.expired.load(Relaxed);
        let (hits, capacity) = if self.options.capacity == 0 {
            (0, 0)
        } else {
            (
                self.entries.hits().saturating_sub(expired),
                self.entries.capacity(),
            )
        };
        SignatureCacheStats {
            hits,
            misses: self.entries.misses() + expired,
            inserts: self.inserts.load(Relaxed),
            evictions: self.evictions.load(Relaxed),
            expired,
            invalidations: self.invalidations.load(Relaxed),
            entries: self.entries.len() as u64,
            capacity,
        }
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every entry (the next verification of each token checks its signature again).
    pub fn clear(&self) {
        self.entries.clear();
        self.invalidations.fetch_add(1, Relaxed);
    }

    /// Whether verdicts of keys of this algorithm are cached.
    fn caches(&self, alg: Algorithm) -> bool {
        self.options.capacity > 0 && (self.options.include_hmac || !alg.is_hmac())
    }

    /// The generation number of `ring`; a snapshot the cache has not seen empties it.
    fn generation(&self, ring: &Arc<KeyRing>) -> u64 {
        let current = self.current.load();
        if std::ptr::eq(current.ring.as_ptr(), Arc::as_ptr(ring)) {
            return current.number;
        }
        drop(current);
        let mut last = self.switch.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.current.load();
        if std::ptr::eq(current.ring.as_ptr(), Arc::as_ptr(ring)) {
            return current.number;
        }
        // A new number for every switch, even back to a ring seen before: an entry is only
        // ever found by a verification under the snapshot it was verified under.
        let first = *last == 0;
        *last += 1;
        self.current.store(Arc::new(Generation {
            ring: Arc::downgrade(ring),
            number: *last,
        }));
        if !first {
            self.clear();
        }
        *last
    }

    /// Looks `token` up for a verification under `ring` at `now`: the start of the one call
    /// site in `verify.rs`.
    pub(crate) fn probe<'c, 't>(
        cache: Option<&'c SignatureCache>,
        alg: Algorithm,
        ring: &Arc<KeyRing>,
        token: &'t [u8],
        now: Option<u64>,
    ) -> Probe<'c, 't> {
        let Some(cache) = cache.filter(|c| c.caches(alg)) else {
            return Probe::Off;
        };
        if token.len() > cache.options.max_token_bytes {
            return Probe::Off;
        }
        let Ok(now) = crate::clock::now_or_system(now) else {
            return Probe::Off;
        };
        let generation = cache.generation(ring);
        let lookup = Lookup { generation, token };
        match cache.entries.get(&lookup) {
            Some(deadline) if now < deadline => Probe::Hit,
            Some(_) => {
                cache.entries.remove(&lookup);
                cache.expired.fetch_add(1, Relaxed);
                Probe::Miss(cache, lookup, now)
            }
            None => Probe::Miss(cache, lookup, now),
        }
    }
}

/// The `exp` of a profile's decoded claims: an entry's deadline.
pub(crate) trait TokenExpiry {
    /// `exp`, UNIX seconds.
    fn exp(&self) -> Option<u64>;
}

impl TokenExpiry for crate::claims::Claims {
    fn exp(&self) -> Option<u64> {
        self.exp
    }
}

impl TokenExpiry for crate::claims::RegisteredClaims {
    fn exp(&self) -> Option<u64> {
        self.exp
    }
}

/// The outcome of a lookup: a hit skips the signature check; a miss remembers a verdict.
pub(crate) enum Probe<'c, 't> {
    /// No cache, or not a token it caches.
    Off,
    /// The same bytes verified under the same ring before.
    Hit,
    /// Not found: [`Probe::remember`] stores the verdict once the signature has verified.
    Miss(&'c SignatureCache, Lookup<'t>, u64),
}

impl Probe<'_, '_> {
    /// Whether the signature check may be skipped.
    pub(crate) fn hit(&self) -> bool {
        matches!(self, Probe::Hit)
    }

    /// Stores the positive verdict of a token whose signature has just verified and whose
    /// claims decoded, with its `exp`. Call only after both succeeded.
    pub(crate) fn remember(self, exp: Option<u64>) {
        let Probe::Miss(cache, lookup, now) = self else {
            return;
        };
        let deadline = exp.unwrap_or(now.saturating_add(cache.options.ttl_without_exp));
        if now >= deadline {
            return;
        }
        let key = EntryKey {
            generation: lookup.generation,
            token: lookup.token.into(),
        };
        cache.entries.insert(key, deadline);
        cache.inserts.fetch_add(1, Relaxed);
    }
}

/// An entry's key: the generation and the full token bytes. The derived `Hash` and the one
/// of [`Lookup`] feed the same values in the same order.
#[derive(Hash, PartialEq, Eq)]
struct EntryKey {
    generation: u64,
    token: Box<[u8]>,
}

/// A borrowed [`EntryKey`]: found only by an entry whose bytes are equal in full.
#[derive(Hash, Clone, Copy)]
pub(crate) struct Lookup<'t> {
    generation: u64,
    token: &'t [u8],
}

impl Equivalent<EntryKey> for Lookup<'_> {
    fn equivalent(&self, key: &EntryKey) -> bool {
        self.generation == key.generation && *self.token == *key.token
    }
}

/// Counts evictions; the evicted keys are dropped after the shard's lock is released.
#[derive(Clone)]
struct CountEvictions(Arc<AtomicU64>);

impl Lifecycle<EntryKey, u64> for CountEvictions {
    type RequestState = [Option<EntryKey>; 2];

    fn on_evict(&self, state: &mut Self::RequestState, key: EntryKey, _deadline: u64) {
        self.0.fetch_add(1, Relaxed);
        if let Some(slot) = state.iter_mut().find(|s| s.is_none()) {
            *slot = Some(key);
        }
    }
}

/// The hash that picks an entry's shard and bucket: foldhash's quality variant under a
/// random per-cache seed. Tests can make every token collide.
#[derive(Clone)]
enum TokenHasher {
    Seeded(foldhash::quality::RandomState),
    #[cfg(test)]
    Colliding,
}

enum TokenHash {
    Seeded(foldhash::quality::FoldHasher<'static>),
    #[cfg(test)]
    Colliding,
}

impl BuildHasher for TokenHasher {
    type Hasher = TokenHash;

    fn build_hasher(&self) -> TokenHash {
        match self {
            TokenHasher::Seeded(s) => TokenHash::Seeded(s.build_hasher()),
            #[cfg(test)]
            TokenHasher::Colliding => TokenHash::Colliding,
        }
    }
}

impl Hasher for TokenHash {
    fn write(&mut self, bytes: &[u8]) {
        match self {
            TokenHash::Seeded(h) => h.write(bytes),
            #[cfg(test)]
            TokenHash::Colliding => {}
        }
    }

    fn write_u64(&mut self, n: u64) {
        match self {
            TokenHash::Seeded(h) => h.write_u64(n),
            #[cfg(test)]
            TokenHash::Colliding => {}
        }
    }

    fn write_usize(&mut self, n: usize) {
        match self {
            TokenHash::Seeded(h) => h.write_usize(n),
            #[cfg(test)]
            TokenHash::Colliding => {}
        }
    }

    fn finish(&self) -> u64 {
        match self {
            TokenHash::Seeded(h) => h.finish(),
            #[cfg(test)]
            TokenHash::Colliding => 42,
        }
    }
}

#[cfg(test)]
mod tests;
