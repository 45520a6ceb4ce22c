//! The answer to a refused request: status, headers and body, for every API and skin.
//!
//! One [`Answer`] comes from `(error, style, accept)`; the tower layer, the Python
//! integrations and C hosts only copy it into their response. Rules (docs/http.md):
//!
//! * **status**: the error code's ([`error_status`]: 500 for configuration errors), except
//!   in [`AnswerStyle::AuthRequest`], where nginx accepts only 401 and 403 from an auth
//!   subrequest: `ip_not_allowed` and other 403s → 403, other 4xx → 401, 5xx → 500;
//! * **challenge** (`WWW-Authenticate`), RFC 6750 §3: `missing_token` → `Bearer` (no error
//!   for a request that sent no token); a rejected token (`malformed_token` …
//!   `ip_not_allowed`, `token_revoked`) → `Bearer error="invalid_token"`; another code of
//!   status 403 (`not_permitted`) → `Bearer error="insufficient_scope"`, and
//!   `insufficient_scope` adds `scope="<what the request needs>"`; any other 401 (a
//!   failed password login) → `Bearer`; no challenge otherwise. The challenge follows the
//!   code, not the style;
//! * **body**: the login API's `{"error": {"code", "message", "status"}}`, the token API's
//!   `{"status": 0, "message", "error"}` in JSON or XML by `Accept`, or the plain
//!   `{"error": "<code>", "message"}`; none for `auth_request`. The message is the error's
//!   own, except for configuration errors and `server_error`, whose details are the
//!   server's business: the code's generic message then;
//! * `Cache-Control: no-store` on every answer, `Retry-After` on `rate_limited`.

use std::borrow::Cow;

use serde::Serialize;

use crate::error::{Error, ErrorCode};
use crate::wire::{client_message, error_status, login_error_json, sms_error_body, Format};

/// Which body a refusal is answered with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AnswerStyle {
    /// The login API's `{"error": {"code", "message", "status"}}` (JSON).
    #[default]
    LoginApi,
    /// The token API's `{"status": 0, "message", "error"}`, JSON or XML by `Accept`.
    TokenApi,
    /// `{"error": "<code>", "message": "..."}` (JSON): for a host's own routes.
    Plain,
    /// nginx `auth_request`: 401, 403 or 500 with no body.
    AuthRequest,
    /// The OAuth 2.0 endpoints (RFC 7662 introspection, RFC 7009 revocation): RFC 6749
    /// §5.2's `{"error": "<oauth error>", "error_description": "..."}`, and a client whose
    /// Basic credentials failed is challenged with `Basic`.
    OAuth,
}

impl AnswerStyle {
    /// Every style.
    pub const ALL: [AnswerStyle; 5] = [
        AnswerStyle::LoginApi,
        AnswerStyle::TokenApi,
        AnswerStyle::Plain,
        AnswerStyle::AuthRequest,
        AnswerStyle::OAuth,
    ];

    /// The style's stable name: `login_api`, `token_api`, `plain`, `auth_request`, `oauth`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AnswerStyle::LoginApi => "login_api",
            AnswerStyle::TokenApi => "token_api",
            AnswerStyle::Plain => "plain",
            AnswerStyle::AuthRequest => "auth_request",
            AnswerStyle::OAuth => "oauth",
        }
    }

    /// The style of a stable name, if it is one.
    pub fn from_name(name: &str) -> Option<AnswerStyle> {
        AnswerStyle::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The HTTP answer to a refused request. Write `status`, every pair of
/// [`headers`](Answer::headers) and `body` as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body's media type; `None` when there is no body.
    pub content_type: Option<&'static str>,
    /// The `WWW-Authenticate` value, if the answer has one.
    pub challenge: Option<Cow<'static, str>>,
    /// The `Retry-After` value in seconds (`rate_limited`).
    pub retry_after: Option<u64>,
    /// The body (empty when `content_type` is `None`).
    pub body: String,
}

impl Answer {
    /// The answer to `err` in `style`; `accept`: the request's `Accept` header lines (the
    /// token API answers XML when they ask for it, JSON otherwise).
    ///
    /// ```
    /// use auth_core::{Answer, AnswerStyle, Error, ErrorCode};
    /// let a = Answer::refusal(&Error::new(ErrorCode::TokenExpired), AnswerStyle::TokenApi, &[b"application/xml"]);
    /// assert_eq!(a.status, 401);
    /// assert_eq!(a.challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
    /// assert_eq!(a.content_type, Some("application/xml"));
    /// assert!(a.body.contains("<error>token_expired</error>"));
    /// ```
    pub fn refusal(err: &Error, style: AnswerStyle, accept: &[&[u8]]) -> Answer {
        let code = err.code();
        let mut status = error_status(err);
        if style == AnswerStyle::AuthRequest {
            status = match status {
                _ if code == ErrorCode::IpNotAllowed => 403,
                401 | 403 => status,
                400..=499 => 401,
                _ => 500,
            };
        }
        let (content_type, body) = match style {
            AnswerStyle::LoginApi => (Some(Format::Json.content_type()), login_error_json(err)),
            AnswerStyle::TokenApi => {
                let format = accept_format(accept);
                (Some(format.content_type()), sms_error_body(err, format))
            }
            AnswerStyle::Plain => (Some(Format::Json.content_type()), plain_json(err)),
            AnswerStyle::AuthRequest => (None, String::new()),
            AnswerStyle::OAuth => (Some(Format::Json.content_type()), oauth_json(err)),
        };
        let challenge = match (style, code) {
            (AnswerStyle::OAuth, ErrorCode::InvalidCredentials) => {
                Some(Cow::Borrowed("Basic realm=\"oauth\", charset=\"UTF-8\""))
            }
            _ => challenge(err),
        };
        Answer {
            status,
            content_type,
            challenge,
            retry_after: None,
            body,
        }
    }

