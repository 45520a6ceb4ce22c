//! Secrets: generating them (`keygen`) and loading the one key `mint`/`verify` use.

use std::io::Read;

use auth_core::{Algorithm, Error, ErrorCode, Key, KeyRing, SystemRandom};
use zeroize::Zeroizing;

use crate::args::KeyArgs;
use crate::Failure;

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
        (Some(value), None) => {
            let bytes = env_secret(value)?;
            refuse_key_documents(&bytes, SECRET_ENV)?;
            Ok(bytes)
        }
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
            refuse_key_documents(&bytes, &format!("key file {}", path.display()))?;
            Ok(bytes)
        }
    }
}

/// An HMAC secret is raw bytes; a PEM key or a JSON document (a JWK or a JWK Set, public
/// ones included) given where a secret is expected is a mistake that would sign tokens with
/// text anyone may hold. Refused: such keys are read only with `--alg EdDSA|ES256`.
fn refuse_key_documents(secret: &[u8], source: &str) -> Result<(), Failure> {
    let text = secret.trim_ascii_start();
    let what = if text.starts_with(b"-----BEGIN") {
        "a PEM key"
    } else if matches!(
        serde_json::from_slice::<serde_json::Value>(secret),
        Ok(serde_json::Value::Object(_) | serde_json::Value::Array(_))
    ) {
        "a JSON document (a JWK or JWK Set?)"
    } else {
        return Ok(());
    };
    Err(Failure::usage(
        ErrorCode::InvalidKey,
        format!(
            "{source} holds {what}, not an HMAC secret: pass --alg EdDSA or --alg ES256 with \
             --key-file for a PEM key, --jwks for a JWK Set to verify with; an HS256 secret is \
             raw bytes (`authctl keygen` writes one)"
        ),
    ))
}

/// The secret in `AUTHCTL_SECRET`, if it is set (for `demo`, which needs none).
pub(crate) fn optional_env_secret() -> Result<Option<Zeroizing<Vec<u8>>>, Failure> {
    std::env::var_os(SECRET_ENV).map(env_secret).transpose()
}

/// The value of `AUTHCTL_SECRET`: its UTF-8 bytes as they are (docs/cli.md). A value ending
/// in a line break (`\n` or `\r`) is refused rather than used: a secret copied from a
/// file with its newline would otherwise make a key that matches neither `--key-file`
/// (which removes one newline) nor `$(cat FILE)` (which removes them all).
fn env_secret(value: std::ffi::OsString) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let bytes = Zeroizing::new(value.into_encoded_bytes());
    if std::str::from_utf8(&bytes).is_err() {
        return Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!("{SECRET_ENV} is not valid UTF-8"),
        ));
    }
    if matches!(bytes.last(), Some(b'\n' | b'\r')) {
        return Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!(
                "{SECRET_ENV} ends with a line break; its bytes are used as they are, so remove it \
                 (`export {SECRET_ENV}=\"$(cat FILE)\"` does) or use --key-file PATH, \
                 which removes one trailing newline"
            ),
        ));
    }
    Ok(bytes)
}

/// A ring holding the one key selected by `--kid`, `--alg` and the secret.
pub(crate) fn load_ring(args: &KeyArgs) -> Result<KeyRing, Failure> {
    let alg = Algorithm::parse(&args.alg.alg).map_err(Failure::Usage)?;
    let secret = load_secret(args.key_file.as_deref())?;
    let key = Key::new(&args.kid, alg, &secret).map_err(Failure::Usage)?;
    Ok(KeyRing::single(key))
}
