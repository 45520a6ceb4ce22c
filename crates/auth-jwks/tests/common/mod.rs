//! A local HTTPS (or plain HTTP) server whose answer the test sets and whose requests it
//! counts, with the certificates of tests/tls/make-certs.sh; and keys to mint tokens with.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Subject, SystemRandom};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The directory of the test certificates (made once per test binary).
pub fn certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("auth-jwks-certs-{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tls/make-certs.sh");
        let ok = std::process::Command::new("bash")
            .arg(script)
            .arg(&dir)
            .status()
            .expect("bash");
        assert!(ok.success(), "tests/tls/make-certs.sh failed");
        dir
    })
}

/// What the server answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with this body (Content-Length) and an optional Cache-Control.
    Body(Vec<u8>, Option<&'static str>),
    /// This status, empty body.
    Status(u16),
    /// 302 to this location.
    Redirect(&'static str),
    /// 200 announcing 1000 bytes, then one byte every `.0`.
    Drip(Duration),
    /// Reads the request and never answers (for 30 s).
    Silent,
    /// 200 with `.0` bytes of spaces, with a Content-Length when `.1`.
    Stream(usize, bool),
    /// Waits, then answers.
    Delay(Duration, Box<Reply>),
}

impl Reply {
    pub fn jwks(text: &str) -> Reply {
        Reply::Body(text.as_bytes().to_vec(), None)
    }
}

pub struct Server {
    pub port: u16,
    tls: bool,
    /// Requests read so far.
    pub requests: Arc<AtomicUsize>,
    /// Body bytes written so far (all connections).
    pub sent: Arc<AtomicUsize>,
    reply: Arc<Mutex<Reply>>,
}

impl Server {
    /// An HTTPS server with the CA-signed certificate for 127.0.0.1.
    pub fn https(reply: Reply) -> Server {
        Server::start(reply, true)
    }

    /// A plain-HTTP server.
    pub fn http(reply: Reply) -> Server {
        Server::start(reply, false)
    }

    fn start(reply: Reply, tls: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = Server {
            port,
            tls,
            requests: Arc::default(),
            sent: Arc::default(),
            reply: Arc::new(Mutex::new(reply)),
        };
        let config = tls.then(server_config);
        let (requests, sent, reply) = (
            server.requests.clone(),
            server.sent.clone(),
            server.reply.clone(),
        );
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let (requests, sent, reply) = (requests.clone(), sent.clone(), reply.clone());
                let config = config.clone();
                std::thread::spawn(move || {
                    let _ = tcp.set_read_timeout(Some(Duration::from_secs(30)));
                    match config {
                        Some(c) => {
                            let conn = rustls::ServerConnection::new(c).unwrap();
                            serve(
                                rustls::StreamOwned::new(conn, tcp),
                                &requests,
                                &sent,
                                &reply,
                            )
                        }
                        None => serve(tcp, &requests, &sent, &reply),
                    }
                });
            }
        });
        server
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/.well-known/jwks.json", self.port)
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn server_config() -> Arc<rustls::ServerConfig> {
    let dir = certs();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    Arc::new(config)
}

fn serve<S: Read + Write>(
    mut s: S,
    requests: &AtomicUsize,
    sent: &AtomicUsize,
    reply: &Mutex<Reply>,
) {
    // The request head (a GET has no body).
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let r = reply.lock().unwrap().clone();
    let _ = answer(&mut s, r, sent);
    let _ = s.flush();
}

fn answer<S: Write>(s: &mut S, reply: Reply, sent: &AtomicUsize) -> std::io::Result<()> {
    let head = |status: &str, extra: &str| {
        format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: application/json\r\n{extra}\r\n")
    };
    match reply {
        Reply::Body(body, cc) => {
            let cc = cc
                .map(|v| format!("Cache-Control: {v}\r\n"))
                .unwrap_or_default();
            let len = format!("Content-Length: {}\r\n{cc}", body.len());
            s.write_all(head("200 OK", &len).as_bytes())?;
            s.write_all(&body)?;
            sent.fetch_add(body.len(), Ordering::SeqCst);
        }
        Reply::Status(code) => {
            s.write_all(head(&format!("{code} Oops"), "Content-Length: 0\r\n").as_bytes())?;
        }
        Reply::Redirect(to) => {
            let extra = format!("Location: {to}\r\nContent-Length: 0\r\n");
            s.write_all(head("302 Found", &extra).as_bytes())?;
        }
        Reply::Drip(every) => {
            s.write_all(head("200 OK", "Content-Length: 1000\r\n").as_bytes())?;
            for _ in 0..1000 {
                s.flush()?;
                std::thread::sleep(every);
                s.write_all(b" ")?;
                sent.fetch_add(1, Ordering::SeqCst);
            }
        }
        Reply::Silent => std::thread::sleep(Duration::from_secs(30)),
        Reply::Stream(total, with_length) => {
            let len = if with_length {
                format!("Content-Length: {total}\r\n")
            } else {
                String::new()
            };
            s.write_all(head("200 OK", &len).as_bytes())?;
            let chunk = [b' '; 16 * 1024];
            let mut left = total;
            while left > 0 {
                let n = left.min(chunk.len());
                s.write_all(&chunk[..n])?;
                sent.fetch_add(n, Ordering::SeqCst);
                left -= n;
            }
        }
        Reply::Delay(by, then) => {
            std::thread::sleep(by);
            return answer(s, *then, sent);
        }
    }
    Ok(())
}

/// A port with nothing listening on it.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    // Make sure: a connection is refused.
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    port
}

/// An issuer with one fresh key (`kid`, EdDSA or ES256), and its public JWK Set text.
pub fn issuer(kid: &str, alg: Algorithm) -> (Issuer, String) {
    let ring = KeyRing::single(Key::generate(kid, alg, &SystemRandom).unwrap());
    let jwks = ring.to_jwks();
    (Issuer::new(ring), jwks)
}

/// A JWK Set text holding the public keys of several issuers.
pub fn jwks_of(sets: &[&str]) -> String {
    let keys: Vec<String> = sets
        .iter()
        .map(|s| {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            v["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    format!("{{\"keys\":[{}]}}", keys.join(","))
}

/// A token minted by `issuer` for a user, valid now for a day.
pub fn token(issuer: &Issuer) -> String {
    issuer
        .mint(&MintRequest::new(Subject::user(7, "alice", false)))
        .unwrap()
        .token
}