    /// Too many attempts: 429 `rate_limited` with `Retry-After: retry_after` (seconds, at
    /// least 1).
    pub fn rate_limited(retry_after: u64, style: AnswerStyle, accept: &[&[u8]]) -> Answer {
        let mut answer = Answer::refusal(&Error::new(ErrorCode::RateLimited), style, accept);
        answer.retry_after = Some(retry_after.max(1));
        answer
    }

    /// The server's fault: 500 `server_error` with the generic message (log the details).
    pub fn server_error(style: AnswerStyle, accept: &[&[u8]]) -> Answer {
        Answer::refusal(&Error::new(ErrorCode::ServerError), style, accept)
    }

    /// The answer's headers, lower-case names: `content-type` (when there is a body),
    /// `cache-control: no-store`, `www-authenticate` and `retry-after` when set.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(4);
        if let Some(ct) = self.content_type {
            out.push(("content-type", ct.to_owned()));
        }
        out.push(("cache-control", "no-store".to_owned()));
        if let Some(c) = &self.challenge {
            out.push(("www-authenticate", c.to_string()));
        }
        if let Some(secs) = self.retry_after {
            out.push(("retry-after", secs.to_string()));
        }
        out
    }
}

/// The format the `Accept` lines ask for: XML when they prefer it, JSON otherwise.
pub fn accept_format(accept: &[&[u8]]) -> Format {
    let mut joined = String::new();
    for line in accept {
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        if !joined.is_empty() {
            joined.push(',');
        }
        joined.push_str(text);
    }
    Format::from_media_type(&joined).unwrap_or_default()
}

/// The RFC 6750 §3 challenge for `err` (the same whatever the style's status).
fn challenge(err: &Error) -> Option<Cow<'static, str>> {
    use ErrorCode::*;
    let code = err.code();
    let fixed = match code {
        MissingToken => "Bearer",
        MalformedToken | TokenTooLarge | UnsupportedHeader | AlgorithmNotAllowed | UnknownKey
        | BadSignature | InvalidClaims | TokenExpired | TokenNotYetValid | IssuedInFuture
        | TokenRevoked | IpNotAllowed => "Bearer error=\"invalid_token\"",
        // Scope names never hold `"` or `\\`: the list is quoted as it is.
        InsufficientScope => match err.required_scope() {
            Some(scope) => {
                return Some(Cow::Owned(format!(
                    "Bearer error=\"insufficient_scope\", scope=\"{scope}\""
                )))
            }
            None => "Bearer error=\"insufficient_scope\"",
        },
        _ => match code.http_status() {
            Some(403) => "Bearer error=\"insufficient_scope\"",
            Some(401) => "Bearer",
            _ => return None,
        },
    };
    Some(Cow::Borrowed(fixed))
}

#[derive(Serialize)]
struct PlainBody<'a> {
    error: &'a str,
    message: &'a str,
}

impl ErrorCode {
    /// The error name [`AnswerStyle::OAuth`] answers with (RFC 6749 §5.2, RFC 6750 §3.1):
    /// `invalid_client` (no or bad caller credentials), `invalid_token`,
    /// `insufficient_scope`, `invalid_scope`, `invalid_request`, `temporarily_unavailable`
    /// or `server_error`.
    pub const fn oauth_error(self) -> &'static str {
        oauth_error(self)
    }
}

/// [`ErrorCode::oauth_error`].
const fn oauth_error(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        InvalidCredentials | ResellerInvalidCredentials | MissingToken => "invalid_client",
        MalformedToken | TokenTooLarge | UnsupportedHeader | AlgorithmNotAllowed | UnknownKey
        | BadSignature | InvalidClaims | TokenExpired | TokenNotYetValid | IssuedInFuture
        | TokenRevoked | IpNotAllowed => "invalid_token",
        InsufficientScope | NotPermitted | TokenQuotaExceeded => "insufficient_scope",
        InvalidScope => "invalid_scope",
        RateLimited | RevocationUnavailable | RevocationStoreFull | JwksUnavailable => {
            "temporarily_unavailable"
        }
        _ => match code.http_status() {
            Some(400..=499) => "invalid_request",
            _ => "server_error",
        },
    }
}

#[derive(Serialize)]
struct OAuthBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// `{"error": "<oauth error>", "error_description": "..."}` (RFC 6749 §5.2).
fn oauth_json(err: &Error) -> String {
    serde_json::to_string(&OAuthBody {
        error: oauth_error(err.code()),
        error_description: client_message(err),
    })
    .unwrap_or_default()
}

