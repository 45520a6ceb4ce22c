//! The client's settings and the checks made on them before anything is fetched.

use std::path::PathBuf;
use std::time::Duration;

use auth_core::{Error, ErrorCode, Result, MAX_JWKS_BYTES};

/// Default time a fetched key set is used before it is fetched again (when the answer has no
/// usable `Cache-Control: max-age`): 5 minutes.
pub const DEFAULT_CACHE_LIFETIME: Duration = Duration::from_secs(300);
/// Default longest `Cache-Control: max-age` honoured: 1 day.
pub const DEFAULT_MAX_CACHE_LIFETIME: Duration = Duration::from_secs(86_400);
/// Default least time between two fetch attempts that verification starts (an unknown `kid`,
/// a stale set, a failed fetch): 30 seconds.
pub const DEFAULT_REFETCH_COOLDOWN: Duration = Duration::from_secs(30);
/// Default connect timeout, and longest wait for each part of the answer: 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default deadline of one whole fetch (connect, TLS, request, answer, body): 10 seconds.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// Settings of a [`JwksClient`](crate::JwksClient). `Default` gives the safe ones; change
/// fields as needed (the struct is `#[non_exhaustive]`: start from `JwksOptions::default()`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksOptions {
    /// How long a fetched key set is used before the next verification fetches it again, when
    /// the answer carries no `Cache-Control: max-age` (or [`honour_cache_control`] is off).
    /// Default [`DEFAULT_CACHE_LIFETIME`].
    ///
    /// [`honour_cache_control`]: JwksOptions::honour_cache_control
    pub cache_lifetime: Duration,
    /// Whether the answer's `Cache-Control: max-age=N` sets the lifetime instead (clamped to
    /// `refetch_cooldown ..= max_cache_lifetime`; `no-cache`/`no-store` count as 0, so the
    /// cooldown). Default `true`.
    pub honour_cache_control: bool,
    /// The longest lifetime a `max-age` may ask for. Default [`DEFAULT_MAX_CACHE_LIFETIME`].
    pub max_cache_lifetime: Duration,
    /// The least time between two fetch attempts started by verification: a token whose `kid`
    /// is not in the set, a stale set, or a retry after a failed fetch wait this long after the
    /// end of the previous attempt. Default [`DEFAULT_REFETCH_COOLDOWN`]. ([`JwksClient::refresh`] fetches
    /// whenever it is called.)
    ///
    /// [`JwksClient::refresh`]: crate::JwksClient::refresh
    pub refetch_cooldown: Duration,
    /// Connect timeout, and the longest wait for the answer's head, and for its whole body.
    /// Default [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// Deadline of one whole fetch, so that a server sending a byte at a time cannot hold a
    /// fetch longer. Default [`DEFAULT_DEADLINE`].
    pub deadline: Duration,
    /// The largest answer body read, in bytes (at most this many plus one are read: a longer
    /// answer is refused without reading the rest). Default and maximum:
    /// [`auth_core::MAX_JWKS_BYTES`], which the core refuses past anyway.
    pub max_bytes: usize,
    /// A PEM file of CA certificates to trust **instead of** the public (webpki) roots: a
    /// private PKI, or a test CA. Default `None` (the public roots; the system store is never
    /// read).
    pub ca_file: Option<PathBuf>,
    /// Whether an `http://` URL is accepted (default `false`: anything but `https://` is
    /// refused when the client is made). Plain HTTP lets anyone on the path choose the keys
    /// tokens are checked with: use it for a loopback test server only.
    pub allow_http: bool,
}

impl Default for JwksOptions {
    fn default() -> Self {
        JwksOptions {
            cache_lifetime: DEFAULT_CACHE_LIFETIME,
            honour_cache_control: true,
            max_cache_lifetime: DEFAULT_MAX_CACHE_LIFETIME,
            refetch_cooldown: DEFAULT_REFETCH_COOLDOWN,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            max_bytes: MAX_JWKS_BYTES,
            ca_file: None,
            allow_http: false,
        }
    }
}

pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::with_message(ErrorCode::InvalidRequest, msg.into())
}

impl JwksOptions {
    /// Checks the settings (`invalid_request` naming the one that is wrong).
    pub(crate) fn check(&self) -> Result<()> {
        if self.max_bytes == 0 || self.max_bytes > MAX_JWKS_BYTES {
            return Err(invalid(format!(
                "max_bytes must be 1..={MAX_JWKS_BYTES} (the core reads no larger JWK Set)"
            )));
        }
        for (name, d) in [
            ("timeout", self.timeout),
            ("deadline", self.deadline),
            ("cache_lifetime", self.cache_lifetime),
        ] {
            if d.is_zero() {
                return Err(invalid(format!("{name} must be more than 0")));
            }
        }
        if self.max_cache_lifetime < self.cache_lifetime {
            return Err(invalid("max_cache_lifetime is shorter than cache_lifetime"));
        }
        Ok(())
    }

