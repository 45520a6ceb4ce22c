//! One HTTP GET of the key set: the agent (timeouts, TLS roots, no redirects, no proxy) and
//! the checks on the answer (status, size, UTF-8) before the core reads it.

use std::time::Duration;

use auth_core::{Error, ErrorCode, Result};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use crate::options::{invalid, JwksOptions};

/// `jwks_unavailable` with a message.
pub(crate) fn unavailable(msg: impl Into<String>) -> Error {
    Error::with_message(ErrorCode::JwksUnavailable, msg.into())
}

/// The agent for `options`: every timeout set, redirects not followed, no proxy, TLS roots
/// from the CA file or the webpki roots.
pub(crate) fn agent(options: &JwksOptions) -> Result<Agent> {
    let roots = match &options.ca_file {
        None => RootCerts::WebPki,
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?;
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(invalid(format!(
                    "CA file {}: no PEM certificate in it",
                    path.display()
                )));
            }
            RootCerts::new_with_certs(&certs)
        }
    };
    let config = Agent::config_builder()
        .https_only(!options.allow_http)
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .user_agent(concat!("auth-jwks/", env!("CARGO_PKG_VERSION")))
        .accept("application/jwk-set+json, application/json")
        .timeout_global(Some(options.deadline))
        .timeout_connect(Some(options.timeout))
        .timeout_recv_response(Some(options.timeout))
        .timeout_recv_body(Some(options.timeout))
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .build();
    Ok(config.into())
}

/// A fetched key set's text and its `Cache-Control` header.
pub(crate) struct Fetched {
    pub text: String,
    pub cache_control: Option<String>,
}

/// GETs `url`: a 200 answer of at most `max_bytes` bytes of UTF-8, or `jwks_unavailable`
/// saying why not.
pub(crate) fn fetch(agent: &Agent, url: &str, max_bytes: usize) -> Result<Fetched> {
    let mut resp = agent.get(url).call().map_err(|e| describe(&e))?;
    let status = resp.status().as_u16();
    if (300..400).contains(&status) {
        let to = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?");
        return Err(unavailable(format!(
            "the JWKS endpoint answered {status}, a redirect to {to:?}: redirects are not followed \
             (configure the final URL)"
        )));
    }
    if status != 200 {
        return Err(unavailable(format!(
            "the JWKS endpoint answered HTTP {status}"
        )));
    }
    let too_big = || unavailable(format!("the JWKS answer is larger than {max_bytes} bytes"));
    if resp
        .body()
        .content_length()
        .is_some_and(|n| n > max_bytes as u64)
    {
        return Err(too_big());
    }
    let cache_control = resp
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // At most max_bytes + 1 bytes are read: the one past the limit is how a longer answer
    // is told from one of exactly the limit.
    let body = resp
        .body_mut()
        .with_config()
        .limit(max_bytes as u64)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => too_big(),
            e => describe(&e),
        })?;
    let text =
        String::from_utf8(body).map_err(|_| unavailable("the JWKS answer is not UTF-8 text"))?;
    Ok(Fetched {
        text,
        cache_control,
    })
}

/// `jwks_unavailable` for a transport failure, worded for an operator.
fn describe(e: &ureq::Error) -> Error {
    let what = match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::Tls(m) => format!("TLS: {m}"),
        ureq::Error::RequireHttpsOnly(_) => "an http:// URL without allow_http".to_owned(),
        e => e.to_string(),
    };
    unavailable(format!("fetching the JWK Set failed: {what}"))
}

/// How long until `deadline` from now, at least zero (for status reports).
pub(crate) fn remaining(deadline: Option<std::time::Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(std::time::Instant::now()))
}
