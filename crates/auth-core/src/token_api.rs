//! Token creation in the token API (docs/apis.md (the token API)): `POST /token` and
//! `POST /token/account/:accountID`.
//!
//! The host authenticates the caller's bearer token and reads the body (the readers are in
//! [`wire`](crate::wire): [`CreateTokenRequest::parse`]); [`create_token`] decides whom
//! the new token is for, whether the caller may create tokens at all and for how long
//! ([`TokenCreationPolicy`]), which addresses it may be used from (a caller may not widen
//! its own restriction, whatever the target: `within_caller_rules`) and mints it. The response is written by
//! [`CreatedToken::render`], errors by [`sms_error_body`](crate::sms_error_body).

use crate::claims::{Claims, PrincipalType, Subject};
use crate::error::{Error, ErrorCode, Result};
use crate::ip::IpRule;
use crate::issue::{Issuer, MintRequest, Minted};
use crate::scope::ScopeSet;
use crate::ttl::Lifetime;

/// A token-creation request of the token API (`POST /token`, `POST /token/account/:id`).
///
/// Read from a body by [`CreateTokenRequest::from_json`], [`CreateTokenRequest::from_xml`]
/// or [`CreateTokenRequest::parse`] (the JSON and XML readers), or built by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateTokenRequest {
    /// `name`: 1–255 characters, becomes the token's `token_name`.
    pub name: String,
    /// From `ttl`: absent or null → [`Lifetime::Static`] (unlimited); an integer →
    /// [`Lifetime::Ttl`], whose range the issuer's policy checks when minting (`invalid_ttl`).
    pub lifetime: Lifetime,
    /// From `allowed_ips`, parsed strictly; empty means no restriction.
    pub allowed_ips: Vec<IpRule>,
    /// From `scopes` (docs/scopes.md): `None` keeps the caller's scopes (none: unscoped);
    /// otherwise at least one name, each held by the caller.
    pub scopes: Option<ScopeSet>,
}

/// Whom a token-creation request mints for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenTarget {
    /// `POST /token`: a token for the caller's own subject.
    SelfAccount,
    /// `POST /token/account/:accountID`, where the host found the account: a token for a
    /// sub-account, if the caller owns it and it is not blocked.
    SubAccount {
        /// The sub-account, as the host looked it up.
        subject: Subject,
        /// The host's answer to "does the caller own this account?".
        owned_by_caller: bool,
        /// Whether the account is blocked (it then gets no token).
        blocked: bool,
    },
    /// `POST /token/account/:accountID`, where the host found no account with that id.
    UnknownAccount,
}

/// The one refusal for a sub-account the caller may not mint for: not its own, blocked or
/// unknown. The answers are the same, so a caller cannot probe which accounts exist or are
/// blocked.
fn not_owned() -> Error {
    Error::with_message(
        ErrorCode::NotPermitted,
        "the caller does not own this account",
    )
}

/// The caller's account as the host found it when a token is to be created: the input of
/// [`check_caller_account`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallerAccount {
    /// Whether the caller's account is blocked, or gone (it then creates no token).
    pub blocked: bool,
    /// The named tokens the caller holds whose revocation would have to be remembered:
    /// every unexpired one it created (for itself or a sub-account), revoked or not.
    pub named_tokens: u64,
}

/// The default most named tokens one account may hold ([`check_caller_account`]).
pub const DEFAULT_MAX_NAMED_TOKENS: u64 = 100;

/// Before a token is created for a caller (`POST /token`, `POST /token/account/:id`): a
/// blocked account creates nothing (`not_permitted`, 403), and an account holding
/// `max_named_tokens` named tokens already gets `token_quota_exceeded` (403).
///
/// The quota is what bounds the revocation store: a static token's revocation is kept for
/// good and a named token's until it expires, so tokens count until they expire, revoked or
/// not. With the quota, no account can fill the store and make another account's logout
/// fail; an account at its quota lets tokens expire (or uses shorter TTLs).
///
/// ```
/// use auth_core::{check_caller_account, CallerAccount, ErrorCode};
/// assert!(check_caller_account(CallerAccount { blocked: false, named_tokens: 99 }, 100).is_ok());
/// let full = check_caller_account(CallerAccount { blocked: false, named_tokens: 100 }, 100);
/// assert_eq!(full.unwrap_err().code(), ErrorCode::TokenQuotaExceeded);
/// let blocked = check_caller_account(CallerAccount { blocked: true, named_tokens: 0 }, 100);
/// assert_eq!(blocked.unwrap_err().code(), ErrorCode::NotPermitted);
/// ```
pub fn check_caller_account(account: CallerAccount, max_named_tokens: u64) -> Result<()> {
    if account.blocked {
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "the caller's account is blocked",
        ));
    }
    if account.named_tokens >= max_named_tokens {
        return Err(Error::with_message(
            ErrorCode::TokenQuotaExceeded,
            format!(
                "the account holds {} named tokens, the most it may: revoke some or let them expire first \
                 (revoked tokens count until they expire)",
                account.named_tokens
            ),
        ));
    }
    Ok(())
}

