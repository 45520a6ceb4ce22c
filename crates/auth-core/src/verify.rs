//! Verification (docs/ (keys, TTL, IP rules, revocation)): every check, in one documented order.
//!
//! The check order is documented on [`Verifier::verify_with`].
//!
//! Nothing from the payload is parsed before the signature has verified.

use std::net::IpAddr;
use std::sync::Arc;

use crate::claims::{decode_claims, Claims};
use crate::clock;
use crate::error::{Error, ErrorCode, Result};
use crate::ip::rules_allow;
use crate::jws::{self, decoded_len_bound};
use crate::keys::{Algorithm, Key, KeyRing};
use crate::revocation::{RevocationQuery, RevocationStatus, RevocationStore};
use crate::scope::RequiredScopes;
use crate::shared_ring::SharedKeyRing;
use crate::signature_cache::{SignatureCache, TokenExpiry};
use crate::utc::utc_text;

mod registered;
pub use self::registered::ClaimsProfile;

/// Default largest token accepted, in bytes.
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 8 * 1024;
/// Default tolerance for `iat` in the future, in seconds.
pub const DEFAULT_MAX_CLOCK_SKEW: u64 = 60;

/// Verification settings. The defaults are the safe ones of docs/keys.md, §4 and §7.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Seconds of grace applied to `exp` and `nbf` (default 0).
    pub leeway: u64,
    /// How far in the future `iat` may be, in seconds (default 60).
    pub max_clock_skew: u64,
    /// Largest token accepted, in bytes (default 8 KiB).
    pub max_token_size: usize,
    /// The audiences this verifier identifies itself with (default none).
    ///
    /// A token that carries `aud` verifies only when its `aud` (a string, or any element of
    /// an array of strings) is equal, byte for byte, to one of these (RFC 7519 §4.1.3); with
    /// no audience configured, every token with `aud` is refused. A token without `aud`
    /// is not affected. Failures are `invalid_claims` (the claim does not match, docs/errors.md).
    pub audiences: Vec<String>,
    /// Whether a token must carry `aud` (default `false`). With `true`, a token without `aud`
    /// is `invalid_claims`: a verifier for one audience (the console's sessions) then accepts
    /// no token minted for everyone.
    pub require_audience: bool,
    /// The expected issuer (default none). When set, a token verifies only when its `iss`
    /// is present and equal, byte for byte (`invalid_claims` otherwise). When `None`, `iss`
    /// is not checked.
    pub issuer: Option<String>,
    /// Which claims a token carries (default [`ClaimsProfile::Seeds`], docs/token-format.md);
    /// [`ClaimsProfile::Registered`] reads tokens of other issuers (docs/profiles.md) with
    /// [`Verifier::verify_registered_with`]. Each verification call refuses a verifier of
    /// the other profile (`invalid_claims`).
    pub profile: ClaimsProfile,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            leeway: 0,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            audiences: Vec::new(),
            require_audience: false,
            issuer: None,
            profile: ClaimsProfile::Seeds,
        }
    }
}

impl VerifyOptions {
    /// Adds an audience this verifier identifies itself with (see [`VerifyOptions::audiences`]).
    pub fn add_audience(&mut self, audience: impl Into<String>) -> &mut Self {
        self.audiences.push(audience.into());
        self
    }

    /// Sets the expected issuer (see [`VerifyOptions::issuer`]).
    pub fn set_issuer(&mut self, issuer: Option<String>) -> &mut Self {
        self.issuer = issuer;
        self
    }
}

/// Per-call inputs of a verification.
#[derive(Clone, Copy, Default)]
#[non_exhaustive]
pub struct VerifyRequest<'a> {
    /// The current time in UNIX seconds; `None` reads the system clock.
    pub now: Option<u64>,
    /// The client's address (parse text with [`crate::ip::parse_client_ip`]).
    /// A token with `allowed_ips` verifies only when this is given and allowed.
    pub client_ip: Option<IpAddr>,
    /// A revocation store for this call, consulted **in addition to** the verifier's own
    /// store (never instead of it): a token revoked in either is `token_revoked`.
    pub revocation: Option<&'a dyn RevocationStore>,
    /// The scopes this request needs (docs/scopes.md): a token with a `scope` claim that
    /// does not hold them all is `insufficient_scope`; a token without the claim holds
    /// everything.
    pub scopes: Option<&'a RequiredScopes>,
}

