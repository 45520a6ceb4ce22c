//! The command line: subcommands and their options, as clap reads them.
//!
//! Key options are declared on the subcommands that use a key (`keygen`: `--alg`;
//! `mint user`, `mint reseller`, `verify`: `--kid`, `--key-file`, `--alg`), so each
//! `--help` lists exactly what that subcommand reads; `inspect`, `check-ip` and `demo`
//! take no key option.

use std::ffi::OsString;
use std::path::PathBuf;

use auth_core::VerifyOptions;
use clap::{ArgGroup, Args, Parser, Subcommand};

/// Mint, verify and inspect auth-core tokens.
///
/// Exit status: 0 success/valid/allow, 1 rejected/deny, 2 usage or configuration error.
/// Errors are printed on stderr as one line of JSON: `{"error": "<code>", "message": "..."}`.
/// Key options follow the subcommand that uses them (see `authctl verify --help`).
#[derive(Debug, Parser)]
#[command(
    name = "authctl",
    version,
    max_term_width = 100,
    arg_required_else_help = false
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The HMAC algorithm option (`keygen`, and part of [`KeyArgs`]).
#[derive(Debug, Args)]
pub(crate) struct AlgArg {
    /// Algorithm the key is pinned to: HS256, HS384 or HS512 (a secret), or EdDSA, ES256,
    /// ES384, ES512, RS256, RS384, RS512, PS256, PS384 or PS512 (a PEM key file: PKCS#8
    /// private to mint, SPKI or PKCS#1 public to verify).
    #[arg(long, value_name = "ALG", default_value = "HS256")]
    pub(crate) alg: String,
}

