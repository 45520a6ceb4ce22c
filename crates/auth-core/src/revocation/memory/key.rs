//! The stored form of a `jti`: a 64-bit seeded hash.

/// A `jti` as stored: a 64-bit seeded hash of it (foldhash's quality variant under a random
/// per-store seed: a few nanoseconds for a token id, where SipHash took about twenty).
///
/// One hash chooses the shard, the slot and the filter block: the shard comes from bits
/// 32–35, the table's first slot from the low bits, and the filter block from a
/// multiplication of the whole key, so the choices are independent. A table slot is 16
/// bytes (key and `forget_at`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct JtiKey(pub(super) u64);
