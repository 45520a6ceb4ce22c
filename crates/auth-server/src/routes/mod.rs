//! The handlers, one file per API: `login.rs` (the login API: logins, logouts), `token.rs`
//! (the token API), `probe.rs` (`/a/some-endpoint` and nginx's `/a/auth`).
//!
//! Every decision is the library's; the handlers read requests, look accounts up, check
//! passwords, and write what the library returns.

use auth_core::{Error, MAX_BODY_BYTES};
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

use crate::db::DbError;
use crate::layer::{error_response, ErrorStyle};

pub(crate) mod login;
pub(crate) mod probe;
pub(crate) mod token;

/// Why a request is refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// A library error: its status and the API's body.
    Api(Error),
    /// Too many failed logins: 429 with `Retry-After` (seconds).
    Limited(u64),
    /// The server's fault (database, a task that did not finish): 500, logged, not shown.
    Internal(String),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Api(e)
    }
}

impl From<DbError> for Refusal {
    fn from(e: DbError) -> Self {
        Refusal::Internal(e.to_string())
    }
}

/// The body of the service's own answers (429, 500), shaped like the API's error bodies.
fn service_error_body(style: ErrorStyle, code: &str, message: &str, status: u16) -> String {
    match style {
        ErrorStyle::LoginApi => {
            json!({"error": {"code": code, "message": message, "status": status}}).to_string()
        }
        ErrorStyle::TokenApi => json!({"status": 0, "message": message, "error": code}).to_string(),
    }
}

impl Refusal {
    /// The response in `style`.
    pub(crate) fn respond(self, style: ErrorStyle, headers: &HeaderMap) -> Response {
        match self {
            Refusal::Api(e) => error_response(&e, style, headers),
            Refusal::Limited(secs) => {
                tracing::warn!(retry_after = secs, "login refused: too many failures");
                let body = service_error_body(
                    style,
                    "rate_limited",
                    "Too many failed logins: try again later",
                    429,
                );
                let mut res = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
                res.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(secs));
                res.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res
            }
            Refusal::Internal(detail) => {
                tracing::error!(%detail, "server error");
                let body = service_error_body(style, "server_error", "Server error", 500);
                let mut res = (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
                res.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res
            }
        }
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// The request body, at most [`MAX_BODY_BYTES`] (larger → `invalid_request`).
pub(crate) async fn read_body(body: Body) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            Refusal::Api(Error::with_message(
                auth_core::ErrorCode::InvalidRequest,
                format!("the body is larger than {MAX_BODY_BYTES} bytes or was not received whole"),
            ))
        })
}

/// Runs CPU-bound or blocking work (Argon2, SQLite) off the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Refusal::Internal(format!("worker task: {e}")))?
}