/// The key a command mints or verifies with: `--kid`, `--alg` and the secret from
/// `AUTHCTL_SECRET` or `--key-file`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Key options")]
pub(crate) struct KeyArgs {
    /// Key id (`kid`) of the key used to mint or verify.
    #[arg(long, value_name = "ID", default_value = "default")]
    pub(crate) kid: String,
    /// Read the secret from this file (its bytes, one trailing newline removed) instead of
    /// the AUTHCTL_SECRET environment variable (its UTF-8 bytes as they are; a value ending
    /// in a line break is refused). Giving both is an error.
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) alg: AlgArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print a new random secret from the OS CSPRNG, as base64url text.
    ///
    /// The length suits the algorithm: 32 bytes (43 characters) for HS256, 36 (48) for
    /// HS384, 48 (64) for HS512 — at least as long as the hash output (RFC 7518 §3.2).
    /// With an asymmetric `--alg` (EdDSA, ES256/384/512, RS256 … PS512): a new private key
    /// as PKCS#8 PEM (RSA: 2048 bits, exponent 65537).
    Keygen(AlgArg),
    /// Print the public JWK Set of an asymmetric key (to publish for verifiers).
    Jwks(crate::keyfiles::JwksArgs),
    /// Mint a token and print it on stdout: `authctl mint user ...` or `authctl mint reseller ...`.
    #[command(arg_required_else_help = false)]
    Mint {
        #[command(subcommand)]
        kind: MintKind,
    },
    /// Verify a token: exit 0 and print its claims as JSON, or exit 1 with the reason.
    Verify(VerifyArgs),
    /// Revoke a token, or every token of a principal issued up to a time, in the shared
    /// Redis store: exit 0 once Redis acknowledged it.
    Revoke(crate::redis::RevokeArgs),
    /// Print a token's header and claims WITHOUT verifying the signature (debugging only),
    /// with the times as ISO-8601 UTC (`utc`) and whether `exp` has passed (`expired`).
    Inspect {
        /// The token, or `-` to read it from stdin (one trailing newline removed).
        #[arg(value_name = "TOKEN")]
        token: OsString,
        /// Judge `expired` as of this UNIX time. Default: the system clock.
        #[arg(long, value_name = "UNIX")]
        now: Option<u64>,
    },
    /// Check an address against IP/CIDR rules or a regex: prints `allow` (exit 0) or `deny` (exit 1).
    CheckIp(CheckIpArgs),
    /// Walk through every feature with fresh random keys, checking each outcome.
    ///
    /// With AUTHCTL_SECRET set, the tokens it prints are minted with that secret (key id
    /// `2024-07`), and each comes with a `try:` line, an `authctl verify` command to paste
    /// into a shell with the same AUTHCTL_SECRET.
    Demo,
    /// Serve the two token APIs over HTTP (docs/server.md): logins, logouts, token creation,
    /// a token check for nginx's auth_request. Stops gracefully on SIGTERM or Ctrl-C.
    Serve(crate::server::ServeArgs),
    /// Add and change the accounts of `serve`'s database: users, groups, resellers,
    /// passwords (read from stdin), blocks, sub-accounts.
    Accounts(crate::accounts::AccountsArgs),
    /// Make an OAuth client for `serve --oauth-client` (docs/oauth.md): prints
    /// `{"client_id", "client_secret", "serve_option"}` as JSON. Give the secret to the client
    /// (a gateway); the service keeps only its SHA-256.
    OauthClient {
        /// The client's id (1–64 visible ASCII characters, no ':' or '=').
        #[arg(long, value_name = "ID")]
        id: String,
    },
    /// Print a shell completion script: `authctl completions bash > /etc/bash_completion.d/authctl`
    /// (also zsh, fish, elvish, powershell; see docs/cli.md for where each shell looks).
    Completions {
        /// The shell to complete for.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum MintKind {
    /// A user token (`type: "user"`).
    User {
        #[command(flatten)]
        who: Who,
        /// The user is an admin.
        #[arg(long)]
        admin: bool,
        /// `sms_from` claim.
        #[arg(long, value_name = "S")]
        sms_from: Option<String>,
        /// `user_group_id` claim.
        #[arg(long, value_name = "N")]
        user_group_id: Option<u64>,
        #[command(flatten)]
        opts: MintOpts,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// A reseller token (`type: "reseller"`).
    Reseller {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        opts: MintOpts,
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(Debug, Args)]
pub(crate) struct Who {
    /// `id` claim (integer ≥ 0).
    #[arg(long, value_name = "N")]
    pub(crate) id: u64,
    /// `name` claim.
    #[arg(long, value_name = "S")]
    pub(crate) name: String,
}

#[derive(Debug, Args)]
pub(crate) struct MintOpts {
    /// A static token: no `exp`, never expires.
    #[arg(long = "static", conflicts_with = "ttl")]
    pub(crate) static_token: bool,
    /// Explicit lifetime: seconds (3600) or a number with one unit s, m, h, d or w (90m,
    /// 12h, 30d, 2w); 1 second to 10 years. Default: a dynamic 24-hour token.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub(crate) ttl: Option<String>,
    /// `token_name` claim (1–255 characters).
    #[arg(long, value_name = "S")]
    pub(crate) token_name: Option<String>,
    /// Restrict the token to this IP address or CIDR network (repeatable).
    #[arg(long = "allowed-ip", value_name = "RULE")]
    pub(crate) allowed_ips: Vec<String>,
    /// Token id (`jti`, 1–128 characters). Default: 128 random bits.
    #[arg(long, value_name = "S")]
    pub(crate) jti: Option<String>,
    /// `nbf` claim: not valid before this UNIX time.
    #[arg(long, value_name = "UNIX")]
    pub(crate) nbf: Option<u64>,
    /// Issue time (`iat`) in UNIX seconds. Default: the system clock.
    #[arg(long, value_name = "UNIX")]
    pub(crate) now: Option<u64>,
    /// Custom claims: a JSON object (`'{"roles":["admin"]}'`); names the library owns
    /// (`exp`, `type`, ...) are refused.
    #[arg(long, value_name = "JSON")]
    pub(crate) claims: Option<String>,
    /// A scope the token holds (repeatable; docs/scopes.md): the `scope` claim. Each must be
    /// declared in the --scopes vocabulary. Without it the token is unscoped (it may do
    /// everything its principal may).
    #[arg(long = "scope", value_name = "NAME", requires = "scopes")]
    pub(crate) scope: Vec<String>,
    /// The scope vocabulary, a JSON file (the format of `authctl serve --scopes`).
    #[arg(long, value_name = "FILE")]
    pub(crate) scopes: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The client's address; required for tokens restricted by `allowed_ips`.
    #[arg(long, value_name = "ADDR")]
    pub(crate) ip: Option<String>,
    /// Verify as of this UNIX time. Default: the system clock.
    #[arg(long, value_name = "UNIX")]
    pub(crate) now: Option<u64>,
    /// Seconds of grace for `exp` and `nbf`.
    #[arg(long, value_name = "S", default_value_t = VerifyOptions::default().leeway)]
    pub(crate) leeway: u64,
    /// How many seconds in the future `iat` may be.
    #[arg(long, value_name = "S", default_value_t = VerifyOptions::default().max_clock_skew)]
    pub(crate) max_clock_skew: u64,
    /// An audience this verifier identifies itself with (repeatable). A token with `aud`
    /// verifies only when its `aud` names one of them; without this option every token with
    /// `aud` is refused (`invalid_claims`).
    #[arg(long = "audience", value_name = "AUD")]
    pub(crate) audiences: Vec<String>,
    /// The expected issuer: the token's `iss` must be present and equal (`invalid_claims`).
    #[arg(long, value_name = "ISS")]
    pub(crate) issuer: Option<String>,
    /// A scope the token must hold (repeatable): a token whose `scope` claim lacks it is
    /// refused with `insufficient_scope`; a token without the claim holds everything.
    #[arg(long = "scope", value_name = "NAME")]
    pub(crate) scope: Vec<String>,
    /// The scope vocabulary (a JSON file), for its hierarchy: with it, `sms` satisfies a
    /// required `sms:send` when the file says `sms` includes it; without it, names match exactly.
    #[arg(long, value_name = "FILE")]
    pub(crate) scopes: Option<PathBuf>,
    /// The claims profile (docs/profiles.md): `seeds`, this library's tokens, or
    /// `registered`, another issuer's token read as RFC 7519 registered claims (`iss`,
    /// `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`), `scope` and custom claims, printed as JSON.
    /// With `registered`, a token without a `scope` claim holds no scope.
    #[arg(long, value_name = "PROFILE", default_value = "seeds", value_parser = ["seeds", "registered"])]
    pub(crate) profile: String,
    /// With `--profile registered`: the registered claims a token must carry,
    /// comma-separated (default `exp`; an empty value requires none).
    #[arg(long, value_name = "CLAIMS")]
    pub(crate) require: Option<String>,
    /// The token, or `-` to read it from stdin (one trailing newline removed). Only the
    /// token: not the `Bearer ` of an Authorization header.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: OsString,
    /// Verify with the public keys of this JWK Set file (verify only; instead of a secret
    /// or key file). A bad set is a configuration error (exit 2, `invalid_key`).
    #[arg(long, value_name = "PATH")]
    pub(crate) jwks: Option<PathBuf>,
    /// Fetch the public keys from this JWK Set URL (`https://`) and verify with them
    /// (docs/jwks.md). A fetch that fails is exit 1 with `jwks_unavailable`.
    #[arg(long, value_name = "URL", conflicts_with = "jwks")]
    pub(crate) jwks_url: Option<String>,
    /// With --jwks-url: a PEM file of CA certificates to trust instead of the public roots.
    #[arg(long, value_name = "FILE", requires = "jwks_url")]
    pub(crate) jwks_ca: Option<PathBuf>,
    /// With --jwks-url: accept an `http://` URL (a loopback test server only).
    #[arg(long, requires = "jwks_url")]
    pub(crate) jwks_allow_http: bool,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    #[command(flatten)]
    pub(crate) redis: crate::redis::VerifyRedisArgs,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("rules_or_regex").required(true).args(["rules", "regex"])))]
pub(crate) struct CheckIpArgs {
    /// An allowed IP address or CIDR network (repeatable).
    #[arg(long = "rule", value_name = "RULE", conflicts_with = "regex")]
    pub(crate) rules: Vec<String>,
    /// A regular expression the address's canonical text must match in full.
    #[arg(long, value_name = "RE", allow_hyphen_values = true)]
    pub(crate) regex: Option<String>,
    /// With --regex: match anywhere in the address text instead of in full.
    #[arg(long, requires = "regex", conflicts_with = "rules")]
    pub(crate) search: bool,
    /// The client address to check.
    #[arg(value_name = "ADDR")]
    pub(crate) addr: String,
}
