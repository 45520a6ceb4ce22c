//! Parsing a token's `allowed_ips` once: a small, bounded, process-wide cache of parsed rule
//! sets keyed by the rules' exact text, read without a lock.
//!
//! A service sees the same few rule sets over and over (every request of a reseller carries
//! the same list), and parsing a list costs tens of nanoseconds per rule. The cache maps the
//! list's exact text to the parsed rules:
//!
//! * **Verdicts never change.** A hit requires the stored key to equal the list's text byte
//!   for byte (each rule's length and bytes, in order); the hash only chooses the slot. Only
//!   lists that parsed successfully are stored, and [`IpRule::parse`] is a pure function of
//!   the text, so a hit returns exactly what parsing would. A list with a bad rule is parsed
//!   (and refused) every time, with the same error.
//! * **Bounded.** [`SLOTS`] direct-mapped slots; a new list replaces the slot's old one. Lists
//!   shorter than [`MIN_RULES`] (parsing is as cheap as a lookup) or longer than
//!   [`MAX_KEY_BYTES`] of text are not stored.
//! * **Lock-free reads.** Each slot is an [`ArcSwapOption`]: a lookup is one atomic load and a
//!   comparison; a store swaps the slot's pointer. Concurrent stores to one slot only decide
//!   which list stays cached.
//! * **Still reachable at exit.** `arc-swap` keeps a pointer into the middle of each entry's
//!   allocation (past the reference counts), which leak checkers such as valgrind report as
//!   "possibly lost". Each slot also holds its entry as a plain [`Arc`] (a pointer to the start
//!   of the allocation), set together with the lock-free pointer under a per-slot mutex that
//!   only stores take, so the cache shows as "still reachable" and C programs run clean under
//!   `valgrind --leak-check=full` with the default leak kinds.
//!
//! The slot hash is seeded per process from the standard library's random hasher keys, so
//! which lists share a slot cannot be predicted from outside; colliding lists only cost a
//! re-parse.

use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use arc_swap::ArcSwapOption;

use super::rule::IpRule;
use super::MAX_IP_TEXT_LEN;
use crate::error::{Error, Result};

/// Number of cache slots (a power of two).
pub(crate) const SLOTS: usize = 64;
/// Fewest rules for which a list is cached: shorter lists parse about as fast as a lookup.
pub(crate) const MIN_RULES: usize = 2;
/// Longest cached key (the rules' text plus one length byte per rule): about 1,800 IPv4
/// networks. With [`SLOTS`] slots this bounds the cache at a few MiB in the worst case and a
/// few KiB in the usual one.
pub(crate) const MAX_KEY_BYTES: usize = 32 * 1024;

/// One cached list: its key (each rule text as one length byte and the bytes) and its rules.
struct Entry {
    key: Box<[u8]>,
    rules: Box<[IpRule]>,
}

impl Entry {
    /// Whether `items` are exactly the list this entry was built from.
    fn matches<S: AsRef<str>>(&self, items: &[S]) -> bool {
        let mut rest: &[u8] = &self.key;
        for item in items {
            let item = item.as_ref().as_bytes();
            match rest.split_first() {
                Some((&len, tail))
                    if usize::from(len) == item.len() && tail.get(..item.len()) == Some(item) =>
                {
                    rest = &tail[item.len()..];
                }
                _ => return false,
            }
        }
        rest.is_empty()
    }
}

/// One slot: the entry lookups read without a lock, and the same entry as a plain [`Arc`].
struct Slot {
    current: ArcSwapOption<Entry>,
    /// Always the entry `current` holds (set together under this lock, which only stores
    /// take): a pointer to the start of its allocation, so leak checkers count it reachable.
    held: Mutex<Option<Arc<Entry>>>,
}

impl Slot {
    fn empty() -> Self {
        Slot {
            current: ArcSwapOption::empty(),
            held: Mutex::new(None),
        }
    }

    fn store(&self, entry: Entry) {
        let entry = Arc::new(entry);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        self.current.store(Some(entry.clone()));
        *held = Some(entry);
    }
}

struct RuleSetCache {
    seed: u64,
    slots: Box<[Slot]>,
}

fn cache() -> &'static RuleSetCache {
    static CACHE: OnceLock<RuleSetCache> = OnceLock::new();
    CACHE.get_or_init(|| RuleSetCache {
        seed: RandomState::new().hash_one(0x5eed_u64) | 1,
        slots: (0..SLOTS).map(|_| Slot::empty()).collect(),
    })
}

