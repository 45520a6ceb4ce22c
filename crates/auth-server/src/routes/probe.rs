//! Endpoints that only use a token: `GET /a/some-endpoint` (any valid token: its claims) and
//! `GET /a/auth`, nginx's `auth_request` target.

use std::sync::Arc;

use auth_core::ErrorCode;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::json_response;
use crate::app::AppState;
use crate::layer::Authenticated;

/// `GET /a/some-endpoint`: 200 with the verified claims as JSON.
pub(crate) async fn some_endpoint(Extension(auth): Extension<Authenticated>) -> Response {
    json_response(StatusCode::OK, auth.claims.to_json())
}

/// The headers `GET /a/auth` answers with (nginx copies them with `auth_request_set`).
pub const AUTH_HEADERS: [&str; 4] = ["x-auth-type", "x-auth-id", "x-auth-name", "x-auth-token-id"];

/// A header value for text that may hold any character: visible ASCII and spaces as they
/// are, every other byte (and `%`) percent-encoded as UTF-8.
fn header_text(text: &str) -> HeaderValue {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if (b == b' ' || b.is_ascii_graphic()) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&out).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `GET /a/auth` for nginx's `auth_request`: 204 with `X-Auth-Type`, `X-Auth-Id`,
/// `X-Auth-Name` (percent-encoded outside visible ASCII) and `X-Auth-Token-Id`; 403 for a
/// token used from an address it does not allow; 401 for every other refusal (nginx
/// accepts only 2xx, 401 and 403 from an auth subrequest); 500 when the server cannot
/// decide (revocation store unavailable). No body.
pub(crate) async fn nginx_auth(State(st): State<Arc<AppState>>, req: Request) -> Response {
    match st.auth.authenticate(req.extensions(), req.headers()) {
        Ok(auth) => {
            let c = &auth.claims;
            let mut headers = HeaderMap::new();
            let values = [
                HeaderValue::from_static(c.subject.kind().as_str()),
                HeaderValue::from(c.subject.id()),
                header_text(c.subject.name()),
                header_text(&c.jti),
            ];
            for (name, value) in AUTH_HEADERS.iter().zip(values) {
                headers.insert(HeaderName::from_static(name), value);
            }
            (StatusCode::NO_CONTENT, headers).into_response()
        }
        Err(e) => {
            let status = match (e.code(), auth_core::error_status(&e)) {
                (ErrorCode::IpNotAllowed, _) => StatusCode::FORBIDDEN,
                (_, s) if s < 500 => StatusCode::UNAUTHORIZED,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::info!(code = %e.code(), status = status.as_u16(), "auth_request refused");
            let mut res = status.into_response();
            if status == StatusCode::UNAUTHORIZED {
                res.headers_mut()
                    .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_keeps_ascii_and_encodes_the_rest() {
        assert_eq!(header_text("John Doe"), "John Doe");
        assert_eq!(header_text("a%b"), "a%25b");
        assert_eq!(header_text("Zoë\n"), "Zo%C3%AB%0A");
    }
}
