//! `authctl revoke --redis URL ...` and `authctl verify --redis URL ...`: the shared
//! revocation store on Redis (crate `auth-redis`, docs/revocation.md).

use std::path::PathBuf;
use std::sync::Arc;

use auth_core::{
    inspect_unverified, Error, ErrorCode, Principal, PrincipalType, RevocationWriter,
    DEFAULT_MAX_TOKEN_SIZE,
};
use auth_redis::{
    RedisRevocationStore, RedisStoreOptions, RedisTls, SentinelConfig, DEFAULT_KEY_PREFIX,
};
use clap::{ArgGroup, Args};

use crate::{emit, Failure, Success};

/// `authctl revoke`: exactly one of `--jti`, `--token`, `--principal`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["jti", "token", "principal"])))]
pub(crate) struct RevokeArgs {
    /// The Redis URL: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS.
    #[arg(long, value_name = "URL")]
    pub(crate) redis: String,
    /// Prefix of the keys in Redis (one per application sharing the server).
    #[arg(long, value_name = "PREFIX", default_value = DEFAULT_KEY_PREFIX)]
    pub(crate) key_prefix: String,
    /// Revoke this token id.
    #[arg(long, value_name = "ID")]
    pub(crate) jti: Option<String>,
    /// With --jti: the token's expiry (the revocation is kept until then plus the grace).
    /// Without it the revocation is kept for good (a static token).
    #[arg(long, value_name = "UNIX", requires = "jti")]
    pub(crate) exp: Option<u64>,
    /// Revoke this token (its `jti` and `exp` are read from it without checking the
    /// signature: revoking never grants anything).
    #[arg(long, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
    /// Revoke every token of this principal (`user:ID` or `reseller:ID`) issued up to
    /// --before, and every token it delegated.
    #[arg(long, value_name = "KIND:ID", requires = "before")]
    pub(crate) principal: Option<String>,
    /// With --principal: the cutoff (tokens with `iat <= before` are revoked).
    #[arg(long, value_name = "UNIX", requires = "principal")]
    pub(crate) before: Option<u64>,
    #[command(flatten)]
    pub(crate) tls: RedisTlsArgs,
}

/// TLS for a `rediss://` URL, and Sentinel (every command that takes `--redis`).
#[derive(Debug, Args)]
pub(crate) struct RedisTlsArgs {
    /// Find the primary through these Redis Sentinels (`HOST:PORT[,HOST:PORT...]`) instead of
    /// the --redis URL's host; a failover is followed without a restart.
    #[arg(long, value_name = "HOST:PORT,...", value_delimiter = ',', requires_all = ["redis", "redis_master"])]
    pub(crate) redis_sentinel: Vec<String>,
    /// Use a Redis Cluster through these seed nodes (`HOST:PORT[,HOST:PORT...]`) instead of the
    /// --redis URL's host: the primary serving the store's slot is found at every connection.
    #[arg(
        long,
        value_name = "HOST:PORT,...",
        value_delimiter = ',',
        requires = "redis",
        conflicts_with = "redis_sentinel"
    )]
    pub(crate) redis_cluster: Vec<String>,
    /// With --redis-sentinel: the name of the primary set the sentinels monitor.
    #[arg(long, value_name = "NAME", requires = "redis_sentinel")]
    pub(crate) redis_master: Option<String>,
    /// Acknowledge a write only once this many replicas have it (WAIT). Default: 1 with
    /// --redis-sentinel while the primary has a replica, else 0.
    #[arg(long, value_name = "N", requires = "redis")]
    pub(crate) redis_min_replicas: Option<u32>,
    /// With a rediss:// URL: trust this CA (PEM) instead of the public roots. The server's
    /// name — the URL's host — is always checked against its certificate.
    #[arg(long, value_name = "PATH", requires = "redis")]
    pub(crate) redis_ca_file: Option<PathBuf>,
    /// With a rediss:// URL: present this client certificate (PEM) for mutual TLS.
    #[arg(long, value_name = "PATH", requires_all = ["redis", "redis_key"])]
    pub(crate) redis_cert: Option<PathBuf>,
    /// With --redis-cert: the client certificate's private key (PEM).
    #[arg(long, value_name = "PATH", requires = "redis_cert")]
    pub(crate) redis_key: Option<PathBuf>,
}

impl RedisTlsArgs {
    fn tls(&self) -> RedisTls {
        let mut tls = RedisTls::new();
        tls.ca_file = self.redis_ca_file.clone();
        tls.cert_file = self.redis_cert.clone();
        tls.key_file = self.redis_key.clone();
        tls
    }
}

