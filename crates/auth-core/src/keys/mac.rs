//! HMAC keys: the precomputed keyed state of HS256/384/512.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use super::{Algorithm, SigOutput};
use crate::error::{Error, ErrorCode, Result};

/// The keyed HMAC state (inner and outer padded key blocks), wiped on drop.
#[derive(Clone)]
pub(super) enum MacState {
    S256(Hmac<Sha256>),
    S384(Hmac<Sha384>),
    S512(Hmac<Sha512>),
}

impl MacState {
    /// The keyed state of `secret` for an HMAC `alg` (`None` for other algorithms).
    pub(super) fn new(alg: Algorithm, secret: &[u8]) -> Result<Option<MacState>> {
        Ok(Some(match alg {
            Algorithm::HS256 => MacState::S256(keyed(secret)?),
            Algorithm::HS384 => MacState::S384(keyed(secret)?),
            Algorithm::HS512 => MacState::S512(keyed(secret)?),
            _ => return Ok(None),
        }))
    }

    /// HMAC of `parts` concatenated.
    pub(super) fn mac(&self, parts: &[&[u8]]) -> SigOutput {
        fn run<M: Mac + Clone>(m: &M, parts: &[&[u8]]) -> SigOutput {
            let mut m = m.clone();
            for p in parts {
                m.update(p);
            }
            SigOutput::from_slice(&m.finalize().into_bytes())
        }
        match self {
            MacState::S256(m) => run(m, parts),
            MacState::S384(m) => run(m, parts),
            MacState::S512(m) => run(m, parts),
        }
    }

    /// Constant-time check of `tag` against the HMAC of `msg` (any other length fails).
    pub(super) fn verify(&self, msg: &[u8], tag: &[u8]) -> bool {
        fn run<M: Mac + Clone>(m: &M, msg: &[u8], tag: &[u8]) -> bool {
            let mut m = m.clone();
            m.update(msg);
            m.verify_slice(tag).is_ok()
        }
        match self {
            MacState::S256(m) => run(m, msg, tag),
            MacState::S384(m) => run(m, msg, tag),
            MacState::S512(m) => run(m, msg, tag),
        }
    }
}

fn keyed<M: Mac + KeyInit>(secret: &[u8]) -> Result<M> {
    <M as KeyInit>::new_from_slice(secret)
        .map_err(|_| Error::with_message(ErrorCode::InvalidKey, "unusable HMAC secret"))
}
