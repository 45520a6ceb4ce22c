//! Argon2 working memory, reused: a password check borrows a buffer of the hash's size from a
//! small pool and gives it back, instead of allocating and freeing its 19 MiB (by default) for
//! every check.
//!
//! Freed buffers of that size are not returned to the system by glibc once its dynamic mmap
//! threshold has risen past them: under a load of logins a service process held about 1.4 GiB
//! of freed Argon2 buffers (PERFORMANCE.md, the service under load). With the pool it holds one
//! buffer per check running at once — bounded by the check slots of the failed-login limiter —
//! and at most [`MAX_POOLED`] between checks.

use std::sync::Mutex;

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Buffers kept between checks at most; more are freed when given back.
pub const MAX_POOLED: usize = 8;

/// The largest salt read from a PHC string, in bytes (the PHC format allows 64).
const MAX_SALT: usize = 64;

/// The pool of Argon2 working buffers of one [`Passwords`](crate::Passwords).
#[derive(Default)]
pub(crate) struct WorkingMemory {
    pool: Mutex<Vec<Vec<Block>>>,
}

impl WorkingMemory {
    /// Whether `password` is the one `hash` (a parsed PHC string) was made from: the hash
    /// recomputed with the parameters, salt, variant and version the string names, into a
    /// pooled buffer, and compared in constant time (`password-hash`'s `Output`). Anything the
    /// string lacks or that Argon2 refuses answers `false`.
    pub(crate) fn verify(&self, password: &[u8], hash: &PasswordHash<'_>) -> bool {
        let (Some(expected), Some(salt)) = (hash.hash, hash.salt) else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
            return false;
        };
        let version = match hash.version {
            None => Version::default(),
            Some(v) => match Version::try_from(v) {
                Ok(v) => v,
                Err(_) => return false,
            },
        };
        let Ok(params) = Params::try_from(hash) else {
            return false;
        };
        let mut salt_bytes = [0u8; MAX_SALT];
        let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let blocks = params.block_count();
        let argon = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        let mut buffer = self.take(blocks);
        let computed =
            argon.hash_password_into_with_memory(password, salt, &mut out, &mut buffer[..blocks]);
        self.give_back(buffer);
        computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
    }

    /// A buffer of at least `blocks` blocks: a pooled one (grown if it is smaller), else new.
    fn take(&self, blocks: usize) -> Vec<Block> {
        let pooled = self.lock().pop();
        let mut buffer = pooled.unwrap_or_default();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        buffer
    }

    fn give_back(&self, buffer: Vec<Block>) {
        let mut pool = self.lock();
        if pool.len() < MAX_POOLED {
            pool.push(buffer);
        }
    }

    /// Buffers kept between checks now.
    pub(crate) fn pooled(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, SaltString};

    use super::*;

    /// PHC strings of every variant and both versions, with small costs.
    fn hashes(password: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d] {
            for version in [Version::V0x13, Version::V0x10] {
                for (m, t, p) in [(64, 1, 1), (96, 2, 2)] {
                    let params = Params::new(m, t, p, None).unwrap();
                    let salt = SaltString::encode_b64(b"sixteen byte sal").unwrap();
                    let argon = Argon2::new(algorithm, version, params);
                    out.push(argon.hash_password(password, &salt).unwrap().to_string());
                }
            }
        }
        out
    }

    #[test]
    fn verdicts_are_the_argon2_crates_own() {
        let memory = WorkingMemory::default();
        for phc in hashes(b"your_password") {
            let hash = PasswordHash::new(&phc).unwrap();
            for guess in [&b"your_password"[..], b"your_passwore", b""] {
                let theirs = Argon2::default().verify_password(guess, &hash).is_ok();
                assert_eq!(memory.verify(guess, &hash), theirs, "{phc} {guess:?}");
            }
        }
        // A string without a hash or a salt is no match.
        let bare = PasswordHash::new("$argon2id$v=19$m=64,t=1,p=1").unwrap();
        assert!(!memory.verify(b"", &bare));
    }

    #[test]
    fn buffers_are_reused_not_freed() {
        let memory = WorkingMemory::default();
        let phc = &hashes(b"pw")[0];
        let hash = PasswordHash::new(phc).unwrap();
        for _ in 0..5 {
            assert!(memory.verify(b"pw", &hash));
        }
        assert_eq!(memory.pooled(), 1, "one check at a time holds one buffer");
        let many: Vec<_> = (0..MAX_POOLED + 3).map(|_| memory.take(64)).collect();
        for b in many {
            memory.give_back(b);
        }
        assert_eq!(memory.pooled(), MAX_POOLED);
    }
}
