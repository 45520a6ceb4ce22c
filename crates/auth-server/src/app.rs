//! The service: its configuration, its shared state and its router.

use std::sync::Arc;
use std::time::Duration;

use auth_core::{
    AnswerStyle, Issuer, KeyRing, RequiredScopes, ScopeVocabulary, SignatureCache,
    TokenCreationPolicy, TrustedProxies, Verifier, DEFAULT_EXPIRY_GRACE, DEFAULT_MAX_NAMED_TOKENS,
    DEFAULT_SIGNATURE_CACHE_CAPACITY,
};
use axum::routing::{get, post};
use axum::Router;

use crate::db::{Db, DbError};
use crate::last_used::{LastUsed, DEFAULT_LAST_USED_CAPACITY};
use crate::layer::AuthLayer;
use crate::limit::{FailedLogins, LoginLimits};
use crate::metrics::Metrics;
use crate::oauth_clients::OAuthClients;
use crate::password::{HashParams, Passwords, StoredHashes};
use crate::revoke::{RevocationSync, Revoker, SyncError};
use crate::routes;

/// How a service is set up. Build with [`ServerConfig::new`] and change the fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The keys tokens are minted and verified with.
    pub keys: KeyRing,
    /// Proxies whose `X-Forwarded-For` is believed (`--trust-proxy`).
    pub trusted_proxies: TrustedProxies,
    /// Failed-login limits.
    pub login_limits: LoginLimits,
    /// Argon2id parameters of new password hashes (and of the dummy hash when there is no
    /// account; otherwise the dummy hashes mimic the stored ones).
    pub hash_params: HashParams,
    /// Which tokens may create tokens at `POST /token`.
    pub token_policy: TokenCreationPolicy,
    /// How long after `exp` a logout is still reloaded into the store at start (seconds; the
    /// verifier's leeway at least). Default: the in-memory store's [`DEFAULT_EXPIRY_GRACE`].
    pub revocation_grace: u64,
    /// How often the database is read for revocations other processes recorded (blocks,
    /// password changes, `authctl accounts revoke…`, another service process's logouts).
    /// Default 500 ms.
    pub revocation_poll: Duration,
    /// The most named tokens one account may hold, unexpired, revoked or not
    /// ([`check_caller_account`](auth_core::check_caller_account)). Default
    /// [`DEFAULT_MAX_NAMED_TOKENS`].
    pub max_named_tokens: u64,
    /// How often a shared revocation store's status is read to log its changes (lost, stale,
    /// recovered). Default 1 s.
    pub store_watch: Duration,
    /// The scope names tokens may carry (docs/scopes.md; `--scopes FILE`). Default: none
    /// declared (every token is unscoped). When it declares `tokens`, the token API requires
    /// it; `introspect`, bearer callers of `/oauth/introspect`; `account`, `/a/some-endpoint`.
    pub scopes: ScopeVocabulary,
    /// The clients that may call `/oauth/introspect` and `/oauth/revoke` with HTTP Basic.
    pub oauth_clients: OAuthClients,
    /// How often tokens' last uses are written to the database (one write per token per
    /// interval). Default 5 s.
    pub last_used_interval: Duration,
    /// The console at `/console/` (docs/server.md, "The console").
    pub console: ConsoleConfig,
    /// How many asymmetric tokens' verified signatures the bearer verifier remembers
    /// (docs/signature-cache.md; `--signature-cache N`); 0 turns the cache off. Default
    /// [`DEFAULT_SIGNATURE_CACHE_CAPACITY`].
    pub signature_cache: usize,
}

/// The console's settings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConsoleConfig {
    /// Serve `/console/` at all. Default `true`.
    pub enabled: bool,
    /// A console session's lifetime in seconds. Default one hour.
    pub session_ttl: u64,
    /// Mark the session cookie `Secure`: the console is served over TLS, directly or behind a
    /// proxy that terminates it (`--console-secure-cookies`). Default `false` (a loopback
    /// service over plain HTTP; a browser drops a `Secure` cookie there).
    pub secure_cookies: bool,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            enabled: true,
            session_ttl: auth_core::DEFAULT_SESSION_TTL,
            secure_cookies: false,
        }
    }
}

impl ServerConfig {
    /// The defaults with these keys: no trusted proxy, default limits, default Argon2
    /// parameters, the default token-creation policy.
    pub fn new(keys: KeyRing) -> Self {
        ServerConfig {
            keys,
            trusted_proxies: TrustedProxies::none(),
            login_limits: LoginLimits::default(),
            hash_params: HashParams::default(),
            token_policy: TokenCreationPolicy::default(),
            revocation_grace: DEFAULT_EXPIRY_GRACE,
            revocation_poll: Duration::from_millis(500),
            max_named_tokens: DEFAULT_MAX_NAMED_TOKENS,
            store_watch: Duration::from_secs(1),
            scopes: ScopeVocabulary::new(),
            oauth_clients: OAuthClients::new(),
            last_used_interval: Duration::from_secs(5),
            console: ConsoleConfig::default(),
            signature_cache: DEFAULT_SIGNATURE_CACHE_CAPACITY,
        }
    }
}