/// `{"error": "<code>", "message": "..."}`.
fn plain_json(err: &Error) -> String {
    serde_json::to_string(&PlainBody {
        error: err.code().as_str(),
        message: client_message(err),
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: ErrorCode, style: AnswerStyle) -> Answer {
        Answer::refusal(&Error::new(code), style, &[])
    }

    #[test]
    fn challenges_follow_rfc_6750() {
        let s = AnswerStyle::Plain;
        assert_eq!(
            answer(ErrorCode::MissingToken, s).challenge.as_deref(),
            Some("Bearer")
        );
        assert_eq!(
            answer(ErrorCode::TokenRevoked, s).challenge.as_deref(),
            Some("Bearer error=\"invalid_token\"")
        );
        assert_eq!(
            answer(ErrorCode::NotPermitted, s).challenge.as_deref(),
            Some("Bearer error=\"insufficient_scope\"")
        );
        assert_eq!(
            answer(ErrorCode::InvalidCredentials, s)
                .challenge
                .as_deref(),
            Some("Bearer")
        );
        assert_eq!(
            answer(ErrorCode::InvalidIpAddress, s).challenge.as_deref(),
            None
        );
        assert_eq!(
            answer(ErrorCode::RevocationUnavailable, s)
                .challenge
                .as_deref(),
            None
        );
    }

    #[test]
    fn auth_request_answers_only_what_nginx_accepts() {
        let s = AnswerStyle::AuthRequest;
        let ip = answer(ErrorCode::IpNotAllowed, s);
        assert_eq!(
            (ip.status, ip.challenge.as_deref()),
            (403, Some("Bearer error=\"invalid_token\""))
        );
        assert_eq!(answer(ErrorCode::InvalidIpAddress, s).status, 401);
        assert_eq!(answer(ErrorCode::RevocationUnavailable, s).status, 500);
        let a = answer(ErrorCode::TokenExpired, s);
        assert_eq!((a.status, a.content_type, a.body.as_str()), (401, None, ""));
    }

    #[test]
    fn configuration_details_never_reach_a_client() {
        let err = Error::with_message(ErrorCode::InvalidKey, "secret file /etc/k is short");
        for style in AnswerStyle::ALL {
            let a = Answer::refusal(&err, style, &[]);
            assert_eq!(a.status, 500);
            assert!(!a.body.contains("/etc/k"), "{style:?}: {}", a.body);
        }
        let err = Error::with_message(ErrorCode::ServerError, "database is locked");
        assert!(!Answer::refusal(&err, AnswerStyle::Plain, &[])
            .body
            .contains("locked"));
    }

    #[test]
    fn rate_limited_and_server_error_answers() {
        let a = Answer::rate_limited(0, AnswerStyle::TokenApi, &[b"text/xml"]);
        assert_eq!((a.status, a.retry_after), (429, Some(1)));
        assert!(a.body.contains("<error>rate_limited</error>"));
        assert!(a.headers().contains(&("retry-after", "1".to_owned())));
        let a = Answer::server_error(AnswerStyle::LoginApi, &[]);
        assert_eq!(a.status, 500);
        assert!(a.body.contains("\"server_error\""));
    }

    #[test]
    fn scope_and_oauth_answers() {
        let need = crate::ScopeSet::parse("sms:send account").unwrap();
        let err = Error::insufficient_scope("account", &need);
        for style in AnswerStyle::ALL {
            let a = Answer::refusal(&err, style, &[]);
            assert_eq!(a.status, 403, "{style:?}");
            assert_eq!(
                a.challenge.as_deref(),
                Some("Bearer error=\"insufficient_scope\", scope=\"account sms:send\""),
                "{style:?}"
            );
        }
        let a = answer(ErrorCode::InvalidCredentials, AnswerStyle::OAuth);
        assert_eq!(a.status, 401);
        assert!(a.challenge.as_deref().unwrap().starts_with("Basic "));
        assert!(
            a.body.starts_with("{\"error\":\"invalid_client\""),
            "{}",
            a.body
        );
        let a = answer(ErrorCode::InvalidRequest, AnswerStyle::OAuth);
        assert!(a.body.contains("\"invalid_request\""));
        let a = answer(ErrorCode::TokenExpired, AnswerStyle::OAuth);
        assert!(a.body.contains("\"invalid_token\""));
        // A requirement text that is not a scope list never reaches a header.
        let forged = Error::new(ErrorCode::InsufficientScope).with_required_scope("a\"\r\nX: y");
        assert_eq!(
            Answer::refusal(&forged, AnswerStyle::Plain, &[])
                .challenge
                .as_deref(),
            Some("Bearer error=\"insufficient_scope\"")
        );
    }

    #[test]
    fn styles_round_trip_by_name() {
        for s in AnswerStyle::ALL {
            assert_eq!(AnswerStyle::from_name(s.as_str()), Some(s));
        }
        assert_eq!(AnswerStyle::from_name("nope"), None);
    }
}