    /// The lifetime of an answer that carried `cache_control` (the header's value, if any).
    pub(crate) fn lifetime(&self, cache_control: Option<&str>) -> Duration {
        let asked = cache_control
            .filter(|_| self.honour_cache_control)
            .and_then(max_age);
        match asked {
            None => self.cache_lifetime,
            Some(secs) => Duration::from_secs(secs).clamp(
                self.refetch_cooldown.min(self.max_cache_lifetime),
                self.max_cache_lifetime,
            ),
        }
    }
}

/// The `max-age` of a `Cache-Control` value (`no-cache` and `no-store`: 0), or `None`.
fn max_age(value: &str) -> Option<u64> {
    let mut age = None;
    for directive in value.split(',') {
        let directive = directive.trim();
        let (name, arg) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive, None),
        };
        if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
            return Some(0);
        }
        if name.eq_ignore_ascii_case("max-age") {
            // A malformed max-age counts as absent (the configured lifetime applies).
            age = arg.and_then(|a| {
                a.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| a.parse::<u64>().unwrap_or(u64::MAX))
            });
        }
    }
    age
}

/// Checks the URL: `https://` (or `http://` with `allow_http`), and well-formed.
pub(crate) fn check_url(url: &str, allow_http: bool) -> Result<()> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("https") => {}
        Some("http") if allow_http => {}
        Some("http") => {
            return Err(invalid(
                "the JWKS URL is http://: anyone on the path could choose the keys; use https:// \
                 (or allow_http, for a loopback test server only)",
            ))
        }
        _ => return Err(invalid("the JWKS URL must start with https://")),
    }
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| invalid(format!("the JWKS URL does not parse: {e}")))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("the JWKS URL has no host"));
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(invalid(
            "the JWKS URL carries credentials (user@): a key set is public, leave them out",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_sets_the_lifetime_within_bounds() {
        let o = JwksOptions::default();
        assert_eq!(o.lifetime(None), DEFAULT_CACHE_LIFETIME);
        assert_eq!(
            o.lifetime(Some("public, max-age=600")),
            Duration::from_secs(600)
        );
        assert_eq!(
            o.lifetime(Some("max-age=\"120\"")),
            Duration::from_secs(120)
        );
        assert_eq!(o.lifetime(Some("max-age=1")), DEFAULT_REFETCH_COOLDOWN);
        assert_eq!(o.lifetime(Some("no-store")), DEFAULT_REFETCH_COOLDOWN);
        assert_eq!(
            o.lifetime(Some("max-age=99999999999999999999")),
            DEFAULT_MAX_CACHE_LIFETIME
        );
        assert_eq!(o.lifetime(Some("max-age=-5")), DEFAULT_CACHE_LIFETIME);
        assert_eq!(o.lifetime(Some("private")), DEFAULT_CACHE_LIFETIME);
        let fixed = JwksOptions {
            honour_cache_control: false,
            ..JwksOptions::default()
        };
        assert_eq!(fixed.lifetime(Some("max-age=600")), DEFAULT_CACHE_LIFETIME);
    }

    #[test]
    fn urls_are_https_unless_http_is_allowed() {
        assert!(check_url("https://issuer.example/.well-known/jwks.json", false).is_ok());
        assert!(check_url("HTTPS://issuer.example/jwks", false).is_ok());
        let e = check_url("http://127.0.0.1:8080/jwks", false).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        assert!(e.message().contains("https://"), "{e}");
        assert!(check_url("http://127.0.0.1:8080/jwks", true).is_ok());
        for bad in [
            "ftp://x/",
            "issuer.example/jwks",
            "https://",
            "https://u:p@x/jwks",
            "",
        ] {
            assert!(check_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let mut o = JwksOptions::default();
        assert!(o.check().is_ok());
        o.max_bytes = MAX_JWKS_BYTES + 1;
        assert!(o.check().is_err());
        o.max_bytes = 10;
        o.deadline = Duration::ZERO;
        assert!(o.check().is_err());
        o.deadline = DEFAULT_DEADLINE;
        o.cache_lifetime = Duration::from_secs(7 * 86_400);
        assert!(o.check().is_err());
    }
}
