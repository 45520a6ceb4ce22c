//! Endpoints that only use a token: `GET /a/some-endpoint` (any valid token: its claims) and
//! `GET /a/auth`, nginx's `auth_request` target.

use std::sync::Arc;

use auth_core::{Answer, AnswerStyle, RequiredScopes, ScopeSet};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::json_response;
use crate::app::AppState;
use crate::layer::{answer_response, Authenticated};

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

/// The scopes `?scope=A+B` asks for, declared in the service's vocabulary: `Ok(None)` when
/// the query names none. An undeclared or malformed name is the proxy's configuration, not
/// the client's fault: `Err` (answered 500 and logged).
fn query_scopes(st: &AppState, query: Option<&str>) -> Result<Option<RequiredScopes>, String> {
    let mut found = None;
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if name != "scope" {
            continue;
        }
        if found.replace(value.into_owned()).is_some() {
            return Err("`scope` is given twice".to_owned());
        }
    }
    let Some(text) = found else { return Ok(None) };
    let set = ScopeSet::parse(&text).map_err(|e| e.message().to_owned())?;
    let names: Vec<&str> = set.iter().collect();
    st.scopes()
        .require(&names)
        .map(Some)
        .map_err(|e| e.message().to_owned())
}

/// `GET /a/auth` for nginx's `auth_request`: 204 with `X-Auth-Type`, `X-Auth-Id`,
/// `X-Auth-Name` (percent-encoded outside visible ASCII) and `X-Auth-Token-Id`; a refusal is
/// the core's [`AnswerStyle::AuthRequest`] answer (401, 403 or 500, no body). `?scope=A+B`
/// requires those scopes (`auth_request /a/auth?scope=sms:send;` per nginx `location`): a
/// token without them is 403 with the RFC 6750 challenge naming them.
pub(crate) async fn nginx_auth(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let need = match query_scopes(&st, req.uri().query()) {
        Ok(need) => need,
        Err(why) => {
            tracing::error!(%why, "auth_request: the proxy asks for scopes this service does not declare");
            return answer_response(Answer::server_error(AnswerStyle::AuthRequest, &[]));
        }
    };
    match st
        .auth
        .authenticate_scoped(req.extensions(), req.headers(), need.as_ref())
    {
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
            let answer = Answer::refusal(&e, AnswerStyle::AuthRequest, &[]);
            tracing::info!(code = %e.code(), status = answer.status, "auth_request refused");
            answer_response(answer)
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
