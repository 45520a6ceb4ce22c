//! A request's identity: its bearer token verified from its client address, against
//! revocation — the one decision every HTTP skin asks for.

use std::net::IpAddr;
use std::sync::Arc;

use super::bearer::{bearer_credentials, bearer_token};
use super::client_addr::TrustedProxies;
use crate::claims::{Claims, RegisteredClaims};
use crate::error::Result;
use crate::revocation::RevocationStore;
use crate::scope::RequiredScopes;
use crate::verify::{Verifier, VerifyRequest};

/// A request that authenticated.
#[derive(Clone, Debug, PartialEq)]
pub struct Authenticated {
    /// The verified claims of the bearer token.
    pub claims: Claims,
    /// The client address the token was checked from (`None`: unknown, a connection
    /// without an IP address).
    pub client_ip: Option<IpAddr>,
}

/// A request that authenticated with a token of the registered claims profile
/// (docs/profiles.md): [`Authenticator::authenticate_registered_at`].
#[derive(Clone, Debug, PartialEq)]
pub struct RegisteredAuthenticated {
    /// The verified registered and custom claims of the bearer token.
    pub claims: RegisteredClaims,
    /// The client address the request came from (`None`: unknown).
    pub client_ip: Option<IpAddr>,
}

/// Authenticates HTTP requests: a [`Verifier`], the [`TrustedProxies`] whose
/// `X-Forwarded-For` is believed, and optionally a revocation store consulted in addition
/// to the verifier's own. `Send + Sync`, cheap to clone: build one at start-up and share it.
///
/// ```
/// use auth_core::{Algorithm, Authenticator, ErrorCode, Issuer, Key, KeyRing, Lifetime, MintRequest, Subject, Verifier};
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap());
/// let mut req = MintRequest::new(Subject::user(7, "alice", false));
/// req.lifetime = Lifetime::Static;
/// let token = Issuer::new(ring.clone()).mint(&req).unwrap().token;
///
/// let auth = Authenticator::new(Verifier::new(ring));
/// let header = format!("Bearer {token}");
/// let peer = Some("203.0.113.5".parse().unwrap());
/// let ok = auth.authenticate(&[header.as_bytes()], peer, &[]).unwrap();
/// assert_eq!(ok.claims.subject.id(), 7);
/// assert_eq!(auth.authenticate(&[], peer, &[]).unwrap_err().code(), ErrorCode::MissingToken);
/// ```
#[derive(Clone)]
pub struct Authenticator {
    verifier: Verifier,
    proxies: TrustedProxies,
    revocation: Option<Arc<dyn RevocationStore>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("verifier", &self.verifier)
            .field("proxies", &self.proxies)
            .field("revocation", &self.revocation.is_some())
            .finish()
    }
}

impl Authenticator {
    /// Verifies with `verifier` (and its own revocation store, if it has one); no trusted
    /// proxy.
    pub fn new(verifier: Verifier) -> Self {
        Authenticator {
            verifier,
            proxies: TrustedProxies::none(),
            revocation: None,
        }
    }

