//! `authctl`: mint, verify, inspect and check auth-core tokens from the shell (docs/cli.md).
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
//! with the docs/errors.md code. Argument errors found by the parser itself use the code
//! `invalid_request`. Every failure of `mint` is a usage/configuration error (exit 2):
//! the request, not a token, was at fault.
//!
//! Keys: `--kid ID` (default `default`), `--alg HS256|HS384|HS512` (default `HS256`),
//! given after the subcommand that uses a key (`mint user`, `mint reseller`, `verify`;
//! `keygen` takes `--alg` only), and the secret from exactly one of the environment
//! variable `AUTHCTL_SECRET` (its UTF-8 bytes as they are; a value ending in a line break
//! is refused, `invalid_key`, rather than used with it) or `--key-file PATH` (the file's
//! bytes with one trailing `\n` removed). Giving both is refused (exit 2, `invalid_key`)
//! rather than silently preferring one. Secrets are never printed or echoed in a message.
//! `demo` uses `AUTHCTL_SECRET` when it is set, so that its tokens can be verified.

mod accounts;
mod args;
mod demo;
mod keyfiles;
mod redis;
mod secret;
mod server;

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use auth_core::DEFAULT_MAX_TOKEN_SIZE;
use auth_core::{
    inspect_unverified, parse_client_ip, system_now, token_hint, utc_text, ClaimsProfile, Error,
    ErrorCode, IpAllowList, IpRegex, Issuer, Lifetime, MintRequest, RegexMode, RequiredClaims,
    RequiredScopes, ScopeSet, ScopeVocabulary, Subject, Verifier, VerifyOptions, VerifyRequest,
};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use args::{CheckIpArgs, Cli, Command, MintKind, VerifyArgs};

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
pub(crate) enum Success {
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
        _ => {
            let text = e.render().to_string();
            let text = text.trim_start().trim_start_matches("error: ");
            let mut paragraphs = text.split("\n\n");
            let first = paragraphs.next().unwrap_or_default();
            let mut message = first.split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some(usage) = paragraphs.find(|p| p.starts_with("Usage:")) {
                message.push_str("; ");
                message.push_str(usage.trim());
                // `authctl --kid k verify ...`: key options belong to their subcommand.
                let key_option = ["'--kid'", "'--key-file'", "'--alg'"]
                    .iter()
                    .any(|o| first.contains(o));
                if key_option && usage.trim() == "Usage: authctl <COMMAND>" {
                    message.push_str(
                        "; key options go after the subcommand that uses them, \
                         e.g. `authctl verify --kid ID TOKEN`",
                    );
                }
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
        Command::Keygen(alg) => {
            emit(&keyfiles::keygen(&alg.alg)?)?;
            Ok(Success::Zero)
        }
        Command::Jwks(args) => {
            emit(&keyfiles::jwks(&args)?)?;
            Ok(Success::Zero)
        }
        Command::Mint { kind } => mint(kind),
        Command::Verify(args) => verify(args),
        Command::Revoke(args) => redis::revoke(args),
        Command::Inspect { token, now } => inspect(token, now),
        Command::CheckIp(args) => check_ip(args),
        Command::Demo => Ok(if demo::run()? {
            Success::Zero
        } else {
            Success::One
        }),
        Command::Serve(args) => server::serve(args),
        Command::Accounts(args) => accounts::accounts(args),
        Command::Completions { shell } => completions(shell),
        Command::OauthClient { id } => oauth_client(&id),
    }
}

/// The completion script for `shell`, generated from the same clap definition that parses
/// the arguments, so it never lists a subcommand or option that does not exist.
fn completions(shell: clap_complete::Shell) -> Result<Success, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "authctl", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| {
            Failure::usage(
                ErrorCode::InvalidRequest,
                format!("cannot write to standard output: {e}"),
            )
        })?;
    Ok(Success::Zero)
}

/// A scope vocabulary file (`--scopes`).
fn load_vocabulary(path: &std::path::Path) -> Result<ScopeVocabulary, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(
            ErrorCode::InvalidRequest,
            format!("--scopes {}: {e}", path.display()),
        )
    })?;
    ScopeVocabulary::from_json(&text).map_err(|e| {
        Failure::usage(
            e.code(),
            format!("--scopes {}: {}", path.display(), e.message()),
        )
    })
}

/// `authctl oauth-client --id ID`.
fn oauth_client(id: &str) -> Result<Success, Failure> {
    let (secret, digest) = auth_server::OAuthClients::generate_secret().map_err(Failure::Usage)?;
    let option = format!("{id}={digest}");
    auth_server::OAuthClients::new()
        .add_entry(&option)
        .map_err(|e| Failure::usage(ErrorCode::InvalidRequest, e))?;
    let out = serde_json::json!({
        "client_id": id,
        "client_secret": secret,
        "serve_option": format!("--oauth-client {option}"),
    });
    emit(&out.to_string())?;
    Ok(Success::Zero)
}

