//! The operator's routes: `/healthz`, `/readyz` (ready with the memory store, 503 with a
//! store that says it cannot answer), `/metrics` (counters move; the text is well-formed
//! Prometheus/OpenMetrics exposition).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use auth_core::{
    MemoryRevocationStore, Principal, RevocationQuery, RevocationStatus, RevocationStore,
    RevocationWriter,
};
use auth_server::{router, AppState, Db, Passwords, Revoker, ServerConfig, StoreStatus};
use common::{bearer, service, Svc};
use http::StatusCode;

/// A shared store stand-in whose readiness the test sets.
#[derive(Default)]
struct Switchable {
    inner: MemoryRevocationStore,
    down: AtomicBool,
}

impl RevocationStore for Switchable {
    fn is_revoked(&self, query: &RevocationQuery<'_>) -> bool {
        self.revocation_status(query) != RevocationStatus::NotRevoked
    }
    fn revocation_status(&self, query: &RevocationQuery<'_>) -> RevocationStatus {
        match self.inner.revocation_status(query) {
            RevocationStatus::NotRevoked if self.down.load(Ordering::SeqCst) => {
                RevocationStatus::Unavailable
            }
            s => s,
        }
    }
}

impl RevocationWriter for Switchable {
    fn revoke(&self, jti: &str, exp: Option<u64>, now: Option<u64>) -> auth_core::Result<()> {
        self.inner.revoke(jti, exp, now)
    }
    fn revoke_principal_before(
        &self,
        principal: Principal,
        before: u64,
        now: Option<u64>,
    ) -> auth_core::Result<()> {
        self.inner.revoke_principal_before(principal, before, now)
    }
}

impl Revoker for Switchable {
    fn status(&self) -> StoreStatus {
        let down = self.down.load(Ordering::SeqCst);
        let mut s = StoreStatus::local(self.inner.len());
        s.not_current = down;
        s.connected = Some(!down);
        s.staleness_seconds = Some(if down { 12.5 } else { 0.1 });
        s
    }
}

fn service_with_store(store: Arc<Switchable>) -> Svc {
    let db = Arc::new(Db::open_in_memory().unwrap());
    auth_server::create_demo_accounts(&db, &Passwords::new(common::CHEAP).unwrap()).unwrap();
    let mut config = ServerConfig::new(common::keys());
    config.hash_params = common::CHEAP;
    let state = AppState::new(config, db, store).unwrap();
    Svc {
        app: router(state.clone()),
        state,
    }
}

#[tokio::test]
async fn healthz_answers_ok_without_a_token() {
    let a = service()
        .call("GET", "/healthz", "127.0.0.1", &[], "")
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(a.headers["content-type"], "application/json");
}

#[tokio::test]
async fn readyz_is_ready_with_the_memory_store_and_a_database() {
    let a = service().call("GET", "/readyz", "127.0.0.1", &[], "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let body = a.json();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["revocation_store"], "ok");
    assert_eq!(body["checks"]["database"], "ok");
}

#[tokio::test]
async fn readyz_is_503_saying_why_while_the_store_cannot_answer_and_200_after() {
    let store = Arc::new(Switchable::default());
    let svc = service_with_store(store.clone());
    assert_eq!(
        svc.call("GET", "/readyz", "127.0.0.1", &[], "")
            .await
            .status,
        StatusCode::OK
    );

    store.down.store(true, Ordering::SeqCst);
    let a = svc.call("GET", "/readyz", "127.0.0.1", &[], "").await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    let body = a.json();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"]["revocation_store"], "lost");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["revocation_store"]["connected"], false);
    assert_eq!(body["revocation_store"]["staleness_seconds"], 12.5);
    // Meanwhile an authenticated route answers 503 too, and /healthz stays 200.
    let token = svc.user_token().await;
    let probe = svc
        .authed("GET", "/a/some-endpoint", &bearer(&token), "")
        .await;
    assert_eq!(
        probe.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        probe.body
    );
    let health = svc.call("GET", "/healthz", "127.0.0.1", &[], "").await;
    assert_eq!(health.status, StatusCode::OK);

    store.down.store(false, Ordering::SeqCst);
    let a = svc.call("GET", "/readyz", "127.0.0.1", &[], "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

/// A sample: its name, labels and value.
type Sample = (String, HashMap<String, String>, f64);
/// The samples of a page and the declared type of each family.
type Page = (Vec<Sample>, HashMap<String, String>);

/// One sample line: `name{labels} value` or `name value` (OpenMetrics text). Returns the
/// name, the labels and the value.
fn sample(line: &str) -> Sample {
    let (series, value) = line
        .rsplit_once(' ')
        .unwrap_or_else(|| panic!("no value: {line}"));
    let value: f64 = match value {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
    };
    let (name, labels) = match series.split_once('{') {
        None => (series, HashMap::new()),
        Some((name, rest)) => {
            let inner = rest
                .strip_suffix('}')
                .unwrap_or_else(|| panic!("unclosed: {line}"));
            let labels = inner
                .split(',')
                .map(|pair| {
                    let (k, v) = pair
                        .split_once('=')
                        .unwrap_or_else(|| panic!("label: {line}"));
                    let v = v
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or_else(|| panic!("unquoted label value: {line}"));
                    assert!(valid_name(k), "label name {k:?} in {line}");
                    (k.to_owned(), v.to_owned())
                })
                .collect();
            (name, labels)
        }
    };
    assert!(valid_name(name), "metric name {name:?} in {line}");
    (name.to_owned(), labels, value)
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses the whole page, checking every line's format; returns the samples and the
/// declared types.
fn parse(text: &str) -> Page {
    let mut samples = Vec::new();
    let mut types = HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "the page ends with # EOF");
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let kind = parts.next().unwrap();
            let name = parts.next().unwrap_or_else(|| panic!("no name: {line}"));
            let text = parts.next().unwrap_or_else(|| panic!("no text: {line}"));
            assert!(valid_name(name), "{line}");
            match kind {
                "HELP" | "UNIT" => {}
                "TYPE" => {
                    assert!(
                        [
                            "counter",
                            "gauge",
                            "histogram",
                            "info",
                            "summary",
                            "unknown"
                        ]
                        .contains(&text),
                        "{line}"
                    );
                    types.insert(name.to_owned(), text.to_owned());
                }
                _ => panic!("unknown comment {line}"),
            }
        } else {
            let s = sample(line);
            let family = ["_total", "_bucket", "_count", "_sum", "_created"]
                .iter()
                .find_map(|suffix| s.0.strip_suffix(suffix))
                .filter(|base| types.contains_key(*base))
                .unwrap_or(&s.0);
            assert!(types.contains_key(family), "{line}: no # TYPE before it");
            samples.push(s);
        }
    }
    (samples, types)
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.2)
        .sum()
}