/// A created token and the response of `POST /token`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedToken {
    /// The minted token and its claims.
    pub minted: Minted,
    /// The token's `allowed_ips` in canonical text (empty: no restriction).
    pub allowed_ips: Vec<String>,
}

impl CreatedToken {
    /// The token (the compact JWS).
    pub fn token(&self) -> &str {
        &self.minted.token
    }

    /// The token id (`jti`).
    pub fn token_id(&self) -> &str {
        self.minted.token_id()
    }
}

/// Which tokens may create tokens, and for how long (the token API's delegation policy).
///
/// A plain configuration struct with safe defaults, in the style of a validation config:
/// start from [`TokenCreationPolicy::default`] and change the fields a host has decided on.
/// The same fields, with the same defaults, are exposed by the C and Python bindings.
///
/// The caller of [`create_token_with_policy`] is one of three kinds:
///
/// * a **login token**: no `token_name` and no `parent` — what `POST /session.json` or
///   `/v1/resellers/login.json` returned;
/// * a **named token**: it has a `token_name` (it was itself made at `POST /token`);
/// * a **delegated token**: it has a `parent` (a reseller or user made it for a sub-account).
///
/// Only login tokens may create tokens by default: a stolen named or delegated token must not
/// be able to mint successors for itself. A named-or-delegated caller (one both named and
/// delegated needs both permissions) is refused with `not_permitted` (403) unless the host
/// allows its kind here, and even then its children never outlive it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCreationPolicy {
    /// Whether a named token (one with `token_name`) may create tokens. Default `false`.
    pub allow_named_callers: bool,
    /// Whether a delegated token (one with `parent`) may create tokens. Default `false`.
    /// When allowed, a token it mints for a sub-account keeps the original delegator as its
    /// `parent`, so revoking that delegator still covers it.
    pub allow_delegated_callers: bool,
    /// Whether a token created by a **login token** may outlive it. Default `true`, because
    /// the token API's `ttl` defaults to unlimited (docs/apis.md (the token API)): logging in and creating a
    /// long-lived API token is the API's purpose. When `false`, the new token's `exp` must be
    /// at most the caller's `exp`, and a static token from an expiring caller is refused
    /// (`not_permitted`). Named and delegated callers are always bound this way.
    pub login_children_may_outlive: bool,
}

impl Default for TokenCreationPolicy {
    /// Login tokens only; their children may outlive them.
    fn default() -> Self {
        TokenCreationPolicy {
            allow_named_callers: false,
            allow_delegated_callers: false,
            login_children_may_outlive: true,
        }
    }
}

impl TokenCreationPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }
}

