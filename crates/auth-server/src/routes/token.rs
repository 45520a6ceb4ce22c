//! The token API: `POST /token` and `POST /token/account/{accountID}`.
//!
//! The body is JSON or XML: the `Content-Type` when it names one, else the body's first
//! character ([`Format::for_body`]), since the API's examples send no type. The answer is
//! in the format `Accept` asks for, JSON by default. Errors are the token API's bodies.

use std::sync::Arc;

use auth_core::{
    check_caller_account, create_token_with_policy, CallerAccount, CreateTokenRequest, Error,
    ErrorCode, Format, Subject, TokenTarget,
};
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

use super::{blocking, read_body, Refusal};
use crate::app::AppState;
use crate::layer::{response_format, Authenticated};
use auth_core::AnswerStyle;

/// `POST /token`: a named token for the caller.
pub(crate) async fn create_for_self(State(st): State<Arc<AppState>>, req: Request) -> Response {
    create(st, None, req).await
}

/// `POST /token/account/{accountID}`: a named token for a sub-account of the caller.
pub(crate) async fn create_for_account(
    State(st): State<Arc<AppState>>,
    Path(account_id): Path<String>,
    req: Request,
) -> Response {
    create(st, Some(account_id), req).await
}

async fn create(st: Arc<AppState>, account: Option<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let format = response_format(&parts.headers);
    let result = async {
        let Some(auth) = parts.extensions.get::<Authenticated>().cloned() else {
            return Err(Refusal::Internal("token route without AuthLayer".into()));
        };
        let bytes = read_body(body).await?;
        let declared = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let request = CreateTokenRequest::parse(&bytes, Format::for_body(declared, &bytes))?;
        let st = st.clone();
        blocking(move || {
            // The caller's account as the database has it now: blocked (or gone) accounts —
            // the caller's or its delegator's — create nothing, and the account the new token
            // is recorded under (the delegator, else the caller) holds at most its quota.
            let caller = auth.claims.principal();
            let owner = auth.claims.parent.unwrap_or(caller);
            let now = auth_core::system_now()?;
            let blocked = st.db.principal_blocked(caller)?
                || (owner != caller && st.db.principal_blocked(owner)?);
            check_caller_account(
                CallerAccount {
                    blocked,
                    named_tokens: st.db.count_named_tokens(owner, now)?,
                },
                st.max_named_tokens,
            )?;
            let target = match account {
                None => TokenTarget::SelfAccount,
                Some(text) => sub_account(&st, &auth, &text)?,
            };
            let created = create_token_with_policy(
                &st.issuer,
                &auth.claims,
                &request,
                target,
                None,
                &st.policy,
            )?;
            st.db.record_issued_token(&created.minted.claims)?;
            tracing::info!(
                kind = %created.minted.claims.subject.kind(),
                id = created.minted.claims.subject.id(),
                token_id = created.token_id(),
                "named token created"
            );
            Ok(created.render(format))
        })
        .await
    }
    .await;
    match result {
        Ok(body) => {
            let mut res = (StatusCode::OK, body).into_response();
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            res
        }
        Err(refusal) => refusal.respond(AnswerStyle::TokenApi, &parts.headers),
    }
}

/// The target of `POST /token/account/{accountID}`: what the database says about the user
/// account with that id — not found, or found with whether the caller owns it
/// (`sub_accounts`; an account owns itself) and whether it is blocked. The library decides
/// (`not_permitted`, 403, one answer for all three refusals).
pub(crate) fn sub_account(
    st: &AppState,
    auth: &Authenticated,
    text: &str,
) -> Result<TokenTarget, Refusal> {
    let id = text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| {
            Error::with_message(
                ErrorCode::InvalidRequest,
                "accountID must be an account number",
            )
        })?;
    // Ids on the wire are at most 2^53 − 1 (docs/token-format.md): a larger one names no
    // account (and would not fit the database's integer), so it is answered like one unknown.
    if id > auth_core::MAX_TIME {
        return Ok(TokenTarget::UnknownAccount);
    }
    let Some(row) = st.db.user_by_id(id)? else {
        return Ok(TokenTarget::UnknownAccount);
    };
    Ok(TokenTarget::SubAccount {
        owned_by_caller: st.db.owns(auth.claims.principal(), id)?,
        blocked: row.blocked,
        subject: Subject::User {
            id: row.id,
            name: row.name,
            admin: row.admin,
            sms_from: row.sms_from,
            user_group_id: row.user_group_id,
        },
    })
}
