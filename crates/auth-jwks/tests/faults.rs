//! Endpoints that fail: slow, silent, erroring, refusing connections, the wrong CA, redirects,
//! answers too large, not JSON or refused by the core, and plain HTTP. None of them changes
//! the ring, and every one is reported.

mod common;

use std::time::{Duration, Instant};

use auth_core::{Algorithm, ErrorCode, MAX_JWKS_BYTES};
use auth_jwks::{JwksClient, JwksOptions};
use common::{certs, closed_port, issuer, Reply, Server};

fn options() -> JwksOptions {
    let mut o = JwksOptions::default();
    o.ca_file = Some(certs().join("ca.pem"));
    o
}

/// A client that first fetched a good set (kid "good") from `server`.
fn primed(server: &Server, o: JwksOptions) -> JwksClient {
    let (_, jwks) = issuer("good", Algorithm::EdDSA);
    server.set(Reply::jwks(&jwks));
    let c = JwksClient::new(&server.url(), o).unwrap();
    c.refresh().unwrap();
    c
}

/// Asks `c` to refresh, expects `jwks_unavailable` mentioning `says`, and the ring unchanged.
fn refused(c: &JwksClient, says: &str) -> Duration {
    let before = c.ring().snapshot();
    let t = Instant::now();
    let e = c.refresh().unwrap_err();
    let took = t.elapsed();
    assert_eq!(e.code(), ErrorCode::JwksUnavailable, "{e}");
    assert!(e.message().contains(says), "{e:?} does not say {says:?}");
    assert_eq!(c.last_error().as_ref(), Some(&e));
    assert!(
        std::sync::Arc::ptr_eq(&before, &c.ring().snapshot()),
        "the ring was replaced"
    );
    took
}

#[test]
fn slow_endpoints_hit_the_timeouts() {
    let server = Server::https(Reply::Status(200));
    let mut o = options();
    o.timeout = Duration::from_millis(300);
    o.deadline = Duration::from_secs(5);
    let c = primed(&server, o);
    // No answer at all: the timeout for the answer's head.
    server.set(Reply::Silent);
    let took = refused(&c, "timed out");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    // A byte every 50 ms: the timeout for the whole body ends it.
    server.set(Reply::Drip(Duration::from_millis(50)));
    let took = refused(&c, "timed out");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(1500),
        "{took:?}"
    );

    // The deadline bounds the whole fetch even when each part is within its timeout.
    let mut o = options();
    o.timeout = Duration::from_secs(10);
    o.deadline = Duration::from_millis(800);
    let c = primed(&server, o);
    server.set(Reply::Drip(Duration::from_millis(50)));
    let took = refused(&c, "timed out");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_millis(2000),
        "{took:?}"
    );
    server.set(Reply::Delay(
        Duration::from_secs(3),
        Box::new(Reply::Status(200)),
    ));
    let took = refused(&c, "timed out");
    assert!(took < Duration::from_millis(2000), "{took:?}");
    assert_eq!(c.ring().kids(), ["good"]);
}

#[test]
fn broken_endpoints_are_reported() {
    let server = Server::https(Reply::Status(200));
    let c = primed(&server, options());
    server.set(Reply::Status(500));
    refused(&c, "HTTP 500");
    server.set(Reply::Status(404));
    refused(&c, "HTTP 404");
    server.set(Reply::Redirect("https://elsewhere.example/jwks"));
    refused(&c, "redirect");
    assert_eq!(c.status().failures, 3);

    let url = format!("https://127.0.0.1:{}/jwks", closed_port());
    let e = JwksClient::new(&url, options())
        .unwrap()
        .refresh()
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwksUnavailable);
    assert!(e.message().contains("fetching the JWK Set failed"), "{e}");
}