/// Why a service could not start.
#[derive(Debug)]
pub enum StartError {
    /// The database.
    Db(DbError),
    /// The configuration (keys, Argon2 parameters) or a stored revocation.
    Auth(auth_core::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Db(e) => e.fmt(f),
            StartError::Auth(e) => write!(f, "{}: {}", e.code(), e.message()),
        }
    }
}

impl std::error::Error for StartError {}

impl From<DbError> for StartError {
    fn from(e: DbError) -> Self {
        StartError::Db(e)
    }
}

impl From<auth_core::Error> for StartError {
    fn from(e: auth_core::Error) -> Self {
        StartError::Auth(e)
    }
}

/// What every handler shares.
pub struct AppState {
    pub(crate) issuer: Issuer,
    pub(crate) auth: AuthLayer,
    pub(crate) db: Arc<Db>,
    pub(crate) passwords: Passwords,
    pub(crate) limits: FailedLogins,
    pub(crate) revoker: Arc<dyn Revoker>,
    pub(crate) policy: TokenCreationPolicy,
    pub(crate) max_named_tokens: u64,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) oauth_clients: OAuthClients,
    pub(crate) last_used: Arc<LastUsed>,
    pub(crate) console: ConsoleConfig,
    /// Verifies console session tokens (the session audience only).
    pub(crate) sessions: Verifier,
    /// What each group of routes requires (`None`: the name is not declared).
    pub(crate) route_scopes: RouteScopes,
    sync: Arc<RevocationSync>,
}

/// The requirement of each group of routes, from the names the vocabulary declares.
#[derive(Debug, Default)]
pub(crate) struct RouteScopes {
    pub(crate) tokens: Option<RequiredScopes>,
    pub(crate) introspect: Option<RequiredScopes>,
    pub(crate) account: Option<RequiredScopes>,
}

