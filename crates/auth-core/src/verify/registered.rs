//! Verification with the registered claims profile (docs/profiles.md): tokens an identity
//! provider minted, read as RFC 7519 registered claims plus custom claims.

use super::{check_aud_iss, check_time_values, Verifier, VerifyOptions, VerifyRequest};
use crate::claims::{decode_registered_claims, RegisteredClaims, RequiredClaims};
use crate::clock;
use crate::error::{Error, ErrorCode, Result};
use crate::revocation::RevocationStatus;
use crate::scope::ScopeSet;

/// Which claims a verifier expects (a verifier reads one profile, never guesses).
///
/// ```
/// use auth_core::{Algorithm, ClaimsProfile, Key, KeyRing, RequiredClaims, Verifier, VerifyOptions, VerifyRequest};
/// let key = Key::new("idp", Algorithm::HS256, b"an example secret of 32 bytes or more").unwrap();
/// let token = key.sign_compact(br#"{"sub":"alice","iss":"https://idp.example","exp":1700000600}"#).unwrap();
///
/// let mut options = VerifyOptions::default();
/// options
///     .set_profile(ClaimsProfile::Registered(RequiredClaims::parse(&["exp", "sub"]).unwrap()))
///     .set_issuer(Some("https://idp.example".into()));
/// let verifier = Verifier::with_options(KeyRing::single(key), options);
/// let claims = verifier.verify_registered_with(&token, &VerifyRequest::at(1_700_000_000)).unwrap();
/// assert_eq!(claims.sub.as_deref(), Some("alice"));
/// // The seeds API on a registered verifier fails closed.
/// let err = verifier.verify_with(&token, &VerifyRequest::at(1_700_000_000)).unwrap_err();
/// assert_eq!(err.code().as_str(), "invalid_claims");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClaimsProfile {
    /// This library's claims (docs/token-format.md): `type`, `id`, `name`, ... — read with
    /// [`Verifier::verify_with`]. The default.
    #[default]
    Seeds,
    /// RFC 7519 registered claims (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`), `scope`,
    /// and custom claims, requiring these — read with [`Verifier::verify_registered_with`].
    Registered(RequiredClaims),
}

impl ClaimsProfile {
    /// The registered profile with the default required claims (`exp`).
    pub fn registered() -> Self {
        ClaimsProfile::Registered(RequiredClaims::default())
    }

    /// `"seeds"` or `"registered"`.
    pub fn name(&self) -> &'static str {
        match self {
            ClaimsProfile::Seeds => "seeds",
            ClaimsProfile::Registered(_) => "registered",
        }
    }
}

/// `Ok` when `profile` is the one a call reads (`registered`: the registered profile),
/// else the `invalid_claims` refusal naming the call to use. Checked before the token is
/// looked at: a verifier of the wrong profile never returns claims.
pub(super) fn expect_profile(profile: &ClaimsProfile, registered: bool) -> Result<()> {
    match (profile, registered) {
        (ClaimsProfile::Seeds, false) | (ClaimsProfile::Registered(_), true) => Ok(()),
        (ClaimsProfile::Registered(_), false) => Err(Error::with_message(
            ErrorCode::InvalidClaims,
            "this verifier reads the registered claims profile: verify with the registered \
             call (verify_registered), not the seeds one",
        )),
        (ClaimsProfile::Seeds, true) => Err(Error::with_message(
            ErrorCode::InvalidClaims,
            "this verifier reads the seeds claims profile: configure the registered profile \
             to verify registered claims",
        )),
    }
}

impl VerifyOptions {
    /// Sets the claims profile (see [`VerifyOptions::profile`]).
    pub fn set_profile(&mut self, profile: ClaimsProfile) -> &mut Self {
        self.profile = profile;
        self
    }
}

impl Verifier {
    /// [`verify_registered_with`](Self::verify_registered_with) at the system clock's time.
    pub fn verify_registered(&self, token: impl AsRef<[u8]>) -> Result<RegisteredClaims> {
        self.verify_registered_with(token, &VerifyRequest::default())
    }

    /// Verifies a token of the registered claims profile. A verifier whose
    /// [`VerifyOptions::profile`](crate::VerifyOptions::profile) is not
    /// [`ClaimsProfile::Registered`] refuses at once (`invalid_claims`). Then, in the order
    /// of [`verify_with`](Self::verify_with), stopping at the first failure:
    ///
    /// 1–8. size, structure, header, key, algorithm and signature, exactly as
    ///    [`verify_with`](Self::verify_with) (nothing from the payload is parsed before the
    ///    signature has verified);
    /// 9. claims ([`decode_registered_claims`]): a strict JSON object (`malformed_token`),
    ///    the registered claims' types and ranges and the required ones (`invalid_claims`);
    ///    then `aud` and `iss` against the options, as for the seeds profile;
    /// 10. `exp` (`token_expired`), `nbf` (`token_not_yet_valid`), `iat` (`issued_in_future`),
    ///    with the same leeway and clock skew;
    /// 11. no address check: the profile has no `allowed_ips` (the request's `client_ip` is
    ///    not used);
    /// 12. revocation by `jti` when a store is set
    ///    ([`RevocationStore::jti_revocation_status`](crate::RevocationStore::jti_revocation_status)):
    ///    `token_revoked`, or `revocation_unavailable`; a token without `jti` cannot have
    ///    been revoked (require `jti` to refuse such tokens);
    /// 13. the request's scopes → `insufficient_scope`. Unlike the seeds profile, a token
    ///    **without** a `scope` claim holds no scope: another issuer's token is never
    ///    granted everything by omission.
    pub fn verify_registered_with(
        &self,
        token: impl AsRef<[u8]>,
        req: &VerifyRequest<'_>,
    ) -> Result<RegisteredClaims> {
        let ClaimsProfile::Registered(required) = self.options.profile else {
            return Err(expect_profile(&self.options.profile, true).unwrap_err());
        };
        let claims = self.verify_signature(token.as_ref(), |payload| {
            decode_registered_claims(payload, required)
        })?;
        check_aud_iss(claims.aud.as_deref(), claims.iss.as_deref(), &self.options)?;
        let now = clock::now_or_system(req.now)?;
        check_time_values(claims.exp, claims.nbf, claims.iat, now, &self.options)?;
        let stores = [self.revocation.as_deref(), req.revocation];
        if let Some(jti) = claims.jti.as_deref() {
            // Every store is asked; one that knows the token revoked wins over one that cannot answer.
            let mut unavailable = false;
            for store in stores.into_iter().flatten() {
                match store.jti_revocation_status(jti, claims.exp) {
                    RevocationStatus::Revoked => return Err(Error::new(ErrorCode::TokenRevoked)),
                    RevocationStatus::Unavailable => unavailable = true,
                    RevocationStatus::NotRevoked => {}
                }
            }
            if unavailable {
                return Err(Error::new(ErrorCode::RevocationUnavailable));
            }
        }
        if let Some(needed) = req.scopes {
            let none = ScopeSet::default();
            needed.check(Some(claims.scope.as_ref().unwrap_or(&none)))?;
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests;
