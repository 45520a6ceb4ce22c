//! What `GET /metrics` reports, in the Prometheus/OpenMetrics text format (docs/server.md,
//! "Operating it"): verifications by result and their latency, logins by outcome, rate-limited
//! answers, and the revocation store's gauges.
//!
//! The counters are `prometheus-client`'s (atomics; a labelled counter is found under a read
//! lock, its label set made of `&'static str`s, so counting allocates nothing once a label set
//! has been seen). The store's gauges are read from [`Revoker::status`](crate::Revoker::status)
//! when the page is rendered, not on the request path.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use auth_core::{ErrorCode, LoginKind, SignatureCache};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::revoke::StoreStatus;

/// The `Content-Type` of [`Metrics::render`]'s text (Prometheus scrapes it as OpenMetrics).
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The upper bounds of the verification latency buckets, in seconds: an HMAC verification
/// takes microseconds, an asymmetric one tens to hundreds.
const VERIFY_BUCKETS: [f64; 12] = [
    0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005,
    0.01, 0.1,
];

type Labels1 = [(&'static str, &'static str); 1];
type Labels2 = [(&'static str, &'static str); 2];

/// The service's metrics. Shared (`Arc`) by the routes and the [`AuthLayer`](crate::AuthLayer);
/// safe to use from many threads.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    verifications: Family<Labels1, Counter>,
    verify_seconds: Histogram,
    logins: Family<Labels2, Counter>,
    rate_limited: Family<Labels1, Counter>,
    store_ready: Gauge,
    store_entries: Gauge,
    store_staleness: Gauge<f64, AtomicU64>,
    redis_connected: Gauge,
    /// Whether the store's shared-store gauges (staleness, connection) are registered.
    shared_store: bool,
    /// The signature cache's metrics, when the service has one.
    signature_cache: Option<SignatureCacheMetrics>,
}

/// The signature cache's counters, copied from [`SignatureCache::stats`] when the page is
/// rendered (the lock keeps two renders from adding the same increase twice).
#[derive(Debug)]
struct SignatureCacheMetrics {
    cache: Arc<SignatureCache>,
    events: Family<Labels1, Counter>,
    entries: Gauge,
    capacity: Gauge,
    copy: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(false)
    }
}

impl Metrics {
    /// Every metric, all at zero, named `auth_*`. `shared_store`: also the gauges only a
    /// shared store has (`auth_revocation_store_staleness_seconds`, `auth_redis_connected`).
    pub fn new(shared_store: bool) -> Self {
        let mut registry = Registry::with_prefix("auth");
        let m = Metrics {
            registry: Registry::default(),
            verifications: Family::default(),
            verify_seconds: Histogram::new(VERIFY_BUCKETS),
            logins: Family::default(),
            rate_limited: Family::default(),
            store_ready: Gauge::default(),
            store_entries: Gauge::default(),
            store_staleness: Gauge::default(),
            redis_connected: Gauge::default(),
            shared_store,
            signature_cache: None,
        };
        registry.register(
            "verifications",
            "Bearer-token verifications, by result: ok or the error code",
            m.verifications.clone(),
        );
        registry.register_with_unit(
            "verification_duration",
            "Time to authenticate one request (header, signature, claims, revocation)",
            Unit::Seconds,
            m.verify_seconds.clone(),
        );
        registry.register(
            "logins",
            "Logins, by API (user, reseller) and outcome: ok or the error code",
            m.logins.clone(),
        );
        registry.register(
            "rate_limited",
            "Logins answered 429 (failed-login limit or every password-check slot taken), by API",
            m.rate_limited.clone(),
        );
        registry.register(
            "revocation_store_ready",
            "1 while the revocation store can answer, 0 while authenticated routes answer 503",
            m.store_ready.clone(),
        );
        registry.register(
            "revocation_store_entries",
            "Entries in the revocation store (revoked token ids plus principal cutoffs)",
            m.store_entries.clone(),
        );
        if shared_store {
            registry.register_with_unit(
                "revocation_store_staleness",
                "Time since the shared store's replica last confirmed it was current (NaN: never)",
                Unit::Seconds,
                m.store_staleness.clone(),
            );
            registry.register(
                "redis_connected",
                "1 while the shared store's replica is connected to Redis",
                m.redis_connected.clone(),
            );
        }
        Metrics { registry, ..m }
    }