impl RouteScopes {
    fn of(vocabulary: &ScopeVocabulary) -> Self {
        let need = |name: &str| {
            vocabulary
                .contains(name)
                .then(|| vocabulary.require(&[name]).ok())
                .flatten()
        };
        RouteScopes {
            tokens: need("tokens"),
            introspect: need("introspect"),
            account: need("account"),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("auth", &self.auth)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state of a service on `db`, revoking into `revoker`. The revocations recorded in
    /// the database (logouts of tokens not yet expired, static ones for good) are loaded
    /// into `revoker` first, so they survive a restart.
    pub fn new(
        config: ServerConfig,
        db: Arc<Db>,
        revoker: Arc<dyn Revoker>,
    ) -> Result<Arc<AppState>, StartError> {
        let sync = RevocationSync::load(db.clone(), revoker.clone(), config.revocation_grace)
            .map_err(|e| match e {
                SyncError::Db(e) => StartError::Db(e),
                SyncError::Store(e) => StartError::Auth(e),
            })?;
        let sync = Arc::new(sync);
        RevocationSync::spawn(&sync, config.revocation_poll)
            .map_err(|e| StartError::Db(DbError(format!("revocation sync thread: {e}"))))?;
        crate::watch::spawn(&revoker, config.store_watch)
            .map_err(|e| StartError::Db(DbError(format!("revocation store watch thread: {e}"))))?;
        let passwords = passwords_for(&db, config.hash_params)?;
        let mut issuer = Issuer::new(config.keys.clone());
        let route_scopes = RouteScopes::of(&config.scopes);
        issuer.set_scopes(config.scopes);
        let mut verifier = Verifier::new(config.keys.clone());
        let mut metrics = Metrics::new(revoker.status().connected.is_some());
        if config.signature_cache > 0 {
            let cache = Arc::new(SignatureCache::new(config.signature_cache));
            verifier.set_signature_cache(Some(cache.clone()));
            metrics = metrics.with_signature_cache(cache);
        }
        let metrics = Arc::new(metrics);
        let last_used = Arc::new(LastUsed::new(DEFAULT_LAST_USED_CAPACITY));
        LastUsed::spawn(&last_used, db.clone(), config.last_used_interval)
            .map_err(|e| StartError::Db(DbError(format!("last-used thread: {e}"))))?;
        let mut sessions = Verifier::with_options(
            config.keys.clone(),
            auth_core::session_verify_options(&auth_core::VerifyOptions::default()),
        );
        sessions.set_revocation_store(Some(revoker.clone()));
        let auth = AuthLayer::new(verifier)
            .revocation(revoker.clone())
            .trusted_proxies(config.trusted_proxies)
            .metrics(metrics.clone())
            .last_used(last_used.clone());
        Ok(Arc::new(AppState {
            issuer,
            auth,
            db,
            passwords,
            limits: FailedLogins::new(config.login_limits),
            revoker,
            policy: config.token_policy,
            max_named_tokens: config.max_named_tokens,
            metrics,
            oauth_clients: config.oauth_clients,
            last_used,
            console: config.console,
            sessions,
            route_scopes,
            sync,
        }))
    }

    /// Applies now what other processes recorded in the database since the last poll (the
    /// background poll does this every [`ServerConfig::revocation_poll`]).
    pub fn sync_revocations(&self) -> Result<usize, SyncError> {
        self.sync.poll()
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The password hasher, with the dummy hashes unknown accounts are verified against.
    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// The service's metrics (`GET /metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Writes the tokens' pending last uses now (the background thread does it every
    /// [`ServerConfig::last_used_interval`]); returns how many tokens were written.
    pub fn flush_last_used(&self) -> Result<usize, DbError> {
        self.last_used.flush(&self.db)
    }

    /// The scope vocabulary of the service.
    pub fn scopes(&self) -> &ScopeVocabulary {
        self.issuer.scopes()
    }

    /// The authentication layer the routes use (login-API error bodies).
    pub fn auth_layer(&self) -> &AuthLayer {
        &self.auth
    }
}

/// A hasher with `params` whose dummy hashes mimic the parameters of the stored ones.
fn passwords_for(db: &Db, params: HashParams) -> Result<Passwords, StartError> {
    let mut stored = StoredHashes::default();
    db.for_each_password_hash(|h| stored.add(h))?;
    let passwords = Passwords::for_accounts(params, &stored)?;
    tracing::info!(dummy_sets = ?passwords.dummy_sets(), "password parameters of the accounts read");
    Ok(passwords)
}

/// The service's routes (docs/server.md):
///
/// | route | auth | answers |
/// |---|---|---|
/// | `POST /a/session.json` | login + password | the user login |
/// | `DELETE /a/session.json` | bearer | logout |
/// | `POST /a/v1/resellers/login.json` | name + pass | the reseller login |
/// | `GET /a/v1/resellers/user/logout.json` | bearer | logout |
/// | `POST /token`, `POST /token/account/{accountID}` | bearer | token creation, JSON or XML |
/// | `GET /token`, `GET /token/account/{accountID}` | bearer | the account's tokens (never their text) |
/// | `DELETE /token/{token_id}` | bearer | revokes one of the caller's tokens |
/// | `/console/…` | session cookie | the web console (docs/server.md, "The console") |
/// | `GET /a/some-endpoint` | bearer | the token's claims |
/// | `GET /a/auth` (any method) | bearer | nginx `auth_request`: 204 with `X-Auth-*` headers, or 401/403; `?scope=A+B` requires scopes |
/// | `POST /oauth/introspect` | Basic client, or bearer with `introspect` | RFC 7662 introspection |
/// | `POST /oauth/revoke` | Basic client, or bearer | RFC 7009 revocation (200 whatever the token) |
/// | `GET /openapi.json` | none | the OpenAPI description of these routes |
/// | `GET /healthz` | none | `200 {"status":"ok"}` |
/// | `GET /readyz` | none | 200 when the revocation store and the database answer, else 503 saying which |
/// | `GET /metrics` | none | Prometheus (OpenMetrics text); do not expose it publicly |
pub fn router(state: Arc<AppState>) -> Router {
    let login_auth = state.auth.clone();
    let mut token_auth = state.auth.clone().error_style(AnswerStyle::TokenApi);
    if let Some(need) = &state.route_scopes.tokens {
        token_auth = token_auth.require_scopes(need.clone());
    }
    let mut account_auth = login_auth.clone();
    if let Some(need) = &state.route_scopes.account {
        account_auth = account_auth.require_scopes(need.clone());
    }
    Router::new()
        .route(
            "/a/session.json",
            post(routes::login::login::<routes::login::UserBody>)
                .merge(axum::routing::delete(routes::login::logout).layer(login_auth.clone())),
        )
        .route(
            "/a/v1/resellers/login.json",
            post(routes::login::login::<routes::login::ResellerBody>),
        )
        .route(
            "/a/v1/resellers/user/logout.json",
            get(routes::login::logout).layer(login_auth.clone()),
        )
        .route(
            "/a/some-endpoint",
            get(routes::probe::some_endpoint).layer(account_auth),
        )
        .route("/a/auth", axum::routing::any(routes::probe::nginx_auth))
        .route(
            "/token",
            post(routes::token::create_for_self)
                .merge(get(routes::manage::list_own))
                .layer(token_auth.clone()),
        )
        .route(
            "/token/account/{account_id}",
            post(routes::token::create_for_account)
                .merge(get(routes::manage::list_account))
                .layer(token_auth.clone()),
        )
        .route(
            "/token/{token_id}",
            axum::routing::delete(routes::manage::delete).layer(token_auth),
        )
        .route("/oauth/introspect", post(routes::oauth::introspect))
        .route("/oauth/revoke", post(routes::oauth::revoke))
        .route("/openapi.json", get(routes::ops::openapi))
        .merge(if state.console.enabled {
            crate::console::router()
        } else {
            Router::new()
        })
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(routes::ops::metrics))
        .with_state(state)
}
