//! Minting (docs/token-format.md, §4): dynamic, static or TTL tokens signed by the ring's active key.

use crate::claims::{check_jti, check_token_name, Claims, Principal, Subject};
use crate::clock;
use crate::error::{Error, ErrorCode, Result};
use crate::ip::IpRule;
use crate::random::{generate_token_id, RandomSource, SystemRandom};
use crate::scope::{ScopeSet, ScopeVocabulary};
use crate::shared_ring::SharedKeyRing;
use crate::ttl::{Lifetime, TtlPolicy, MAX_TIME};
use crate::verify::DEFAULT_MAX_TOKEN_SIZE;
use std::sync::Arc;

/// What to mint. Start from [`MintRequest::new`] and set the fields you need.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MintRequest {
    /// Who the token speaks for.
    pub subject: Subject,
    /// Dynamic (default), static or an explicit TTL.
    pub lifetime: Lifetime,
    /// `token_name` (1–255 characters).
    pub token_name: Option<String>,
    /// `allowed_ips`; empty means no restriction and no claim.
    pub allowed_ips: Vec<IpRule>,
    /// `parent`: who minted the token for a sub-account.
    pub parent: Option<Principal>,
    /// The token id; generated (128 random bits) when `None`.
    pub token_id: Option<String>,
    /// `nbf`, UNIX seconds.
    pub not_before: Option<u64>,
    /// The issue time (`iat`), UNIX seconds; `None` reads the system clock.
    pub now: Option<u64>,
    /// `scope`: what the token may do (docs/scopes.md); `None` writes no claim (the token may
    /// do everything its principal may). Every name must be declared in the issuer's
    /// vocabulary ([`Issuer::set_scopes`]): `invalid_scope` otherwise.
    pub scopes: Option<ScopeSet>,
    /// `aud` (RFC 7519 §4.1.3): the audiences the token is meant for; empty writes no claim.
    /// A verifier accepts a token with `aud` only when it names one of the verifier's
    /// audiences ([`VerifyOptions::audiences`](crate::VerifyOptions::audiences)), so a token
    /// minted for one audience (the console's session, say) is refused everywhere else.
    pub audience: Vec<String>,
    /// Custom claims, written after the library's own (see [`MintRequest::set_extra_json`]);
    /// checked when minting ([`check_extra_claims`](crate::check_extra_claims)).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl MintRequest {
    /// A dynamic token for `subject`, with nothing else set.
    pub fn new(subject: Subject) -> Self {
        MintRequest {
            subject,
            lifetime: Lifetime::Dynamic,
            token_name: None,
            allowed_ips: Vec::new(),
            parent: None,
            token_id: None,
            not_before: None,
            now: None,
            scopes: None,
            audience: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }

    /// Sets `scopes` from names (`invalid_scope` for a bad name or one given twice; an
    /// empty list is refused too, since it would mint a token that may do nothing — leave
    /// `scopes` `None` for an unscoped token).
    pub fn set_scopes<S: AsRef<str>>(&mut self, names: &[S]) -> Result<()> {
        let set = ScopeSet::from_names(names)?;
        if set.is_empty() {
            return Err(crate::scope::invalid_scope(
                "a scope list must name at least one scope (leave it unset for an unscoped token)",
            ));
        }
        self.scopes = Some(set);
        Ok(())
    }

    /// Sets the custom claims from JSON object text, read strictly
    /// ([`parse_extra_claims`](crate::parse_extra_claims): `invalid_request` for text that
    /// is not a strict JSON object or names a claim this library owns; nothing is changed then).
    pub fn set_extra_json(&mut self, text: &str) -> Result<()> {
        self.extra = crate::claims::parse_extra_claims(text)?;
        Ok(())
    }

    /// Sets `allowed_ips` from rule text, validated and normalized
    /// (`invalid_ip_rule` naming the first bad rule; nothing is changed then).
    pub fn set_allowed_ips<S: AsRef<str>>(&mut self, rules: &[S]) -> Result<()> {
        let mut parsed = Vec::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            parsed.push(IpRule::parse(r.as_ref()).map_err(|e| {
                Error::with_message(
                    ErrorCode::InvalidIpRule,
                    format!("allowed_ips[{i}]: {}", e.message()),
                )
            })?);
        }
        self.allowed_ips = parsed;
        Ok(())
    }
}

