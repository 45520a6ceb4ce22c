//! The console's handlers: sign in and out, the token pages, and the three state changes
//! (create a named token, get a static token, revoke a token).

use std::sync::Arc;

use auth_core::{
    check_caller_account, create_token_with_policy, session_request, token_list_owner,
    CallerAccount, CreateTokenRequest, Error, ErrorCode, Lifetime, LoginKind, TokenTarget,
};
use axum::extract::{Path, Request, State};
use axum::response::Response;
use http::StatusCode;

use super::forms::{create_request, place_error, Form};
use super::pages::{CreateForm, Created, TokenRow, TokensPage};
use super::{
    form_refused, html, login_cookie_matches, login_form, message, redirect, refusal_page,
    same_origin, session, session_for_change, with_session_cookie, Session,
};
use crate::app::AppState;
use crate::layer::Authenticated;
use crate::routes::login::{check_reseller, check_user, login_ip, outcome, reserve};
use crate::routes::manage::{listing, revoke_by_id};
use crate::routes::token::sub_account;
use crate::routes::{blocking, revoke_token, Refusal};

/// `GET /console/`: the signed-in account's page (sign in first otherwise).
pub(crate) async fn home(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let Some(s) = session(&st, &parts) else {
        return redirect("/console/login");
    };
    render(st, s, None, Outcome::default()).await
}

/// `GET /console/accounts/{id}`: a sub-account's page.
pub(crate) async fn account(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let Some(s) = session(&st, &parts) else {
        return redirect("/console/login");
    };
    render(st, s, Some(id), Outcome::default()).await
}

/// What a state change left to show on the page it answers with.
#[derive(Default)]
struct Outcome {
    status: Option<StatusCode>,
    notice: Option<String>,
    created: Option<Created>,
    form: CreateForm,
}

/// The page of the signed-in account (`account` `None`) or of one of its sub-accounts.
async fn render(
    st: Arc<AppState>,
    s: Session,
    account: Option<String>,
    outcome: Outcome,
) -> Response {
    let st2 = st.clone();
    let me = format!(
        "{} ({})",
        s.claims().subject.name(),
        s.claims().subject.kind()
    );
    let session_jti = s.claims().jti.clone();
    let csrf = s.csrf.clone();
    let claims = s.claims.clone();
    let account2 = account.clone();
    let loaded = blocking(move || {
        let auth = Authenticated {
            claims: claims.clone(),
            client_ip: None,
        };
        let (target, name) = match &account2 {
            None => (TokenTarget::SelfAccount, None),
            Some(text) => {
                let target = sub_account(&st2, &auth, text)?;
                let name = match &target {
                    TokenTarget::SubAccount { subject, .. } => Some(subject.name().to_owned()),
                    _ => None,
                };
                (target, name)
            }
        };
        let owner = token_list_owner(&claims, &target, &st2.policy)?;
        let tokens = listing(&st2, owner)?;
        let subs = if account2.is_none() {
            st2.db.sub_accounts_of(owner)?
        } else {
            Vec::new()
        };
        Ok((owner, name, tokens, subs))
    })
    .await;
    let (owner, name, tokens, subs) = match loaded {
        Ok(v) => v,
        Err(r) => return refusal_page(r),
    };
    let here = match &account {
        None => "/console/".to_owned(),
        Some(_) => format!("/console/accounts/{}", owner.id),
    };
    let scopes = st
        .scopes()
        .names()
        .map(|n| {
            (
                n.to_owned(),
                st.scopes().description(n).unwrap_or("").to_owned(),
            )
        })
        .collect();
    let page = TokensPage {
        heading: match &name {
            None => "Your tokens".to_owned(),
            Some(n) => format!("Tokens of {n}"),
        },
        me,
        csrf,
        here,
        account_id: account
            .as_ref()
            .map_or(String::new(), |_| owner.id.to_string()),
        back: account.as_ref().map(|_| "/console/".to_owned()),
        notice: outcome.notice,
        created: outcome.created,
        tokens: tokens
            .iter()
            .map(|t| TokenRow::of(t, &session_jti))
            .collect(),
        form: outcome.form,
        scopes,
        static_allowed: true,
        static_for: name.map_or_else(|| "this account".to_owned(), |n| n.to_string()),
        sub_accounts: subs,
    };
    html(outcome.status.unwrap_or(StatusCode::OK), &page)
}

