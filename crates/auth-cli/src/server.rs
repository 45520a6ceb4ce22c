//! `authctl serve` (the reference service, docs/server.md) and `authctl accounts` (its
//! account database). The service is `auth-server`'s; this file only reads options.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use auth_core::{ErrorCode, MemoryRevocationStore, ScopeVocabulary};
use auth_server::{
    create_demo_accounts, router, AppState, Db, HashParams, LoginLimits, Passwords, Revoker,
    ServerConfig, TrustedProxies,
};
use clap::Args;

use crate::args::KeyArgs;
use crate::{emit, secret, Failure, Success};

/// Argon2id parameters of new password hashes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Password hashing")]
pub(crate) struct HashArgs {
    /// Argon2id memory in KiB for new hashes (default 19456, the recommended 19 MiB). Lower
    /// it only for tests: every login costs this much.
    #[arg(long, value_name = "KIB", default_value_t = HashParams::default().memory_kib)]
    argon2_memory_kib: u32,
    /// Argon2id passes for new hashes (default 2).
    #[arg(long, value_name = "N", default_value_t = HashParams::default().iterations)]
    argon2_iterations: u32,
}

impl HashArgs {
    pub(crate) fn passwords(&self) -> Result<Passwords, Failure> {
        Passwords::new(HashParams {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: HashParams::default().parallelism,
        })
        .map_err(Failure::Usage)
    }

    fn params(&self) -> HashParams {
        HashParams {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: HashParams::default().parallelism,
        }
    }
}

/// `authctl serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0: a free port; the address is printed on stdout).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The SQLite account database (created and migrated if needed). Without it the
    /// accounts live in memory and are lost on exit.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Create the accounts the API examples use, where missing (docs/server.md).
    #[arg(long)]
    demo_accounts: bool,
    /// Believe X-Forwarded-For from peers in this IP/CIDR range (repeatable).
    #[arg(long, value_name = "CIDR")]
    trust_proxy: Vec<String>,
    /// Failed logins allowed per account before 429 (in one window).
    #[arg(long, value_name = "N", default_value_t = LoginLimits::default().per_account)]
    max_failed_logins_per_account: u32,
    /// Failed logins allowed per client address before 429 (in one window).
    #[arg(long, value_name = "N", default_value_t = LoginLimits::default().per_address)]
    max_failed_logins_per_address: u32,
    /// The failed-login window in seconds, opened by a key's first failure.
    #[arg(long, value_name = "SECS", default_value_t = LoginLimits::default().window.as_secs())]
    failed_login_window: u64,
    /// The most named tokens one account may hold, unexpired, revoked or not (docs/server.md).
    #[arg(long, value_name = "N", default_value_t = auth_core::DEFAULT_MAX_NAMED_TOKENS)]
    max_named_tokens: u64,
    /// Password checks running at once at most (default: the number of CPUs; each holds the
    /// Argon2 memory, 19 MiB by default). A login waits up to 2 s for a free one, then 429.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    max_password_checks: Option<u32>,
    /// The scope vocabulary, a JSON file (docs/scopes.md): `{"sms": {"description": "…",
    /// "includes": ["sms:send"]}, "sms:send": {}}`. With --demo-accounts and no --scopes, the
    /// demo vocabulary (sms ⊇ sms:send, sms:read; tokens; account; introspect).
    #[arg(long, value_name = "FILE")]
    scopes: Option<PathBuf>,
    /// An OAuth client allowed to call /oauth/introspect and /oauth/revoke with HTTP Basic:
    /// its id and the SHA-256 of its secret in hex (repeatable; `authctl oauth-client` makes
    /// one). docs/oauth.md.
    #[arg(long = "oauth-client", value_name = "ID=SHA256HEX")]
    oauth_clients: Vec<String>,
    /// How often the tokens' last uses are written to the database, in seconds (one write
    /// per token per interval).
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    last_used_interval: u64,
    /// Mark the console's session cookie `Secure`: the service is reached over HTTPS (behind a
    /// proxy that terminates TLS, say).
    #[arg(long)]
    console_secure_cookies: bool,
    /// Do not serve the console at /console/.
    #[arg(long)]
    no_console: bool,
    /// A console session's lifetime, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = auth_core::DEFAULT_SESSION_TTL, value_parser = clap::value_parser!(u64).range(60..=86400))]
    console_session_ttl: u64,
    /// How many asymmetric (EdDSA, ECDSA, RSA) tokens' verified signatures to remember, so that a
    /// token sent again skips its signature check; every other check still runs. 0 turns the
    /// cache off (docs/signature-cache.md).
    #[arg(long, value_name = "N", default_value_t = auth_core::DEFAULT_SIGNATURE_CACHE_CAPACITY)]
    signature_cache: usize,
    #[command(flatten)]
    redis: crate::redis::ServeRedisArgs,
    #[command(flatten)]
    hash: HashArgs,
    #[command(flatten)]
    key: KeyArgs,
}