impl<'a> VerifyRequest<'a> {
    /// A request at an explicit time.
    pub fn at(now: u64) -> Self {
        VerifyRequest {
            now: Some(now),
            ..VerifyRequest::default()
        }
    }

    /// Sets the client address.
    pub fn client_ip(mut self, ip: IpAddr) -> Self {
        self.client_ip = Some(ip);
        self
    }

    /// Adds a revocation store for this call (the verifier's own store is still consulted).
    pub fn revocation(mut self, store: &'a dyn RevocationStore) -> Self {
        self.revocation = Some(store);
        self
    }

    /// Requires these scopes ([`VerifyRequest::scopes`]).
    pub fn scopes(mut self, required: &'a RequiredScopes) -> Self {
        self.scopes = Some(required);
        self
    }
}

/// Verifies tokens against a key ring. `Send + Sync`: share one across threads.
///
/// ```
/// use auth_core::{Issuer, Key, KeyRing, Algorithm, Lifetime, MintRequest, Subject, Verifier, VerifyRequest};
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"an example secret of 32 bytes or more").unwrap());
/// let issuer = Issuer::new(ring.clone());
/// let mut req = MintRequest::new(Subject::user(123, "alice", false));
/// req.now = Some(1_700_000_000);
/// let minted = issuer.mint(&req).unwrap();
///
/// let verifier = Verifier::new(ring);
/// let claims = verifier.verify_with(&minted.token, &VerifyRequest::at(1_700_000_100)).unwrap();
/// assert_eq!(claims.subject.name(), "alice");
/// assert_eq!(claims.exp, Some(1_700_000_000 + 86_400));
///
/// let err = verifier.verify_with(&minted.token, &VerifyRequest::at(1_700_086_400)).unwrap_err();
/// assert_eq!(err.code().as_str(), "token_expired");
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: SharedKeyRing,
    options: VerifyOptions,
    revocation: Option<Arc<dyn RevocationStore>>,
    signature_cache: Option<Arc<SignatureCache>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("options", &self.options)
            .field("revocation", &self.revocation.is_some())
            .field("signature_cache", &self.signature_cache)
            .finish()
    }
}

impl Verifier {
    /// A verifier with default options and no revocation store.
    ///
    /// `keys` is a [`SharedKeyRing`] the verifier follows (a clone of the handle), or a
    /// [`KeyRing`] value that becomes the verifier's own shared ring.
    pub fn new(keys: impl Into<SharedKeyRing>) -> Self {
        Verifier {
            keys: keys.into(),
            options: VerifyOptions::default(),
            revocation: None,
            signature_cache: None,
        }
    }

    /// A verifier with explicit options.
    pub fn with_options(keys: impl Into<SharedKeyRing>, options: VerifyOptions) -> Self {
        Verifier {
            keys: keys.into(),
            options,
            revocation: None,
            signature_cache: None,
        }
    }

    /// Consults `store` on every verification (a call may add a store of its own).
    pub fn set_revocation_store(&mut self, store: Option<Arc<dyn RevocationStore>>) {
        self.revocation = store;
    }

    /// Remembers positive signature verdicts in `cache` (docs/signature-cache.md): a token
    /// verified before under the same key ring skips its signature check; every other
    /// check still runs. `None` (the default) turns it off.
    pub fn set_signature_cache(&mut self, cache: Option<Arc<SignatureCache>>) {
        self.signature_cache = cache;
    }

    /// The signature cache, if one is set.
    pub fn signature_cache(&self) -> Option<&Arc<SignatureCache>> {
        self.signature_cache.as_ref()
    }

    /// The options.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Replaces the options.
    pub fn set_options(&mut self, options: VerifyOptions) {
        self.options = options;
    }

    /// The shared key ring this verifier follows; change it to rotate keys.
    pub fn keys(&self) -> &SharedKeyRing {
        &self.keys
    }

