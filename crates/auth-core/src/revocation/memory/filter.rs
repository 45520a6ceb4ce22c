//! A split-block Bloom filter over the store's 64-bit `jti` keys, read without a lock.
//!
//! Each key sets one bit in each of the eight 32-bit words of one 32-byte block (the layout
//! of Parquet's split-block Bloom filter), so a query reads one block — half a cache line —
//! and answers "maybe present" or "certainly absent". The filter is sized at
//! [`BITS_PER_ENTRY`] to twice that many bits per entry of its capacity; its memory is one
//! to two bytes per entry, small enough to stay in the CPU caches where the table does not.
//!
//! The size is a trade between the filter's false positives and its cache misses, and a
//! miss in a filter that does not fit the caches costs more than the table reads a larger
//! filter saves. At 8 bits per entry of the table's capacity (8 per slot) a shard's filter
//! answers "maybe" for an absent key about 0.07 % of the time just after its table grew
//! (18 bits per stored entry) and about 1.9 % when the table is at its fullest (7/8, 9 bits
//! per entry); at a million entries the filters take 2 MiB in all. Measured back to back in
//! one process at a million entries, an absent id cost 43 ns at this size and 81 ns at twice
//! it (PERFORMANCE.md).
//!
//! There are no false negatives: bits are only ever set (never cleared) while the filter is
//! in use, a key's bits are set before the key enters the table, and a filter that replaces
//! another is built from every key of the table first. False positives only cost the table
//! lookup the filter would otherwise have saved.

use std::sync::atomic::{AtomicU32, Ordering};

/// Bits of filter per entry of capacity (8: about 3.3 % false positives when the filter
/// itself is full; the store's tables fill it to at most 7/8 of that, about 1.9 %).
pub(super) const BITS_PER_ENTRY: usize = 8;
/// Bytes per block.
pub(super) const BLOCK_BYTES: usize = 32;
const BLOCK_BITS: usize = BLOCK_BYTES * 8;
/// The smallest capacity a filter is built with.
pub(super) const MIN_CAPACITY: usize = 64;

/// Odd multipliers choosing one bit per word (the split-block filter's published salts).
const SALT: [u32; 8] = [
    0x47b6_137b,
    0x4497_4d91,
    0x8824_ad5b,
    0xa2b7_289d,
    0x7054_95c7,
    0x2df1_424b,
    0x9efc_4947,
    0x5c6b_fb31,
];

#[repr(align(32))]
struct Block([AtomicU32; 8]);

/// The filter: a power-of-two number of blocks, for up to `capacity` entries.
pub(super) struct JtiFilter {
    blocks: Box<[Block]>,
    /// log2 of the number of blocks.
    shift: u32,
}

impl JtiFilter {
    /// An empty filter for `capacity` entries (at least [`MIN_CAPACITY`]).
    pub(super) fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(MIN_CAPACITY);
        let blocks = capacity
            .saturating_mul(BITS_PER_ENTRY)
            .div_ceil(BLOCK_BITS)
            .next_power_of_two();
        JtiFilter {
            blocks: (0..blocks)
                .map(|_| Block(std::array::from_fn(|_| AtomicU32::new(0))))
                .collect(),
            shift: blocks.trailing_zeros(),
        }
    }

    /// How many entries it was sized for (the power-of-two rounding may give more room
    /// than asked).
    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.blocks.len() * BLOCK_BITS / BITS_PER_ENTRY
    }

    /// Heap bytes of its blocks.
    pub(super) fn memory_bytes(&self) -> usize {
        self.blocks.len() * BLOCK_BYTES
    }

    /// The block and the 32-bit word hash of `key`. The store's key already is a randomly seeded
    /// hash; one multiplication spreads its bits so that the block choice is independent of
    /// the shard choice and the table's bucket and tag bits.
    fn locate(&self, key: u64) -> (&Block, u32) {
        let m = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // `shift` is at most 58 for any allocatable filter; `checked_shr` keeps a one-block
        // filter (shift 0) at block 0.
        let index = m.checked_shr(64 - self.shift).unwrap_or(0) as usize;
        // Cannot be out of range: `index < 2^shift == blocks.len()`; `min` keeps it total.
        let block = &self.blocks[index.min(self.blocks.len() - 1)];
        (block, (key ^ (key >> 32)) as u32)
    }

    /// Adds `key`.
    pub(super) fn insert(&self, key: u64) {
        let (block, x) = self.locate(key);
        for (word, salt) in block.0.iter().zip(SALT) {
            word.fetch_or(1 << (x.wrapping_mul(salt) >> 27), Ordering::Relaxed);
        }
    }

    /// Whether `key` may have been added (`false`: it certainly was not).
    pub(super) fn may_contain(&self, key: u64) -> bool {
        let (block, x) = self.locate(key);
        let mut all = true;
        for (word, salt) in block.0.iter().zip(SALT) {
            all &= word.load(Ordering::Relaxed) & (1 << (x.wrapping_mul(salt) >> 27)) != 0;
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(seed: u64, n: usize) -> impl Iterator<Item = u64> {
        let mut s = seed;
        (0..n).map(move |_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    #[test]
    fn no_false_negatives_and_few_false_positives_when_full() {
        let f = JtiFilter::with_capacity(50_000);
        let n = f.capacity();
        for k in keys(1, n) {
            f.insert(k);
        }
        assert!(keys(1, n).all(|k| f.may_contain(k)));
        let probes = 200_000;
        let fp = keys(2, probes).filter(|&k| f.may_contain(k)).count();
        // About 3.3 % expected at 8 bits per entry; 4.5 % leaves room for chance.
        assert!(fp * 1000 < probes * 45, "{fp} false positives of {probes}");
    }

    #[test]
    fn sizes_are_powers_of_two_with_at_least_the_asked_capacity() {
        for cap in [0, 1, 63, 64, 65, 1000, 62_500] {
            let f = JtiFilter::with_capacity(cap);
            assert!(f.capacity() >= cap.max(MIN_CAPACITY));
            assert!(f.blocks.len().is_power_of_two());
            assert!(f.memory_bytes() <= 2 * cap.max(MIN_CAPACITY) * BITS_PER_ENTRY / 8 + 64);
        }
        let one = JtiFilter::with_capacity(1);
        one.insert(u64::MAX);
        assert!(one.may_contain(u64::MAX));
    }
}
