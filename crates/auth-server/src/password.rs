//! Passwords: Argon2id hashes in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
//!
//! Verification reads the parameters from the stored string, so hashes made with other
//! parameters keep working; new hashes use [`HashParams`]. Comparison of the computed and
//! stored hashes is constant-time (the `password-hash` crate's `Output` comparison).
//!
//! **Old hashes are replaced at login.** When a password is right and its stored hash was made
//! with other parameters (memory, passes, lanes, variant or version) than the server's,
//! [`Passwords::needs_rehash`] says so and the login stores a new hash made with the current
//! ones: after a parameter change, accounts move to the new cost as they log in.
//!
//! **Unknown accounts cost what known ones cost.** An unknown login is verified against a
//! dummy hash, so a refusal always costs one Argon2 run. Its parameters are those of the
//! stored hashes ([`StoredHashes`], read at start): each unknown name gets one set, chosen
//! by a keyed hash of the name (a random key per process) and weighted by how many accounts
//! use each set ([`Passwords::dummy_params`]). The same name always costs the same, like some
//! existing account would, so the time of a refusal does not tell an unknown name from an
//! account whose hash uses older parameters. At most [`MAX_DUMMY_SETS`] sets, the most used,
//! are mimicked, and sets beyond [`MAX_DUMMY_COST`] are ignored; with no account, the dummy
//! uses the current parameters.

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use auth_core::{Error, ErrorCode};

use crate::argon_memory::WorkingMemory;

/// Argon2id cost parameters of new hashes.
///
/// The default is the `argon2` crate's (and OWASP's) recommendation: 19 MiB of memory, 2
/// passes, 1 lane. Lower them only for tests (`--argon2-memory-kib`/`--argon2-iterations`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HashParams {
    /// Memory in KiB (`m`), at least 8 per lane.
    pub memory_kib: u32,
    /// Passes (`t`), at least 1.
    pub iterations: u32,
    /// Lanes (`p`), at least 1.
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

/// The most distinct parameter sets the dummy hashes mimic (the most used ones).
pub const MAX_DUMMY_SETS: usize = 8;

/// The largest cost a dummy hash is made with: 2 GiB (RFC 9106's first recommendation), 32
/// passes, 64 lanes. A stored hash beyond it is verified as it is, but not mimicked.
pub const MAX_DUMMY_COST: HashParams = HashParams {
    memory_kib: 2 * 1024 * 1024,
    iterations: 32,
    parallelism: 64,
};

/// What verifying a hash costs: the parameters of a PHC string (variant, version, cost).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoredParams {
    algorithm: Algorithm,
    version: Version,
    cost: HashParams,
}

impl StoredParams {
    /// The parameters of new hashes with this cost: Argon2id, version 0x13.
    pub fn current(cost: HashParams) -> Self {
        StoredParams {
            algorithm: Algorithm::Argon2id,
            version: Version::V0x13,
            cost,
        }
    }

    /// The parameters of a PHC string; `None` if it is not an Argon2 hash Argon2 accepts. A
    /// string without `v=` is version 0x13, as the `argon2` crate verifies it.
    pub fn of(phc: &str) -> Option<Self> {
        let hash = PasswordHash::new(phc).ok()?;
        let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
        let version = match hash.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&hash).ok()?;
        Some(StoredParams {
            algorithm,
            version,
            cost: HashParams {
                memory_kib: params.m_cost(),
                iterations: params.t_cost(),
                parallelism: params.p_cost(),
            },
        })
    }

    /// The variant: `argon2d`, `argon2i` or `argon2id`.
    pub fn algorithm(&self) -> &'static str {
        self.algorithm.as_str()
    }

    /// The version: 16 (0x10) or 19 (0x13).
    pub fn version(&self) -> u32 {
        self.version.into()
    }

    /// Memory, passes and lanes.
    pub fn cost(&self) -> HashParams {
        self.cost
    }

    /// Whether a dummy hash may be made with these (within [`MAX_DUMMY_COST`]).
    fn mimicked(&self) -> bool {
        let (c, max) = (self.cost, MAX_DUMMY_COST);
        c.memory_kib <= max.memory_kib
            && c.iterations <= max.iterations
            && c.parallelism <= max.parallelism
            && self.hasher().is_ok()
    }

    fn hasher(&self) -> Result<Argon2<'static>, Error> {
        let c = self.cost;
        let params = Params::new(c.memory_kib, c.iterations, c.parallelism, None)
            .map_err(|e| hash_error(&e.to_string()))?;
        Ok(Argon2::new(self.algorithm, self.version, params))
    }
}

