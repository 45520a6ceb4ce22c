//! Browser sessions (docs/console.md): the rules a web console needs around a token that
//! lives in a cookie instead of an `Authorization` header.
//!
//! * a session is a short-lived token minted for the audience [`SESSION_AUDIENCE`]: every
//!   verifier without that audience refuses it (`aud` it does not know), and the session
//!   verifier ([`session_verify_options`]) refuses every token without it — a cookie session
//!   and a bearer token can never be used for one another;
//! * the cookie is `HttpOnly`, `SameSite=Strict`, `Path=/console/`, `Secure` when the
//!   console is served over TLS ([`session_cookie`]);
//! * every state change carries a CSRF token derived from the session token itself
//!   ([`csrf_token`]: a keyed hash no other origin can compute, no server state), and comes
//!   from the console's own origin ([`check_same_origin`]).

use sha2::{Digest, Sha256};

use crate::claims::Claims;
use crate::error::{Error, ErrorCode, Result};
use crate::issue::MintRequest;
use crate::ttl::Lifetime;
use crate::verify::VerifyOptions;

/// The `aud` of every console session token.
pub const SESSION_AUDIENCE: &str = "auth-core-console";
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "auth_console";
/// The default session lifetime: one hour.
pub const DEFAULT_SESSION_TTL: u64 = 3600;

fn refused(msg: &'static str) -> Error {
    Error::with_message(ErrorCode::NotPermitted, msg)
}

/// The session a login's `claims` open: the same subject and `allowed_ips` (a reseller
/// restricted to addresses stays restricted in the browser), `ttl` seconds, the audience
/// [`SESSION_AUDIENCE`], a fresh token id. Mint it with the service's issuer.
pub fn session_request(login: &Claims, ttl: u64, now: Option<u64>) -> MintRequest {
    let mut req = MintRequest::new(login.subject.clone());
    req.allowed_ips = login.allowed_ips.clone().unwrap_or_default();
    req.lifetime = Lifetime::Ttl(i64::try_from(ttl).unwrap_or(i64::MAX));
    req.audience = vec![SESSION_AUDIENCE.to_owned()];
    req.now = now;
    req
}

/// Verification options for session tokens: `base` with the audience [`SESSION_AUDIENCE`]
/// only, and `aud` required.
pub fn session_verify_options(base: &VerifyOptions) -> VerifyOptions {
    let mut options = base.clone();
    options.audiences = vec![SESSION_AUDIENCE.to_owned()];
    options.require_audience = true;
    options
}

/// The `Set-Cookie` value holding `token` (`None`: the value that deletes the cookie).
pub fn session_cookie(token: Option<&str>, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; Path=/console/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        ),
        None => format!(
            "{SESSION_COOKIE}=; Path=/console/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"
        ),
    }
}

/// The value of cookie `name` in a request's `Cookie` lines (RFC 6265 §5.4: `name=value`
/// pairs separated by `; `); `None` when absent. A name given twice is `None` as well:
/// which one a browser or a proxy meant cannot be known, so neither is used.
pub fn cookie_value<'a>(cookie_lines: &[&'a [u8]], name: &str) -> Option<&'a str> {
    let mut found = None;
    for line in cookie_lines {
        let text = std::str::from_utf8(line).ok()?;
        for pair in text.split(';') {
            let (k, v) = pair.trim_matches([' ', '\t']).split_once('=')?;
            if k == name {
                if found.is_some() {
                    return None;
                }
                found = Some(v);
            }
        }
    }
    found.filter(|v| !v.is_empty())
}

/// The CSRF token of a session: base64url of SHA-256 over a fixed label and the session
/// token. Only a page that holds the session (served to its own origin, the cookie being
/// `HttpOnly`) can know it; nothing is stored.
pub fn csrf_token(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"auth-core console csrf v1\0");
    h.update(session_token.as_bytes());
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(h.finalize())
}