/// A fast 64-bit hash of the list (length-prefixed items, eight bytes at a time). Not
/// collision-resistant and not meant to be: it only picks a slot.
fn hash_items<S: AsRef<str>>(seed: u64, items: &[S]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(23);
    let mut h = seed ^ (items.len() as u64);
    for item in items {
        let bytes = item.as_ref().as_bytes();
        h = mix(h, bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = mix(h, u64::from_le_bytes(w));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            h = mix(h, u64::from_le_bytes(w));
        }
    }
    // Final avalanche so the slot bits depend on every input bit.
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// The cache key of `items`, or `None` if the list is not cached (too short, too long, or a
/// rule too long to be valid).
fn key_of<S: AsRef<str>>(items: &[S]) -> Option<Box<[u8]>> {
    if items.len() < MIN_RULES {
        return None;
    }
    let mut size = 0usize;
    for item in items {
        let len = item.as_ref().len();
        if len > MAX_IP_TEXT_LEN {
            return None;
        }
        size += 1 + len;
        if size > MAX_KEY_BYTES {
            return None;
        }
    }
    let mut key = Vec::with_capacity(size);
    for item in items {
        let bytes = item.as_ref().as_bytes();
        // Cannot truncate: every item is at most MAX_IP_TEXT_LEN (64) bytes, checked above.
        key.push(bytes.len() as u8);
        key.extend_from_slice(bytes);
    }
    Some(key.into_boxed_slice())
}

/// Parses every rule of a list strictly, as [`IpRule::parse`] does one by one, through the
/// cache. The first bad rule's error is passed to `on_error` with its index, and its result
/// returned; nothing is cached then.
pub(crate) fn parse_rule_set<S: AsRef<str>>(
    items: &[S],
    on_error: impl Fn(usize, Error) -> Error,
) -> Result<Vec<IpRule>> {
    if items.len() < MIN_RULES {
        return parse_all(items, on_error);
    }
    let cache = cache();
    let h = hash_items(cache.seed, items);
    let slot = &cache.slots[(h >> 58) as usize & (SLOTS - 1)];
    if let Some(entry) = slot.current.load().as_ref() {
        if entry.matches(items) {
            return Ok(entry.rules.to_vec());
        }
    }
    let rules = parse_all(items, on_error)?;
    if let Some(key) = key_of(items) {
        slot.store(Entry {
            key,
            rules: rules.clone().into_boxed_slice(),
        });
    }
    Ok(rules)
}

/// The uncached parse: every rule in order, the first error reported.
pub(crate) fn parse_all<S: AsRef<str>>(
    items: &[S],
    on_error: impl Fn(usize, Error) -> Error,
) -> Result<Vec<IpRule>> {
    let mut rules = Vec::with_capacity(items.len());
    for (i, text) in items.iter().enumerate() {
        rules.push(IpRule::parse(text.as_ref()).map_err(|e| on_error(i, e))?);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn wrap(i: usize, e: Error) -> Error {
        Error::with_message(e.code(), format!("[{i}] {}", e.message()))
    }

    #[test]
    fn a_hit_returns_what_parsing_returns() {
        let items = [
            "10.0.0.0/8",
            "192.168.1.7",
            "2001:db8::/32",
            "::ffff:10.1.2.0/120",
        ];
        let direct = parse_all(&items, wrap).unwrap();
        let first = parse_rule_set(&items, wrap).unwrap();
        let second = parse_rule_set(&items, wrap).unwrap();
        assert_eq!(first, direct);
        assert_eq!(second, direct);
    }

    #[test]
    fn keys_compare_every_byte_and_every_boundary() {
        let entry = Entry {
            key: key_of(&["1.2.3.4", "5.6.7.8"]).unwrap(),
            rules: Box::default(),
        };
        assert!(entry.matches(&["1.2.3.4", "5.6.7.8"]));
        assert!(!entry.matches(&["1.2.3.4", "5.6.7.9"]));
        assert!(!entry.matches(&["1.2.3.4"]));
        assert!(!entry.matches(&["1.2.3.4", "5.6.7.8", "5.6.7.8"]));
        // Same bytes, other boundaries.
        assert!(!entry.matches(&["1.2.3.45", ".6.7.8"]));
        assert!(!entry.matches(&["1.2.3.4\u{7}5.6.7.8"]));
    }

    #[test]
    fn a_bad_list_is_refused_every_time_and_never_cached() {
        let items = ["10.0.0.0/8", "10.0.0.1/8"];
        for _ in 0..3 {
            let e = parse_rule_set(&items, wrap).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidIpRule);
            assert!(e.message().starts_with("[1] "), "{}", e.message());
        }
    }

    /// Lists forced into the same slots (more lists than slots) never return each other's
    /// rules.
    #[test]
    fn colliding_lists_never_share_rules() {
        let lists: Vec<Vec<String>> = (0..4 * SLOTS)
            .map(|i| {
                vec![
                    format!("10.{}.0.0/16", i % 256),
                    format!("192.168.{}.1", i / 256),
                ]
            })
            .collect();
        for _ in 0..2 {
            for list in &lists {
                assert_eq!(
                    parse_rule_set(list, wrap).unwrap(),
                    parse_all(list, wrap).unwrap()
                );
            }
        }
    }

    /// What valgrind needs to count the cache as reachable: every cached entry is also held
    /// through a plain `Arc`, the very entry lookups read (checked under the slot's lock,
    /// which every store takes).
    #[test]
    fn every_cached_entry_is_also_held_by_a_plain_arc() {
        let items = ["172.16.0.0/12", "198.51.100.7", "2001:db8:5::/48"];
        parse_rule_set(&items, wrap).unwrap();
        let cache = cache();
        let mut filled = 0;
        for slot in cache.slots.iter() {
            let held = slot.held.lock().unwrap_or_else(PoisonError::into_inner);
            let current = slot.current.load_full();
            match (&*held, &current) {
                (Some(h), Some(c)) => assert!(Arc::ptr_eq(h, c)),
                (None, None) => {}
                _ => panic!("a slot's entry is not held"),
            }
            filled += usize::from(current.is_some());
        }
        // Other tests may have replaced this list's entry since, but never emptied a slot.
        assert!(filled > 0);
    }

    #[test]
    fn oversized_lists_are_parsed_not_cached() {
        assert!(key_of(&["1.2.3.4"]).is_none());
        let long = vec!["255.255.255.255"; MAX_KEY_BYTES / 16 + 1];
        assert!(key_of(&long).is_none());
        assert_eq!(parse_rule_set(&long, wrap).unwrap().len(), long.len());
    }
}
