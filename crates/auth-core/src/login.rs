//! Logins and logouts of the login API (docs/apis.md (the login API)): which accounts get a token, and which token.
//!
//! The library serves no HTTP and checks no passwords: the host does that, then hands the
//! account data it looked up to these functions, which make every token decision (blocked
//! accounts, IP restrictions, TTLs). The response bodies are written by
//! [`UserLogin::to_json`] and [`ResellerLogin::to_json`], errors by
//! [`login_error_json`](crate::login_error_json).
//!
//! | endpoint (host side) | here |
//! |---|---|
//! | `POST /session.json` (user login) | [`login_user`] → [`UserLogin::to_json`] |
//! | `POST /v1/resellers/login.json` | [`login_reseller`] → [`ResellerLogin::to_json`] |
//! | `DELETE /session.json`, `GET /v1/resellers/user/logout.json` | [`logout`] |

use std::net::IpAddr;

use crate::claims::{Claims, Subject};
use crate::error::{Error, ErrorCode, Result};
use crate::ip::{IpAllowList, IpRegex};
use crate::issue::{Issuer, MintRequest, Minted};
use crate::revocation::RevocationWriter;
use crate::ttl::Lifetime;

/// A dialer-platform user as the host found it, after checking the password.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UserAccount {
    /// The user's id (`id` claim).
    pub id: u64,
    /// The user's name (`name` claim).
    pub name: String,
    /// Whether the user is an administrator (`admin` claim).
    pub admin: bool,
    /// Whether the account is blocked. A blocked account gets no token (see [`login_user`]).
    pub blocked: bool,
    /// The user's SMS sender (`sms_from` claim).
    pub sms_from: Option<String>,
    /// The user's group (`user_group_id` claim).
    pub user_group_id: Option<u64>,
    /// The user group's `allowed_regex` on the client IP, if it has one.
    pub allowed_regex: Option<IpRegex>,
}

impl UserAccount {
    /// An account with an id and a name; not an admin, not blocked, no SMS sender, no group,
    /// no IP regex. Set the other fields as the host's data says.
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        UserAccount {
            id,
            name: name.into(),
            admin: false,
            blocked: false,
            sms_from: None,
            user_group_id: None,
            allowed_regex: None,
        }
    }
}

/// A successful dialer user login: the token and the `user` object of the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserLogin {
    /// The minted token and its claims.
    pub minted: Minted,
    /// The user's id (`user.id`).
    pub user_id: u64,
    /// `user.blocked`: always `false` for a login [`login_user`] produced, since blocked
    /// accounts are refused; kept so the response has the documented shape.
    pub blocked: bool,
}

impl UserLogin {
    /// The token (the compact JWS).
    pub fn token(&self) -> &str {
        &self.minted.token
    }
}

/// Logs a dialer user in: decides whether the account may have a token and mints it.
///
/// The host has checked the password and filled `account`. Decisions, in order:
/// 1. a blocked account → `invalid_credentials` (401). The original login API answered a blocked
///    account with `"blocked": true` next to a token; a security library does not mint a
///    working token for an account that must not be used, and the same answer as a wrong
///    password tells the client nothing about the account;
/// 2. the user group has an `allowed_regex` and `client_ip` is absent or does not match
///    it (full match on the canonical address text, docs/ip-rules.md) → `login_ip_denied` (406);
/// 3. the token is minted for [`Subject::User`] with `lifetime` (normally
///    [`Lifetime::Dynamic`], 24 hours) at `now` (`None`: the system clock); minting errors
///    (`invalid_ttl`, `static_not_allowed`, `invalid_key`, ...) are passed on.
///
/// ```
/// use auth_core::{IpRegex, RegexMode};
/// use auth_core::{
///     login_error_json, login_user, Algorithm, ErrorCode, Issuer, Key, KeyRing, Lifetime, UserAccount,
///     Verifier, VerifyRequest,
/// };
///
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"login-example-secret-of-32+ bytes!").unwrap());
/// let issuer = Issuer::new(ring.clone());
/// let mut account = UserAccount::new(123, "alice");
/// account.sms_from = Some("ACME".into());
/// account.user_group_id = Some(7);
/// account.allowed_regex = Some(IpRegex::new(r"192\.168\.1\.\d+", RegexMode::FullMatch).unwrap());
/// let ip = "192.168.1.20".parse().unwrap();
/// let login = login_user(&issuer, &account, Some(ip), Lifetime::Dynamic, Some(1_700_000_000)).unwrap();
/// let body: serde_json::Value = serde_json::from_str(&login.to_json()).unwrap();
/// assert_eq!(body["user"]["id"], 123);
/// assert_eq!(body["user"]["blocked"], false);
///
/// let claims = Verifier::new(ring).verify_with(login.token(), &VerifyRequest::at(1_700_000_001)).unwrap();
/// assert_eq!(claims.exp, Some(1_700_000_000 + 86_400));
///
/// // Outside the group's regex: 406 with the login API's message.
/// let err = login_user(&issuer, &account, Some("10.0.0.1".parse().unwrap()), Lifetime::Dynamic, None)
///     .unwrap_err();
/// assert_eq!(err.code(), ErrorCode::LoginIpDenied);
/// assert_eq!(err.http_status(), Some(406));
/// assert!(login_error_json(&err).contains("Login denied due to IP restriction"));
/// ```
pub fn login_user(
    issuer: &Issuer,
    account: &UserAccount,
    client_ip: Option<IpAddr>,
    lifetime: Lifetime,
    now: Option<u64>,
) -> Result<UserLogin> {
    if account.blocked {
        return Err(Error::new(ErrorCode::InvalidCredentials));
    }
    if let Some(regex) = &account.allowed_regex {
        if !client_ip.is_some_and(|ip| regex.is_match(ip)) {
            return Err(Error::new(ErrorCode::LoginIpDenied));
        }
    }
    let mut req = MintRequest::new(Subject::User {
        id: account.id,
        name: account.name.clone(),
        admin: account.admin,
        sms_from: account.sms_from.clone(),
        user_group_id: account.user_group_id,
    });
    req.lifetime = lifetime;
    req.now = now;
    let minted = issuer.mint(&req)?;
    Ok(UserLogin {
        minted,
        user_id: account.id,
        blocked: false,
    })
}

