//! Secrets: generating them (`keygen`) and loading the one key `mint`/`verify` use.

use std::io::Read;

use auth_core::{Algorithm, Error, ErrorCode, Key, KeyRing, SystemRandom};
use zeroize::Zeroizing;

use crate::{Failure, KeyArgs};

/// The environment variable holding the secret.
pub(crate) const SECRET_ENV: &str = "AUTHCTL_SECRET";

/// Largest key file read, so that a wrong path (a device, a huge file) fails fast.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// A new HS256 secret (see [`auth_core::generate_secret`]).
pub(crate) fn keygen() -> Result<String, Error> {
    auth_core::generate_secret(&SystemRandom)
}

/// A new secret long enough for the `--alg` algorithm (see
/// [`auth_core::generate_secret_for`]): 43 characters for HS256, 48 for HS384, 64 for HS512.
pub(crate) fn keygen_for(alg: &str) -> Result<String, Error> {
    auth_core::generate_secret_for(Algorithm::parse(alg)?, &SystemRandom)
}

/// The secret from `AUTHCTL_SECRET` or `--key-file` (exactly one of them), in a buffer
/// wiped when dropped (a plain `fill(0)` before a drop may be optimized away).
fn load_secret(key_file: Option<&std::path::Path>) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let env = std::env::var_os(SECRET_ENV);
    match (env, key_file) {
        (Some(_), Some(_)) => Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!("the secret is given twice: unset {SECRET_ENV} or drop --key-file"),
        )),
        (None, None) => Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!("no secret: set {SECRET_ENV} or pass --key-file PATH"),
        )),
        (Some(value), None) => value
            .into_string()
            .map(|s| Zeroizing::new(s.into_bytes()))
            .map_err(|value| {
                // Wipe the rejected bytes too.
                drop(Zeroizing::new(value.into_encoded_bytes()));
                Failure::usage(
                    ErrorCode::InvalidKey,
                    format!("{SECRET_ENV} is not valid UTF-8"),
                )
            }),
        (None, Some(path)) => {
            let cannot = |e: std::io::Error| {
                Failure::usage(
                    ErrorCode::InvalidKey,
                    format!("cannot read key file {}: {e}", path.display()),
                )
            };
            // Room for the largest file read, so that the buffer never reallocates and
            // leaves a copy of the secret behind unwiped.
            let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_KEY_FILE as usize + 1));
            std::fs::File::open(path)
                .map_err(cannot)?
                .take(MAX_KEY_FILE + 1)
                .read_to_end(&mut bytes)
                .map_err(cannot)?;
            if bytes.len() as u64 > MAX_KEY_FILE {
                return Err(Failure::usage(
                    ErrorCode::InvalidKey,
                    format!(
                        "key file {} is larger than {MAX_KEY_FILE} bytes",
                        path.display()
                    ),
                ));
            }
            // Exactly one trailing "\n": not "\r\n", not more.
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
            }
            Ok(bytes)
        }
    }
}

/// A ring holding the one key selected by `--kid`, `--alg` and the secret.
pub(crate) fn load_ring(args: &KeyArgs) -> Result<KeyRing, Failure> {
    let alg = Algorithm::parse(&args.alg).map_err(Failure::Usage)?;
    let secret = load_secret(args.key_file.as_deref())?;
    let key = Key::new(&args.kid, alg, &secret).map_err(Failure::Usage)?;
    Ok(KeyRing::single(key))
}