    /// Also reports `cache`'s counters (docs/signature-cache.md):
    /// `auth_signature_cache_total{event}`, `auth_signature_cache_entries` and
    /// `auth_signature_cache_capacity`.
    pub fn with_signature_cache(mut self, cache: Arc<SignatureCache>) -> Self {
        let m = SignatureCacheMetrics {
            cache,
            events: Family::default(),
            entries: Gauge::default(),
            capacity: Gauge::default(),
            copy: Mutex::new(()),
        };
        self.registry.register(
            "signature_cache",
            "Signature-cache events: hit (signature check skipped), miss, insert, eviction, expired, invalidation (the key ring changed)",
            m.events.clone(),
        );
        self.registry.register(
            "signature_cache_entries",
            "Tokens whose verified signature the cache holds",
            m.entries.clone(),
        );
        self.registry.register(
            "signature_cache_capacity",
            "Most tokens the signature cache holds",
            m.capacity.clone(),
        );
        self.signature_cache = Some(m);
        self
    }

    /// Copies the signature cache's counters into the registry.
    fn observe_signature_cache(&self) {
        let Some(m) = &self.signature_cache else {
            return;
        };
        let _one = m.copy.lock().unwrap_or_else(PoisonError::into_inner);
        let s = m.cache.stats();
        for (event, total) in [
            ("hit", s.hits),
            ("miss", s.misses),
            ("insert", s.inserts),
            ("eviction", s.evictions),
            ("expired", s.expired),
            ("invalidation", s.invalidations),
        ] {
            let c = m.events.get_or_create(&[("event", event)]);
            c.inc_by(total.saturating_sub(c.get()));
        }
        m.entries.set(i64::try_from(s.entries).unwrap_or(i64::MAX));
        m.capacity
            .set(i64::try_from(s.capacity).unwrap_or(i64::MAX));
    }

    /// Counts one verification: `Ok` → `result="ok"`, else the error's code; and its time.
    pub fn verification(&self, result: Result<(), ErrorCode>, took: Duration) {
        let label = match result {
            Ok(()) => "ok",
            Err(code) => code.as_str(),
        };
        self.verifications.get_or_create(&[("result", label)]).inc();
        self.verify_seconds.observe(took.as_secs_f64());
    }

    /// Counts one login answer: `outcome` is `ok` or the error code (`invalid_credentials`,
    /// `rate_limited`, `server_error`, ...). A `rate_limited` one also counts in
    /// `auth_rate_limited_total`.
    pub fn login(&self, kind: LoginKind, outcome: &'static str) {
        let api = kind.as_str();
        self.logins
            .get_or_create(&[("api", api), ("outcome", outcome)])
            .inc();
        if outcome == ErrorCode::RateLimited.as_str() {
            self.rate_limited.get_or_create(&[("api", api)]).inc();
        }
    }

    /// Sets the store's gauges from its status.
    pub fn observe_store(&self, status: &StoreStatus) {
        self.store_ready.set(i64::from(status.ready().is_ok()));
        let entries = status.entries.unwrap_or(0);
        self.store_entries
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
        if self.shared_store {
            self.store_staleness
                .set(status.staleness_seconds.unwrap_or(f64::NAN));
            self.redis_connected
                .set(i64::from(status.connected.unwrap_or(false)));
        }
    }

    /// The exposition text (ends with `# EOF`).
    pub fn render(&self) -> String {
        self.observe_signature_cache();
        let mut out = String::with_capacity(4096);
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_and_a_login_show_up_by_label() {
        let m = Metrics::new(true);
        m.verification(Ok(()), Duration::from_micros(20));
        m.verification(Err(ErrorCode::TokenExpired), Duration::from_micros(20));
        m.login(LoginKind::User, "ok");
        m.login(LoginKind::Reseller, "rate_limited");
        m.observe_store(&StoreStatus::local(3));
        let text = m.render();
        for line in [
            "auth_verifications_total{result=\"ok\"} 1",
            "auth_verifications_total{result=\"token_expired\"} 1",
            "auth_verification_duration_seconds_count 2",
            "auth_logins_total{api=\"user\",outcome=\"ok\"} 1",
            "auth_logins_total{api=\"reseller\",outcome=\"rate_limited\"} 1",
            "auth_rate_limited_total{api=\"reseller\"} 1",
            "auth_revocation_store_ready 1",
            "auth_revocation_store_entries 3",
            "auth_redis_connected 0",
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }

    #[test]
    fn a_local_store_has_no_redis_gauges() {
        let text = Metrics::new(false).render();
        assert!(!text.contains("auth_redis_connected"), "{text}");
        assert!(!text.contains("staleness"), "{text}");
    }
}
