//! A shard's revoked-id table and the filter in front of it, read without a lock.
//!
//! Open addressing with linear probing over 16-byte slots of atomics (`key`, `forget_at`):
//! a hit is one cache line of the table, and since the filter and the table are reached
//! through one pointer, the filter's read and the table's read do not wait on each other.
//! Writers hold the shard's write lock; readers hold nothing:
//!
//! * a new entry's `forget_at` is written before its key is published (release), so a
//!   reader that sees the key sees its time;
//! * entries are never removed in place: a purge or a growth builds a new index from the
//!   entries kept and the shard swaps the pointer, so a reader's probe sequence never has a
//!   hole punched into it;
//! * a key's filter bits are set before the key is published, and a new index's filter is
//!   built from every key it holds, so the filter has no false negatives.
//!
//! A slot is free when its key is 0; the one id hash equal to 0 is stored as 1 (it then
//! shares a slot with the id hashing to 1: a collision, which fails closed like any other).

use std::sync::atomic::{AtomicU64, Ordering};

use super::filter::JtiFilter;

/// The key of a free slot.
const EMPTY: u64 = 0;
/// The fewest slots a table has.
const MIN_SLOTS: usize = 16;

#[repr(align(16))]
struct Slot {
    key: AtomicU64,
    forget_at: AtomicU64,
}

/// A table of revoked ids (key → forget-at time) and its filter.
pub(super) struct JtiIndex {
    slots: Box<[Slot]>,
    mask: usize,
    filter: JtiFilter,
}

/// The stored form of a key (0 is the free-slot marker).
fn stored(key: u64) -> u64 {
    if key == EMPTY {
        1
    } else {
        key
    }
}

impl JtiIndex {
    /// An empty index with room for `entries` entries (the table at most 7/8 full).
    pub(super) fn with_capacity(entries: usize) -> Self {
        let slots = (entries.saturating_mul(8) / 7)
            .saturating_add(1)
            .next_power_of_two()
            .max(MIN_SLOTS);
        JtiIndex {
            slots: (0..slots)
                .map(|_| Slot {
                    key: AtomicU64::new(EMPTY),
                    forget_at: AtomicU64::new(0),
                })
                .collect(),
            mask: slots - 1,
            filter: JtiFilter::with_capacity(slots / 8 * 7),
        }
    }

    /// How many entries it holds before it must be replaced by a larger one.
    pub(super) fn capacity(&self) -> usize {
        self.slots.len() / 8 * 7
    }

    /// Heap bytes of the table and the filter.
    pub(super) fn memory_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Slot>() + self.filter.memory_bytes()
    }

    /// The forget-at time of `key`, if it is stored. Lock-free.
    pub(super) fn get(&self, key: u64) -> Option<u64> {
        let key = stored(key);
        if !self.filter.may_contain(key) {
            return None;
        }
        let mut i = key as usize & self.mask;
        // The table is never full, so a probe ends at the key or at a free slot; the bound
        // only keeps the loop visibly finite.
        for _ in 0..self.slots.len() {
            let slot = &self.slots[i];
            match slot.key.load(Ordering::Acquire) {
                k if k == key => return Some(slot.forget_at.load(Ordering::Acquire)),
                EMPTY => return None,
                _ => i = (i + 1) & self.mask,
            }
        }
        None
    }

    /// If `key` is stored, raises its forget-at time to at least `forget_at` and returns
    /// `true`. Only under the shard's write lock.
    pub(super) fn raise_existing(&self, key: u64, forget_at: u64) -> bool {
        let key = stored(key);
        if !self.filter.may_contain(key) {
            return false;
        }
        let mut i = key as usize & self.mask;
        for _ in 0..self.slots.len() {
            let slot = &self.slots[i];
            match slot.key.load(Ordering::Relaxed) {
                k if k == key => {
                    slot.forget_at.fetch_max(forget_at, Ordering::Release);
                    return true;
                }
                EMPTY => return false,
                _ => i = (i + 1) & self.mask,
            }
        }
        false
    }

    /// Stores a key that is not stored yet. Only under the shard's write lock, and only
    /// while the index holds fewer than [`capacity`](Self::capacity) entries; returns
    /// `false` (storing nothing) if no free slot was found.
    pub(super) fn insert_new(&self, key: u64, forget_at: u64) -> bool {
        let key = stored(key);
        let mut i = key as usize & self.mask;
        for _ in 0..self.slots.len() {
            let slot = &self.slots[i];
            if slot.key.load(Ordering::Relaxed) == EMPTY {
                self.filter.insert(key);
                slot.forget_at.store(forget_at, Ordering::Relaxed);
                slot.key.store(key, Ordering::Release);
                return true;
            }
            i = (i + 1) & self.mask;
        }
        false
    }

    /// Every stored entry (key, forget-at). Only under the shard's lock.
    pub(super) fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slots.iter().filter_map(|s| {
            let key = s.key.load(Ordering::Acquire);
            (key != EMPTY).then(|| (key, s.forget_at.load(Ordering::Acquire)))
        })
    }

    /// A new index with room for `entries` entries holding the entries of `self` for which
    /// `keep` is true.
    pub(super) fn rebuilt(&self, entries: usize, mut keep: impl FnMut(u64) -> bool) -> Self {
        let fresh = JtiIndex::with_capacity(entries);
        for (key, forget_at) in self.entries() {
            if keep(forget_at) {
                // Cannot fail: `entries` is at least the number of entries kept.
                fresh.insert_new(key, forget_at);
            }
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_raises_and_finds_keys_including_zero() {
        let index = JtiIndex::with_capacity(100);
        assert!(index.capacity() >= 100);
        for k in [0u64, 5, 5 + 128, u64::MAX] {
            assert_eq!(index.get(k), None);
            assert!(index.insert_new(k, 10));
            assert_eq!(index.get(k), Some(10));
        }
        // 0 and 1 share the stored form (a collision, failing closed).
        assert_eq!(index.get(1), Some(10));
        assert!(index.raise_existing(5, 20));
        assert!(!index.raise_existing(6, 20));
        assert!(index.raise_existing(5, 15));
        assert_eq!(index.get(5), Some(20));
        assert_eq!(index.entries().count(), 4);
        let kept = index.rebuilt(10, |at| at > 10);
        assert_eq!(kept.get(5), Some(20));
        assert_eq!(kept.get(u64::MAX), None);
    }

    #[test]
    fn a_full_table_refuses_instead_of_looping() {
        let index = JtiIndex::with_capacity(0);
        let slots = index.slots.len();
        for k in 1..=slots as u64 {
            assert!(index.insert_new(k * 7919, 1));
        }
        assert!(!index.insert_new(3, 1));
        assert_eq!(index.get(3), None);
    }
}
