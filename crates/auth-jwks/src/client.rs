//! The client: one URL, one shared key ring it keeps current, one fetch at a time.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use auth_core::{
    Claims, Error, ErrorCode, RegisteredClaims, Result, SharedKeyRing, Verifier, VerifyOptions,
    VerifyRequest,
};
use ureq::Agent;

use crate::fetch::{self, unavailable};
use crate::options::{check_url, invalid, JwksOptions};

/// Fetches a JWK Set by URL and keeps a [`SharedKeyRing`] equal to the last good one.
///
/// * **Lazy, on the verify path**: nothing is fetched when the client is made. The first
///   verification (or [`refresh`](Self::refresh)) fetches; a set older than its lifetime
///   ([`JwksOptions::cache_lifetime`], or the answer's `max-age`) is fetched again by the next
///   verification. No background thread.
/// * **Refetch on an unknown `kid`**: a token whose `kid` is not in the set makes the client
///   fetch once (when [`JwksOptions::refetch_cooldown`] has passed since the last attempt)
///   and verify again; a `kid` still unknown is `unknown_key`.
/// * **One fetch at a time**: concurrent verifiers never start more than one fetch. While a
///   fetch runs, verifiers that hold keys go on with them; verifiers that need the answer (no
///   keys yet, an unknown `kid`) wait for it and do not fetch again.
/// * **A bad answer changes nothing**: an HTTP error, a timeout, a redirect, a body over
///   [`JwksOptions::max_bytes`], text that is not JSON, a set the core refuses
///   ([`auth_core::KeyRing::from_jwks`]) or an empty set leaves the ring as it was
///   ([`SharedKeyRing::replace_from_jwks`] swaps atomically) and is reported by
///   [`last_error`](Self::last_error) and [`status`](Self::status) until a fetch succeeds.
/// * **Fails closed**: with no key set fetched yet, verification is `jwks_unavailable` (503).
///
/// Cloning gives another handle on the same client. `Send + Sync`.
#[derive(Clone)]
pub struct JwksClient {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    options: JwksOptions,
    agent: Agent,
    ring: SharedKeyRing,
    /// Held for the whole of a fetch: at most one at a time.
    fetching: Mutex<()>,
    /// Short-held bookkeeping.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// When the current set goes stale; `None` until a fetch succeeded.
    fresh_until: Option<Instant>,
    last_attempt: Option<Instant>,
    last_success: Option<SystemTime>,
    last_error: Option<Error>,
    attempts: u64,
    failures: u64,
}