/// `POST /console/login`: the same origin, the pre-session CSRF token, then the same login
/// rules as the API (failed-login limits, blocked accounts, the group's regex, the reseller's
/// allow-list); a session cookie on success.
pub(crate) async fn login(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if let Err(e) = same_origin(&st, &parts.headers) {
        return message(StatusCode::FORBIDDEN, "Refused", e.message());
    }
    let form = match Form::read(body).await {
        Ok(f) => f,
        Err(e) => return form_refused(e),
    };
    let field = |n: &str| form.one(n).ok().flatten().unwrap_or("").to_owned();
    let (account, password) = (field("account"), field("password"));
    let kind = match field("kind").as_str() {
        "reseller" => LoginKind::Reseller,
        _ => LoginKind::User,
    };
    let reseller = kind == LoginKind::Reseller;
    if !login_cookie_matches(&parts, form.one("csrf").ok().flatten()) {
        return login_form(
            &st,
            Some("The sign-in form expired or came from elsewhere: try again.".into()),
            account,
            reseller,
            StatusCode::FORBIDDEN,
        );
    }
    let result = async {
        let ip = login_ip(&st, &parts)?;
        if account.is_empty() || account.chars().count() > auth_core::MAX_ACCOUNT_NAME_CHARS {
            return Err(
                Error::with_message(ErrorCode::InvalidRequest, "give a login or name").into(),
            );
        }
        let attempt = reserve(&st, kind, &account, ip).await?;
        let (st, account) = (st.clone(), account.clone());
        blocking(move || {
            let login = match kind {
                LoginKind::User => check_user(&st, &account, password.as_bytes(), ip, attempt)?,
                LoginKind::Reseller => {
                    check_reseller(&st, &account, password.as_bytes(), ip, attempt)?
                }
            };
            let minted = st.issuer.mint(&session_request(
                &login.claims,
                st.console.session_ttl,
                None,
            ))?;
            st.db.record_issued_token(&minted.claims)?;
            Ok(minted.token)
        })
        .await
    }
    .await;
    st.metrics.login(kind, outcome(&result));
    match result {
        Ok(token) => with_session_cookie(&st, redirect("/console/"), Some(&token)),
        Err(Refusal::Api(e)) => {
            let status = StatusCode::from_u16(auth_core::error_status(&e))
                .unwrap_or(StatusCode::UNAUTHORIZED);
            login_form(&st, Some(e.message().to_owned()), account, reseller, status)
        }
        Err(other) => refusal_page(other),
    }
}