    /// Verifies a token at the system clock's time, with no client address.
    pub fn verify(&self, token: impl AsRef<[u8]>) -> Result<Claims> {
        self.verify_with(token, &VerifyRequest::default())
    }

    /// Verifies a token. Runs every check in this order, and stops at the first failure:
    ///
    /// 1. size: the token is at most [`VerifyOptions::max_token_size`] bytes → `token_too_large`
    ///    (before any decoding);
    /// 2. structure: three base64url segments, canonical, unpadded → `malformed_token`;
    /// 3. header: a strict JSON object with a string `alg` → `malformed_token`;
    /// 4. header parameters that change processing (`crit`, `b64`, `cty`, `jwk`, `jku`,
    ///    `x5u`, `x5c`) or a `typ` other than `JWT` → `unsupported_header`;
    /// 5. `alg` of `none` (any case) → `algorithm_not_allowed`;
    /// 6. key by `kid` (or the only / default key when there is no `kid`) → `unknown_key`;
    /// 7. header `alg` equal to the key's pinned algorithm → `algorithm_not_allowed`;
    /// 8. the MAC, compared in constant time, or the EdDSA / ECDSA / RSA signature → `bad_signature`;
    /// 9. claims: a strict JSON object (`malformed_token`) with the docs/token-format.md shape, times and ids
    ///    at most 2^53 − 1 (`invalid_claims`); then `aud` and `iss` against
    ///    [`VerifyOptions::audiences`] and [`VerifyOptions::issuer`] (`invalid_claims`);
    /// 10. `exp` (`token_expired`), `nbf` (`token_not_yet_valid`), `iat` (`issued_in_future`);
    /// 11. `allowed_ips` against the client address → `ip_not_allowed`;
    /// 12. revocation → `token_revoked`, or `revocation_unavailable` when no store knows the
    ///     token revoked and one cannot answer (it may call into the host);
    /// 13. the request's [`VerifyRequest::scopes`] → `insufficient_scope` (last: the answer
    ///     says the token is valid, so it is given only to a token that is).
    ///
    /// Nothing from the payload is parsed before the signature has verified.
    pub fn verify_with(&self, token: impl AsRef<[u8]>, req: &VerifyRequest<'_>) -> Result<Claims> {
        let claims = self.verify_seeds(token.as_ref(), req.now)?;
        check_audience_and_issuer(&claims, &self.options)?;
        let now = clock::now_or_system(req.now)?;
        check_times(&claims, now, &self.options)?;
        if let Some(rules) = &claims.allowed_ips {
            match req.client_ip {
                Some(ip) if rules_allow(rules, ip) => {}
                Some(_) => {
                    return Err(Error::with_message(
                        ErrorCode::IpNotAllowed,
                        "client address is not in the token's allowed_ips",
                    ))
                }
                None => {
                    return Err(Error::with_message(
                        ErrorCode::IpNotAllowed,
                        "token is restricted to allowed_ips and no client address was given",
                    ))
                }
            }
        }
        let stores = [self.revocation.as_deref(), req.revocation];
        if stores.iter().any(Option::is_some) {
            // `parent` included, so a store can block a principal and what it delegated.
            let q = RevocationQuery::for_claims(&claims);
            // Every store is asked: a per-call store adds to the verifier's, never replaces it.
            // A store that knows the token is revoked wins over one that cannot answer.
            let mut unavailable = false;
            for store in stores.into_iter().flatten() {
                match store.revocation_status(&q) {
                    RevocationStatus::Revoked => return Err(Error::new(ErrorCode::TokenRevoked)),
                    RevocationStatus::Unavailable => unavailable = true,
                    RevocationStatus::NotRevoked => {}
                }
            }
            if unavailable {
                return Err(Error::new(ErrorCode::RevocationUnavailable));
            }
        }
        if let Some(required) = req.scopes {
            required.check(claims.scope.as_ref())?;
        }
        Ok(claims)
    }

    /// The claims of a token about to be revoked (RFC 7009): steps 1–10 — signature, claim
    /// shape, audience, issuer and times — but not its `allowed_ips`, revocation or scopes,
    /// which decide whether a request may *use* the token, not whether its holder may
    /// *disable* it. Never use the result to grant access.
    pub fn verify_for_revocation(
        &self,
        token: impl AsRef<[u8]>,
        now: Option<u64>,
    ) -> Result<Claims> {
        let claims = self.verify_seeds(token.as_ref(), now)?;
        check_audience_and_issuer(&claims, &self.options)?;
        check_times(&claims, clock::now_or_system(now)?, &self.options)?;
        Ok(claims)
    }

