//! `authctl`: mint, verify, inspect and check auth-core tokens from the shell (SPEC §8).
//!
//! Every rule about tokens, TTLs, keys and IP addresses is auth-core's; this binary
//! only turns command-line text into core calls and core results into output and
//! exit codes:
//!
//! | exit | meaning |
//! |---|---|
//! | 0 | success: token minted, token valid, address allowed |
//! | 1 | rejected: token invalid (or undecodable for `inspect`), address denied |
//! | 2 | usage or configuration error: bad arguments, missing or weak secret, bad kid, bad `--ttl`, bad `--ip`, bad rule or pattern |
//!
//! Errors are one line of JSON on standard error, `{"error": "<code>", "message": "..."}`,
//! with the SPEC §7 code. Argument errors found by the parser itself use the code
//! `invalid_request`. Every failure of `mint` is a usage/configuration error (exit 2):
//! the request, not a token, was at fault.
//!
//! Keys: `--kid ID` (default `default`), `--alg HS256|HS384|HS512` (default `HS256`),
//! and the secret from exactly one of the environment variable `AUTHCTL_SECRET` (its
//! UTF-8 bytes as they are) or `--key-file PATH` (the file's bytes with one trailing
//! `\n` removed). Giving both is refused (exit 2, `invalid_key`) rather than silently
//! preferring one. Secrets are never printed or echoed in a message.

mod demo;
mod secret;

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use auth_core::DEFAULT_MAX_TOKEN_SIZE;
use auth_core::{
    inspect_unverified, parse_client_ip, Error, ErrorCode, IpAllowList, IpRegex, Issuer, Lifetime,
    MintRequest, RegexMode, Subject, Verifier, VerifyOptions, VerifyRequest,
};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};

/// Mint, verify and inspect auth-core tokens.
///
/// Exit status: 0 success/valid/allow, 1 rejected/deny, 2 usage or configuration error.
/// Errors are printed on stderr as one line of JSON: `{"error": "<code>", "message": "..."}`.
#[derive(Debug, Parser)]
#[command(name = "authctl", version, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    key: KeyArgs,
    #[command(subcommand)]
    command: Command,
}

/// Key selection, shared by `mint` and `verify` (accepted before or after the subcommand).
#[derive(Debug, Args)]
struct KeyArgs {
    /// Key id (`kid`) of the key used to mint or verify.
    #[arg(long, global = true, value_name = "ID", default_value = "default")]
    kid: String,
    /// Read the secret from this file (one trailing newline removed) instead of the
    /// AUTHCTL_SECRET environment variable. Giving both is an error.
    #[arg(long, global = true, value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// HMAC algorithm the key is pinned to: HS256, HS384 or HS512.
    #[arg(long, global = true, value_name = "ALG", default_value = "HS256")]
    alg: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a new random secret for `--alg` from the OS CSPRNG, as base64url: 32 bytes
    /// (43 characters) for HS256, 36 (48) for HS384, 48 (64) for HS512 — at least as long
    /// as the hash output (RFC 7518 §3.2).
    Keygen,
    /// Mint a token and print it on stdout.
    Mint {
        #[command(subcommand)]
        kind: MintKind,
    },
    /// Verify a token: exit 0 and print its claims as JSON, or exit 1 with the reason.
    Verify(VerifyArgs),
    /// Print a token's header and claims WITHOUT verifying the signature (debugging only).
    Inspect {
        /// The token, or `-` to read it from stdin (one trailing newline removed).
        #[arg(value_name = "TOKEN")]
        token: OsString,
    },
    /// Check an address against IP/CIDR rules or a regex: prints `allow` (exit 0) or `deny` (exit 1).
    CheckIp(CheckIpArgs),
    /// Walk through every feature with a fresh random key, asserting each outcome.
    Demo,
}

#[derive(Debug, Subcommand)]
enum MintKind {
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
    },
    /// A reseller token (`type: "reseller"`).
    Reseller {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        opts: MintOpts,
    },
}

#[derive(Debug, Args)]
struct Who {
    /// `id` claim (integer ≥ 0).
    #[arg(long, value_name = "N")]
    id: u64,
    /// `name` claim.
    #[arg(long, value_name = "S")]
    name: String,
}

