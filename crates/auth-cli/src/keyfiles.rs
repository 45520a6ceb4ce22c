//! Asymmetric keys on the command line: `keygen --alg EdDSA|ES256|ES384|ES512|RS256…PS512`
//! (PKCS#8 PEM),
//! `jwks --key-file PEM` (the public JWK Set), PEM key files for `mint` and `verify`, and
//! `verify --jwks PATH` (a verify-only ring from a JWK Set file; docs/cli.md).

use std::io::Read;
use std::path::{Path, PathBuf};

use auth_core::{Algorithm, ErrorCode, Key, KeyRing, SystemRandom};
use clap::Args;
use zeroize::Zeroizing;

use crate::args::KeyArgs;
use crate::Failure;

/// Largest PEM or JWK Set file read.
const MAX_FILE: u64 = 256 * 1024;

/// `authctl jwks`: the public JWK Set of one asymmetric key.
#[derive(Debug, Args)]
pub(crate) struct JwksArgs {
    /// The key's PEM file: a PKCS#8 private key (as `authctl keygen --alg ALG` writes), an
    /// SPKI public key, or a PKCS#1 RSA key.
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: PathBuf,
    /// The algorithm an RSA key is published for (RS256 … PS512; default RS256). An EC or
    /// Ed25519 key has one algorithm; giving another is an error.
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: Option<String>,
    /// Key id (`kid`) the key is published under (the one `mint --kid` uses).
    #[arg(long, value_name = "ID", default_value = "default")]
    pub(crate) kid: String,
}

fn read_text(path: &Path, what: &str) -> Result<Zeroizing<String>, Failure> {
    let cannot = |e: std::io::Error| {
        Failure::usage(
            ErrorCode::InvalidKey,
            format!("cannot read {what} {}: {e}", path.display()),
        )
    };
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_FILE as usize + 1));
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!("{what} {} is larger than {MAX_FILE} bytes", path.display()),
        ));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!("{what} {} is not UTF-8 text", path.display()),
        )),
    }
}

/// `keygen --alg ALG`: an HMAC secret (HS256/384/512) or a PKCS#8 PEM private key
/// (EdDSA, ES256/384/512, RS256 … PS512 — RSA keys of 2048 bits; several lines ending with a
/// newline).
pub(crate) fn keygen(alg: &str) -> Result<Zeroizing<String>, Failure> {
    let parsed = Algorithm::parse(alg).map_err(Failure::Usage)?;
    if parsed.is_hmac() {
        return crate::secret::keygen_for(alg)
            .map(Zeroizing::new)
            .map_err(Failure::Usage);
    }
    let alg = parsed;
    let key = Key::generate("generated", alg, &SystemRandom).map_err(Failure::Usage)?;
    let mut pem = key.private_key_pem().map_err(Failure::Usage)?;
    // `emit` adds the final newline.
    while pem.ends_with('\n') {
        pem.pop();
    }
    Ok(pem)
}

/// `jwks --key-file PEM --kid ID`: the key's public JWK Set.
pub(crate) fn jwks(args: &JwksArgs) -> Result<String, Failure> {
    let pem = read_text(&args.key_file, "key file")?;
    let key = match &args.alg {
        Some(alg) => {
            let alg = Algorithm::parse(alg).map_err(Failure::Usage)?;
            Key::from_pem_for(&args.kid, alg, &pem)
        }
        None => Key::from_pem(&args.kid, &pem),
    };
    Ok(KeyRing::single(key.map_err(Failure::Usage)?).to_jwks())
}

/// The JWKS client of `authctl verify --jwks-url URL [--jwks-ca FILE] [--jwks-allow-http]`
/// (a key file as well is a usage error).
pub(crate) fn jwks_client(
    url: &str,
    args: &crate::args::VerifyArgs,
) -> Result<auth_jwks::JwksClient, Failure> {
    if args.key.key_file.is_some() {
        return Err(Failure::usage(
            ErrorCode::InvalidKey,
            "--jwks-url and --key-file both give keys: use one",
        ));
    }
    let mut options = auth_jwks::JwksOptions::default();
    options.ca_file = args.jwks_ca.clone();
    options.allow_http = args.jwks_allow_http;
    auth_jwks::JwksClient::new(url, options).map_err(Failure::Usage)
}

/// The ring `mint` and `verify` use: from `--jwks PATH` (verify only), from a PEM key file
/// for an asymmetric `--alg` (an RSA key is pinned to the `--alg` given), or the HMAC secret (`AUTHCTL_SECRET` or `--key-file`).
pub(crate) fn load_ring(key: &KeyArgs, jwks: Option<&Path>) -> Result<KeyRing, Failure> {
    if let Some(path) = jwks {
        if key.key_file.is_some() {
            return Err(Failure::usage(
                ErrorCode::InvalidKey,
                "--jwks and --key-file both give keys: use one",
            ));
        }
        let text = read_text(path, "JWK Set file")?;
        return KeyRing::from_jwks(&text).map_err(Failure::Usage);
    }
    let alg = Algorithm::parse(&key.alg.alg).map_err(Failure::Usage)?;
    if alg.is_hmac() {
        return crate::secret::load_ring(key);
    }
    let Some(path) = key.key_file.as_deref() else {
        return Err(Failure::usage(
            ErrorCode::InvalidKey,
            format!("--alg {alg} needs --key-file PATH (a PEM key, as `authctl keygen --alg {alg}` writes)"),
        ));
    };
    let pem = read_text(path, "key file")?;
    let key_obj = Key::from_pem_for(&key.kid, alg, &pem).map_err(|e| {
        Failure::usage(
            e.code(),
            format!("key file {}: {}", path.display(), e.message()),
        )
    })?;
    Ok(KeyRing::single(key_obj))
}