/// `POST /console/logout`: revokes the session token and deletes the cookie.
pub(crate) async fn logout(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (_, s) = match change(&st, req).await {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let st2 = st.clone();
    match blocking(move || revoke_token(&st2, &s.claims)).await {
        Ok(()) => with_session_cookie(&st, redirect("/console/login"), None),
        Err(r) => refusal_page(r),
    }
}

/// A state change's form and session (the same origin, the CSRF token), or the page refusing
/// it.
async fn change(st: &AppState, req: Request) -> Result<(Form, Session), Box<Response>> {
    let (parts, body) = req.into_parts();
    let form = Form::read(body)
        .await
        .map_err(|e| Box::new(form_refused(e)))?;
    let s = session_for_change(st, &parts, form.one("csrf").ok().flatten())?;
    Ok((form, s))
}

/// The account a form acts on: the signed-in one (`account` empty) or a sub-account.
fn form_target(st: &AppState, s: &Session, account: &str) -> Result<TokenTarget, Refusal> {
    if account.is_empty() {
        return Ok(TokenTarget::SelfAccount);
    }
    let auth = Authenticated {
        claims: s.claims.clone(),
        client_ip: None,
    };
    sub_account(st, &auth, account)
}

/// Creates a token for `target` the way `POST /token` does: the caller's account not blocked
/// and under its quota, then the library's creation rules; recorded.
fn create_for(
    st: &AppState,
    s: &Session,
    target: TokenTarget,
    request: &CreateTokenRequest,
) -> Result<Created, Refusal> {
    let caller = s.claims.principal();
    let now = auth_core::system_now()?;
    check_caller_account(
        CallerAccount {
            blocked: st.db.principal_blocked(caller)?,
            named_tokens: st.db.count_named_tokens(caller, now)?,
        },
        st.max_named_tokens,
    )?;
    let created =
        create_token_with_policy(&st.issuer, &s.claims, request, target, None, &st.policy)?;
    st.db.record_issued_token(&created.minted.claims)?;
    tracing::info!(
        token_id = created.token_id(),
        "token created in the console"
    );
    Ok(Created {
        name: request.name.clone(),
        token: created.minted.token.clone(),
        token_id: created.token_id().to_owned(),
    })
}

/// `POST /console/tokens`: a named token from the form (name, lifetime, allowed IPs, scopes),
/// for the signed-in account or a sub-account; the library's message next to the field it is
/// about when it refuses.
pub(crate) async fn create(State(st): State<Arc<AppState>>, req: Request) -> Response {
    make(st, req, false).await
}

/// `POST /console/static`: a static token (no expiry), "obtained from the user interface".
pub(crate) async fn static_token(State(st): State<Arc<AppState>>, req: Request) -> Response {
    make(st, req, true).await
}

async fn make(st: Arc<AppState>, req: Request, fixed_static: bool) -> Response {
    let (form, s) = match change(&st, req).await {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let account = match form.one("account") {
        Ok(a) => a.unwrap_or("").to_owned(),
        Err(e) => return form_refused(e),
    };
    let shown_account = (!account.is_empty()).then(|| account.clone());
    let request = if fixed_static {
        CreateTokenRequest {
            name: "Static token".to_owned(),
            lifetime: Lifetime::Static,
            allowed_ips: Vec::new(),
            scopes: None,
        }
    } else {
        match create_request(&form) {
            Ok(r) => r,
            Err(shown) => {
                let outcome = Outcome {
                    status: Some(StatusCode::BAD_REQUEST),
                    form: *shown,
                    ..Outcome::default()
                };
                return render(st, s, shown_account, outcome).await;
            }
        }
    };
    let (st2, claims_for_page) = (st.clone(), s.claims.clone());
    let csrf = s.csrf.clone();
    let s_token = s.token.clone();
    let req2 = request.clone();
    let made = blocking(move || {
        let s = Session {
            token: s_token,
            claims: claims_for_page,
            csrf,
        };
        let target = form_target(&st2, &s, &account)?;
        create_for(&st2, &s, target, &req2)
    })
    .await;
    let outcome = match made {
        Ok(created) => Outcome {
            notice: Some("Token created.".into()),
            created: Some(created),
            ..Outcome::default()
        },
        Err(Refusal::Api(e)) => {
            let form = if fixed_static {
                CreateForm {
                    error: Some(e.message().to_owned()),
                    ..CreateForm::default()
                }
            } else {
                let shown = CreateForm {
                    name: request.name.clone(),
                    ttl: form.one("ttl").ok().flatten().unwrap_or("").to_owned(),
                    allowed_ips: form
                        .one("allowed_ips")
                        .ok()
                        .flatten()
                        .unwrap_or("")
                        .to_owned(),
                    ..CreateForm::default()
                };
                place_error(shown, &e)
            };
            let status = StatusCode::from_u16(auth_core::error_status(&e))
                .unwrap_or(StatusCode::BAD_REQUEST);
            Outcome {
                status: Some(status),
                form,
                ..Outcome::default()
            }
        }
        Err(other) => return refusal_page(other),
    };
    render(st, s, shown_account, outcome).await
}

/// `POST /console/tokens/{id}/revoke`: revokes a token the signed-in account may revoke (the
/// same rule as `DELETE /token/{id}`), then back to the page it came from.
pub(crate) async fn revoke(
    State(st): State<Arc<AppState>>,
    Path(token_id): Path<String>,
    req: Request,
) -> Response {
    let (form, s) = match change(&st, req).await {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let back = match form.one("back").ok().flatten() {
        Some(b) if b == "/console/" => b.to_owned(),
        Some(b)
            if b.strip_prefix("/console/accounts/")
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit())) =>
        {
            b.to_owned()
        }
        _ => "/console/".to_owned(),
    };
    let st2 = st.clone();
    let claims = s.claims.clone();
    let done = blocking(move || {
        let jti = revoke_by_id(&st2, &claims, &token_id)?;
        tracing::info!(token_id = %jti, "token revoked in the console");
        Ok(())
    })
    .await;
    match done {
        Ok(()) => super::see_other(&back),
        Err(r) => refusal_page(r),
    }
}