#[derive(Debug, Args)]
struct MintOpts {
    /// A static token: no `exp`, never expires.
    #[arg(long = "static", conflicts_with = "ttl")]
    static_token: bool,
    /// Explicit lifetime in seconds (1..=max TTL). Default: a dynamic 24-hour token.
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    ttl: Option<String>,
    /// `token_name` claim (1–255 characters).
    #[arg(long, value_name = "S")]
    token_name: Option<String>,
    /// Restrict the token to this IP address or CIDR network (repeatable).
    #[arg(long = "allowed-ip", value_name = "RULE")]
    allowed_ips: Vec<String>,
    /// Token id (`jti`, 1–128 characters). Default: 128 random bits.
    #[arg(long, value_name = "S")]
    jti: Option<String>,
    /// `nbf` claim: not valid before this UNIX time.
    #[arg(long, value_name = "UNIX")]
    nbf: Option<u64>,
    /// Issue time (`iat`) in UNIX seconds. Default: the system clock.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The client's address; required for tokens restricted by `allowed_ips`.
    #[arg(long, value_name = "ADDR")]
    ip: Option<String>,
    /// Verify as of this UNIX time. Default: the system clock.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
    /// Seconds of grace for `exp` and `nbf`.
    #[arg(long, value_name = "S", default_value_t = VerifyOptions::default().leeway)]
    leeway: u64,
    /// How many seconds in the future `iat` may be.
    #[arg(long, value_name = "S", default_value_t = VerifyOptions::default().max_clock_skew)]
    max_clock_skew: u64,
    /// An audience this verifier identifies itself with (repeatable). A token with `aud`
    /// verifies only when its `aud` names one of them; without this option every token with
    /// `aud` is refused (`invalid_claims`).
    #[arg(long = "audience", value_name = "AUD")]
    audiences: Vec<String>,
    /// The expected issuer: the token's `iss` must be present and equal (`invalid_claims`).
    #[arg(long, value_name = "ISS")]
    issuer: Option<String>,
    /// The token, or `-` to read it from stdin (one trailing newline removed).
    #[arg(value_name = "TOKEN")]
    token: OsString,
}

#[derive(Debug, Args)]
struct CheckIpArgs {
    /// An allowed IP address or CIDR network (repeatable).
    #[arg(
        long = "rule",
        value_name = "RULE",
        required_unless_present = "regex",
        conflicts_with = "regex"
    )]
    rules: Vec<String>,
    /// A regular expression the address's canonical text must match in full.
    #[arg(long, value_name = "RE", allow_hyphen_values = true)]
    regex: Option<String>,
    /// With --regex: match anywhere in the address text instead of in full.
    #[arg(long, requires = "regex", conflicts_with = "rules")]
    search: bool,
    /// The client address to check.
    #[arg(value_name = "ADDR")]
    addr: String,
}

/// Why a command did not succeed, and so which exit code it ends with.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A token or address was judged and refused (exit 1).
    Rejected(Error),
    /// Bad arguments or configuration (exit 2).
    Usage(Error),
}

impl Failure {
    pub(crate) fn usage(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure::Usage(Error::with_message(code, message.into()))
    }

    fn exit_code(&self) -> u8 {
        match self {
            Failure::Rejected(_) => 1,
            Failure::Usage(_) => 2,
        }
    }

    fn error(&self) -> &Error {
        match self {
            Failure::Rejected(e) | Failure::Usage(e) => e,
        }
    }
}

/// Exit 0, or 1 without an error message (a `deny`).
enum Success {
    Zero,
    One,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(e),
    };
    match run(cli) {
        Ok(Success::Zero) => ExitCode::SUCCESS,
        Ok(Success::One) => ExitCode::from(1),
        Err(f) => {
            print_error(f.error());
            ExitCode::from(f.exit_code())
        }
    }
}

/// Help and version go to stdout with exit 0 as clap prints them; every other
/// argument error is a usage error: one JSON line on stderr, exit 2.
fn parse_failure(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        // `authctl` or `authctl mint` alone: the help, on stderr, as a usage error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            let text = e.render().to_string();
            let text = text.trim_start().trim_start_matches("error: ");
            let mut paragraphs = text.split("\n\n");
            let first = paragraphs.next().unwrap_or_default();
            let mut message = first.split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some(usage) = paragraphs.find(|p| p.starts_with("Usage:")) {
                message.push_str("; ");
                message.push_str(usage.trim());
            }
            print_error(&Error::with_message(ErrorCode::InvalidRequest, message));
            ExitCode::from(2)
        }
    }
}

/// Writes `{"error": code, "message": ...}` as one line on stderr.
fn print_error(e: &Error) {
    let line = serde_json::json!({ "error": e.code().as_str(), "message": e.message() });
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Writes one line on stdout; a closed or failing stdout is a failure, not a success.
pub(crate) fn emit(line: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| {
            Failure::usage(
                ErrorCode::InvalidRequest,
                format!("cannot write to standard output: {e}"),
            )
        })
}

