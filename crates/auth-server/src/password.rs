//! Passwords: Argon2id hashes in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
//!
//! Verification reads the parameters from the stored string, so hashes made with other
//! parameters keep working; new hashes use [`HashParams`]. Comparison of the computed and
//! stored hashes is constant-time (the `password-hash` crate's `Output` comparison). An
//! unknown account is verified against a dummy hash made with the same parameters at start,
//! so it costs the same time as a wrong password and the answer's timing does not tell
//! whether an account exists.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use auth_core::{Error, ErrorCode};

/// Argon2id cost parameters of new hashes.
///
/// The default is the `argon2` crate's (and OWASP's) recommendation: 19 MiB of memory, 2
/// passes, 1 lane. Lower them only for tests (`--argon2-memory-kib`/`--argon2-iterations`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Hashes and verifies passwords. `Send + Sync`; the work is CPU-bound (tens of
/// milliseconds with the default parameters): call it off the async executor.
pub struct Passwords {
    argon: Argon2<'static>,
    dummy: String,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("params", self.argon.params())
            .finish_non_exhaustive()
    }
}

fn hash_error(what: &str) -> Error {
    Error::with_message(
        ErrorCode::InvalidRequest,
        format!("password hashing: {what}"),
    )
}

impl Passwords {
    /// A hasher with these parameters (`invalid_request` if Argon2 refuses them).
    pub fn new(params: HashParams) -> Result<Self, Error> {
        let params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| hash_error(&e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut passwords = Passwords {
            argon,
            dummy: String::new(),
        };
        passwords.dummy = passwords.hash(b"no account has this password")?;
        Ok(passwords)
    }

    /// A new PHC string for `password`, with a random 16-byte salt.
    pub fn hash(&self, password: &[u8]) -> Result<String, Error> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon
            .hash_password(password, &salt)
            .map(|h| h.to_string())
            .map_err(|e| hash_error(&e.to_string()))
    }

    /// Whether `password` matches `stored` (a PHC string). `None` (no such account) and an
    /// unreadable stored string are verified against the dummy hash and answer `false`, so
    /// every refusal costs one Argon2 run.
    pub fn verify(&self, password: &[u8], stored: Option<&str>) -> bool {
        let parsed = stored.and_then(|s| PasswordHash::new(s).ok());
        match parsed {
            Some(hash) => self.argon.verify_password(password, &hash).is_ok(),
            None => {
                if let Ok(dummy) = PasswordHash::new(&self.dummy) {
                    let _ = self.argon.verify_password(password, &dummy);
                }
                false
            }
        }
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
        assert!(p.verify(b"your_password", Some(&h)));
        assert!(!p.verify(b"your_passwore", Some(&h)));
        assert!(!p.verify(b"", Some(&h)));
        // Salted: the same password hashes differently.
        assert_ne!(h, p.hash(b"your_password").unwrap());
    }

    #[test]
    fn unknown_accounts_and_broken_hashes_are_refused() {
        let p = cheap();
        assert!(!p.verify(b"no account has this password", None));
        assert!(!p.verify(b"x", Some("not a phc string")));
        assert!(!p.verify(b"x", Some("")));
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