/// Creates a token for `POST /token` or `POST /token/account/:accountID` under the default
/// [`TokenCreationPolicy`]: [`create_token_with_policy`] with `TokenCreationPolicy::default()`.
///
/// # Errors
///
/// As [`create_token_with_policy`].
///
/// ```
/// use auth_core::{
///     create_token, Algorithm, CreateTokenRequest, Format, Issuer, Key, KeyRing, MintRequest,
///     Principal, Subject, TokenTarget, Verifier, VerifyRequest,
/// };
///
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"token-api-example-secret-of-32-bytes").unwrap());
/// let issuer = Issuer::new(ring.clone());
/// let verifier = Verifier::new(ring);
/// let now = 1_700_000_000;
///
/// // The caller authenticated with a reseller token.
/// let mut login = MintRequest::new(Subject::reseller(1, "reseller_name"));
/// login.now = Some(now);
/// let caller = verifier.verify_with(issuer.mint(&login).unwrap().token, &VerifyRequest::at(now)).unwrap();
///
/// let req = CreateTokenRequest::parse(br#"{"token": {"name": "Best token ever", "ttl": 2678400}}"#, Format::Json).unwrap();
/// let target = TokenTarget::SubAccount {
///     subject: Subject::user(42, "customer", false),
///     owned_by_caller: true,
///     blocked: false,
/// };
/// let created = create_token(&issuer, &caller, &req, target, Some(now)).unwrap();
///
/// let claims = verifier.verify_with(created.token(), &VerifyRequest::at(now + 1)).unwrap();
/// assert_eq!(claims.subject.id(), 42);
/// assert_eq!(claims.parent, Some(Principal::reseller(1)));
/// assert_eq!(claims.token_name.as_deref(), Some("Best token ever"));
/// assert_eq!(claims.exp, Some(now + 2_678_400));
/// assert!(created.to_xml().starts_with("<response><status>1</status><message>OK</message><token>"));
/// ```
pub fn create_token(
    issuer: &Issuer,
    caller: &Claims,
    req: &CreateTokenRequest,
    target: TokenTarget,
    now: Option<u64>,
) -> Result<CreatedToken> {
    create_token_with_policy(
        issuer,
        caller,
        req,
        target,
        now,
        &TokenCreationPolicy::default(),
    )
}

/// Creates a token for `POST /token` or `POST /token/account/:accountID`.
///
/// `caller` is the verified claims of the bearer token that authenticated the request. The
/// new token gets `token_name` = `req.name`, the lifetime `req.lifetime` (checked by the
/// issuer's policy: 0, negative or above the maximum → `invalid_ttl`; static when the
/// policy forbids them → `static_not_allowed`) and `allowed_ips` from `req.allowed_ips`.
///
/// The rules, in order (every refusal is `not_permitted`, 403, with a message saying why):
///
/// 1. **Who may create tokens** ([`TokenCreationPolicy`]): login tokens; named and delegated
///    tokens only when the policy allows their kind.
/// 2. **Whom for**: [`TokenTarget::SelfAccount`] is the caller's own subject, keeping
///    `caller.parent` (a token made with a delegated token stays marked as delegated).
///    [`TokenTarget::SubAccount`] needs `owned_by_caller` and an account that is not
///    `blocked`; [`TokenTarget::UnknownAccount`] is refused. These three refusals are one
///    answer (`not_permitted`, "the caller does not own this account"), so the caller learns
///    nothing about accounts that are not its own. A user caller may not mint for a
///    reseller (a user never owns a reseller, whatever the host's lookup said). The new
///    token's `parent` is the original delegator: `caller.parent` if the caller is itself
///    delegated, else the caller's principal — except when the "sub-account" is the caller
///    itself, which is treated like [`TokenTarget::SelfAccount`] (`parent` kept as it is).
/// 3. **Where from** (`within_caller_rules`), **whatever the target**: a caller whose own token
///    is IP-restricted cannot shed the restriction, for itself or for anyone it mints for —
///    an empty request inherits the caller's `allowed_ips`, and every requested rule must lie
///    inside one of the caller's rules. (Earlier versions let the restriction lapse for
///    sub-accounts; but a host whose ownership check is "the account or one of its children"
///    then let an IP-restricted token mint an unrestricted one for itself through
///    `POST /token/account/<own id>`, and a token stolen from outside the allow-list could
///    likewise mint unrestricted tokens for every sub-account. A sub-account that needs
///    other addresses gets its token from a login or an unrestricted caller.)
/// 4. **What it may do** ([`ScopeVocabulary::narrow`](crate::ScopeVocabulary::narrow)),
///    whatever the target: no `scopes` inherits the caller's `scope` claim (an unscoped
///    caller mints an unscoped child); requested names must be declared in the issuer's
///    vocabulary (`invalid_scope`) and held by the caller (`not_permitted`, naming the scope).
/// 5. **How long**: a child of a named or delegated caller, or of a login token when
///    [`TokenCreationPolicy::login_children_may_outlive`] is off, must not outlive the caller:
///    its `exp` is at most the caller's `exp`, and a static child of an expiring caller is
///    refused. A static caller bounds nothing.
///
/// # Errors
///
/// `not_permitted` as above; `invalid_scope`, `invalid_ttl`, `static_not_allowed` and the
/// issuer's errors when minting.
pub fn create_token_with_policy(
    issuer: &Issuer,
    caller: &Claims,
    req: &CreateTokenRequest,
    target: TokenTarget,
    now: Option<u64>,
    policy: &TokenCreationPolicy,
) -> Result<CreatedToken> {
    let bounded_by_caller = caller_may_create(caller, policy)?;
    let caller_principal = caller.principal();
    let mut mint = match target {
        TokenTarget::SelfAccount => {
            let mut m = MintRequest::new(caller.subject.clone());
            m.parent = caller.parent;
            m
        }
        TokenTarget::UnknownAccount => return Err(not_owned()),
        TokenTarget::SubAccount {
            subject,
            owned_by_caller,
            blocked,
        } => {
            if !owned_by_caller || blocked {
                return Err(not_owned());
            }
            if caller_principal.kind == PrincipalType::User
                && subject.kind() == PrincipalType::Reseller
            {
                return Err(Error::with_message(
                    ErrorCode::NotPermitted,
                    "a user token cannot mint a token for a reseller",
                ));
            }
            let parent = if subject.principal() == caller_principal {
                caller.parent
            } else {
                Some(caller.parent.unwrap_or(caller_principal))
            };
            let mut m = MintRequest::new(subject);
            m.parent = parent;
            m
        }
    };
    mint.allowed_ips = within_caller_rules(caller, &req.allowed_ips)?;
    mint.scopes = issuer
        .scopes()
        .narrow(caller.scope.as_ref(), req.scopes.as_ref())?;
    mint.lifetime = req.lifetime;
    mint.token_name = Some(req.name.clone());
    mint.now = now;
    let minted = issuer.mint(&mint)?;
    if bounded_by_caller {
        if let Some(caller_exp) = caller.exp {
            match minted.claims.exp {
                None => {
                    return Err(Error::with_message(
                        ErrorCode::NotPermitted,
                        "a token created by an expiring token cannot be static: give a ttl within the calling token's lifetime",
                    ))
                }
                Some(exp) if exp > caller_exp => {
                    return Err(Error::with_message(
                        ErrorCode::NotPermitted,
                        "the new token would outlive the calling token: give a shorter ttl",
                    ))
                }
                Some(_) => {}
            }
        }
    }
    let allowed_ips = minted
        .claims
        .allowed_ips
        .iter()
        .flatten()
        .map(ToString::to_string)
        .collect();
    Ok(CreatedToken {
        minted,
        allowed_ips,
    })
}