/// The parameter sets of the stored hashes and how many accounts use each: what the dummy
/// hashes of [`Passwords::for_accounts`] mimic. Fill it with [`add`](StoredHashes::add)
/// (the service reads every user's and reseller's hash at start).
#[derive(Clone, Debug, Default)]
pub struct StoredHashes {
    counts: BTreeMap<StoredParams, u64>,
}

impl StoredHashes {
    /// Counts one account's stored hash (a string that is not an Argon2 hash is skipped).
    pub fn add(&mut self, phc: &str) {
        if let Some(params) = StoredParams::of(phc) {
            *self.counts.entry(params).or_default() += 1;
        }
    }

    /// Each parameter set with its number of accounts.
    pub fn counts(&self) -> impl Iterator<Item = (StoredParams, u64)> + '_ {
        self.counts.iter().map(|(p, n)| (*p, *n))
    }
}

/// A dummy hash and how many accounts its parameters stand for.
struct Dummy {
    params: StoredParams,
    weight: u64,
    phc: String,
}

/// Hashes and verifies passwords. `Send + Sync`; the work is CPU-bound (tens of
/// milliseconds with the default parameters): call it off the async executor.
pub struct Passwords {
    current: StoredParams,
    argon: Argon2<'static>,
    /// Most used first; never empty.
    dummies: Vec<Dummy>,
    /// The sum of the dummies' weights.
    total: u64,
    /// Picks an unknown name's dummy (random keys per process).
    key: RandomState,
    /// Argon2 working buffers, reused across checks.
    memory: WorkingMemory,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("params", &self.current)
            .field("dummy_sets", &self.dummy_sets())
            .finish_non_exhaustive()
    }
}

fn hash_error(what: &str) -> Error {
    Error::with_message(
        ErrorCode::InvalidRequest,
        format!("password hashing: {what}"),
    )
}

/// The password of every dummy hash.
const DUMMY_PASSWORD: &[u8] = b"no account has this password";

fn hash_with(argon: &Argon2<'_>, password: &[u8]) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|e| hash_error(&e.to_string()))
}

impl Passwords {
    /// A hasher with these parameters (`invalid_request` if Argon2 refuses them), as for a
    /// service with no account: unknown accounts are verified against a dummy hash with
    /// these parameters.
    pub fn new(params: HashParams) -> Result<Self, Error> {
        Passwords::for_accounts(params, &StoredHashes::default())
    }