#[test]
fn the_server_certificate_is_checked() {
    let (_, jwks) = issuer("a", Algorithm::EdDSA);
    let server = Server::https(Reply::jwks(&jwks));
    // Another CA: refused.
    let mut o = JwksOptions::default();
    o.ca_file = Some(certs().join("other-ca.pem"));
    let c = JwksClient::new(&server.url(), o).unwrap();
    assert_eq!(c.refresh().unwrap_err().code(), ErrorCode::JwksUnavailable);
    // The public roots (no CA file): a test CA is not among them.
    let c = JwksClient::new(&server.url(), JwksOptions::default()).unwrap();
    let e = c.refresh().unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwksUnavailable, "{e}");
    // The right CA, but a URL naming a host the certificate is not for.
    let c = JwksClient::new(&server.url().replace("127.0.0.1", "127.0.0.2"), options()).unwrap();
    assert_eq!(c.refresh().unwrap_err().code(), ErrorCode::JwksUnavailable);
    assert_eq!(server.requests(), 0, "no request got through");
    // A CA file that is missing or holds no certificate: refused when the client is made.
    for bad in [certs().join("nope.pem"), certs().join("ca.key")] {
        let mut o = JwksOptions::default();
        o.ca_file = Some(bad);
        let e = JwksClient::new(&server.url(), o).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest, "{e}");
    }
}

#[test]
fn answers_over_the_limit_are_refused_without_reading_them() {
    let server = Server::https(Reply::Status(200));
    let c = primed(&server, options());
    let sent = || server.sent.load(std::sync::atomic::Ordering::SeqCst);
    // 64 MiB without a Content-Length: reading stops after the limit (+1 byte).
    let before = sent();
    server.set(Reply::Stream(64 << 20, false));
    refused(&c, "larger than 262144 bytes");
    std::thread::sleep(Duration::from_millis(200));
    let streamed = sent() - before;
    assert!(streamed < 16 << 20, "the server got {streamed} bytes out");
    // A Content-Length over the limit: refused before the body is read.
    server.set(Reply::Stream(MAX_JWKS_BYTES + 1, true));
    refused(&c, "larger than");
    assert_eq!(c.ring().kids(), ["good"]);
}

#[test]
fn the_limit_is_exact() {
    let (_, jwks) = issuer("a", Algorithm::ES256);
    let server = Server::https(Reply::jwks(&jwks));
    let limit = jwks.len() + 10;
    let mut o = options();
    o.max_bytes = limit;
    let c = JwksClient::new(&server.url(), o).unwrap();
    // Padded with JSON whitespace to exactly the limit: read; one byte more: refused.
    server.set(Reply::jwks(&format!("{jwks}{}", " ".repeat(10))));
    c.refresh().unwrap();
    server.set(Reply::Body(
        format!("{jwks}{}", " ".repeat(11)).into_bytes(),
        None,
    ));
    refused(&c, &format!("larger than {limit} bytes"));
    // The same without a Content-Length.
    server.set(Reply::Stream(limit + 1, false));
    refused(&c, &format!("larger than {limit} bytes"));
}

#[test]
fn answers_the_core_refuses_change_nothing() {
    let server = Server::https(Reply::Status(200));
    let c = primed(&server, options());
    let (other, jwks) = issuer("x", Algorithm::EdDSA);
    let private = other
        .keys()
        .snapshot()
        .get("x")
        .unwrap()
        .to_private_jwk()
        .unwrap();
    for (body, says) in [
        ("{\"keys\": [", "not strict JSON"),
        ("<html>busy</html>", "not strict JSON"),
        ("[]", "not a JSON object"),
        ("{\"keys\": []}", "holds no key"),
        (
            "{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"kid\": \"k\"}]}",
            "`x` is missing",
        ),
        (
            &format!("{{\"keys\": [{}]}}", &*private),
            "private member `d`",
        ),
        (&jwks.replacen('{', "{\"keys\": [], ", 1), "duplicate"),
    ] {
        server.set(Reply::jwks(body));
        refused(&c, says);
    }
    server.set(Reply::Body(vec![b'{', 0xff, b'}'], None));
    refused(&c, "not UTF-8");
    assert_eq!(c.ring().kids(), ["good"]);
}

#[test]
fn plain_http_needs_allow_http() {
    let (_, jwks) = issuer("a", Algorithm::EdDSA);
    let server = Server::http(Reply::jwks(&jwks));
    let e = JwksClient::new(&server.url(), JwksOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    assert!(e.message().contains("https://"), "{e}");
    let mut o = JwksOptions::default();
    o.allow_http = true;
    let c = JwksClient::new(&server.url(), o).unwrap();
    c.refresh().unwrap();
    assert_eq!(c.ring().kids(), ["a"]);
    assert_eq!(server.requests(), 1);
}
