//! The Redis client for a URL: plain `redis://`, or `rediss://` over TLS (rustls, with the
//! `ring` provider) with the CA and client certificate of [`RedisTls`].

use auth_core::{Error, ErrorCode, Result};

use crate::options::RedisTls;

fn invalid(msg: impl Into<String>) -> Error {
    Error::with_message(ErrorCode::InvalidRequest, msg.into())
}

/// The client for `url` with `tls` (checked: TLS files need a `rediss://` URL; a client
/// certificate needs its key and the reverse; every file must be readable).
pub(crate) fn client(url: &str, tls: &RedisTls) -> Result<redis::Client> {
    let secure = url
        .get(..9)
        .is_some_and(|s| s.eq_ignore_ascii_case("rediss://"));
    if tls.is_set() && !secure {
        return Err(invalid(
            "TLS files were given for a redis:// URL: use rediss:// (or leave the files out)",
        ));
    }
    if tls.cert_file.is_some() != tls.key_file.is_some() {
        return Err(invalid(
            "a client certificate needs its key, and a key its certificate",
        ));
    }
    if !secure {
        return redis::Client::open(url).map_err(|e| invalid(format!("invalid Redis URL: {e}")));
    }
    secure_client(url, tls)
}

#[cfg(feature = "tls")]
fn secure_client(url: &str, tls: &RedisTls) -> Result<redis::Client> {
    if url.contains("#insecure") {
        return Err(invalid(
            "rediss://...#insecure turns off certificate checks: give the server's CA with a CA file instead",
        ));
    }
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path).map_err(|e| invalid(format!("{what} {}: {e}", path.display())))
    };
    let root_cert = match &tls.ca_file {
        Some(p) => Some(read(p, "CA file")?),
        None => None,
    };
    let client_tls = match (&tls.cert_file, &tls.key_file) {
        (Some(cert), Some(key)) => Some(redis::ClientTlsConfig {
            client_cert: read(cert, "client certificate")?,
            client_key: read(key, "client key")?,
        }),
        _ => None,
    };
    redis::Client::build_with_tls(
        url,
        redis::TlsCertificates {
            client_tls,
            root_cert,
        },
    )
    .map_err(|e| invalid(format!("Redis TLS settings: {e}")))
}

#[cfg(not(feature = "tls"))]
fn secure_client(_url: &str, _tls: &RedisTls) -> Result<redis::Client> {
    Err(invalid(
        "this build has no TLS: rediss:// needs auth-redis's `tls` feature",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_are_checked_before_connecting() {
        let mut tls = RedisTls::new();
        tls.ca_file = Some("/nonexistent/ca.pem".into());
        let e = client("redis://127.0.0.1:1", &tls).unwrap_err();
        assert!(e.message().contains("rediss://"), "{e}");
        let e = client("rediss://127.0.0.1:1", &tls).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        let mut half = RedisTls::new();
        half.cert_file = Some("c.pem".into());
        assert!(client("rediss://127.0.0.1:1", &half).is_err());
        assert!(client("redis://127.0.0.1:1", &RedisTls::new()).is_ok());
    }
}