fn run(cli: Cli) -> Result<Success, Failure> {
    match cli.command {
        Command::Keygen => {
            emit(&secret::keygen_for(&cli.key.alg).map_err(Failure::Usage)?)?;
            Ok(Success::Zero)
        }
        Command::Mint { kind } => mint(&cli.key, kind),
        Command::Verify(args) => verify(&cli.key, args),
        Command::Inspect { token } => inspect(token),
        Command::CheckIp(args) => check_ip(args),
        Command::Demo => Ok(if demo::run()? {
            Success::Zero
        } else {
            Success::One
        }),
    }
}

fn mint(key: &KeyArgs, kind: MintKind) -> Result<Success, Failure> {
    let ring = secret::load_ring(key)?;
    let (subject, opts) = match kind {
        MintKind::User {
            who,
            admin,
            sms_from,
            user_group_id,
            opts,
        } => (
            Subject::User {
                id: who.id,
                name: who.name,
                admin,
                sms_from,
                user_group_id,
            },
            opts,
        ),
        MintKind::Reseller { who, opts } => (Subject::reseller(who.id, who.name), opts),
    };
    let mut req = MintRequest::new(subject);
    req.lifetime = match (&opts.ttl, opts.static_token) {
        (Some(text), _) => Lifetime::from_seconds_text(text).map_err(Failure::Usage)?,
        (None, true) => Lifetime::Static,
        (None, false) => Lifetime::Dynamic,
    };
    req.token_name = opts.token_name;
    req.set_allowed_ips(&opts.allowed_ips)
        .map_err(Failure::Usage)?;
    req.token_id = opts.jti;
    req.not_before = opts.nbf;
    req.now = opts.now;
    let minted = Issuer::new(ring).mint(&req).map_err(Failure::Usage)?;
    emit(&minted.token)?;
    Ok(Success::Zero)
}

fn verify(key: &KeyArgs, args: VerifyArgs) -> Result<Success, Failure> {
    let ring = secret::load_ring(key)?;
    let client_ip = match &args.ip {
        Some(text) => Some(parse_client_ip(text).map_err(Failure::Usage)?),
        None => None,
    };
    let options = {
        let mut options = VerifyOptions::default();
        options.leeway = args.leeway;
        options.max_clock_skew = args.max_clock_skew;
        options.audiences = args.audiences;
        options.issuer = args.issuer;
        options
    };
    let token = token_bytes(args.token, options.max_token_size)?;
    let verifier = Verifier::with_options(ring, options);
    let req = {
        let mut request = VerifyRequest::default();
        request.now = args.now;
        request.client_ip = client_ip;
        request.revocation = None;
        request
    };
    let claims = verifier
        .verify_with(&token, &req)
        .map_err(Failure::Rejected)?;
    emit(&claims.to_json())?;
    Ok(Success::Zero)
}

fn inspect(token: OsString) -> Result<Success, Failure> {
    let token = token_bytes(token, DEFAULT_MAX_TOKEN_SIZE)?;
    let u = inspect_unverified(&token, DEFAULT_MAX_TOKEN_SIZE).map_err(Failure::Rejected)?;
    let out = serde_json::json!({
        "verified": false,
        "warning": "signature NOT verified",
        "header": u.header,
        "claims": u.claims,
    });
    emit(&out.to_string())?;
    Ok(Success::Zero)
}

fn check_ip(args: CheckIpArgs) -> Result<Success, Failure> {
    let allowed = match &args.regex {
        Some(pattern) => {
            let mode = if args.search {
                RegexMode::Search
            } else {
                RegexMode::FullMatch
            };
            let re = IpRegex::new(pattern, mode).map_err(Failure::Usage)?;
            re.is_match_str(&args.addr).map_err(Failure::Usage)?
        }
        None => {
            let list = IpAllowList::parse(args.rules.iter().map(String::as_str))
                .map_err(Failure::Usage)?;
            list.contains(parse_client_ip(&args.addr).map_err(Failure::Usage)?)
        }
    };
    if allowed {
        emit("allow")?;
        Ok(Success::Zero)
    } else {
        emit("deny")?;
        Ok(Success::One)
    }
}

/// The token argument as bytes; `-` reads standard input and removes exactly one
/// trailing `\n`. At most `max_size + 2` bytes are read, so an endless stream cannot
/// exhaust memory: anything that long is over the limit and the core says so.
fn token_bytes(arg: OsString, max_size: usize) -> Result<Vec<u8>, Failure> {
    if arg != "-" {
        return Ok(arg.into_encoded_bytes());
    }
    let mut buf = Vec::new();
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(2);
    io::stdin()
        .lock()
        .take(limit)
        .read_to_end(&mut buf)
        .map_err(|e| {
            Failure::usage(
                ErrorCode::InvalidRequest,
                format!("cannot read the token from standard input: {e}"),
            )
        })?;
    if (buf.len() as u64) < limit && buf.last() == Some(&b'\n') {
        buf.pop();
    }
    Ok(buf)
}