/// What [`JwksClient::status`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksStatus {
    /// Keys in the ring now (0 until a fetch succeeded).
    pub keys: usize,
    /// Fetch attempts so far (successful or not).
    pub attempts: u64,
    /// Attempts that failed.
    pub failures: u64,
    /// When the last successful fetch finished.
    pub last_success: Option<SystemTime>,
    /// Why the last attempt failed, if it did (cleared by the next success).
    pub last_error: Option<Error>,
    /// How long the current set stays fresh (zero: stale, the next verification may fetch);
    /// `None` before the first success.
    pub fresh_for: Option<Duration>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl JwksClient {
    /// A client for `url` (`https://`; `http://` only with [`JwksOptions::allow_http`]).
    /// Fetches nothing yet. Errors: `invalid_request` (the URL, an option, the CA file).
    pub fn new(url: &str, options: JwksOptions) -> Result<JwksClient> {
        check_url(url, options.allow_http)?;
        options.check()?;
        let agent = fetch::agent(&options)?;
        Ok(JwksClient {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                options,
                agent,
                ring: SharedKeyRing::new(),
                fetching: Mutex::new(()),
                state: Mutex::new(State::default()),
            }),
        })
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The options.
    pub fn options(&self) -> &JwksOptions {
        &self.inner.options
    }

    /// A handle on the ring this client keeps current (verify-only public keys).
    pub fn ring(&self) -> SharedKeyRing {
        self.inner.ring.clone()
    }

    /// A verifier following this client's ring, with `options`. Verify through
    /// [`verify_with`](Self::verify_with) so that stale sets and unknown `kid`s are fetched.
    pub fn verifier(&self, options: VerifyOptions) -> Verifier {
        Verifier::with_options(self.inner.ring.clone(), options)
    }

    /// Fetches the set now (waiting for a fetch already running, then fetching again), and
    /// replaces the ring with it. Errors: `jwks_unavailable` saying what was wrong; the ring
    /// is then unchanged.
    pub fn refresh(&self) -> Result<()> {
        let _one = lock(&self.inner.fetching);
        self.attempt()
    }

    /// Why the last fetch failed, or `None` when it succeeded (or none was made).
    pub fn last_error(&self) -> Option<Error> {
        lock(&self.inner.state).last_error.clone()
    }

    /// Counters and times of the fetches.
    pub fn status(&self) -> JwksStatus {
        let s = lock(&self.inner.state);
        JwksStatus {
            keys: self.inner.ring.len(),
            attempts: s.attempts,
            failures: s.failures,
            last_success: s.last_success,
            last_error: s.last_error.clone(),
            fresh_for: fetch::remaining(s.fresh_until),
        }
    }

    /// Verifies `token` with `verifier` (which must follow this client's ring: make it with
    /// [`verifier`](Self::verifier)), first fetching the set when it is stale or was never
    /// fetched; on `unknown_key` for a `kid` the set lacks, fetches once (cooldown allowing)
    /// and verifies again.
    ///
    /// Errors: those of [`Verifier::verify_with`]; `jwks_unavailable` when no key set has been
    /// fetched; `invalid_request` for a verifier of another ring.
    pub fn verify_with(
        &self,
        verifier: &Verifier,
        token: impl AsRef<[u8]>,
        req: &VerifyRequest<'_>,
    ) -> Result<Claims> {
        self.run(verifier, token.as_ref(), |t| verifier.verify_with(t, req))
    }

    /// As [`verify_with`](Self::verify_with), with the registered claims profile
    /// ([`Verifier::verify_registered_with`]: the verifier's options must select it).
    pub fn verify_registered_with(
        &self,
        verifier: &Verifier,
        token: impl AsRef<[u8]>,
        req: &VerifyRequest<'_>,
    ) -> Result<RegisteredClaims> {
        self.run(verifier, token.as_ref(), |t| {
            verifier.verify_registered_with(t, req)
        })
    }

    /// Freshness first, then `verify`; on `unknown_key` for a `kid` the set lacks, one
    /// refetch (cooldown allowing) and `verify` again.
    fn run<T>(
        &self,
        verifier: &Verifier,
        token: &[u8],
        verify: impl Fn(&[u8]) -> Result<T>,
    ) -> Result<T> {
        if !verifier.keys().same_ring(&self.inner.ring) {
            return Err(invalid(
                "the verifier does not follow this JWKS client's ring (make it with JwksClient::verifier)",
            ));
        }
        self.ensure_fresh();
        let seen = lock(&self.inner.state).attempts;
        if self.inner.ring.is_empty() {
            return Err(self.no_keys());
        }
        match verify(token) {
            Err(e) if e.code() == ErrorCode::UnknownKey => {
                let max = verifier.options().max_token_size;
                let kid = auth_core::inspect_unverified(token, max)
                    .ok()
                    .and_then(|u| u.header.get("kid")?.as_str().map(str::to_owned));
                match kid {
                    Some(kid) if self.refetch_for(&kid, seen) => verify(token),
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    /// `jwks_unavailable` naming the last failure.
    fn no_keys(&self) -> Error {
        match self.last_error() {
            Some(e) => unavailable(format!("no JWK Set has been fetched: {}", e.message())),
            None => unavailable("no JWK Set has been fetched yet"),
        }
    }

    /// Whether the cooldown since the last attempt has passed.
    fn cooled(&self, s: &State) -> bool {
        s.last_attempt
            .is_none_or(|t| t.elapsed() >= self.inner.options.refetch_cooldown)
    }

    /// Fetches when the set is stale or missing and the cooldown allows. A client holding
    /// keys never waits for another thread's fetch; one without waits for it.
    fn ensure_fresh(&self) {
        let (seen, has_keys) = {
            let s = lock(&self.inner.state);
            let fresh = s.fresh_until.is_some_and(|t| Instant::now() < t);
            if fresh || !self.cooled(&s) {
                return;
            }
            (s.attempts, s.fresh_until.is_some())
        };
        let _one = if has_keys {
            match self.inner.fetching.try_lock() {
                Ok(g) => g,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => return,
            }
        } else {
            lock(&self.inner.fetching)
        };
        if lock(&self.inner.state).attempts != seen {
            return; // another thread fetched meanwhile
        }
        let _ = self.attempt();
    }

    /// For a token whose `kid` the set lacked (when attempt number `seen` was the last):
    /// whether it is worth verifying again — the kid arrived, or this call fetched.
    fn refetch_for(&self, kid: &str, seen: u64) -> bool {
        let _one = lock(&self.inner.fetching);
        if self.inner.ring.contains(kid) {
            return true;
        }
        {
            let s = lock(&self.inner.state);
            if s.attempts != seen || !self.cooled(&s) {
                return false;
            }
        }
        self.attempt().is_ok() && self.inner.ring.contains(kid)
    }

    /// One fetch (the caller holds `fetching`): replaces the ring on success, records the
    /// outcome either way.
    fn attempt(&self) -> Result<()> {
        let result = fetch::fetch(
            &self.inner.agent,
            &self.inner.url,
            self.inner.options.max_bytes,
        )
        .and_then(|got| {
            let ring = auth_core::KeyRing::from_jwks(&got.text)
                .map_err(|e| unavailable(format!("the JWK Set was refused: {e}")))?;
            if ring.is_empty() {
                return Err(unavailable("the JWK Set holds no key"));
            }
            self.inner.ring.replace(ring);
            Ok(self.inner.options.lifetime(got.cache_control.as_deref()))
        });
        let mut s = lock(&self.inner.state);
        // The cooldown runs from the end of an attempt: a slow endpoint is not asked again
        // at once after a fetch that took long.
        s.last_attempt = Some(Instant::now());
        s.attempts += 1;
        match result {
            Ok(lifetime) => {
                s.fresh_until = Some(Instant::now() + lifetime);
                s.last_success = Some(SystemTime::now());
                s.last_error = None;
                Ok(())
            }
            Err(e) => {
                s.failures += 1;
                s.last_error = Some(e.clone());
                Err(e)
            }
        }
    }
}

impl std::fmt::Debug for JwksClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksClient")
            .field("url", &self.inner.url)
            .field("status", &self.status())
            .finish()
    }
}