async fn scrape(svc: &Svc) -> Page {
    let a = svc.call("GET", "/metrics", "127.0.0.1", &[], "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "{:?}",
        a.headers
    );
    parse(&a.body)
}

#[tokio::test]
async fn metrics_count_verifications_and_logins_in_well_formed_text() {
    let svc = service();
    let (before, types) = scrape(&svc).await;
    // A labelled family is written once one of its series has been counted.
    for (name, kind) in [
        ("auth_verification_duration_seconds", "histogram"),
        ("auth_revocation_store_ready", "gauge"),
        ("auth_revocation_store_entries", "gauge"),
    ] {
        assert_eq!(types.get(name).map(String::as_str), Some(kind), "{name}");
    }
    assert!(
        !types.contains_key("auth_redis_connected"),
        "no Redis gauges for the memory store"
    );
    assert_eq!(value(&before, "auth_revocation_store_ready", &[]), 1.0);

    let token = svc.user_token().await;
    let wrong = svc
        .call(
            "POST",
            "/a/session.json",
            "127.0.0.1",
            &[],
            r#"{"login": "user@example.com", "password": "wrong"}"#,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let ok = svc
        .authed("GET", "/a/some-endpoint", &bearer(&token), "")
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let refused = svc
        .authed("GET", "/a/some-endpoint", "Bearer x.y.z", "")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let nginx = svc.authed("GET", "/a/auth", &bearer(&token), "").await;
    assert_eq!(nginx.status, StatusCode::NO_CONTENT);
    let logout = svc
        .authed("DELETE", "/a/session.json", &bearer(&token), "")
        .await;
    assert_eq!(logout.status, StatusCode::OK);

    let (after, types) = scrape(&svc).await;
    for name in ["auth_verifications", "auth_logins"] {
        assert_eq!(
            types.get(name).map(String::as_str),
            Some("counter"),
            "{name}"
        );
    }
    let diff = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    // /a/some-endpoint twice, /a/auth, the logout's own authentication.
    assert_eq!(diff("auth_verifications_total", &[("result", "ok")]), 3.0);
    assert_eq!(diff("auth_verifications_total", &[]), 4.0);
    assert_eq!(diff("auth_verification_duration_seconds_count", &[]), 4.0);
    assert!(
        after.iter().any(|(n, l, _)| n == "auth_verifications_total"
            && l.get("result").is_some_and(|r| r != "ok")),
        "the refusal is counted under its error code"
    );
    assert_eq!(
        diff("auth_logins_total", &[("api", "user"), ("outcome", "ok")]),
        1.0
    );
    assert_eq!(
        diff(
            "auth_logins_total",
            &[("api", "user"), ("outcome", "invalid_credentials")]
        ),
        1.0
    );
    // The blocked test account's cutoff was there before; the logout adds its jti.
    assert_eq!(
        diff("auth_revocation_store_entries", &[]),
        1.0,
        "the logout"
    );
}

#[tokio::test]
async fn metrics_count_rate_limited_logins() {
    let svc = common::service_with(&[], common::short_window(1, 100));
    let body = r#"{"login": "user@example.com", "password": "wrong"}"#;
    for _ in 0..3 {
        svc.call("POST", "/a/session.json", "127.0.0.1", &[], body)
            .await;
    }
    let (samples, _) = scrape(&svc).await;
    assert_eq!(
        value(&samples, "auth_rate_limited_total", &[("api", "user")]),
        2.0
    );
    assert_eq!(
        value(
            &samples,
            "auth_logins_total",
            &[("api", "user"), ("outcome", "rate_limited")]
        ),
        2.0
    );
}
