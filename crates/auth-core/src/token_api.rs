//! Token creation in the token API (SPEC §1 B): `POST /token` and
//! `POST /token/account/:accountID`.
//!
//! The host authenticates the caller's bearer token and reads the body (the readers are in
//! [`wire`](crate::wire): [`CreateTokenRequest::parse`]); [`create_token`] decides whom
//! the new token is for, which addresses it may be used from (a caller may not widen its
//! own restriction: `within_caller_rules`) and mints it. The response is written by
//! [`CreatedToken::render`], errors by [`sms_error_body`](crate::sms_error_body).

use crate::claims::{Claims, Subject};
use crate::error::{Error, ErrorCode, Result};
use crate::ip::IpRule;
use crate::issue::{Issuer, MintRequest, Minted};
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
}

/// Whom a token-creation request mints for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenTarget {
    /// `POST /token`: a token for the caller's own subject.
    SelfAccount,
    /// `POST /token/account/:accountID`: a token for a sub-account.
    SubAccount {
        /// The sub-account, as the host looked it up.
        subject: Subject,
        /// The host's answer to "does the caller own this account?".
        owned_by_caller: bool,
    },
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

/// Creates a token for `POST /token` or `POST /token/account/:accountID`.
///
/// `caller` is the verified claims of the bearer token that authenticated the request. The
/// new token gets `token_name` = `req.name`, the lifetime `req.lifetime` (checked by the
/// issuer's policy: 0, negative or above the maximum → `invalid_ttl`; static when the
/// policy forbids them → `static_not_allowed`) and `allowed_ips` = `req.allowed_ips`.
///
/// - [`TokenTarget::SelfAccount`]: a token for `caller.subject`, keeping `caller.parent`
///   (a token made with a delegated token stays marked as delegated). A caller whose own
///   token is IP-restricted cannot shed the restriction: an empty request inherits the
///   caller's `allowed_ips`, and every requested rule must lie inside one of the caller's
///   rules, else `not_permitted` (403).
/// - [`TokenTarget::SubAccount`]: `owned_by_caller == false` → `not_permitted` (403);
///   otherwise a token for `subject` with `parent` = the caller's principal. The caller's
///   own IP restriction does not carry over (a reseller's allow-list is about where the
///   reseller works from, not its customers).
///
/// ```
/// use auth_core::{
///     create_token, Algorithm, CreateTokenRequest, Format, Issuer, Key, KeyRing, MintRequest,
///     Principal, Subject, TokenTarget, Verifier, VerifyRequest,
/// };
///
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, &[9u8; 32]).unwrap());
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
/// let target = TokenTarget::SubAccount { subject: Subject::user(42, "customer", false), owned_by_caller: true };
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
    let mut mint = match target {
        TokenTarget::SelfAccount => {
            let mut m = MintRequest::new(caller.subject.clone());
            m.parent = caller.parent;
            m.allowed_ips = within_caller_rules(caller, &req.allowed_ips)?;
            m
        }
        TokenTarget::SubAccount {
            subject,
            owned_by_caller,
        } => {
            if !owned_by_caller {
                return Err(Error::with_message(
                    ErrorCode::NotPermitted,
                    "the caller does not own this account",
                ));
            }
            let mut m = MintRequest::new(subject);
            m.parent = Some(caller.principal());
            m.allowed_ips = req.allowed_ips.clone();
            m
        }
    };
    mint.lifetime = req.lifetime;
    mint.token_name = Some(req.name.clone());
    mint.now = now;
    let minted = issuer.mint(&mint)?;
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

/// The caller-restriction rule: the `allowed_ips` of a token a caller mints for itself
/// (`POST /token`) are never wider than its own.
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
