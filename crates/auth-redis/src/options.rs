//! What a [`RedisRevocationStore`](crate::RedisRevocationStore) is configured with.

use std::path::PathBuf;
use std::time::Duration;

use auth_core::{DEFAULT_EXPIRY_GRACE, DEFAULT_REVOCATION_CAPACITY};

/// The default key prefix: every key the store uses starts with it.
pub const DEFAULT_KEY_PREFIX: &str = "auth:rev:";
/// The default bound on how long the replica may go without confirming it is current.
pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_secs(2);
/// The default approximate length the stream is trimmed to (`XADD MAXLEN ~`).
pub const DEFAULT_STREAM_MAXLEN: u64 = 1_000_000;

/// Options of a [`RedisRevocationStore`](crate::RedisRevocationStore).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisStoreOptions {
    /// Prefix of every key, so that several applications can share one Redis: the keys are
    /// the prefix in literal braces, then a name (`{auth:rev:}stream`, `{auth:rev:}j:JTI`,
    /// `{auth:rev:}cutoffs`), one Redis Cluster slot per prefix. 1 to 256 bytes, without `{`
    /// or `}`. Default [`DEFAULT_KEY_PREFIX`].
    pub key_prefix: String,
    /// How long the local replica may go without confirming it is current before
    /// verification fails closed with `revocation_unavailable`. Default
    /// [`DEFAULT_MAX_STALENESS`]; at least 10 ms.
    pub max_staleness: Duration,
    /// Opt-in fail-open: once `max_staleness` has passed, keep answering "not revoked" for
    /// tokens the replica does not know to be revoked for at most this much longer, then fail
    /// closed anyway. `None` (the default): fail closed as soon as `max_staleness` passes.
    /// A token the replica knows to be revoked is rejected in every mode.
    pub fail_open_for: Option<Duration>,
    /// Timeout to connect, and for each write's round trip. Default 2 s.
    pub io_timeout: Duration,
    /// How long [`connect`](crate::RedisRevocationStore::connect) waits for the first
    /// catch-up before it fails with `revocation_unavailable`. `None`: return at once (the
    /// store fails closed until it has caught up). Default 5 s.
    pub start_timeout: Option<Duration>,
    /// Approximate number of entries the stream keeps (`XADD MAXLEN ~`). A replica that falls
    /// further behind rebuilds from the keys (a snapshot). Default [`DEFAULT_STREAM_MAXLEN`].
    pub stream_maxlen: u64,
    /// Most entries the local replica holds. Default 10 × [`DEFAULT_REVOCATION_CAPACITY`].
    pub replica_capacity: usize,
    /// How long past a token's `exp` its revocation is kept, locally and in Redis. Default
    /// [`DEFAULT_EXPIRY_GRACE`].
    pub expiry_grace: u64,
    /// TLS for a `rediss://` URL: the CA to trust and, for mutual TLS, the client's certificate
    /// and key. Default: none (a `rediss://` URL then trusts the public web PKI roots).
    pub tls: RedisTls,
    /// Find the primary through Redis Sentinel instead of the URL (which is then not used):
    /// every connection asks the sentinels which server is the primary now, so a failover is
    /// followed by the next reconnect. Default: none.
    pub sentinel: Option<SentinelConfig>,
    /// Use a Redis Cluster through these seed nodes (`HOST:PORT`) instead of the URL (which is
    /// then not used): every connection asks a seed which primary serves the store's slot now
    /// (all its keys share one slot), so a failover or a resharding is followed by the next
    /// reconnect. Default: none.
    pub cluster: Option<Vec<String>>,
    /// A write is acknowledged only once at least this many replicas have it (`WAIT`, within
    /// `io_timeout`); fewer → `revocation_unavailable`. With replicas and a failover, 1 or more
    /// means no acknowledged revocation can be lost (docs/revocation.md). `None` (the
    /// default): 0 without Sentinel (the primary's acknowledgement); with
    /// [`sentinel`](Self::sentinel), 1 while the primary has a replica and 0 when it has none
    /// (a promoted replica left alone keeps accepting writes). `Some(n)`: exactly n, always.
    pub min_replicas: Option<u32>,
}

/// The sentinels of a Redis primary set (Redis Sentinel).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentinelConfig {
    /// The sentinels' `HOST:PORT` addresses (`--redis-sentinel`).
    pub sentinels: Vec<String>,
    /// The name of the primary set they monitor (`--redis-master`).
    pub master: String,
}

impl SentinelConfig {
    /// Sentinels at these `HOST:PORT` addresses for the primary set `master`.
    pub fn new(sentinels: Vec<String>, master: impl Into<String>) -> Self {
        SentinelConfig {
            sentinels,
            master: master.into(),
        }
    }
}

/// The TLS files of a `rediss://` connection, PEM. The server's name (the URL's host, a DNS
/// name or an IP address) is always checked against its certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisTls {
    /// The CA certificate(s) to trust instead of the public roots (`--redis-ca-file`).
    pub ca_file: Option<PathBuf>,
    /// The client certificate chain, for servers that require one (`--redis-cert`); needs
    /// `key_file`.
    pub cert_file: Option<PathBuf>,
    /// The client certificate's private key (`--redis-key`); needs `cert_file`.
    pub key_file: Option<PathBuf>,
}

impl RedisTls {
    /// No file: the public roots, no client certificate.
    pub fn new() -> Self {
        RedisTls::default()
    }

    /// Whether any file is set.
    pub fn is_set(&self) -> bool {
        self.ca_file.is_some() || self.cert_file.is_some() || self.key_file.is_some()
    }
}

impl Default for RedisStoreOptions {
    fn default() -> Self {
        RedisStoreOptions {
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            max_staleness: DEFAULT_MAX_STALENESS,
            fail_open_for: None,
            io_timeout: Duration::from_secs(2),
            start_timeout: Some(Duration::from_secs(5)),
            stream_maxlen: DEFAULT_STREAM_MAXLEN,
            replica_capacity: DEFAULT_REVOCATION_CAPACITY.saturating_mul(10),
            expiry_grace: DEFAULT_EXPIRY_GRACE,
            tls: RedisTls::default(),
            sentinel: None,
            cluster: None,
            min_replicas: None,
        }
    }
}

impl RedisStoreOptions {
    /// The replicas a write waits for: [`min_replicas`](Self::min_replicas), else 1 with
    /// Sentinel or a cluster (while the primary has a replica) and 0 otherwise.
    pub fn required_replicas(&self) -> u32 {
        self.min_replicas
            .unwrap_or(if self.sentinel.is_some() || self.cluster.is_some() {
                1
            } else {
                0
            })
    }

    /// How long one blocking `XREAD` waits: a quarter of `max_staleness`, between 5 ms and
    /// 500 ms, so an idle replica confirms it is current several times per bound.
    pub(crate) fn block(&self) -> Duration {
        (self.max_staleness / 4).clamp(Duration::from_millis(5), Duration::from_millis(500))
    }
}