fn mint(kind: MintKind) -> Result<Success, Failure> {
    let (subject, opts, key) = match kind {
        MintKind::User {
            who,
            admin,
            sms_from,
            user_group_id,
            opts,
            key,
        } => (
            Subject::User {
                id: who.id,
                name: who.name,
                admin,
                sms_from,
                user_group_id,
            },
            opts,
            key,
        ),
        MintKind::Reseller { who, opts, key } => (Subject::reseller(who.id, who.name), opts, key),
    };
    let ring = keyfiles::load_ring(&key, None)?;
    let mut req = MintRequest::new(subject);
    let ttl = opts
        .ttl
        .as_deref()
        .map(Lifetime::duration_text_seconds)
        .transpose()
        .map_err(Failure::Usage)?;
    req.lifetime = Lifetime::from_options(ttl, opts.static_token).map_err(Failure::Usage)?;
    req.token_name = opts.token_name;
    req.set_allowed_ips(&opts.allowed_ips)
        .map_err(Failure::Usage)?;
    req.token_id = opts.jti;
    req.not_before = opts.nbf;
    req.now = opts.now;
    if let Some(extra) = &opts.claims {
        req.set_extra_json(extra).map_err(Failure::Usage)?;
    }
    let mut issuer = Issuer::new(ring);
    if let Some(path) = &opts.scopes {
        issuer.set_scopes(load_vocabulary(path)?);
    }
    if !opts.scope.is_empty() {
        req.set_scopes(&opts.scope).map_err(Failure::Usage)?;
    }
    let minted = issuer.mint(&req).map_err(Failure::Usage)?;
    emit(&minted.token)?;
    Ok(Success::Zero)
}

fn verify(args: VerifyArgs) -> Result<Success, Failure> {
    let (ring, jwks) = match &args.jwks_url {
        Some(url) => {
            let client = keyfiles::jwks_client(url, &args)?;
            (client.ring(), Some(client))
        }
        None => (
            auth_core::SharedKeyRing::from(keyfiles::load_ring(&args.key, args.jwks.as_deref())?),
            None,
        ),
    };
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
        options.set_profile(profile(&args.profile, args.require.as_deref())?);
        options
    };
    if matches!(options.profile, ClaimsProfile::Registered(_)) && client_ip.is_some() {
        return Err(Failure::usage(
            ErrorCode::InvalidRequest,
            "--ip has no effect with --profile registered (its tokens carry no allowed_ips)",
        ));
    }
    let token = token_bytes(args.token, options.max_token_size)?;
    let mut verifier = Verifier::with_options(ring, options);
    if let Some(store) = redis::verify_store(&args.redis)? {
        verifier.set_revocation_store(Some(store));
    }
    let required = if args.scope.is_empty() {
        None
    } else {
        Some(match &args.scopes {
            Some(path) => load_vocabulary(path)?
                .require(&args.scope)
                .map_err(Failure::Usage)?,
            None => {
                RequiredScopes::exact(ScopeSet::from_names(&args.scope).map_err(Failure::Usage)?)
            }
        })
    };
    let req = {
        let mut request = VerifyRequest::default();
        request.now = args.now;
        request.client_ip = client_ip;
        request.revocation = None;
        request.scopes = required.as_ref();
        request
    };
    let registered = matches!(verifier.options().profile, ClaimsProfile::Registered(_));
    let json = match (&jwks, registered) {
        (Some(c), true) => c
            .verify_registered_with(&verifier, &token, &req)
            .map(|c| c.to_json()),
        (Some(c), false) => c.verify_with(&verifier, &token, &req).map(|c| c.to_json()),
        (None, true) => verifier
            .verify_registered_with(&token, &req)
            .map(|c| c.to_json()),
        (None, false) => verifier.verify_with(&token, &req).map(|c| c.to_json()),
    };
    emit(&json.map_err(|e| Failure::Rejected(token_hint(e, &token)))?)?;
    Ok(Success::Zero)
}

/// `--profile` and `--require` as a [`ClaimsProfile`]: `--require` only with `registered`.
fn profile(name: &str, require: Option<&str>) -> Result<ClaimsProfile, Failure> {
    match (name, require) {
        ("registered", None) => Ok(ClaimsProfile::registered()),
        ("registered", Some(list)) => {
            let names: Vec<&str> = list.split(',').filter(|n| !n.is_empty()).collect();
            RequiredClaims::parse(&names)
                .map(ClaimsProfile::Registered)
                .map_err(Failure::Usage)
        }
        (_, Some(_)) => Err(Failure::usage(
            ErrorCode::InvalidRequest,
            "--require applies to --profile registered only",
        )),
        _ => Ok(ClaimsProfile::Seeds),
    }
}

fn inspect(token: OsString, now: Option<u64>) -> Result<Success, Failure> {
    let token = token_bytes(token, DEFAULT_MAX_TOKEN_SIZE)?;
    let u = inspect_unverified(&token, DEFAULT_MAX_TOKEN_SIZE)
        .map_err(|e| Failure::Rejected(token_hint(e, &token)))?;
    let now = match now {
        Some(now) => now,
        None => system_now().map_err(Failure::Usage)?,
    };
    let mut utc = u.times_utc();
    utc.insert("now".to_owned(), utc_text(now).into());
    let out = serde_json::json!({
        "verified": false,
        "warning": "signature NOT verified",
        "header": u.header,
        "claims": u.claims,
        "now": now,
        "utc": utc,
        "expired": u.expired(now),
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