/// The `--redis` options of `authctl verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyRedisArgs {
    /// Also check revocation in the shared store at this Redis URL.
    #[arg(long, value_name = "URL")]
    pub(crate) redis: Option<String>,
    /// With --redis: the key prefix.
    #[arg(long, value_name = "PREFIX", default_value = DEFAULT_KEY_PREFIX, requires = "redis")]
    pub(crate) key_prefix: String,
    #[command(flatten)]
    pub(crate) tls: RedisTlsArgs,
}

/// The `--redis` options of `authctl serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeRedisArgs {
    /// Keep revocations in the shared store at this Redis URL instead of in memory: a logout
    /// through this service is rejected by every process using the same store.
    #[arg(long, value_name = "URL")]
    pub(crate) redis: Option<String>,
    /// With --redis: the key prefix.
    #[arg(long, value_name = "PREFIX", default_value = DEFAULT_KEY_PREFIX, requires = "redis")]
    pub(crate) key_prefix: String,
    #[command(flatten)]
    pub(crate) tls: RedisTlsArgs,
}

/// The shared store for `authctl serve --redis`, if asked for.
pub(crate) fn serve_store(
    args: &ServeRedisArgs,
) -> Result<Option<Arc<RedisRevocationStore>>, Failure> {
    args.redis
        .as_deref()
        .map(|url| connect(url, &args.key_prefix, &args.tls).map(Arc::new))
        .transpose()
}

fn connect(url: &str, prefix: &str, tls: &RedisTlsArgs) -> Result<RedisRevocationStore, Failure> {
    let mut options = RedisStoreOptions::default();
    options.key_prefix = prefix.to_owned();
    options.tls = tls.tls();
    if let Some(master) = &tls.redis_master {
        options.sentinel = Some(SentinelConfig::new(
            tls.redis_sentinel.clone(),
            master.clone(),
        ));
    }
    if !tls.redis_cluster.is_empty() {
        options.cluster = Some(tls.redis_cluster.clone());
    }
    options.min_replicas = tls.redis_min_replicas;
    RedisRevocationStore::connect(url, options).map_err(Failure::Usage)
}

/// The store for `authctl verify --redis`, if asked for.
pub(crate) fn verify_store(
    args: &VerifyRedisArgs,
) -> Result<Option<Arc<RedisRevocationStore>>, Failure> {
    args.redis
        .as_deref()
        .map(|url| connect(url, &args.key_prefix, &args.tls).map(Arc::new))
        .transpose()
}

fn parse_principal(text: &str) -> Result<Principal, Failure> {
    let bad = || {
        Failure::usage(
            ErrorCode::InvalidRequest,
            format!("--principal must be user:ID or reseller:ID, not {text:?}"),
        )
    };
    let (kind, id) = text.split_once(':').ok_or_else(bad)?;
    let id: u64 = id.parse().map_err(|_| bad())?;
    match PrincipalType::from_claim(kind).ok_or_else(bad)? {
        PrincipalType::User => Ok(Principal::user(id)),
        PrincipalType::Reseller => Ok(Principal::reseller(id)),
    }
}

/// `authctl revoke`: writes the revocation durably (exit 0 once Redis acknowledged it) and
/// prints what was revoked as JSON.
pub(crate) fn revoke(args: RevokeArgs) -> Result<Success, Failure> {
    // Arguments first: nothing connects for a usage error.
    let principal = args.principal.as_deref().map(parse_principal).transpose()?;
    let from_token = match &args.token {
        Some(token) => {
            let u = inspect_unverified(token.trim().as_bytes(), DEFAULT_MAX_TOKEN_SIZE)
                .map_err(Failure::Usage)?;
            let jti = u.claims["jti"].as_str().map(str::to_owned).ok_or_else(|| {
                Failure::Usage(Error::with_message(
                    ErrorCode::InvalidClaims,
                    "the token has no jti",
                ))
            })?;
            Some((jti, u.claims["exp"].as_u64()))
        }
        None => None,
    };
    let store = connect(&args.redis, &args.key_prefix, &args.tls)?;
    let out = if let (Some(p), Some(before)) = (principal, args.before) {
        store
            .revoke_principal_before(p, before, None)
            .map_err(Failure::Rejected)?;
        serde_json::json!({"revoked": "principal", "principal": format!("{}:{}", p.kind, p.id), "before": before})
    } else {
        let (jti, exp) = match from_token {
            Some(pair) => pair,
            None => (args.jti.clone().unwrap_or_default(), args.exp),
        };
        RevocationWriter::revoke(&store, &jti, exp, None).map_err(|e| {
            if e.code() == ErrorCode::InvalidRequest {
                Failure::Usage(e)
            } else {
                Failure::Rejected(e)
            }
        })?;
        serde_json::json!({"revoked": "jti", "jti": jti, "exp": exp})
    };
    emit(&out.to_string())?;
    Ok(Success::Zero)
}
