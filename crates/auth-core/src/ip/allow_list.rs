//! A large host-side allow-list: rules merged into sorted disjoint ranges per family, with a
//! first-level index on the top 16 bits, so a lookup is a short binary search.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::rule::{normalize_addr, IpRule};
use crate::error::{Error, ErrorCode, Result};

/// A large host-side allow-list (a reseller's `allowedIPs`), checked in `O(log n)`.
///
/// The rules are kept as given (see [`IpAllowList::rules`]). For lookups, each family's rules are
/// converted to inclusive integer ranges (`u32` for IPv4, `u128` for IPv6: network address to
/// broadcast address), sorted by start, and overlapping or adjacent ranges are merged into disjoint
/// sorted intervals. [`IpAllowList::contains`] then binary-searches (`partition_point`) for the last
/// interval starting at or before the address and checks its end — no linear scan.
///
/// A family with many intervals (256 or more) also gets a first-level index on the top 16 bits of
/// the address: 65,537 offsets (256 KiB) telling where each 16-bit bucket's intervals begin, so a
/// lookup binary-searches only its own bucket and the interval just before it. With 100,000 rules
/// spread over the address space that is one or two comparisons instead of seventeen, which keeps a
/// lookup in a 100,000-rule list within a small factor of a 10-rule list.
///
/// An empty list allows nothing. The list is immutable once built, and `Send + Sync`.
///
/// ```
/// use auth_core::{IpAllowList, parse_client_ip};
///
/// let list = IpAllowList::parse(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]).unwrap();
/// assert!(list.contains(parse_client_ip("10.200.0.1").unwrap()));
/// assert!(list.contains(parse_client_ip("::ffff:192.168.1.7").unwrap()));
/// assert!(!list.contains(parse_client_ip("192.168.1.8").unwrap()));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IpAllowList {
    rules: Vec<IpRule>,
    v4: Ranges<u32>,
    v6: Ranges<u128>,
}

