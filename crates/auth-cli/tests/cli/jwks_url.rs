//! `authctl verify --jwks-url URL [--jwks-ca FILE] [--jwks-allow-http]` against
//! tests/jwks/server.py over HTTPS (certificates from tests/tls/make-certs.sh).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::{authctl, now_arg, TempFile, NOW};

struct Endpoint {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Certificates and an HTTPS server serving `dir/www/jwks.json`.
fn endpoint(jwks: &str) -> Endpoint {
    let dir = std::env::temp_dir().join(format!("authctl-jwks-{}", std::process::id()));
    let certs = dir.join("certs");
    let ok = Command::new("bash")
        .arg(root().join("tests/tls/make-certs.sh"))
        .arg(&certs)
        .status()
        .unwrap();
    assert!(ok.success());
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("jwks.json"), jwks).unwrap();
    let mut child = Command::new("python3")
        .arg(root().join("tests/jwks/server.py"))
        .arg(&www)
        .arg(certs.join("server.pem"))
        .arg(certs.join("server.key"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the server's port");
    Endpoint { child, dir, port }
}

#[test]
fn verify_fetches_the_key_set_by_url() {
    let pem = authctl(&["keygen", "--alg", "EdDSA"])
        .run()
        .ok()
        .to_string();
    let key = TempFile::new(format!("{pem}\n").as_bytes());
    let jwks = authctl(&["jwks", "--key-file", key.path(), "--kid", "k1"])
        .run()
        .ok()
        .to_string();
    let token = authctl(&[
        "mint",
        "user",
        "--id",
        "7",
        "--name",
        "alice",
        "--alg",
        "EdDSA",
        "--key-file",
        key.path(),
        "--kid",
        "k1",
        &now_arg(NOW),
    ])
    .run()
    .ok()
    .to_string();
    let server = endpoint(&jwks);
    let url = format!("https://127.0.0.1:{}/jwks.json", server.port);
    let ca = server.dir.join("certs/ca.pem");
    let ca = ca.to_str().unwrap();
    let claims = authctl(&[
        "verify",
        "--jwks-url",
        &url,
        "--jwks-ca",
        ca,
        &now_arg(NOW),
        &token,
    ])
    .run()
    .json();
    assert_eq!(claims["name"], "alice");
    assert_eq!(
        std::fs::read_to_string(server.dir.join("www/count")).unwrap(),
        "1"
    );

    // A tampered token: rejected (exit 1) after the fetch.
    let at = token.len() - 10;
    let swap = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swap}{}", &token[..at], &token[at + 1..]);
    let out = authctl(&[
        "verify",
        "--jwks-url",
        &url,
        "--jwks-ca",
        ca,
        &now_arg(NOW),
        &forged,
    ])
    .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The public roots do not know the test CA; a failing endpoint: exit 1, jwks_unavailable.
    authctl(&["verify", "--jwks-url", &url, &now_arg(NOW), &token])
        .run()
        .fails(1, "jwks_unavailable");
    let broken = format!("https://127.0.0.1:{}/500", server.port);
    let out = authctl(&[
        "verify",
        "--jwks-url",
        &broken,
        "--jwks-ca",
        ca,
        &now_arg(NOW),
        &token,
    ])
    .run();
    out.fails(1, "jwks_unavailable");
    assert!(
        out.error()["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{}",
        out.stderr
    );
    // http:// needs --jwks-allow-http; --jwks-ca needs --jwks-url; --jwks-url excludes --jwks.
    let plain = format!("http://127.0.0.1:{}/jwks.json", server.port);
    authctl(&["verify", "--jwks-url", &plain, &now_arg(NOW), &token])
        .run()
        .fails(2, "invalid_request");
    let out = authctl(&["verify", "--jwks-ca", ca, &token]).run();
    assert_eq!(out.code, 2);
    let file = TempFile::new(jwks.as_bytes());
    let out = authctl(&["verify", "--jwks-url", &url, "--jwks", file.path(), &token]).run();
    assert_eq!(out.code, 2);
}