/// `Ok` when `given` is the session's CSRF token (compared in constant time), else
/// `not_permitted`.
pub fn check_csrf(session_token: &str, given: Option<&str>) -> Result<()> {
    use subtle::ConstantTimeEq;
    let want = csrf_token(session_token);
    match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(want.as_bytes())) => Ok(()),
        Some(_) => Err(refused("the form's CSRF token does not match the session")),
        None => Err(refused("the form has no CSRF token")),
    }
}

/// A state change must come from the console's own origin: a `Sec-Fetch-Site` other than
/// `same-origin` (or `none`, a user typing or bookmarking), or an `Origin` that is not
/// `own_origin` (`http://host:port`), is `not_permitted`. A request with neither header
/// (an older browser, curl) passes here and is held by the CSRF token and the cookie's
/// `SameSite=Strict`.
pub fn check_same_origin(
    origin: &[&[u8]],
    sec_fetch_site: &[&[u8]],
    own_origin: &str,
) -> Result<()> {
    match sec_fetch_site {
        [] => {}
        [b"same-origin" | b"none"] => {}
        _ => return Err(refused("the form was posted from another site")),
    }
    match origin {
        [] => Ok(()),
        [o] if o.eq_ignore_ascii_case(own_origin.as_bytes()) => Ok(()),
        _ => Err(refused("the form was posted from another origin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, Issuer, Key, KeyRing, Subject, Verifier, VerifyRequest};

    #[test]
    fn sessions_and_bearer_tokens_are_never_confused() {
        let ring = KeyRing::single(
            Key::new("k", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap(),
        );
        let issuer = Issuer::new(ring.clone());
        let mut login = MintRequest::new(Subject::user(7, "alice", false));
        login.now = Some(1_000);
        let api = issuer.mint(&login).unwrap();
        let session = issuer
            .mint(&session_request(&api.claims, 3600, Some(1_000)))
            .unwrap();
        let api_verifier = Verifier::new(ring.clone());
        let session_verifier =
            Verifier::with_options(ring, session_verify_options(&VerifyOptions::default()));
        let at = VerifyRequest::at(1_001);
        assert!(api_verifier.verify_with(&api.token, &at).is_ok());
        assert!(session_verifier.verify_with(&session.token, &at).is_ok());
        for (v, t) in [
            (&api_verifier, &session.token),
            (&session_verifier, &api.token),
        ] {
            assert_eq!(
                v.verify_with(t, &at).unwrap_err().code(),
                ErrorCode::InvalidClaims
            );
        }
        assert_eq!(session.claims.exp, Some(4_600));
    }

    #[test]
    fn cookies_csrf_and_origins() {
        let c = session_cookie(Some("abc"), 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
        assert!(session_cookie(None, 60, false).contains("Max-Age=0"));
        let lines: [&[u8]; 2] = [b"a=1; auth_console=tok", b"b=2"];
        assert_eq!(cookie_value(&lines, SESSION_COOKIE), Some("tok"));
        assert_eq!(
            cookie_value(&[b"auth_console=x; auth_console=y"], SESSION_COOKIE),
            None
        );
        assert_eq!(cookie_value(&[], SESSION_COOKIE), None);
        let csrf = csrf_token("tok");
        assert!(check_csrf("tok", Some(&csrf)).is_ok());
        assert!(check_csrf("other", Some(&csrf)).is_err());
        assert!(check_csrf("tok", None).is_err());
        let own = "http://127.0.0.1:8080";
        assert!(check_same_origin(&[b"http://127.0.0.1:8080"], &[b"same-origin"], own).is_ok());
        assert!(check_same_origin(&[], &[], own).is_ok());
        assert!(check_same_origin(&[b"http://evil.example"], &[], own).is_err());
        assert!(check_same_origin(&[], &[b"cross-site"], own).is_err());
        assert!(check_same_origin(&[b"null"], &[], own).is_err());
    }
}