// --- reseller login ------------------------------------------------------------

/// The `version` member of a reseller login response when the host gives none
/// ([`ResellerAccount::new`]; the C and Python bindings use it for a missing or empty
/// version).
pub const DEFAULT_RESELLER_VERSION: &str = "1.0.0";

/// A reseller as the host found it, after checking the password.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResellerAccount {
    /// The reseller's id (`id` claim, `reseller.id`).
    pub id: u64,
    /// The reseller's name (`name` claim, `reseller.name`).
    pub name: String,
    /// Whether the reseller is blocked. A blocked reseller gets no token (see
    /// [`login_reseller`]).
    pub blocked: bool,
    /// `settings.allowedIPs`: when present, logins are accepted only from these addresses
    /// and the rules are copied into the token's `allowed_ips`. An empty list allows nothing.
    pub allowed_ips: Option<IpAllowList>,
    /// The response's `user_groups`, passed through as they are.
    pub user_groups: Vec<serde_json::Value>,
    /// The response's `user_balance`; must be finite.
    pub user_balance: f64,
    /// The response's `version` ([`DEFAULT_RESELLER_VERSION`] unless the host sets one).
    pub version: String,
}

impl ResellerAccount {
    /// A reseller with an id and a name; not blocked, no allow-list, no user groups, a
    /// balance of 0 and version [`DEFAULT_RESELLER_VERSION`]. Set the other fields as the
    /// host's data says.
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        ResellerAccount {
            id,
            name: name.into(),
            blocked: false,
            allowed_ips: None,
            user_groups: Vec::new(),
            user_balance: 0.0,
            version: DEFAULT_RESELLER_VERSION.to_owned(),
        }
    }

    /// Sets `version` from a host value that may be missing: `None` or an empty text keeps
    /// [`DEFAULT_RESELLER_VERSION`], so every binding has the same default.
    ///
    /// ```
    /// use auth_core::{ResellerAccount, DEFAULT_RESELLER_VERSION};
    ///
    /// let mut account = ResellerAccount::new(1, "r");
    /// account.set_version(Some(""));
    /// assert_eq!(account.version, DEFAULT_RESELLER_VERSION);
    /// account.set_version(Some("2.1"));
    /// assert_eq!(account.version, "2.1");
    /// account.set_version(None);
    /// assert_eq!(account.version, DEFAULT_RESELLER_VERSION);
    /// ```
    pub fn set_version(&mut self, version: Option<&str>) {
        self.version = match version {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => DEFAULT_RESELLER_VERSION.to_owned(),
        };
    }

    /// The `user_groups` a host holds as JSON text (from its database or a C caller): the
    /// text must be one JSON array, whose items are then passed through as they are.
    /// Anything else → `invalid_request` ("user_groups must be a JSON array").
    ///
    /// ```
    /// use auth_core::{ErrorCode, ResellerAccount};
    ///
    /// let groups = ResellerAccount::parse_user_groups_json(r#"[{"id": 1, "name": "sales"}]"#).unwrap();
    /// assert_eq!(groups[0]["name"], "sales");
    /// let err = ResellerAccount::parse_user_groups_json(r#"{"id": 1}"#).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::InvalidRequest);
    /// ```
    pub fn parse_user_groups_json(text: &str) -> Result<Vec<serde_json::Value>> {
        serde_json::from_str::<Vec<serde_json::Value>>(text).map_err(|_| {
            Error::with_message(
                ErrorCode::InvalidRequest,
                "user_groups must be a JSON array",
            )
        })
    }
}