    /// Believes `X-Forwarded-For` from these proxies ([`TrustedProxies::client_ip`]).
    #[must_use]
    pub fn trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.proxies = proxies;
        self
    }

    /// Also asks `store` whether a token is revoked (the verifier's own store still counts).
    #[must_use]
    pub fn revocation(mut self, store: Arc<dyn RevocationStore>) -> Self {
        self.revocation = Some(store);
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The trusted proxies.
    pub fn proxies(&self) -> &TrustedProxies {
        &self.proxies
    }

    /// [`authenticate_at`](Self::authenticate_at) at the system clock's time.
    pub fn authenticate(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
    ) -> Result<Authenticated> {
        self.authenticate_at(authorization, peer, forwarded_for, None)
    }

    /// Authenticates a request from its `Authorization` header lines, the connection's
    /// peer address (`None`: no IP address, a Unix-domain socket) and its
    /// `X-Forwarded-For` lines, at `now` (`None`: the system clock). In this order:
    ///
    /// 1. the bearer token ([`bearer_token`]: `missing_token`, `malformed_token`);
    /// 2. the client address ([`TrustedProxies::client_ip`]: `invalid_ip_address`);
    /// 3. [`Verifier::verify_with`] with that address and the revocation store (every
    ///    verification code; [`authenticate_scoped_at`](Self::authenticate_scoped_at) adds a
    ///    route's required scopes).
    ///
    /// Turn an error into the response with [`Answer::refusal`](crate::Answer::refusal).
    pub fn authenticate_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
    ) -> Result<Authenticated> {
        self.authenticate_scoped_at(authorization, peer, forwarded_for, now, None)
    }

    /// [`authenticate_at`](Self::authenticate_at) for a route that needs `scopes`
    /// (docs/scopes.md): after every other check, a token whose `scope` claim does not
    /// hold them is `insufficient_scope` (403, the challenge names the scopes); a token
    /// without the claim holds everything. `None` requires nothing.
    ///
    /// ```
    /// use auth_core::{Algorithm, Authenticator, ErrorCode, Issuer, Key, KeyRing, MintRequest, ScopeVocabulary, Subject, Verifier};
    /// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap());
    /// let vocab = ScopeVocabulary::from_pairs(&[("sms", &["sms:send"][..]), ("sms:send", &[]), ("account", &[])]).unwrap();
    /// let mut issuer = Issuer::new(ring.clone());
    /// issuer.set_scopes(vocab.clone());
    /// let mut req = MintRequest::new(Subject::user(7, "alice", false));
    /// req.set_scopes(&["sms"]).unwrap();
    /// let header = format!("Bearer {}", issuer.mint(&req).unwrap().token);
    ///
    /// let auth = Authenticator::new(Verifier::new(ring));
    /// let send = vocab.require(&["sms:send"]).unwrap();
    /// assert!(auth.authenticate_scoped_at(&[header.as_bytes()], None, &[], None, Some(&send)).is_ok());
    /// let account = vocab.require(&["account"]).unwrap();
    /// let err = auth.authenticate_scoped_at(&[header.as_bytes()], None, &[], None, Some(&account)).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::InsufficientScope);
    /// ```
    pub fn authenticate_scoped_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Authenticated> {
        let token = bearer_token(authorization)?;
        self.verify_token(token, peer, forwarded_for, now, scopes)
    }

    /// [`authenticate_optional_at`](Self::authenticate_optional_at) at the system clock's
    /// time.
    pub fn authenticate_optional(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
    ) -> Result<Option<Authenticated>> {
        self.authenticate_optional_at(authorization, peer, forwarded_for, None)
    }

    /// Optional authentication, for a route that serves anonymous callers too: `Ok(None)`
    /// when the request carries no bearer credentials (the requests
    /// [`authenticate_at`](Self::authenticate_at) refuses with `missing_token`: no
    /// `Authorization` line, an empty one, another scheme — [`bearer_credentials`]);
    /// otherwise exactly [`authenticate_at`](Self::authenticate_at). A request *with*
    /// credentials that fail — malformed, expired, revoked, a bad signature, `ip_not_allowed`,
    /// an unreadable client address — is still refused, so a caller cannot turn a bad token
    /// into an anonymous request. An anonymous request's client address is not read.
    ///
    /// ```
    /// use auth_core::{Algorithm, Authenticator, ErrorCode, Key, KeyRing, Verifier};
    /// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap());
    /// let auth = Authenticator::new(Verifier::new(ring));
    /// let peer = Some("203.0.113.5".parse().unwrap());
    /// assert_eq!(auth.authenticate_optional(&[], peer, &[]).unwrap(), None);
    /// let bad = auth.authenticate_optional(&[b"Bearer abc.def.ghi"], peer, &[]).unwrap_err();
    /// assert_eq!(bad.code(), ErrorCode::MalformedToken);
    /// ```
    pub fn authenticate_optional_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
    ) -> Result<Option<Authenticated>> {
        self.authenticate_optional_scoped_at(authorization, peer, forwarded_for, now, None)
    }

    /// [`authenticate_optional_at`](Self::authenticate_optional_at) for a route that needs
    /// `scopes` from a caller who presents a token: an anonymous request is still
    /// `Ok(None)` (the route decides what an anonymous caller may do); a token that does
    /// not hold them is `insufficient_scope`.
    pub fn authenticate_optional_scoped_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Option<Authenticated>> {
        match bearer_credentials(authorization)? {
            None => Ok(None),
            Some(token) => self
                .verify_token(token, peer, forwarded_for, now, scopes)
                .map(Some),
        }
    }

    /// Verifies a token given apart from a request (RFC 7662 introspection): the verifier
    /// with `client_ip` (`None`: unknown, so a token with `allowed_ips` is refused), the
    /// revocation stores and `scopes`, as [`authenticate_scoped_at`](Self::authenticate_scoped_at)
    /// would after reading the request.
    pub fn verify_at(
        &self,
        token: &str,
        client_ip: Option<IpAddr>,
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Claims> {
        let mut req = VerifyRequest {
            now,
            client_ip,
            scopes,
            ..VerifyRequest::default()
        };
        if let Some(store) = &self.revocation {
            req.revocation = Some(store.as_ref());
        }
        self.verifier.verify_with(token, &req)
    }

    /// [`authenticate_scoped_at`](Self::authenticate_scoped_at) for a verifier of the
    /// registered claims profile (docs/profiles.md): the same steps and answers, with
    /// [`Verifier::verify_registered_with`] as step 3. A verifier of the seeds profile is
    /// refused (`invalid_claims`), as [`authenticate_at`](Self::authenticate_at) refuses a
    /// registered one: one authenticator reads one profile.
    pub fn authenticate_registered_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<RegisteredAuthenticated> {
        let token = bearer_token(authorization)?;
        self.registered_token(token, peer, forwarded_for, now, scopes)
    }

    /// [`authenticate_optional_scoped_at`](Self::authenticate_optional_scoped_at) for the
    /// registered profile: `Ok(None)` without bearer credentials, otherwise exactly
    /// [`authenticate_registered_at`](Self::authenticate_registered_at).
    pub fn authenticate_registered_optional_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Option<RegisteredAuthenticated>> {
        match bearer_credentials(authorization)? {
            None => Ok(None),
            Some(token) => self
                .registered_token(token, peer, forwarded_for, now, scopes)
                .map(Some),
        }
    }

    /// [`verify_at`](Self::verify_at) for the registered profile (the token's
    /// `jti` asked of the revocation stores).
    pub fn verify_registered_at(
        &self,
        token: &str,
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<RegisteredClaims> {
        let mut req = VerifyRequest {
            now,
            scopes,
            ..VerifyRequest::default()
        };
        if let Some(store) = &self.revocation {
            req.revocation = Some(store.as_ref());
        }
        self.verifier.verify_registered_with(token, &req)
    }

    fn registered_token(
        &self,
        token: &str,
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<RegisteredAuthenticated> {
        let client_ip = self.proxies.client_ip(peer, forwarded_for)?;
        let claims = self.verify_registered_at(token, now, scopes)?;
        Ok(RegisteredAuthenticated { claims, client_ip })
    }

    /// Steps 2 and 3 of [`authenticate_at`](Self::authenticate_at), for a well-formed token.
    fn verify_token(
        &self,
        token: &str,
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Authenticated> {
        let client_ip = self.proxies.client_ip(peer, forwarded_for)?;
        let claims = self.verify_at(token, client_ip, now, scopes)?;
        Ok(Authenticated { claims, client_ip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Algorithm, ErrorCode, IpRule, Issuer, Key, KeyRing, Lifetime, MemoryRevocationStore,
        MintRequest, Subject,
    };

    const NOW: u64 = 1_700_000_000;

    fn ring() -> KeyRing {
        KeyRing::single(
            Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap(),
        )
    }

    fn token(jti: &str, allowed_ips: Option<&[&str]>, lifetime: Lifetime) -> String {
        let mut req = MintRequest::new(Subject::user(7, "alice", false));
        req.lifetime = lifetime;
        req.now = Some(NOW);
        req.token_id = Some(jti.to_owned());
        req.allowed_ips = allowed_ips
            .unwrap_or_default()
            .iter()
            .map(|r| IpRule::parse(r).unwrap())
            .collect();
        Issuer::new(ring()).mint(&req).unwrap().token
    }

    fn authenticator() -> Authenticator {
        let store = MemoryRevocationStore::new();
        store.revoke("revoked", None, None).unwrap();
        Authenticator::new(Verifier::new(ring()))
            .trusted_proxies(TrustedProxies::parse(&["10.0.0.0/8"]).unwrap())
            .revocation(Arc::new(store))
    }

    fn optional(
        auth: &Authenticator,
        lines: &[&[u8]],
        xff: &[&[u8]],
    ) -> Result<Option<Authenticated>> {
        let peer = Some("10.0.0.1".parse().unwrap());
        auth.authenticate_optional_at(lines, peer, xff, Some(NOW + 10))
    }

    #[test]
    fn the_registered_profile_gives_the_same_answers() {
        use crate::{ClaimsProfile, RequiredClaims, VerifyOptions};
        let key = Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap();
        let mut options = VerifyOptions::default();
        options.set_profile(ClaimsProfile::Registered(RequiredClaims::default()));
        let store = MemoryRevocationStore::new();
        store.revoke("gone", None, None).unwrap();
        let auth = Authenticator::new(Verifier::with_options(
            KeyRing::single(key.clone()),
            options,
        ))
        .trusted_proxies(TrustedProxies::parse(&["10.0.0.0/8"]).unwrap())
        .revocation(Arc::new(store));
        let sign = |p: &str| format!("Bearer {}", key.sign_compact(p.as_bytes()).unwrap());
        let ok = sign(r#"{"sub":"idp-user","exp":1700000600,"jti":"live"}"#);
        let peer = Some("10.0.0.1".parse().unwrap());
        let now = Some(NOW);
        let got = auth
            .authenticate_registered_at(&[ok.as_bytes()], peer, &[b"203.0.113.9"], now, None)
            .unwrap();
        assert_eq!(got.claims.sub.as_deref(), Some("idp-user"));
        assert_eq!(got.client_ip, Some("203.0.113.9".parse().unwrap()));
        let opt = auth.authenticate_registered_optional_at(&[], peer, &[], now, None);
        assert_eq!(opt.unwrap(), None);
        let cases: [(String, &[&[u8]], ErrorCode); 6] = [
            ("Bearer abc.def.ghi".into(), &[], ErrorCode::MalformedToken),
            (
                sign(r#"{"sub":"x","exp":1700000600,"jti":"gone"}"#),
                &[],
                ErrorCode::TokenRevoked,
            ),
            (
                sign(r#"{"sub":"x","exp":1699999999}"#),
                &[],
                ErrorCode::TokenExpired,
            ),
            (sign(r#"{"sub":"x"}"#), &[], ErrorCode::InvalidClaims),
            (ok.clone(), &[b"unknown"], ErrorCode::InvalidIpAddress),
            (String::new(), &[], ErrorCode::MissingToken),
        ];
        for (header, xff, want) in &cases {
            let lines: Vec<&[u8]> = if header.is_empty() {
                vec![]
            } else {
                vec![header.as_bytes()]
            };
            let err = auth
                .authenticate_registered_at(&lines, peer, xff, now, None)
                .unwrap_err();
            assert_eq!(err.code(), *want, "{header}");
        }
        // One authenticator reads one profile: the seeds call is refused, and the reverse.
        let seeds = auth
            .authenticate_at(&[ok.as_bytes()], peer, &[], now)
            .unwrap_err();
        assert_eq!(seeds.code(), ErrorCode::InvalidClaims);
        let header = format!("Bearer {}", token("ok", None, Lifetime::Static));
        let reverse = authenticator()
            .authenticate_registered_at(&[header.as_bytes()], peer, &[], now, None)
            .unwrap_err();
        assert_eq!(reverse.code(), ErrorCode::InvalidClaims);
    }

    #[test]
    fn a_request_without_bearer_credentials_is_anonymous() {
        let auth = authenticator();
        for lines in [
            &[][..],
            &[&b""[..]],
            &[b"Basic dXNlcjpwYXNz"],
            &[b"abc.def.ghi"],
        ] {
            assert_eq!(optional(&auth, lines, &[]).unwrap(), None, "{lines:?}");
        }
        // Its address is not read: an unreadable X-Forwarded-For does not refuse it.
        assert_eq!(optional(&auth, &[], &[b"unknown"]).unwrap(), None);
    }

    #[test]
    fn a_valid_token_authenticates_as_it_would_when_required() {
        let auth = authenticator();
        let header = format!("Bearer {}", token("ok", None, Lifetime::Static));
        let got = optional(&auth, &[header.as_bytes()], &[b"203.0.113.9"])
            .unwrap()
            .unwrap();
        assert_eq!(got.claims.subject.id(), 7);
        assert_eq!(got.client_ip, Some("203.0.113.9".parse().unwrap()));
        let peer = Some("10.0.0.1".parse().unwrap());
        let required = auth.authenticate_at(
            &[header.as_bytes()],
            peer,
            &[b"203.0.113.9"],
            Some(NOW + 10),
        );
        assert_eq!(Some(required.unwrap()), Some(got));
    }

    #[test]
    fn bad_credentials_are_refused_not_downgraded_to_anonymous() {
        let auth = authenticator();
        let valid = token("ok", None, Lifetime::Static);
        let expired = token("old", None, Lifetime::Ttl(60));
        let revoked = token("revoked", None, Lifetime::Static);
        let limited = token("ip", Some(&["192.0.2.0/24"]), Lifetime::Static);
        // The signature of another token.
        let tampered = format!(
            "{}{}",
            &valid[..valid.rfind('.').unwrap()],
            &revoked[revoked.rfind('.').unwrap()..]
        );
        let cases: [(String, &[&[u8]], ErrorCode); 9] = [
            ("Bearer".into(), &[], ErrorCode::MalformedToken),
            (format!("Bearer  {valid}"), &[], ErrorCode::MalformedToken),
            ("Bearer abc.def.ghi".into(), &[], ErrorCode::MalformedToken),
            (format!("Bearer {tampered}"), &[], ErrorCode::BadSignature),
            (format!("Bearer {revoked}"), &[], ErrorCode::TokenRevoked),
            (
                format!("Bearer {limited}"),
                &[b"203.0.113.9"],
                ErrorCode::IpNotAllowed,
            ),
            (
                format!("Bearer {valid}"),
                &[b"unknown"],
                ErrorCode::InvalidIpAddress,
            ),
            (format!("Bearer {expired}"), &[], ErrorCode::TokenExpired),
            (format!("Bearer {valid}"), &[], ErrorCode::MalformedToken),
        ];
        for (i, (header, xff, want)) in cases.iter().enumerate() {
            // The last case sends two lines: several Authorization headers.
            let lines: Vec<&[u8]> = if i == cases.len() - 1 {
                vec![header.as_bytes(), header.as_bytes()]
            } else {
                vec![header.as_bytes()]
            };
            let peer = Some("10.0.0.1".parse().unwrap());
            let now = Some(NOW + 3600);
            let err = auth
                .authenticate_optional_at(&lines, peer, xff, now)
                .unwrap_err();
            assert_eq!(err.code(), *want, "{header}");
            let required = auth.authenticate_at(&lines, peer, xff, now).unwrap_err();
            assert_eq!(
                required.code(),
                *want,
                "{header}: the same refusal when required"
            );
        }
    }
}
