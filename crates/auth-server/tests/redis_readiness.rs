//! The service on the shared Redis store while Redis dies and comes back: a real
//! `redis-server` on a free loopback port with its own data directory, SIGKILLed and
//! restarted. `/readyz` goes 503 and back to 200, `auth_redis_connected` follows, and the
//! log has exactly one warning for the outage and one "recovered" line.
//!
//! Needs `redis-server` on the PATH and the `redis` feature (`cargo test -p auth-server
//! --features redis`; a workspace test run turns it on through `auth-cli`).

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use auth_server::{router, AppState, Db, ServerConfig};
use common::Svc;
use http::StatusCode;

/// A `redis-server` of the test's own: killed on drop, its directory removed.
struct Redis {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Redis {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("auth-server-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut r = Redis {
            port,
            dir,
            child: None,
        };
        r.spawn();
        r
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): apt-get install -y redis-server")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every log line of the process, as `authctl serve` writes them (the watcher is a thread
/// of its own: the subscriber must be the global one).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    fn count(&self, level: &str, needle: &str) -> usize {
        self.text()
            .lines()
            .filter(|l| l.contains(level) && l.contains(needle))
            .count()
    }
}

async fn wait_for(svc: &Svc, path: &str, want: StatusCode, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        let a = svc.call("GET", path, "127.0.0.1", &[], "").await;
        if a.status == want {
            return a.body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} still {} after {within:?}: {}",
            a.status,
            a.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn metric(svc: &Svc, name: &str) -> String {
    let page = svc.call("GET", "/metrics", "127.0.0.1", &[], "").await.body;
    page.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("{name} missing:\n{page}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_and_the_log_follow_redis_dying_and_coming_back() {
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .init();

    let mut redis = Redis::start();
    let mut options = RedisStoreOptions::default();
    options.max_staleness = Duration::from_millis(500);
    options.io_timeout = Duration::from_millis(500);
    let store = Arc::new(RedisRevocationStore::connect(&redis.url(), options).unwrap());
    let mut config = ServerConfig::new(common::keys());
    config.hash_params = common::CHEAP;
    config.store_watch = Duration::from_millis(100);
    let db = Arc::new(Db::open_in_memory().unwrap());
    let state = AppState::new(config, db, store).unwrap();
    let svc = Svc {
        app: router(state.clone()),
        state,
    };
    let outage = "revocation store not ready";

    wait_for(&svc, "/readyz", StatusCode::OK, Duration::from_secs(5)).await;
    assert_eq!(metric(&svc, "auth_redis_connected").await, "1");
    assert_eq!(metric(&svc, "auth_revocation_store_ready").await, "1");

    redis.kill();
    let body = wait_for(
        &svc,
        "/readyz",
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(10),
    )
    .await;
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["checks"]["revocation_store"], "lost", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    assert_eq!(metric(&svc, "auth_redis_connected").await, "0");
    assert_eq!(metric(&svc, "auth_revocation_store_ready").await, "0");
    // Many watcher rounds and probes later, still one warning.
    for _ in 0..10 {
        svc.call("GET", "/readyz", "127.0.0.1", &[], "").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(log.count("WARN", outage), 1, "log:\n{}", log.text());
    assert!(
        log.text().contains("reason=\"lost\"") || log.text().contains("reason=lost"),
        "log:\n{}",
        log.text()
    );

    redis.spawn();
    wait_for(&svc, "/readyz", StatusCode::OK, Duration::from_secs(20)).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.count("INFO", "revocation store recovered") == 0 {
        assert!(
            Instant::now() < deadline,
            "no recovery line; log:\n{}",
            log.text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        log.count("INFO", "revocation store recovered"),
        1,
        "log:\n{}",
        log.text()
    );
    assert_eq!(log.count("WARN", outage), 1, "log:\n{}", log.text());
    assert_eq!(metric(&svc, "auth_redis_connected").await, "1");
}