    /// Steps 1–9 with the seeds profile ([`decode_claims`]), refusing a verifier of
    /// another profile.
    fn verify_seeds(&self, token: &[u8], now: Option<u64>) -> Result<Claims> {
        registered::expect_profile(&self.options.profile, false)?;
        self.verify_signature(token, now, decode_claims)
    }

    /// Steps 1–9: size, structure, header, key, algorithm, MAC, then the payload handed to
    /// `decode` (the profile's claim shape) — no time, address or revocation checks. `now`
    /// only dates a signature-cache entry.
    fn verify_signature<T: TokenExpiry>(
        &self,
        token: &[u8],
        now: Option<u64>,
        decode: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        if token.len() > self.options.max_token_size {
            return Err(Error::with_message(
                ErrorCode::TokenTooLarge,
                format!("token is larger than {} bytes", self.options.max_token_size),
            ));
        }
        self.verify_segments(token, now, decode)
            .map_err(|e| jws::alphabet_error(token).unwrap_or(e))
    }

    /// Steps 2–9 of [`Verifier::verify_signature`] (see [`jws::split`] for where the
    /// base64url alphabet is checked).
    fn verify_segments<T: TokenExpiry>(
        &self,
        token: &[u8],
        now: Option<u64>,
        decode: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let seg = jws::split(token)?;
        let ring = self.keys.load();
        // A header byte-identical to one this ring mints with needs no parsing.
        let known = ring
            .keys()
            .iter()
            .find(|k| k.header_b64().as_bytes() == seg.header);
        let key = match known {
            Some(k) => k,
            None => resolve_header(&ring, seg.header)?,
        };

        // The same bytes verified under this ring before skip step 8 (docs/signature-cache.md).
        let cached = SignatureCache::probe(
            self.signature_cache.as_deref(),
            key.algorithm(),
            &ring,
            token,
            now,
        );

        // The signature is decoded only when its length can be the key's (66 bytes of room at
        // least, as before RSA): an HMAC, EdDSA or ES256 signature (at most 64 bytes) on the
        // stack, an ES384/ES512 or RSA one (96 to 1024 bytes, whose check costs a thousand
        // times the allocation) on the heap.
        let room = (key.signature_len() + 3).max(66);
        if decoded_len_bound(seg.signature.len()) > room {
            return Err(Error::with_message(
                ErrorCode::BadSignature,
                "signature has the wrong length",
            ));
        }
        let mut stack = [0u8; 66];
        let mut heap = Vec::new();
        let buf = if room <= stack.len() {
            &mut stack[..]
        } else {
            heap.resize(room, 0);
            &mut heap[..]
        };
        let n = jws::decode_segment_into(seg.signature, buf)?;
        if !cached.hit() && !key.verify_signature(seg.signing_input, &buf[..n]) {
            return Err(Error::new(ErrorCode::BadSignature));
        }

        let claims = jws::with_decoded(seg.payload, decode)?;
        cached.remember(claims.exp());
        Ok(claims)
    }
}

/// Steps 3–7 for a header this ring does not mint with: parse it, refuse what changes
/// processing, and find the key it names.
fn resolve_header<'r>(ring: &'r KeyRing, header_seg: &[u8]) -> Result<&'r Key> {
    jws::with_decoded(header_seg, |bytes| resolve_parsed_header(ring, bytes))
}