/// A successful reseller login: the token and the other members of the response.
///
/// Built only by [`login_reseller`], which has checked the data, so [`to_json`](Self::to_json)
/// cannot fail.
#[derive(Clone, Debug, PartialEq)]
pub struct ResellerLogin {
    minted: Minted,
    reseller_id: u64,
    reseller_name: String,
    user_groups: Vec<serde_json::Value>,
    user_balance: f64,
    version: String,
}

impl ResellerLogin {
    /// The minted token and its claims.
    pub fn minted(&self) -> &Minted {
        &self.minted
    }

    /// The token (the compact JWS).
    pub fn token(&self) -> &str {
        &self.minted.token
    }

    /// `reseller.id`.
    pub fn reseller_id(&self) -> u64 {
        self.reseller_id
    }

    /// `reseller.name`.
    pub fn reseller_name(&self) -> &str {
        &self.reseller_name
    }

    /// `user_groups`.
    pub fn user_groups(&self) -> &[serde_json::Value] {
        &self.user_groups
    }

    /// `user_balance` (finite).
    pub fn user_balance(&self) -> f64 {
        self.user_balance
    }

    /// `version`.
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// Logs a reseller in: decides whether the reseller may have a token and mints it.
///
/// The host has checked the name and password and filled `account`. Decisions, in order:
/// 1. a blocked account → `reseller_invalid_credentials` (401), the same answer as a wrong
///    password: the client learns nothing about the account (that it exists, that it is
///    blocked), and no working token is minted for an account that must not be used — as
///    [`login_user`] does for blocked users;
/// 2. a non-finite `user_balance` → `invalid_request` (host data that cannot become a
///    response; no token is minted). `user_groups` are JSON values, which can always be
///    written;
/// 3. the account has an allow-list and `client_ip` is absent or outside it →
///    `reseller_ip_denied` (401, "Your IP is not allowed"); an empty list allows nothing;
/// 4. the token is minted for [`Subject::Reseller`] with `lifetime` at `now`, carrying the
///    allow-list's rules as `allowed_ips`, so later requests are checked without a lookup.
///    A very long list makes a long token: raise the verifier's `max_token_size` to match.
pub fn login_reseller(
    issuer: &Issuer,
    account: &ResellerAccount,
    client_ip: Option<IpAddr>,
    lifetime: Lifetime,
    now: Option<u64>,
) -> Result<ResellerLogin> {
    if account.blocked {
        return Err(Error::new(ErrorCode::ResellerInvalidCredentials));
    }
    if !account.user_balance.is_finite() {
        return Err(Error::with_message(
            ErrorCode::InvalidRequest,
            "user_balance must be a finite number",
        ));
    }
    let mut req = MintRequest::new(Subject::reseller(account.id, account.name.clone()));
    if let Some(list) = &account.allowed_ips {
        if !client_ip.is_some_and(|ip| list.contains(ip)) {
            return Err(Error::new(ErrorCode::ResellerIpDenied));
        }
        req.allowed_ips = list.rules().to_vec();
    }
    req.lifetime = lifetime;
    req.now = now;
    let minted = issuer.mint(&req)?;
    Ok(ResellerLogin {
        minted,
        reseller_id: account.id,
        reseller_name: account.name.clone(),
        user_groups: account.user_groups.clone(),
        user_balance: account.user_balance,
        version: account.version.clone(),
    })
}

/// Logout (both APIs): revokes the token these verified claims describe.
///
/// The `jti` is revoked until the token's `exp` (after which it could not verify anyway and
/// the store may forget it); a static token's revocation is kept for good.
/// It writes through any store that can revoke ([`RevocationWriter`]): the in-memory store, or
/// a shared one whose write returns once it is durable.
/// Errors: those of the store's [`RevocationWriter::revoke_claims`] (in memory:
/// `revocation_store_full`; a shared store: `revocation_unavailable` when the write was not
/// acknowledged).
///
/// `now` is UNIX seconds; `None` reads the system clock.
pub fn logout<W: RevocationWriter + ?Sized>(
    store: &W,
    claims: &Claims,
    now: Option<u64>,
) -> Result<()> {
    store.revoke_claims(claims, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_groups_json_must_be_one_array() {
        assert_eq!(
            ResellerAccount::parse_user_groups_json("[]").unwrap(),
            Vec::<serde_json::Value>::new()
        );
        assert_eq!(
            ResellerAccount::parse_user_groups_json(r#" [{"id": 1}, 2.5, "x", null] "#).unwrap(),
            vec![json!({"id": 1}), json!(2.5), json!("x"), json!(null)]
        );
        for bad in ["", "{}", "null", "1", "[1,", "[] []", "[1] x"] {
            let err = ResellerAccount::parse_user_groups_json(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidRequest, "{bad:?}");
            assert_eq!(err.message(), "user_groups must be a JSON array", "{bad:?}");
        }
    }
}
