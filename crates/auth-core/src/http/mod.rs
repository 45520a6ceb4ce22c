//! The HTTP edge (docs/http.md): every rule a web server applies before and after a token is
//! verified, without I/O — the skins (the tower layer, the Python ASGI/WSGI/Flask/FastAPI
//! integrations, C hosts through `auth_authenticate_request`) only translate headers in and
//! an [`Answer`] out.
//!
//! | file | decides | main items |
//! |---|---|---|
//! | `bearer.rs` | the `Authorization: Bearer` grammar (RFC 6750 §2.1) | [`bearer_token`], [`bearer_credentials`] |
//! | `client_addr.rs` | which address is the client's (`X-Forwarded-For` behind trusted proxies) | [`TrustedProxies`], [`peer_addr`] |
//! | `authenticate.rs` | the request's identity: token, address, verification, revocation | [`Authenticator`], [`Authenticated`] |
//! | `answer.rs` | the status, challenge and body of a refusal | [`Answer`], [`AnswerStyle`] |
//! | `session.rs` | browser sessions: the session token's audience, its cookie, CSRF, same-origin checks | [`session_request`], [`csrf_token`], [`check_same_origin`] |
//! | `oauth.rs` | RFC 7662 introspection and RFC 7009 revocation: form, client credentials, rights, answer | [`TokenForm`], [`client_credentials`], [`introspection_json`] |

mod answer;
mod authenticate;
mod bearer;
mod client_addr;
mod oauth;
mod session;

pub use answer::{accept_format, Answer, AnswerStyle};
pub use authenticate::{Authenticated, Authenticator, RegisteredAuthenticated};
pub use bearer::{bearer_credentials, bearer_token};
pub use client_addr::{forwarded_mentions, peer_addr, TrustedProxies};
pub use oauth::{
    client_credentials, introspection_json, may_revoke, may_revoke_scoped, TokenForm,
    MAX_FORM_BYTES,
};
pub use session::{
    check_csrf, check_same_origin, cookie_value, csrf_token, session_cookie, session_request,
    session_verify_options, DEFAULT_SESSION_TTL, SESSION_AUDIENCE, SESSION_COOKIE,
};

/// `value` without leading and trailing spaces and tabs (RFC 9110 §5.5 `OWS`).
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}
