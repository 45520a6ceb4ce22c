//! The login API: `POST /a/session.json`, `POST /a/v1/resellers/login.json`, and the two
//! logouts (`DELETE /a/session.json`, `GET /a/v1/resellers/user/logout.json`).

use std::net::IpAddr;
use std::sync::Arc;

use auth_core::{
    login_reseller, login_user, Error, ErrorCode, IpAllowList, IpRegex, Lifetime, LoginKind,
    LoginRequest, RegexMode, ResellerAccount, UserAccount,
};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Extension;
use http::StatusCode;
use serde_json::json;

use super::{blocking, json_response, read_body, revoke_token, Refusal};
use crate::app::AppState;
use crate::db::DbError;
use crate::layer::Authenticated;
use crate::limit::{Attempt, Refused};
use auth_core::AnswerStyle;

/// One of the two logins: how its body is read (the core's [`LoginRequest`]) and checked.
/// The two logins differ only here.
pub(crate) trait LoginBody: Send + 'static {
    /// Which login: the body's members, the limiter's and the logs' name.
    const KIND: LoginKind;
    /// The body the core read.
    fn new(request: LoginRequest) -> Self;
    /// The account name the limiter counts failures against.
    fn account(&self) -> &str;
    /// Checks the credentials and logs in (blocking: the password hash is slow on purpose).
    fn check(self, st: &AppState, ip: IpAddr, attempt: Attempt) -> Result<String, Refusal>;
}

/// `{"login", "password"}` of `POST /a/session.json`.
pub(crate) struct UserBody(LoginRequest);

impl LoginBody for UserBody {
    const KIND: LoginKind = LoginKind::User;
    fn new(request: LoginRequest) -> Self {
        UserBody(request)
    }
    fn account(&self) -> &str {
        &self.0.account
    }
    fn check(self, st: &AppState, ip: IpAddr, attempt: Attempt) -> Result<String, Refusal> {
        let login = check_user(st, &self.0.account, self.0.password.as_bytes(), ip, attempt)?;
        st.db.record_issued_token(&login.claims)?;
        Ok(login.json)
    }
}

/// `{"name", "pass"}` of `POST /a/v1/resellers/login.json`.
pub(crate) struct ResellerBody(LoginRequest);

impl LoginBody for ResellerBody {
    const KIND: LoginKind = LoginKind::Reseller;
    fn new(request: LoginRequest) -> Self {
        ResellerBody(request)
    }
    fn account(&self) -> &str {
        &self.0.account
    }
    fn check(self, st: &AppState, ip: IpAddr, attempt: Attempt) -> Result<String, Refusal> {
        let login = check_reseller(st, &self.0.account, self.0.password.as_bytes(), ip, attempt)?;
        st.db.record_issued_token(&login.claims)?;
        Ok(login.json)
    }
}

/// `POST /a/session.json` (`login::<UserBody>`) and `POST /a/v1/resellers/login.json`
/// (`login::<ResellerBody>`): the client address, the body, the brute-force limit, then the
/// credentials off the async threads.
pub(crate) async fn login<B: LoginBody>(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let ip = login_ip(&st, &parts)?;
        let body = B::new(LoginRequest::from_json(B::KIND, &read_body(body).await?)?);
        let attempt = reserve(&st, B::KIND, body.account(), ip).await?;
        let st = st.clone();
        blocking(move || body.check(&st, ip, attempt)).await
    }
    .await;
    st.metrics.login(B::KIND, outcome(&result));
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(refusal) => refusal.respond(AnswerStyle::LoginApi, &parts.headers),
    }
}

/// The client address of a login: failed logins are counted per address, so a login needs one.
pub(crate) fn login_ip(st: &AppState, parts: &http::request::Parts) -> Result<IpAddr, Refusal> {
    st.auth
        .client_ip(&parts.extensions, &parts.headers)?
        .ok_or_else(|| {
            Error::with_message(
                ErrorCode::InvalidIpAddress,
                "the connection has no IP address: logins are counted per client address",
            )
            .into()
        })
}

/// A login attempt, counted before the password is checked (see `FailedLogins::reserve`);
/// while every check slot is taken the login waits, a bounded time, for one.
pub(crate) async fn reserve(
    st: &AppState,
    kind: LoginKind,
    account: &str,
    ip: IpAddr,
) -> Result<Attempt, Refusal> {
    let waited_until = tokio::time::Instant::now() + st.limits.limits().check_wait;
    loop {
        match st.limits.reserve(kind.as_str(), account, ip) {
            Ok(attempt) => return Ok(attempt),
            Err(Refused::Locked(secs)) => return Err(Refusal::Limited(secs)),
            Err(Refused::Busy) if tokio::time::Instant::now() < waited_until => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            Err(Refused::Busy) => return Err(Refusal::Busy),
        }
    }
}

/// A login's outcome for `auth_logins_total`: `ok` or the error code.
pub(crate) fn outcome<T>(result: &Result<T, Refusal>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(Refusal::Api(e)) => e.code().as_str(),
        Err(Refusal::Limited(_) | Refusal::Busy) => ErrorCode::RateLimited.as_str(),
        Err(Refusal::Internal(_)) => ErrorCode::ServerError.as_str(),
    }
}

/// A login that succeeded: the API's answer and the token's claims (not yet recorded: the
/// API records the login token, the console the session it opens instead).
pub(crate) struct LoggedIn {
    pub(crate) json: String,
    pub(crate) claims: auth_core::Claims,
}

