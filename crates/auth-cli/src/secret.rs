//! Secrets: generating them (`keygen`) and loading the one key `mint`/`verify` use.

use std::io::Read;

use auth_core::{Algorithm, Error, ErrorCode, Key, KeyRing, SystemRandom};

use crate::{Failure, KeyArgs};

/// The environment variable holding the secret.
pub(crate) const SECRET_ENV: &str = "AUTHCTL_SECRET";

/// Largest key file read, so that a wrong path (a device, a huge file) fails fast.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// A new secret (see [`auth_core::generate_secret`]).
pub(crate) fn keygen() -> Result<String, Error> {
    auth_core::generate_secret(&SystemRandom)
}

/// The secret from `AUTHCTL_SECRET` or `--key-file` (exactly one of them).
fn load_secret(key_file: Option<&std::path::Path>) -> Result<Vec<u8>, Failure> {
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
        (Some(value), None) => value.into_string().map(String::into_bytes).map_err(|_| {
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
            let mut bytes = Vec::new();
            std::fs::File::open(path)
                .map_err(cannot)?
                .take(MAX_KEY_FILE + 1)
                .read_to_end(&mut bytes)
                .map_err(cannot)?;
            if bytes.len() as u64 > MAX_KEY_FILE {
                bytes.fill(0);
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
    let mut secret = load_secret(args.key_file.as_deref())?;
    let key = Key::new(&args.kid, alg, &secret);
    secret.fill(0);
    Ok(KeyRing::single(key.map_err(Failure::Usage)?))
}
