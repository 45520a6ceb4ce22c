//! Randomness: the source token ids and generated secrets come from.
//!
//! The core reads no global state: the operating system's CSPRNG is the default
//! [`RandomSource`], and every function that needs random bytes takes one.

use base64::Engine as _;

use crate::error::{Error, ErrorCode, Result};
use crate::jws::B64;

/// A source of random bytes for token ids.
pub trait RandomSource: Send + Sync {
    /// Fills `buf` with unpredictable bytes; fails closed (no token is minted) on error.
    fn fill(&self, buf: &mut [u8]) -> Result<()>;
}

/// The operating system's CSPRNG (the default [`RandomSource`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemRandom;

impl RandomSource for SystemRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<()> {
        getrandom::getrandom(buf).map_err(|_| {
            Error::with_message(
                ErrorCode::InvalidRequest,
                "no randomness available for a token id",
            )
        })
    }
}

/// Bytes of randomness in a generated token id (128 bits).
pub const TOKEN_ID_BYTES: usize = 16;

/// Generates a token id: 128 random bits as 22 base64url characters.
pub fn generate_token_id(rng: &dyn RandomSource) -> Result<String> {
    let mut b = [0u8; TOKEN_ID_BYTES];
    rng.fill(&mut b)?;
    Ok(B64.encode(b))
}
