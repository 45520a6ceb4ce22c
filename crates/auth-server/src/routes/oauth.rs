//! The OAuth 2.0 endpoints gateways speak (docs/oauth.md): `POST /oauth/introspect`
//! (RFC 7662) and `POST /oauth/revoke` (RFC 7009).
//!
//! The caller is a configured client with HTTP Basic ([`OAuthClients`](crate::OAuthClients)),
//! or a bearer token — holding `introspect` to introspect (when the vocabulary declares it;
//! otherwise only clients may), and for revocation the token's own holder (its principal, or
//! the principal that minted it for a sub-account). Every decision is the core's
//! (`TokenForm`, `client_credentials`, `may_revoke_scoped`, `introspection_json`); errors are
//! RFC 6749 §5.2 bodies ([`AnswerStyle::OAuth`]).

use std::sync::Arc;

use auth_core::{
    client_credentials, introspection_json, may_revoke_scoped, AnswerStyle, Claims, Error,
    ErrorCode, RequiredScopes, TokenForm, MAX_FORM_BYTES,
};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::{blocking, revoke_token, Refusal};
use crate::app::AppState;
use crate::layer::lines;

/// Who calls an OAuth endpoint.
enum Caller {
    /// A configured client (HTTP Basic).
    Client(String),
    /// A bearer token's verified claims.
    Token(Box<Claims>),
}

/// The caller: Basic credentials of a configured client, or a bearer token verified with
/// `need` (`invalid_credentials` for a wrong client secret: RFC 6749 §5.2 `invalid_client`).
fn caller(
    st: &AppState,
    parts: &http::request::Parts,
    need: Option<&RequiredScopes>,
) -> Result<Caller, Error> {
    if let Some((id, secret)) = client_credentials(&lines(&parts.headers, &AUTHORIZATION))? {
        if st.oauth_clients.check(&id, &secret) {
            return Ok(Caller::Client(id));
        }
        tracing::info!(client = %id, "OAuth client refused: unknown client or wrong secret");
        return Err(Error::with_message(
            ErrorCode::InvalidCredentials,
            "unknown client or wrong client secret",
        ));
    }
    let auth = st
        .auth
        .authenticate_scoped(&parts.extensions, &parts.headers, need)?;
    Ok(Caller::Token(Box::new(auth.claims)))
}

/// The form body: `application/x-www-form-urlencoded` (RFC 7662 §2.1, RFC 7009 §2.1), at
/// most [`MAX_FORM_BYTES`].
async fn form(parts: &http::request::Parts, body: Body) -> Result<TokenForm, Error> {
    let media = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    if media.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(Error::with_message(
            ErrorCode::InvalidRequest,
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| {
            Error::with_message(
                ErrorCode::InvalidRequest,
                format!("the form is larger than {MAX_FORM_BYTES} bytes or was not received whole"),
            )
        })?;
    TokenForm::parse(&bytes)
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn refuse(err: Error, headers: &HeaderMap) -> Response {
    Refusal::Api(err).respond(AnswerStyle::OAuth, headers)
}

/// `POST /oauth/introspect`: `{"active": true, …}` for a token that verifies here — its
/// signature, times, revocation, and its `allowed_ips` against the form's `client_ip` —
/// and `{"active": false}` for every other token, whatever the reason.
pub(crate) async fn introspect(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bearer_need = st.route_scopes.introspect.as_ref();
    let who = match caller(&st, &parts, bearer_need) {
        Ok(who) => who,
        Err(e) => return refuse(e, &parts.headers),
    };
    if matches!(who, Caller::Token(_)) && bearer_need.is_none() {
        return refuse(
            Error::with_message(
                ErrorCode::NotPermitted,
                "bearer tokens may introspect only where the `introspect` scope is declared; \
                 use a client's Basic credentials",
            ),
            &parts.headers,
        );
    }
    let form = match form(&parts, body).await {
        Ok(f) => f,
        Err(e) => return refuse(e, &parts.headers),
    };
    let st2 = st.clone();
    let verdict = blocking(move || {
        Ok(st2
            .auth
            .authenticator()
            .verify_at(&form.token, form.client_ip, None, None))
    })
    .await;
    let claims = match verdict {
        Ok(v) => v,
        Err(refusal) => return refusal.respond(AnswerStyle::OAuth, &parts.headers),
    };
    let body = match &claims {
        Ok(c) => introspection_json(Some(c), st.scopes()),
        Err(e) => {
            tracing::info!(code = %e.code(), "introspection: inactive token");
            introspection_json(None, st.scopes())
        }
    };
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    no_store(res)
}

/// `POST /oauth/revoke`: revokes the token when the caller may — a client always, a bearer
/// caller its own principal's tokens and those it minted for sub-accounts (and, when the
/// vocabulary declares `tokens`, only its own token unless it holds `tokens`) — and answers
/// 200 with an empty body whether the token was valid, someone else's or already revoked
/// (RFC 7009 §2.2). The revocation reaches every process and survives a restart.
pub(crate) async fn revoke(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let who = match caller(&st, &parts, None) {
        Ok(who) => who,
        Err(e) => return refuse(e, &parts.headers),
    };
    let form = match form(&parts, body).await {
        Ok(f) => f,
        Err(e) => return refuse(e, &parts.headers),
    };
    let client = match &who {
        Caller::Client(id) => id.clone(),
        Caller::Token(_) => "-".to_owned(),
    };
    let st2 = st.clone();
    let outcome = blocking(move || {
        let verifier = st2.auth.verifier();
        let Ok(token) = verifier.verify_for_revocation(&form.token, None) else {
            return Ok("not a valid token here");
        };
        let allowed = match &who {
            Caller::Client(_) => true,
            Caller::Token(c) => may_revoke_scoped(c, &token, st2.route_scopes.tokens.as_ref()),
        };
        if !allowed {
            return Ok("the caller may not revoke it");
        }
        revoke_token(&st2, &token)?;
        Ok("revoked")
    })
    .await;
    match outcome {
        Ok(what) => {
            tracing::info!(%client, outcome = what, "RFC 7009 revocation");
            no_store(StatusCode::OK.into_response())
        }
        Err(refusal) => refusal.respond(AnswerStyle::OAuth, &parts.headers),
    }
}