/// [`resolve_header`] on the decoded header bytes.
fn resolve_parsed_header<'r>(ring: &'r KeyRing, bytes: &[u8]) -> Result<&'r Key> {
    let header = jws::parse_header(bytes)?;
    if let Some(name) = header.unsupported {
        return Err(Error::with_message(
            ErrorCode::UnsupportedHeader,
            format!("header parameter `{name}` is not supported"),
        ));
    }
    if header.bad_typ {
        return Err(Error::with_message(
            ErrorCode::UnsupportedHeader,
            "header `typ` must be JWT",
        ));
    }
    if header.alg.eq_ignore_ascii_case("none") {
        return Err(Error::with_message(
            ErrorCode::AlgorithmNotAllowed,
            "unsigned tokens (alg none) are never accepted",
        ));
    }
    let key = ring.resolve(header.kid.as_deref())?;
    if Algorithm::from_name(&header.alg) != Some(key.algorithm()) {
        return Err(Error::with_message(
            ErrorCode::AlgorithmNotAllowed,
            format!("the key is pinned to {}", key.algorithm()),
        ));
    }
    Ok(key)
}

/// End of step 9: `aud` and `iss` against the configured audiences and issuer (docs/keys.md,
/// RFC 7519 §4.1.1 and §4.1.3) → `invalid_claims`.
fn check_audience_and_issuer(claims: &Claims, options: &VerifyOptions) -> Result<()> {
    check_aud_iss(
        claims.audience.as_deref(),
        claims.issuer.as_deref(),
        options,
    )
}

/// [`check_audience_and_issuer`] on the claims' `aud` and `iss`, whatever the profile.
fn check_aud_iss(
    audience: Option<&[String]>,
    issuer: Option<&str>,
    options: &VerifyOptions,
) -> Result<()> {
    if options.require_audience && audience.is_none() {
        return Err(Error::with_message(
            ErrorCode::InvalidClaims,
            "token has no `aud` claim and this verifier requires one",
        ));
    }
    if let Some(aud) = audience {
        if !aud.iter().any(|a| options.audiences.contains(a)) {
            return Err(Error::with_message(
                ErrorCode::InvalidClaims,
                if options.audiences.is_empty() {
                    "token has an `aud` claim and this verifier has no audience configured"
                } else {
                    "token's `aud` does not name this verifier's audience"
                },
            ));
        }
    }
    if let Some(want) = &options.issuer {
        if issuer != Some(want.as_str()) {
            return Err(Error::with_message(
                ErrorCode::InvalidClaims,
                "token's `iss` is missing or not the expected issuer",
            ));
        }
    }
    Ok(())
}

/// Step 10: `exp`, `nbf`, `iat` against `now` (docs/ttl.md). The messages give both times
/// as UNIX seconds and ISO-8601 UTC, and how far apart they are.
pub fn check_times(claims: &Claims, now: u64, options: &VerifyOptions) -> Result<()> {
    check_time_values(claims.exp, claims.nbf, Some(claims.iat), now, options)
}

/// [`check_times`] on the three times, whatever the profile (`iat` absent: not checked).
fn check_time_values(
    exp: Option<u64>,
    nbf: Option<u64>,
    iat: Option<u64>,
    now: u64,
    options: &VerifyOptions,
) -> Result<()> {
    let leeway = match options.leeway {
        0 => String::new(),
        s => format!(" (leeway {s} s)"),
    };
    if let Some(exp) = exp {
        if now >= exp.saturating_add(options.leeway) {
            return Err(Error::with_message(
                ErrorCode::TokenExpired,
                format!(
                    "token expired at {} (exp {exp}), now {} ({now}): {} s ago{leeway}",
                    utc_text(exp),
                    utc_text(now),
                    now - exp,
                ),
            ));
        }
    }
    if let Some(nbf) = nbf {
        if now < nbf.saturating_sub(options.leeway) {
            return Err(Error::with_message(
                ErrorCode::TokenNotYetValid,
                format!(
                    "token is not valid before {} (nbf {nbf}), now {} ({now}): valid in {} s{leeway}",
                    utc_text(nbf),
                    utc_text(now),
                    nbf - now,
                ),
            ));
        }
    }
    let Some(iat) = iat else { return Ok(()) };
    if iat > now.saturating_add(options.max_clock_skew) {
        return Err(Error::with_message(
            ErrorCode::IssuedInFuture,
            format!(
                "token issued at {} (iat {}), now {} ({now}): {} s in the future, more than the allowed clock skew of {} s",
                utc_text(iat),
                iat,
                utc_text(now),
                iat - now,
                options.max_clock_skew,
            ),
        ));
    }
    Ok(())
}
