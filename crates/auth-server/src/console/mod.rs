//! The console at `/console/` (docs/server.md, "The console"): where people sign in, see
//! their tokens and their sub-accounts' tokens, create named tokens, get the static tokens
//! "obtained from the user interface", and revoke any of them. Server-rendered HTML
//! (`pages.rs`, askama), usable without JavaScript.
//!
//! Every token decision is the library's, through the same calls as the token API:
//! `create_token_with_policy`, `check_caller_account`, `token_list_owner`,
//! `check_token_revocation`. The browser's rules are the core's too (`session_request`,
//! `session_verify_options`, `session_cookie`, `csrf_token`, `check_same_origin`): the session
//! is a short-lived token for the console's own audience in an `HttpOnly`, `SameSite=Strict`
//! cookie; every state change needs the same origin and the session's CSRF token; every answer
//! carries a strict `Content-Security-Policy` (no inline script), `frame-ancestors 'none'`,
//! `X-Frame-Options: DENY`, `Referrer-Policy: same-origin` (under `no-referrer` a browser posts
//! forms with `Origin: null`, which the same-origin check refuses), `Cache-Control: no-store`. No
//! token is ever put in a URL, and none is logged.

use std::sync::Arc;

use askama::Template;
use auth_core::{
    check_csrf, check_same_origin, cookie_value, csrf_token, session_cookie, Claims, Error,
    VerifyRequest, SESSION_COOKIE,
};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::app::AppState;
use crate::layer::lines;
use crate::routes::Refusal;

mod actions;
mod forms;
mod pages;

use forms::FormError;
use pages::{LoginPage, MessagePage};

/// The pre-session cookie the sign-in form's CSRF token is checked against.
const LOGIN_COOKIE: &str = "auth_console_login";

/// The console's content security policy: nothing inline, nothing from elsewhere.
pub const CONSOLE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
    img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's routes.
pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(|| async { redirect("/console/") }))
        .route("/console/", get(actions::home))
        .route("/console/login", get(login_page).post(actions::login))
        .route("/console/logout", post(actions::logout))
        .route("/console/accounts/{account_id}", get(actions::account))
        .route("/console/tokens", post(actions::create))
        .route("/console/static", post(actions::static_token))
        .route("/console/tokens/{token_id}/revoke", post(actions::revoke))
        .route("/console/static/console.css", get(css))
        .route("/console/static/console.js", get(js))
}

/// The security headers every console answer carries.
fn secured(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONSOLE_CSP),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    res
}

fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => {
            let mut res = (status, body).into_response();
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            secured(res)
        }
        Err(e) => {
            tracing::error!(error = %e, "console page not rendered");
            secured((StatusCode::INTERNAL_SERVER_ERROR, "server error").into_response())
        }
    }
}

fn redirect(to: &'static str) -> Response {
    secured((StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response())
}

fn message(status: StatusCode, title: &str, text: impl Into<String>) -> Response {
    html(
        status,
        &MessagePage {
            title: title.to_owned(),
            message: text.into(),
        },
    )
}

/// A refusal as a page: the library's message for its errors (the code's generic one for
/// configuration and server errors), a generic one for the server's faults.
fn refusal_page(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Api(e) => {
            let status = StatusCode::from_u16(auth_core::error_status(&e))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = match e.http_status() {
                Some(s) if s < 500 => e.message().to_owned(),
                _ => e.code().default_message().to_owned(),
            };
            message(status, "Not done", text)
        }
        Refusal::Limited(secs) => message(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            format!("Too many failed sign-ins: try again in {secs} s."),
        ),
        Refusal::Busy => message(
            StatusCode::TOO_MANY_REQUESTS,
            "Busy",
            "Too many sign-ins at once: try again in a second.",
        ),
        Refusal::Internal(detail) => {
            tracing::error!(%detail, "console: server error");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Server error",
                "The server could not do it; nothing was changed.",
            )
        }
    }
}

fn form_refused(e: FormError) -> Response {
    match e {
        FormError::TooLarge => message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Form too large",
            format!(
                "The form is larger than {} bytes; nothing was changed.",
                forms::MAX_FORM
            ),
        ),
        FormError::Bad(why) => message(
            StatusCode::BAD_REQUEST,
            "Bad form",
            format!("{why}; nothing was changed."),
        ),
    }
}