/// A user login's password check and the library's decision (the API and the console).
pub(crate) fn check_user(
    st: &AppState,
    login: &str,
    password: &[u8],
    ip: IpAddr,
    attempt: Attempt,
) -> Result<LoggedIn, Refusal> {
    let row = st.db.user_by_login(login)?;
    let stored = row.as_ref().map(|r| r.password_hash.as_str());
    let (true, Some(row)) = (st.passwords.verify(login, password, stored), row) else {
        drop(attempt); // a failure: it stays counted
        tracing::info!(%ip, "user login refused: invalid credentials");
        return Err(Error::new(ErrorCode::InvalidCredentials).into());
    };
    rehash(st, "user", row.id, &row.password_hash, password, |new| {
        st.db
            .replace_user_password_hash(row.id, &row.password_hash, new)
    });
    let mut account = UserAccount::new(row.id, row.name);
    account.admin = row.admin;
    account.blocked = row.blocked;
    account.sms_from = row.sms_from;
    account.user_group_id = row.user_group_id;
    account.allowed_regex = row
        .allowed_regex
        .map(|p| IpRegex::new(&p, RegexMode::FullMatch))
        .transpose()
        .map_err(|e| Refusal::Internal(format!("user group regex: {}", e.message())))?;
    match login_user(&st.issuer, &account, Some(ip), Lifetime::Dynamic, None) {
        Ok(done) => {
            attempt.succeeded();
            tracing::info!(id = row.id, %ip, "user logged in");
            Ok(LoggedIn {
                json: done.to_json(),
                claims: done.minted.claims,
            })
        }
        Err(e) => {
            if e.code() != ErrorCode::InvalidCredentials {
                attempt.not_counted();
            }
            tracing::info!(id = row.id, %ip, code = %e.code(), "user login refused");
            Err(e.into())
        }
    }
}

/// A reseller login's password check and the library's decision (the API and the console).
pub(crate) fn check_reseller(
    st: &AppState,
    name: &str,
    pass: &[u8],
    ip: IpAddr,
    attempt: Attempt,
) -> Result<LoggedIn, Refusal> {
    let row = st.db.reseller_by_name(name)?;
    let stored = row.as_ref().map(|r| r.password_hash.as_str());
    let (true, Some(row)) = (st.passwords.verify(name, pass, stored), row) else {
        drop(attempt); // a failure: it stays counted
        tracing::info!(%ip, "reseller login refused: invalid credentials");
        return Err(Error::new(ErrorCode::ResellerInvalidCredentials).into());
    };
    rehash(st, "reseller", row.id, &row.password_hash, pass, |new| {
        st.db
            .replace_reseller_password_hash(row.id, &row.password_hash, new)
    });
    let mut account = ResellerAccount::new(row.id, row.name);
    account.blocked = row.blocked;
    account.allowed_ips = row
        .allowed_ips
        .map(IpAllowList::parse)
        .transpose()
        .map_err(|e| Refusal::Internal(format!("reseller allowed_ips: {}", e.message())))?;
    account.user_groups = row
        .user_groups
        .iter()
        .map(|g| json!({"id": g.id, "name": g.name}))
        .collect();
    account.user_balance = row.balance;
    match login_reseller(&st.issuer, &account, Some(ip), Lifetime::Dynamic, None) {
        Ok(done) => {
            attempt.succeeded();
            tracing::info!(id = row.id, %ip, "reseller logged in");
            Ok(LoggedIn {
                json: done.to_json(),
                claims: done.minted().claims.clone(),
            })
        }
        Err(e) => {
            if e.code() != ErrorCode::ResellerInvalidCredentials {
                attempt.not_counted();
            }
            tracing::info!(id = row.id, %ip, code = %e.code(), "reseller login refused");
            Err(e.into())
        }
    }
}

/// The password was right: if its stored hash was made with other parameters than the
/// server's, a new hash made with the current ones replaces it (`store`, which keeps a
/// password changed meanwhile). A failure is logged at WARN; the login goes on.
fn rehash(
    st: &AppState,
    kind: &str,
    id: u64,
    stored: &str,
    password: &[u8],
    store: impl FnOnce(&str) -> Result<bool, DbError>,
) {
    if !st.passwords.needs_rehash(stored) {
        return;
    }
    let stored = match st.passwords.hash(password) {
        Ok(new) => store(&new).map_err(|e| e.to_string()),
        Err(e) => Err(e.message().to_owned()),
    };
    match stored {
        Ok(true) => tracing::info!(kind, id, "password rehashed with the current parameters"),
        Ok(false) => tracing::info!(kind, id, "password not rehashed: changed meanwhile"),
        Err(detail) => tracing::warn!(kind, id, %detail, "password rehash not stored"),
    }
}

/// `DELETE /a/session.json` and `GET /a/v1/resellers/user/logout.json`: revokes the bearer
/// token (any valid token: logging out is always allowed) and answers
/// `200 {"message": "Logged out"}`. The revocation is recorded in the database, so it
/// survives a restart.
pub(crate) async fn logout(
    State(st): State<Arc<AppState>>,
    Extension(auth): Extension<Authenticated>,
    req: Request,
) -> Response {
    let claims = auth.claims;
    let st2 = st.clone();
    match blocking(move || revoke_token(&st2, &claims)).await {
        Ok(()) => json_response(StatusCode::OK, json!({"message": "Logged out"}).to_string()),
        Err(refusal) => refusal.respond(AnswerStyle::LoginApi, req.headers()),
    }
}