    /// A hasher with these parameters whose dummy hashes mimic the accounts' `stored` ones
    /// (module docs): one dummy hash per parameter set, made now, at most
    /// [`MAX_DUMMY_SETS`] of them.
    pub fn for_accounts(params: HashParams, stored: &StoredHashes) -> Result<Self, Error> {
        let current = StoredParams::current(params);
        let argon = current.hasher()?;
        let mut sets: Vec<(StoredParams, u64)> =
            stored.counts().filter(|(p, _)| p.mimicked()).collect();
        sets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        sets.truncate(MAX_DUMMY_SETS);
        if sets.is_empty() {
            sets.push((current, 1));
        }
        let dummies = sets
            .into_iter()
            .map(|(params, weight)| {
                Ok(Dummy {
                    params,
                    weight,
                    phc: hash_with(&params.hasher()?, DUMMY_PASSWORD)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Passwords {
            current,
            argon,
            total: dummies.iter().map(|d| d.weight).sum(),
            dummies,
            key: RandomState::new(),
            memory: WorkingMemory::default(),
        })
    }

    /// A new PHC string for `password`, with the current parameters and a random 16-byte
    /// salt.
    pub fn hash(&self, password: &[u8]) -> Result<String, Error> {
        hash_with(&self.argon, password)
    }

    /// Whether `password` matches `stored` (a PHC string), the hash of `account`. `None` (no
    /// such account) and an unreadable stored string are verified against `account`'s
    /// dummy hash ([`dummy_params`](Passwords::dummy_params)) and answer `false`, so every
    /// refusal costs one Argon2 run, like an existing account's.
    pub fn verify(&self, account: &str, password: &[u8], stored: Option<&str>) -> bool {
        let parsed = stored.and_then(|s| PasswordHash::new(s).ok());
        match parsed {
            Some(hash) => self.memory.verify(password, &hash),
            None => {
                if let Ok(dummy) = PasswordHash::new(&self.dummy(account).phc) {
                    let _ = self.memory.verify(password, &dummy);
                }
                false
            }
        }
    }

    /// Whether `stored` (a hash whose password was just verified) was made with other
    /// parameters than the current ones, and should be replaced by [`hash`](Passwords::hash).
    pub fn needs_rehash(&self, stored: &str) -> bool {
        StoredParams::of(stored).is_some_and(|p| p != self.current)
    }

    /// Argon2 working buffers kept between checks (at most 8: one per check in flight is
    /// reused, the rest are freed).
    pub fn pooled_buffers(&self) -> usize {
        self.memory.pooled()
    }

    /// The parameters of new hashes.
    pub fn params(&self) -> StoredParams {
        self.current
    }

    /// The parameters of the dummy hash an unknown `account` is verified against: always
    /// the same for one name in one process.
    pub fn dummy_params(&self, account: &str) -> StoredParams {
        self.dummy(account).params
    }

    /// The parameter sets of the dummy hashes with their weights (accounts), most used first.
    pub fn dummy_sets(&self) -> Vec<(StoredParams, u64)> {
        self.dummies.iter().map(|d| (d.params, d.weight)).collect()
    }

    /// `account`'s dummy: a keyed hash of the name, scaled to the total weight, picks one.
    fn dummy(&self, account: &str) -> &Dummy {
        let h = self.key.hash_one(account);
        let mut pick = ((u128::from(h) * u128::from(self.total)) >> 64) as u64;
        for d in &self.dummies {
            if pick < d.weight {
                return d;
            }
            pick -= d.weight;
        }
        &self.dummies[self.dummies.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Passwords {
        Passwords::new(HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let p = cheap();
        let h = p.hash(b"your_password").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(p.verify("a", b"your_password", Some(&h)));
        assert!(!p.verify("a", b"your_passwore", Some(&h)));
        assert!(!p.verify("a", b"", Some(&h)));
        // Salted: the same password hashes differently.
        assert_ne!(h, p.hash(b"your_password").unwrap());
    }

    #[test]
    fn unknown_accounts_and_broken_hashes_are_refused() {
        let p = cheap();
        assert!(!p.verify("a", DUMMY_PASSWORD, None));
        assert!(!p.verify("a", b"x", Some("not a phc string")));
        assert!(!p.verify("a", b"x", Some("")));
    }

    const CHEAP: HashParams = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    /// A PHC string with these parameters; salt and output are made up (only the
    /// parameters are read).
    fn phc(algorithm: &str, version: u32, m: u32, t: u32, p: u32) -> String {
        format!(
            "${algorithm}$v={version}$m={m},t={t},p={p}$c29tZXNhbHRzYWx0${}",
            "A".repeat(43)
        )
    }

    fn params_of(phc: &str) -> StoredParams {
        StoredParams::of(phc).unwrap()
    }

    #[test]
    fn a_hash_made_with_other_parameters_needs_a_rehash() {
        let p = cheap();
        let h = p.hash(b"pw").unwrap();
        assert!(!p.needs_rehash(&h));
        assert_eq!(params_of(&h), p.params());
        assert!(!p.needs_rehash(&phc("argon2id", 19, 64, 1, 1)));
        for other in [
            phc("argon2id", 19, 128, 1, 1),
            phc("argon2id", 19, 64, 2, 1),
            phc("argon2id", 19, 64, 1, 2),
            phc("argon2i", 19, 64, 1, 1),
            phc("argon2d", 19, 64, 1, 1),
            phc("argon2id", 16, 64, 1, 1),
        ] {
            assert!(p.needs_rehash(&other), "{other}");
        }
        assert!(!p.needs_rehash("not a phc string"));
        let old = params_of(&phc("argon2i", 16, 128, 3, 2));
        assert_eq!((old.algorithm(), old.version()), ("argon2i", 16));
        assert_eq!(
            old.cost(),
            HashParams {
                memory_kib: 128,
                iterations: 3,
                parallelism: 2
            }
        );
    }

    #[test]
    fn with_no_account_the_dummy_has_the_current_parameters() {
        let p = cheap();
        assert_eq!(p.dummy_params("nobody"), StoredParams::current(CHEAP));
        assert_eq!(p.dummy_sets(), vec![(StoredParams::current(CHEAP), 1)]);
    }

    #[test]
    fn an_unknown_name_always_gets_one_set_weighted_by_the_accounts_using_it() {
        let (old, new) = (
            phc("argon2id", 19, 128, 2, 1),
            phc("argon2id", 19, 64, 1, 1),
        );
        let mut stored = StoredHashes::default();
        for _ in 0..300 {
            stored.add(&old);
        }
        for _ in 0..100 {
            stored.add(&new);
        }
        let p = Passwords::for_accounts(CHEAP, &stored).unwrap();
        assert_eq!(
            p.dummy_sets(),
            vec![(params_of(&old), 300), (params_of(&new), 100)]
        );
        let mut old_ones = 0;
        for i in 0..2000 {
            let name = format!("nobody{i}@example.com");
            let got = p.dummy_params(&name);
            assert_eq!(got, p.dummy_params(&name), "the same name, the same cost");
            assert!(got == params_of(&old) || got == params_of(&new));
            old_ones += usize::from(got == params_of(&old));
        }
        // 3 in 4 expected (1500 ± 19 for one standard deviation).
        assert!((1300..1700).contains(&old_ones), "{old_ones}");
        // Unknown names are verified against those dummies, and refused.
        assert!(!p.verify("nobody1@example.com", DUMMY_PASSWORD, None));
    }

    #[test]
    fn only_the_most_used_sets_within_bounds_are_mimicked() {
        let mut stored = StoredHashes::default();
        // Ten sets: set i is used by i + 1 accounts.
        for i in 0..10u32 {
            for _ in 0..=i {
                stored.add(&phc("argon2id", 19, 64 + 8 * i, 1, 1));
            }
        }
        // Used by more accounts, but beyond MAX_DUMMY_COST or not Argon2: ignored.
        for _ in 0..50 {
            stored.add(&phc("argon2id", 19, 4 * 1024 * 1024, 1, 1));
            stored.add(&phc("argon2id", 19, 64, 1000, 1));
            stored.add(&phc("argon2id", 19, 1024, 1, 100));
            stored.add(&phc("argon2id", 19, 8, 1, 2));
            stored.add("$pbkdf2-sha256$i=1000$c29tZXNhbHQ$AAAA");
        }
        let p = Passwords::for_accounts(CHEAP, &stored).unwrap();
        let sets = p.dummy_sets();
        let memories: Vec<u32> = sets.iter().map(|(s, _)| s.cost().memory_kib).collect();
        assert_eq!(
            memories,
            (2..10).rev().map(|i| 64 + 8 * i).collect::<Vec<u32>>()
        );
        assert_eq!(sets.len(), MAX_DUMMY_SETS);
        for i in 0..200 {
            let got = p.dummy_params(&format!("n{i}"));
            assert!(sets.iter().any(|(s, _)| *s == got), "{got:?}");
        }
    }

    #[test]
    fn dummies_of_other_variants_and_versions_verify() {
        let mut stored = StoredHashes::default();
        stored.add(&phc("argon2i", 16, 64, 1, 1));
        stored.add(&phc("argon2d", 19, 64, 1, 1));
        let p = Passwords::for_accounts(CHEAP, &stored).unwrap();
        for i in 0..20 {
            let name = format!("n{i}");
            assert_ne!(p.dummy_params(&name), p.params());
            assert!(!p.verify(&name, DUMMY_PASSWORD, None));
        }
    }

    #[test]
    fn the_default_parameters_are_the_recommended_ones() {
        assert_eq!(
            HashParams::default(),
            HashParams {
                memory_kib: 19 * 1024,
                iterations: 2,
                parallelism: 1
            }
        );
        assert!(Passwords::new(HashParams {
            memory_kib: 0,
            iterations: 0,
            parallelism: 0
        })
        .is_err());
    }
}