/// The console's own origin, from the request's `Host` (`https://` when cookies are marked
/// `Secure`, i.e. the console is served over TLS).
fn own_origin(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let scheme = if st.console.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A state change must come from this origin (`Origin`, `Sec-Fetch-Site`).
fn same_origin(st: &AppState, headers: &HeaderMap) -> Result<(), Error> {
    check_same_origin(
        &lines(headers, &ORIGIN),
        &lines(headers, &HeaderName::from_static("sec-fetch-site")),
        &own_origin(st, headers),
    )
}

/// A signed-in browser: its session token, the token's claims, and the session's CSRF token.
pub(crate) struct Session {
    token: String,
    claims: Claims,
    csrf: String,
}

/// The request's session: the cookie's token, verified as a console session (the session
/// audience, its own `allowed_ips` against the client address, revocation). `None` for no
/// cookie or a session that no longer verifies.
fn session(st: &AppState, parts: &http::request::Parts) -> Option<Session> {
    let cookies = lines(&parts.headers, &COOKIE);
    let token = cookie_value(&cookies, SESSION_COOKIE)?;
    let client_ip = st.auth.client_ip(&parts.extensions, &parts.headers).ok()?;
    let mut req = VerifyRequest::default();
    req.client_ip = client_ip;
    match st.sessions.verify_with(token, &req) {
        Ok(claims) => {
            if let Ok(now) = auth_core::system_now() {
                st.last_used.record(&claims.jti, now, client_ip);
            }
            Some(Session {
                token: token.to_owned(),
                csrf: csrf_token(token),
                claims,
            })
        }
        Err(e) => {
            tracing::info!(code = %e.code(), "console session refused");
            None
        }
    }
}

/// For a state change: the same origin, a session, and the form's CSRF token; a refusal page
/// otherwise (nothing is changed).
fn session_for_change(
    st: &AppState,
    parts: &http::request::Parts,
    csrf: Option<&str>,
) -> Result<Session, Box<Response>> {
    if let Err(e) = same_origin(st, &parts.headers) {
        tracing::info!(reason = e.message(), "console form refused");
        return Err(Box::new(message(
            StatusCode::FORBIDDEN,
            "Refused",
            e.message(),
        )));
    }
    let Some(session) = session(st, parts) else {
        return Err(Box::new(message(
            StatusCode::UNAUTHORIZED,
            "Signed out",
            "Your session has ended: sign in again. Nothing was changed.",
        )));
    };
    if let Err(e) = check_csrf(&session.token, csrf) {
        tracing::info!(reason = e.message(), "console form refused");
        return Err(Box::new(message(
            StatusCode::FORBIDDEN,
            "Refused",
            e.message(),
        )));
    }
    Ok(session)
}

/// `GET /console/login`: the sign-in form, with a fresh pre-session CSRF cookie.
async fn login_page(State(st): State<Arc<AppState>>) -> Response {
    login_form(&st, None, String::new(), false, StatusCode::OK)
}

fn login_form(
    st: &AppState,
    error: Option<String>,
    account: String,
    reseller: bool,
    status: StatusCode,
) -> Response {
    let csrf = match auth_core::generate_token_id(&auth_core::SystemRandom) {
        Ok(id) => id,
        Err(e) => return refusal_page(Refusal::Api(e)),
    };
    let mut res = html(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            error,
            account,
            reseller,
        },
    );
    let secure = if st.console.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LOGIN_COOKIE}={csrf}; Path=/console/; Max-Age=3600; HttpOnly; SameSite=Strict{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// Sets (or with `None` deletes) the session cookie on `res`.
fn with_session_cookie(st: &AppState, mut res: Response, token: Option<&str>) -> Response {
    let cookie = session_cookie(token, st.console.session_ttl, st.console.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

async fn css() -> Response {
    asset(
        include_str!("../../static/console.css"),
        "text/css; charset=utf-8",
    )
}

async fn js() -> Response {
    asset(
        include_str!("../../static/console.js"),
        "text/javascript; charset=utf-8",
    )
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    let mut res = secured((StatusCode::OK, body).into_response());
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

impl Session {
    fn claims(&self) -> &Claims {
        &self.claims
    }
}

/// Whether the sign-in form's CSRF field equals the pre-session cookie (constant time).
fn login_cookie_matches(parts: &http::request::Parts, given: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    match (
        cookie_value(&lines(&parts.headers, &COOKIE), LOGIN_COOKIE),
        given,
    ) {
        (Some(cookie), Some(given)) => bool::from(cookie.as_bytes().ct_eq(given.as_bytes())),
        _ => false,
    }
}

/// 303 to a path this console chose (never one a request named).
fn see_other(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => secured((StatusCode::SEE_OTHER, [(LOCATION, v)]).into_response()),
        Err(_) => redirect("/console/"),
    }
}