pub(crate) fn usage(message: impl Into<String>) -> Failure {
    Failure::usage(ErrorCode::InvalidRequest, message)
}

pub(crate) fn open_db(path: Option<&std::path::Path>) -> Result<Db, Failure> {
    match path {
        Some(p) => Db::open(p),
        None => Db::open_in_memory(),
    }
    .map_err(|e| usage(e.to_string()))
}

pub(crate) fn serve(args: ServeArgs) -> Result<Success, Failure> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let mut config = ServerConfig::new(secret::load_ring(&args.key)?);
    config.trusted_proxies = TrustedProxies::parse(&args.trust_proxy).map_err(Failure::Usage)?;
    config.hash_params = args.hash.params();
    config.max_named_tokens = args.max_named_tokens;
    config.login_limits = LoginLimits {
        per_account: args.max_failed_logins_per_account,
        per_address: args.max_failed_logins_per_address,
        window: Duration::from_secs(args.failed_login_window.max(1)),
        ..LoginLimits::default()
    };
    if let Some(n) = args.max_password_checks {
        config.login_limits.max_concurrent_checks = n as usize;
    }
    config.scopes = match &args.scopes {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("--scopes {}: {e}", path.display())))?;
            ScopeVocabulary::from_json(&text).map_err(|e| {
                Failure::usage(
                    e.code(),
                    format!("--scopes {}: {}", path.display(), e.message()),
                )
            })?
        }
        None if args.demo_accounts => auth_server::demo_scopes(),
        None => ScopeVocabulary::new(),
    };
    config.last_used_interval = Duration::from_secs(args.last_used_interval);
    config.console.enabled = !args.no_console;
    config.console.secure_cookies = args.console_secure_cookies;
    config.console.session_ttl = args.console_session_ttl;
    config.signature_cache = args.signature_cache;
    for entry in &args.oauth_clients {
        config
            .oauth_clients
            .add_entry(entry)
            .map_err(|e| usage(format!("--oauth-client: {e}")))?;
    }
    let db = Arc::new(open_db(args.db.as_deref())?);
    if args.db.is_none() {
        tracing::warn!("no --db: accounts, issued tokens and revocations are kept in memory only");
    }
    if args.demo_accounts {
        let created =
            create_demo_accounts(&db, &args.hash.passwords()?).map_err(|e| usage(e.to_string()))?;
        tracing::info!(created, "demo accounts ready");
    }
    let revoker: Arc<dyn Revoker> = match crate::redis::serve_store(&args.redis)? {
        Some(shared) => {
            tracing::info!("revocations kept in the shared Redis store");
            shared
        }
        None => Arc::new(MemoryRevocationStore::new()),
    };
    let state = AppState::new(config, db, revoker).map_err(|e| usage(e.to_string()))?;
    let mut announce = Ok(());
    auth_server::serve_blocking(args.listen, router(state), |addr| {
        tracing::info!(%addr, "listening");
        announce = emit(&format!("listening on http://{addr}"));
    })
    .map_err(|e| usage(format!("cannot serve on {}: {e}", args.listen)))?;
    announce?;
    Ok(Success::Zero)
}