impl IpAllowList {
    /// Parses every rule strictly; the first bad rule gives `invalid_ip_rule` naming its (0-based) index.
    pub fn parse<I, S>(rules: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let parsed = rules
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                IpRule::parse(text.as_ref()).map_err(|e| {
                    Error::with_message(
                        ErrorCode::InvalidIpRule,
                        format!("rule {i}: {}", e.message()),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(IpAllowList::new(parsed))
    }

    /// Builds the list from already-parsed rules (sorting and merging their ranges: `O(n log n)`).
    pub fn new(rules: Vec<IpRule>) -> Self {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for rule in &rules {
            match rule.network() {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        IpAllowList {
            v4: Ranges::new(v4),
            v6: Ranges::new(v6),
            rules,
        }
    }

    /// Whether `addr` (normalized first: IPv4-mapped → IPv4) is inside any rule. `O(log n)`.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match normalize_addr(addr) {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }

    /// The rules as given, in order (for copying into a token's `allowed_ips`).
    pub fn rules(&self) -> &[IpRule] {
        &self.rules
    }

    /// The number of rules as given.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the list has no rules (and so allows nothing).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl fmt::Debug for IpAllowList {
    /// A summary (the list may hold 100,000 rules): rule count and merged interval counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpAllowList")
            .field("rules", &self.rules.len())
            .field("v4_intervals", &self.v4.intervals.len())
            .field("v6_intervals", &self.v6.intervals.len())
            .finish()
    }
}

/// Integer types the range merging works over.
trait RangeInt: Copy + Ord {
    /// The largest value (an interval ending here is adjacent to nothing after it).
    const MAX: Self;
    /// `self + 1`, only called when `self != MAX`.
    fn succ(self) -> Self;
    /// The top 16 bits: the first-level index bucket.
    fn bucket(self) -> usize;
}

impl RangeInt for u32 {
    const MAX: Self = u32::MAX;
    fn succ(self) -> Self {
        self.saturating_add(1)
    }
    fn bucket(self) -> usize {
        (self >> 16) as usize
    }
}

impl RangeInt for u128 {
    const MAX: Self = u128::MAX;
    fn succ(self) -> Self {
        self.saturating_add(1)
    }
    fn bucket(self) -> usize {
        (self >> 112) as usize
    }
}

/// Number of first-level index buckets (the top 16 bits of an address).
const BUCKETS: usize = 1 << 16;
/// Fewest intervals for which a family gets the first-level index.
const INDEX_MIN_INTERVALS: usize = 256;

/// One family's disjoint sorted intervals, with the first-level index once there are many.
#[derive(Clone, Default, PartialEq, Eq)]
struct Ranges<T> {
    intervals: Vec<(T, T)>,
    /// Empty, or `BUCKETS + 1` offsets: `index[b]` is the first interval whose start is in
    /// bucket `b` or later.
    index: Box<[u32]>,
}

impl<T: RangeInt> Ranges<T> {
    fn new(ranges: Vec<(T, T)>) -> Self {
        let intervals = merge_ranges(ranges);
        let index =
            if intervals.len() >= INDEX_MIN_INTERVALS && u32::try_from(intervals.len()).is_ok() {
                let mut index = Vec::with_capacity(BUCKETS + 1);
                let mut i = 0;
                for b in 0..=BUCKETS {
                    while i < intervals.len() && intervals[i].0.bucket() < b {
                        i += 1;
                    }
                    // Cannot truncate: checked above that the count fits a u32.
                    index.push(i as u32);
                }
                index.into_boxed_slice()
            } else {
                Box::default()
            };
        Ranges { intervals, index }
    }

    fn contains(&self, x: T) -> bool {
        let (lo, hi) = match self.index.get(x.bucket()..x.bucket() + 2) {
            Some(&[lo, hi]) => (lo as usize, hi as usize),
            _ => (0, self.intervals.len()),
        };
        // The interval holding `x` starts in x's bucket (then it is among
        // `intervals[lo..hi]`) or before it (then it is `intervals[lo - 1]`: intervals are
        // disjoint, so nothing between it and `x` starts).
        in_ranges(&self.intervals, lo, hi, x)
    }
}

/// Sorts inclusive ranges and merges overlapping or adjacent ones into disjoint sorted intervals.
fn merge_ranges<T: RangeInt>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if last.1 == T::MAX || start <= last.1.succ() => {
                if end > last.1 {
                    last.1 = end;
                }
            }
            _ => merged.push((start, end)),
        }
    }
    merged.shrink_to_fit();
    merged
}

/// Binary search in disjoint sorted inclusive intervals, among `ranges[lo..hi]` and the
/// one interval before `lo`.
fn in_ranges<T: RangeInt>(ranges: &[(T, T)], lo: usize, hi: usize, x: T) -> bool {
    let Some(window) = ranges.get(lo..hi) else {
        return false;
    };
    let after = lo + window.partition_point(|&(start, _)| start <= x);
    after > 0 && ranges[after - 1].1 >= x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_joins_overlapping_and_adjacent_and_keeps_gaps() {
        let merged = merge_ranges(vec![(10u32, 20), (21, 25), (5, 12), (30, 40), (32, 33)]);
        assert_eq!(merged, vec![(5, 25), (30, 40)]);
        let top = merge_ranges(vec![(0u32, u32::MAX), (7, 9)]);
        assert_eq!(top, vec![(0, u32::MAX)]);
    }

    #[test]
    fn in_ranges_boundaries() {
        let r = [(5u32, 25), (30, 40)];
        for (x, want) in [
            (4, false),
            (5, true),
            (25, true),
            (26, false),
            (29, false),
            (30, true),
            (40, true),
            (41, false),
        ] {
            assert_eq!(in_ranges(&r, 0, r.len(), x), want, "{x}");
        }
        assert!(!in_ranges::<u32>(&[], 0, 0, 0));
    }

    /// The indexed lookup agrees with a linear scan, including intervals that span
    /// several 16-bit buckets and buckets with no interval starting in them.
    #[test]
    fn indexed_ranges_agree_with_a_linear_scan() {
        let mut raw = Vec::new();
        // 300 short intervals packed into bucket 7, so the bucket itself is searched.
        for k in 0..300u32 {
            raw.push(((7 << 16) + k * 10, (7 << 16) + k * 10 + 3));
        }
        // Long intervals across bucket boundaries.
        raw.push((0x0000_fff0, 0x0002_0010));
        raw.push((0x00ff_0000, 0x0fff_ffff));
        raw.push((0xffff_fff0, u32::MAX));
        let ranges = Ranges::new(raw.clone());
        assert_eq!(ranges.index.len(), BUCKETS + 1, "index built");
        let linear = |x: u32| raw.iter().any(|&(a, b)| a <= x && x <= b);
        let mut probes = vec![
            0,
            1,
            u32::MAX,
            u32::MAX - 16,
            0x0001_0000,
            0x0002_0010,
            0x0002_0011,
        ];
        for &(a, b) in &raw {
            probes.extend([a.wrapping_sub(1), a, b, b.wrapping_add(1)]);
        }
        let mut x = 0x9e37_79b9u32;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            probes.push(x);
            probes.push((7 << 16) | (x & 0x1fff));
        }
        for p in probes {
            assert_eq!(ranges.contains(p), linear(p), "{p:#x}");
        }
    }
}
