//! `rediss://` against a real `redis-server --tls-port` with certificates made by
//! tests/tls/make-certs.sh (openssl): the right CA works (one-way and mutual TLS); a wrong CA,
//! an expired certificate, a certificate for another name, a missing client certificate all
//! fail closed with a message saying why.
#![cfg(feature = "tls")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auth_core::{
    ErrorCode, Principal, RevocationQuery, RevocationStatus, RevocationStore, RevocationWriter,
};
use auth_redis::{RedisRevocationStore, RedisStoreOptions, RedisTls};

struct TlsRedis {
    port: u16,
    child: Child,
    dir: PathBuf,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The certificates, made once per test process (the tests run in parallel).
fn certs() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("auth-redis-tls-certs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tls/make-certs.sh");
        let ok = Command::new("bash")
            .arg(script)
            .arg(&dir)
            .status()
            .expect("bash and openssl are needed to make the test certificates");
        assert!(ok.success(), "tests/tls/make-certs.sh failed");
        dir
    })
    .clone()
}

/// A TLS-only server presenting `cert`; `clients` is `--tls-auth-clients` (yes/no).
fn start(certs: &Path, cert: &str, clients: &str) -> TlsRedis {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("auth-redis-tls-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = |f: &str| certs.join(f).to_string_lossy().into_owned();
    let child = Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--tls-port",
            &port.to_string(),
        ])
        .args(["--tls-cert-file", &c(&format!("{cert}.pem"))])
        .args(["--tls-key-file", &c(&format!("{cert}.key"))])
        .args(["--tls-ca-cert-file", &c("ca.pem")])
        .args([
            "--tls-auth-clients",
            clients,
            "--save",
            "",
            "--protected-mode",
            "no",
        ])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server is needed (scripts/test-all.sh installs it)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "redis-server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    TlsRedis { port, child, dir }
}

fn options(certs: &Path, ca: &str, client: bool) -> RedisStoreOptions {
    let mut tls = RedisTls::new();
    tls.ca_file = Some(certs.join(ca));
    if client {
        tls.cert_file = Some(certs.join("client.pem"));
        tls.key_file = Some(certs.join("client.key"));
    }
    let mut o = RedisStoreOptions::default();
    o.tls = tls;
    o.start_timeout = Some(Duration::from_secs(3));
    o
}

fn connect(url: &str, o: RedisStoreOptions) -> Result<RedisRevocationStore, auth_core::Error> {
    RedisRevocationStore::connect(url, o)
}

#[test]
fn the_right_ca_connects_and_revocations_flow() {
    let certs = certs();
    let server = start(&certs, "server", "no");
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("rediss://{host}:{}", server.port);
        let store = connect(&url, options(&certs, "ca.pem", false)).unwrap();
        store.revoke(&format!("tls-{host}"), None, None).unwrap();
        let other = connect(&url, options(&certs, "ca.pem", false)).unwrap();
        let jti = format!("tls-{host}");
        let q = RevocationQuery::new(&jti, Principal::user(1), 1, None);
        assert_eq!(
            other.revocation_status(&q),
            RevocationStatus::Revoked,
            "{host}"
        );
    }
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let certs = certs();
    let server = start(&certs, "server", "yes");
    let url = format!("rediss://127.0.0.1:{}", server.port);
    let store = connect(&url, options(&certs, "ca.pem", true)).unwrap();
    store.revoke("mtls", None, None).unwrap();
    let err = connect(&url, options(&certs, "ca.pem", false)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable, "{err}");
}

#[test]
fn bad_certificates_fail_closed_and_say_why() {
    let certs = certs();
    let good = start(&certs, "server", "no");
    let url = format!("rediss://127.0.0.1:{}", good.port);
    let err = connect(&url, options(&certs, "other-ca.pem", false)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
    assert!(
        err.message().to_lowercase().contains("certificate"),
        "wrong CA: {err}"
    );
    // No CA file: the public roots, which do not know the test CA.
    let mut public = options(&certs, "ca.pem", false);
    public.tls = RedisTls::new();
    assert_eq!(
        connect(&url, public).unwrap_err().code(),
        ErrorCode::RevocationUnavailable
    );
    for cert in ["expired", "wrong-name"] {
        let server = start(&certs, cert, "no");
        let url = format!("rediss://127.0.0.1:{}", server.port);
        let err = connect(&url, options(&certs, "ca.pem", false)).unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::RevocationUnavailable,
            "{cert}: {err}"
        );
        let why = err.message().to_lowercase();
        assert!(
            why.contains("certificate") || why.contains("expired") || why.contains("name"),
            "{cert}: {err}"
        );
    }
    // A plain client cannot talk to a TLS-only server, and TLS files with redis:// are refused.
    let plain = connect(&format!("redis://127.0.0.1:{}", good.port), {
        let mut o = RedisStoreOptions::default();
        o.start_timeout = Some(Duration::from_secs(2));
        o
    });
    assert_eq!(plain.unwrap_err().code(), ErrorCode::RevocationUnavailable);
    let mixed = connect(
        &format!("redis://127.0.0.1:{}", good.port),
        options(&certs, "ca.pem", false),
    );
    assert_eq!(mixed.unwrap_err().code(), ErrorCode::InvalidRequest);
    let missing = connect(&url, options(&certs, "no-such-ca.pem", false)).unwrap_err();
    assert_eq!(missing.code(), ErrorCode::InvalidRequest);
    assert!(missing.message().contains("no-such-ca.pem"));
}
