//! The stored form of a `jti`: a 64-bit seeded hash, and the pass-through hasher that lets
//! the table use it as is.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A `jti` as stored: a 64-bit seeded hash of it (foldhash's quality variant under a random
/// per-store seed: a few nanoseconds for a token id, where SipHash took about twenty).
///
/// One hash chooses both the shard and the slot: the shard comes from bits 32–35, while
/// the table takes its bucket index from the low bits and its 7-bit tag from the top
/// bits, so the three choices are independent. A table slot is then 16 bytes (key and
/// `forget_at`), small enough that most of a million entries' table stays in cache.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct JtiKey(pub(super) u64);

impl Hash for JtiKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The key already is a keyed hash: hand it to the table as is.
        state.write_u64(self.0);
    }
}

/// Hasher for [`JtiKey`]: passes the already-random, attacker-unpredictable `u64` through.
#[derive(Default)]
pub(super) struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not used by `JtiKey`; a reasonable fold so the type stays correct for any input.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type JtiMap = HashMap<JtiKey, u64, BuildHasherDefault<PassThroughHasher>>;