/// A freshly minted token and the claims it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minted {
    /// The compact JWS.
    pub token: String,
    /// The claims signed into it.
    pub claims: Claims,
}

impl Minted {
    /// The token id (`jti`, the API's `token_id`).
    pub fn token_id(&self) -> &str {
        &self.claims.jti
    }

    /// The expiry (`exp`), `None` for a static token.
    pub fn expires_at(&self) -> Option<u64> {
        self.claims.exp
    }
}

/// Mints tokens with the active key of a ring under a [`TtlPolicy`]. `Send + Sync`.
///
/// ```
/// use auth_core::{Algorithm, Issuer, IpRule, Key, KeyRing, Lifetime, MintRequest, Subject};
/// let issuer = Issuer::new(KeyRing::single(Key::new("k1", Algorithm::HS256, b"an example secret of 32 bytes or more").unwrap()));
/// let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
/// req.lifetime = Lifetime::Ttl(2_678_400);
/// req.token_name = Some("Best token ever".into());
/// req.allowed_ips = vec![IpRule::parse("192.168.2.0/24").unwrap()];
/// req.now = Some(1_700_000_000);
/// let minted = issuer.mint(&req).unwrap();
/// assert_eq!(minted.expires_at(), Some(1_700_000_000 + 2_678_400));
/// assert_eq!(minted.token_id().len(), 22);
/// ```
#[derive(Clone, Debug)]
pub struct Issuer {
    keys: SharedKeyRing,
    policy: TtlPolicy,
    max_token_size: usize,
    scopes: Arc<ScopeVocabulary>,
}

impl Issuer {
    /// An issuer with the default policy (24 h dynamic tokens, TTLs up to 10 years,
    /// static tokens allowed).
    ///
    /// `keys` is a [`SharedKeyRing`] the issuer follows (a clone of the handle), or a
    /// [`KeyRing`](crate::KeyRing) value that becomes the issuer's own shared ring.
    pub fn new(keys: impl Into<SharedKeyRing>) -> Self {
        Issuer {
            keys: keys.into(),
            policy: TtlPolicy::default(),
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            scopes: Arc::default(),
        }
    }

    /// An issuer with an explicit policy (`invalid_ttl` if its durations are 0).
    pub fn with_policy(keys: impl Into<SharedKeyRing>, policy: TtlPolicy) -> Result<Self> {
        policy.validate()?;
        Ok(Issuer {
            keys: keys.into(),
            policy,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            scopes: Arc::default(),
        })
    }

    /// The shared key ring this issuer mints with; change it to rotate keys.
    pub fn keys(&self) -> &SharedKeyRing {
        &self.keys
    }

    /// The lifetime policy.
    pub fn policy(&self) -> &TtlPolicy {
        &self.policy
    }

    /// Declares the scope names tokens may carry (docs/scopes.md). Until it is called the
    /// vocabulary is empty and every request with `scopes` is refused (`invalid_scope`).
    pub fn set_scopes(&mut self, vocabulary: ScopeVocabulary) {
        self.scopes = Arc::new(vocabulary);
    }

    /// The scope vocabulary (empty unless [`set_scopes`](Self::set_scopes) was called).
    pub fn scopes(&self) -> &ScopeVocabulary {
        &self.scopes
    }

    /// Mints a token, generating its id from the system CSPRNG if none is given.
    pub fn mint(&self, req: &MintRequest) -> Result<Minted> {
        self.mint_with_rng(req, &SystemRandom)
    }

    /// Mints a token, generating its id (if none is given) from `rng`.
    ///
    /// Errors: `invalid_key` (no active key), `invalid_ttl`, `static_not_allowed`,
    /// `invalid_scope` (a scope not declared in [`scopes`](Self::scopes), or an empty list),
    /// `invalid_request` (a token id or name out of range, a time or an id — `id`,
    /// `user_group_id`, `parent.id` — past 2^53 − 1 ([`MAX_TIME`]), a
    /// `not_before` at or after the expiry, or a token longer than
    /// [`max_token_size`](Self::max_token_size)). Nothing is minted that a verifier with the
    /// default settings would refuse for its shape.
    pub fn mint_with_rng(&self, req: &MintRequest, rng: &dyn RandomSource) -> Result<Minted> {
        let claims = self.claims_for(req, rng)?;
        let token = self.sign(&claims)?;
        if token.len() > self.max_token_size {
            return Err(Error::with_message(
                ErrorCode::InvalidRequest,
                format!(
                    "the token would be {} bytes, over the {}-byte limit verifiers apply \
                     (raise the issuer's and the verifiers' max_token_size together)",
                    token.len(),
                    self.max_token_size
                ),
            ));
        }
        Ok(Minted { token, claims })
    }

