//! A request's identity: its bearer token verified from its client address, against
//! revocation — the one decision every HTTP skin asks for.

use std::net::IpAddr;
use std::sync::Arc;

use super::bearer::bearer_token;
use super::client_addr::TrustedProxies;
use crate::claims::Claims;
use crate::error::Result;
use crate::revocation::RevocationStore;
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
    ///    verification code).
    ///
    /// Turn an error into the response with [`Answer::refusal`](crate::Answer::refusal).
    pub fn authenticate_at(
        &self,
        authorization: &[&[u8]],
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
        now: Option<u64>,
    ) -> Result<Authenticated> {
        let token = bearer_token(authorization)?;
        let client_ip = self.proxies.client_ip(peer, forwarded_for)?;
        let mut req = VerifyRequest {
            now,
            client_ip,
            ..VerifyRequest::default()
        };
        if let Some(store) = &self.revocation {
            req.revocation = Some(store.as_ref());
        }
        let claims = self.verifier.verify_with(token, &req)?;
        Ok(Authenticated { claims, client_ip })
    }
}
