//! The handlers, one file per API: `login.rs` (the login API: logins, logouts), `token.rs`
//! (the token API), `probe.rs` (`/a/some-endpoint` and nginx's `/a/auth`), `ops.rs` (the
//! operator's `/healthz`, `/readyz`, `/metrics`).
//!
//! Every decision is the library's; the handlers read requests, look accounts up, check
//! passwords, and write what the library returns.

use auth_core::{Answer, AnswerStyle, Error, MAX_BODY_BYTES};
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::db::DbError;
use crate::layer::{answer_response, lines};

pub(crate) mod login;
pub(crate) mod manage;
pub(crate) mod oauth;
pub(crate) mod ops;
pub(crate) mod probe;
pub(crate) mod token;

/// Why a request is refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// A library error: its status and the API's body.
    Api(Error),
    /// Too many failed logins: 429 with `Retry-After` (seconds).
    Limited(u64),
    /// Every password-check slot stayed taken: 429 with `Retry-After: 1`.
    Busy,
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

impl Refusal {
    /// The response in `style`: the core's [`Answer`] for the library error, the rate limit or
    /// the server's fault (whose details go to the log only).
    pub(crate) fn respond(self, style: AnswerStyle, headers: &HeaderMap) -> Response {
        let accept = lines(headers, &ACCEPT);
        let answer = match self {
            Refusal::Api(e) => Answer::refusal(&e, style, &accept),
            Refusal::Limited(secs) => {
                tracing::warn!(retry_after = secs, "login refused: too many failures");
                Answer::rate_limited(secs, style, &accept)
            }
            Refusal::Busy => {
                tracing::info!("login refused: every password check slot stayed busy");
                let busy = Error::with_message(
                    auth_core::ErrorCode::RateLimited,
                    "Too many logins at once: try again in a second",
                );
                let mut answer = Answer::refusal(&busy, style, &accept);
                answer.retry_after = Some(1);
                answer
            }
            Refusal::Internal(detail) => {
                tracing::error!(%detail, "server error");
                Answer::server_error(style, &accept)
            }
        };
        answer_response(answer)
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

/// Revokes a token in the store first (effective at once in this process, and in every
/// process sharing the store), then records it in the database (other processes' polls, and
/// restarts).
pub(crate) fn revoke_token(
    st: &crate::app::AppState,
    claims: &auth_core::Claims,
) -> Result<(), Refusal> {
    auth_core::logout(&*st.revoker, claims, None)?;
    st.db
        .record_revocation(&claims.jti, claims.exp, auth_core::system_now()?)?;
    tracing::info!(kind = %claims.subject.kind(), id = claims.subject.id(), "token revoked");
    Ok(())
}

/// Runs CPU-bound or blocking work (Argon2, SQLite) off the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Refusal::Internal(format!("worker task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_that_found_no_check_slot_says_so_and_when_to_retry() {
        let res = Refusal::Busy.respond(AnswerStyle::LoginApi, &HeaderMap::new());
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()["retry-after"], "1");
        let limited = Refusal::Limited(60).respond(AnswerStyle::LoginApi, &HeaderMap::new());
        assert_eq!(limited.headers()["retry-after"], "60");
        let body = |r: Response| {
            let bytes = futures_body(r);
            String::from_utf8(bytes).unwrap()
        };
        let busy = body(res);
        assert!(
            busy.contains("\"rate_limited\"") && busy.contains("at once"),
            "{busy}"
        );
        assert!(body(limited).contains("failed logins"));
    }

    fn futures_body(r: Response) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(axum::body::to_bytes(r.into_body(), 1 << 16))
            .unwrap()
            .to_vec()
    }
}