    /// The longest token this issuer mints, in bytes (default 8 KiB, the verifiers' default
    /// [`VerifyOptions::max_token_size`](crate::VerifyOptions::max_token_size)).
    pub fn max_token_size(&self) -> usize {
        self.max_token_size
    }

    /// Sets the longest token this issuer mints. Raise it together with the verifiers'
    /// `max_token_size` (for example for resellers whose allow-lists are copied into their
    /// tokens); a token longer than the verifiers accept could never be used.
    pub fn set_max_token_size(&mut self, bytes: usize) {
        self.max_token_size = bytes;
    }

    /// The claims a request would be minted with (all validation, no signing).
    pub(crate) fn claims_for(&self, req: &MintRequest, rng: &dyn RandomSource) -> Result<Claims> {
        let iat = clock::now_or_system(req.now)?;
        if iat > MAX_TIME || req.not_before.is_some_and(|t| t > MAX_TIME) {
            return Err(Error::with_message(
                ErrorCode::InvalidRequest,
                "times must be at most 2^53 - 1",
            ));
        }
        let ids = [
            Some(req.subject.id()),
            match &req.subject {
                Subject::User { user_group_id, .. } => *user_group_id,
                Subject::Reseller { .. } => None,
            },
            req.parent.map(|p| p.id),
        ];
        if ids.into_iter().flatten().any(|id| id > MAX_TIME) {
            return Err(Error::with_message(
                ErrorCode::InvalidRequest,
                "ids must be at most 2^53 - 1",
            ));
        }
        let exp = self.policy.expiry(req.lifetime, iat)?;
        if let (Some(nbf), Some(exp)) = (req.not_before, exp) {
            if nbf >= exp {
                return Err(Error::with_message(
                    ErrorCode::InvalidRequest,
                    "not_before must be earlier than the expiry (the token could never be valid)",
                ));
            }
        }
        if let Some(name) = &req.token_name {
            check_token_name(name)?;
        }
        if let Some(scopes) = &req.scopes {
            if scopes.is_empty() {
                return Err(crate::scope::invalid_scope(
                    "a scope list must name at least one scope (leave it unset for an unscoped token)",
                ));
            }
            self.scopes.check_known(scopes)?;
        }
        let jti = match &req.token_id {
            Some(id) => {
                check_jti(id)?;
                id.clone()
            }
            None => generate_token_id(rng)?,
        };
        Ok(Claims {
            subject: req.subject.clone(),
            iat,
            exp,
            nbf: req.not_before,
            jti,
            token_name: req.token_name.clone(),
            allowed_ips: if req.allowed_ips.is_empty() {
                None
            } else {
                Some(req.allowed_ips.clone())
            },
            parent: req.parent,
            audience: (!req.audience.is_empty()).then(|| req.audience.clone()),
            issuer: None,
            scope: req.scopes.clone(),
            extra: {
                crate::claims::check_extra_claims(&req.extra)?;
                req.extra.clone()
            },
        })
    }

    /// Signs `claims` as they are with the active key.
    pub(crate) fn sign(&self, claims: &Claims) -> Result<String> {
        let ring = self.keys.load();
        let key = ring.active().ok_or_else(|| {
            Error::with_message(ErrorCode::InvalidKey, "the key ring has no active key")
        })?;
        let mut json = Vec::with_capacity(256);
        if !crate::claims::write_plain_claims(claims, &mut json) {
            json = serde_json::to_vec(claims).map_err(|_| {
                Error::with_message(ErrorCode::InvalidRequest, "claims cannot be encoded")
            })?;
        }
        let header = key.header_b64();
        let mut token = String::with_capacity(header.len() + json.len() * 4 / 3 + 96);
        token.push_str(header);
        token.push('.');
        base64_simd::URL_SAFE_NO_PAD.encode_append(&json, &mut token);
        let mac = key.sign(token.as_bytes())?;
        token.push('.');
        base64_simd::URL_SAFE_NO_PAD.encode_append(mac.as_slice(), &mut token);
        Ok(token)
    }
}
