//! Token management in the token API: `GET /token`, `GET /token/account/{accountID}` and
//! `DELETE /token/{token_id}` (docs/server.md). The database says what was issued; the
//! library decides who may see and revoke it (`token_list_owner`, `check_token_revocation`)
//! and writes the answers (`render_token_list`, `render_token_revoked`).

use std::sync::Arc;

use auth_core::{
    check_token_revocation, render_token_list, render_token_revoked, token_list_owner,
    unknown_token, valid_jti, AnswerStyle, Format, IssuedToken, Principal, PrincipalType,
    TokenInfo, TokenTarget,
};
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

use super::token::sub_account;
use super::{blocking, Refusal};
use crate::app::AppState;
use crate::layer::{response_format, Authenticated};

/// The most tokens one listing shows (the quota keeps an account far below it).
pub(crate) const MAX_LISTED: usize = 1000;

fn answer(result: Result<String, Refusal>, format: Format, req: &http::request::Parts) -> Response {
    match result {
        Ok(body) => {
            let mut res = (StatusCode::OK, body).into_response();
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            res
        }
        Err(refusal) => refusal.respond(AnswerStyle::TokenApi, &req.headers),
    }
}

fn caller(parts: &http::request::Parts) -> Result<Authenticated, Refusal> {
    parts
        .extensions
        .get::<Authenticated>()
        .cloned()
        .ok_or_else(|| Refusal::Internal("token route without AuthLayer".into()))
}

/// The tokens of `owner` as a listing shows them.
pub(crate) fn listing(st: &AppState, owner: Principal) -> Result<Vec<TokenInfo>, Refusal> {
    let now = auth_core::system_now()?;
    Ok(st.db.tokens_of(owner, now, MAX_LISTED)?)
}

/// `GET /token`: the caller's account's tokens.
pub(crate) async fn list_own(State(st): State<Arc<AppState>>, req: Request) -> Response {
    list(st, None, req).await
}

/// `GET /token/account/{accountID}`: a sub-account's tokens.
pub(crate) async fn list_account(
    State(st): State<Arc<AppState>>,
    Path(account_id): Path<String>,
    req: Request,
) -> Response {
    list(st, Some(account_id), req).await
}

async fn list(st: Arc<AppState>, account: Option<String>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let format = response_format(&parts.headers);
    let result = match caller(&parts) {
        Err(e) => Err(e),
        Ok(auth) => {
            let st = st.clone();
            blocking(move || {
                let target = match account {
                    None => TokenTarget::SelfAccount,
                    Some(text) => sub_account(&st, &auth, &text)?,
                };
                let owner = token_list_owner(&auth.claims, &target, &st.policy)?;
                Ok(render_token_list(&listing(&st, owner)?, format))
            })
            .await
        }
    };
    answer(result, format, &parts)
}

/// Parses a stored principal (`"user"`/`"reseller"`, id).
fn principal((kind, id): &(String, u64)) -> Option<Principal> {
    PrincipalType::from_claim(kind).map(|kind| Principal { kind, id: *id })
}

/// `DELETE /token/{token_id}`: revokes one token the caller may revoke (its own, one it made
/// for a sub-account, or any of a sub-account's); every other id, and an unknown one, gets
/// the same `not_permitted` answer. The revocation reaches every process (the store, then
/// the database's log) and survives a restart.
pub(crate) async fn delete(
    State(st): State<Arc<AppState>>,
    Path(token_id): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let format = response_format(&parts.headers);
    let result = match caller(&parts) {
        Err(e) => Err(e),
        Ok(auth) => {
            let st = st.clone();
            blocking(move || {
                let jti = revoke_by_id(&st, &auth.claims, &token_id)?;
                tracing::info!(token_id = %jti, "token revoked by its owner (DELETE /token)");
                Ok(render_token_revoked(&jti, format))
            })
            .await
        }
    };
    answer(result, format, &parts)
}

/// Revokes recorded token `token_id` when `caller` may ([`check_token_revocation`]; an unknown
/// id and someone else's are the same `not_permitted`); returns its id.
pub(crate) fn revoke_by_id(
    st: &AppState,
    caller: &auth_core::Claims,
    token_id: &str,
) -> Result<String, Refusal> {
    if !valid_jti(token_id) {
        return Err(unknown_token().into());
    }
    let row = st.db.named_token(token_id)?;
    let record = match &row {
        None => None,
        Some(r) => match (principal(&r.subject), principal(&r.owner)) {
            (Some(subject), Some(owner)) => Some(IssuedToken {
                subject,
                owner,
                subject_owned_by_caller: subject.kind == PrincipalType::User
                    && st.db.owns(caller.principal(), subject.id)?,
            }),
            _ => None,
        },
    };
    check_token_revocation(caller, record, &st.policy)?;
    let Some(row) = row else {
        return Err(unknown_token().into());
    };
    revoke_row(st, &row.jti, row.expires_at)?;
    Ok(row.jti)
}

/// Revokes a recorded token by id: in the store at once, then in the database.
pub(crate) fn revoke_row(st: &AppState, jti: &str, exp: Option<u64>) -> Result<(), Refusal> {
    let now = auth_core::system_now()?;
    st.revoker.revoke(jti, exp, Some(now))?;
    st.db.record_revocation(jti, exp, now)?;
    Ok(())
}