/// Rule 1 of [`create_token_with_policy`]: whether `caller` may create tokens at all. Returns
/// whether its children are bounded by its `exp` (rule 4).
fn caller_may_create(caller: &Claims, policy: &TokenCreationPolicy) -> Result<bool> {
    let named = caller.token_name.is_some();
    let delegated = caller.parent.is_some();
    if named && !policy.allow_named_callers {
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "a named API token cannot create tokens: only login tokens may, unless the host's token creation policy allows named callers",
        ));
    }
    if delegated && !policy.allow_delegated_callers {
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "a token delegated to a sub-account cannot create tokens: only login tokens may, unless the host's token creation policy allows delegated callers",
        ));
    }
    Ok(named || delegated || !policy.login_children_may_outlive)
}

/// The caller-restriction rule: the `allowed_ips` of a token a caller mints, for itself or
/// for a sub-account, are never wider than its own.
///
/// - a caller without `allowed_ips` may ask for any rules (`requested` as it is);
/// - a caller whose token allows no address (an empty list) → `not_permitted`, since an
///   empty request would mean "anywhere";
/// - an empty `requested` inherits the caller's rules;
/// - otherwise each requested rule must lie inside one of the caller's rules, else
///   `not_permitted`, naming the index of the first that does not.
fn within_caller_rules(caller: &Claims, requested: &[IpRule]) -> Result<Vec<IpRule>> {
    let Some(own) = &caller.allowed_ips else {
        return Ok(requested.to_vec());
    };
    if own.is_empty() {
        // The caller's token allows no address; an empty list here would mean "anywhere".
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "the calling token allows no address",
        ));
    }
    if requested.is_empty() {
        return Ok(own.clone());
    }
    for (i, rule) in requested.iter().enumerate() {
        let net = rule.network();
        if !own.iter().any(|o| o.network().contains(&net)) {
            return Err(Error::with_message(
                ErrorCode::NotPermitted,
                format!("allowed_ips[{i}] is outside the calling token's allowed_ips"),
            ));
        }
    }
    Ok(requested.to_vec())
}
