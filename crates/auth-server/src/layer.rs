//! The reusable middleware: a `tower` layer that authenticates every request with the core's
//! [`Authenticator`] and answers the request itself with the core's [`Answer`] when that
//! fails. It decides nothing: it hands the core the request's `Authorization` and
//! `X-Forwarded-For` lines and its peer address, and copies the answer out (docs/http.md).
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{routing::get, Extension, Router};
//! use auth_core::{Algorithm, Key, KeyRing, MemoryRevocationStore, Verifier};
//! use auth_server::{AuthLayer, Authenticated};
//!
//! let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap());
//! let layer = AuthLayer::new(Verifier::new(ring)).revocation(Arc::new(MemoryRevocationStore::new()));
//! let app: Router = Router::new()
//!     .route("/me", get(|Extension(auth): Extension<Authenticated>| async move { auth.claims.to_json() }))
//!     .layer(layer);
//! ```
//!
//! With [`AuthLayer::optional`] a request without bearer credentials reaches the inner
//! service anonymously — no [`Authenticated`] extension; handlers take
//! `Option<Extension<Authenticated>>` — while a request whose credentials fail is still
//! answered with the refusal ([`Authenticator::authenticate_optional`]).
//!
//! The layer works with any `tower` stack whose requests are `http::Request`s (axum, tonic,
//! hyper): it reads the peer address from the request's extensions (axum's `ConnectInfo`, or
//! [`PeerAddr`](crate::PeerAddr); neither: a connection without an IP address) and answers
//! with `http::Response<axum::body::Body>`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

pub use auth_core::Authenticated;
use auth_core::{
    accept_format, Answer, AnswerStyle, Authenticator, Error, ErrorCode, Format, RequiredScopes,
    RevocationStore, TrustedProxies, Verifier,
};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, AUTHORIZATION};
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::client_addr::{peer_ip, FORWARDED_FOR};
use crate::last_used::LastUsed;
use crate::metrics::Metrics;

/// The middleware: [`Authenticator::authenticate`] on every request, then
/// [`Authenticated`] into the request's extensions; a refusal is answered with
/// [`Answer::refusal`] in the layer's [`AnswerStyle`] (the login API's by default).
///
/// Cheap to clone (two `Arc`s).
#[derive(Clone, Debug)]
pub struct AuthLayer {
    auth: Arc<Authenticator>,
    style: AnswerStyle,
    metrics: Option<Arc<Metrics>>,
    optional: bool,
    scopes: Option<Arc<RequiredScopes>>,
    last_used: Option<Arc<LastUsed>>,
}

impl AuthLayer {
    /// A layer verifying with `verifier` (and its own revocation store, if it has one); no
    /// trusted proxy; login-API error bodies.
    pub fn new(verifier: Verifier) -> Self {
        AuthLayer::from_authenticator(Authenticator::new(verifier))
    }

    /// A layer over a configured [`Authenticator`].
    pub fn from_authenticator(auth: Authenticator) -> Self {
        AuthLayer {
            auth: Arc::new(auth),
            style: AnswerStyle::LoginApi,
            metrics: None,
            optional: false,
            scopes: None,
            last_used: None,
        }
    }

    fn map(self, f: impl FnOnce(Authenticator) -> Authenticator) -> Self {
        AuthLayer {
            auth: Arc::new(f((*self.auth).clone())),
            ..self
        }
    }

    /// Counts every authentication in `metrics` (`auth_verifications_total` by result,
    /// `auth_verification_duration_seconds`).
    #[must_use]
    pub fn metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Also asks `store` whether a token is revoked (in addition to the verifier's own store).
    #[must_use]
    pub fn revocation(self, store: Arc<dyn RevocationStore>) -> Self {
        self.map(|a| a.revocation(store))
    }

    /// Believes `X-Forwarded-For` from these proxies ([`TrustedProxies::client_ip`]).
    #[must_use]
    pub fn trusted_proxies(self, proxies: TrustedProxies) -> Self {
        self.map(|a| a.trusted_proxies(proxies))
    }

    /// The same layer answering refusals in `style`.
    #[must_use]
    pub fn error_style(mut self, style: AnswerStyle) -> Self {
        self.style = style;
        self
    }

    /// With `true`, optional authentication ([`Authenticator::authenticate_optional`]): a
    /// request without bearer credentials reaches the inner service without an
    /// [`Authenticated`] extension (handlers take `Option<Extension<Authenticated>>`); a
    /// request whose credentials fail — malformed, expired, revoked, from a refused address —
    /// is still answered with the refusal. Default `false`: every request needs a token.
    ///
    /// ```
    /// use axum::{routing::get, Extension, Router};
    /// use auth_core::{Algorithm, Key, KeyRing, Verifier};
    /// use auth_server::{AuthLayer, Authenticated};
    ///
    /// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap());
    /// let app: Router = Router::new()
    ///     .route("/hello", get(|auth: Option<Extension<Authenticated>>| async move {
    ///         match auth {
    ///             Some(Extension(a)) => format!("hello, {}", a.claims.subject.name()),
    ///             None => "hello, stranger".to_owned(),
    ///         }
    ///     }))
    ///     .layer(AuthLayer::new(Verifier::new(ring)).optional(true));
    /// ```
    #[must_use]
    pub fn optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// The same layer requiring `scopes` of every token (docs/scopes.md): a token whose
    /// `scope` claim does not hold them is answered `insufficient_scope` (403, with the
    /// RFC 6750 challenge naming them); a token without the claim holds everything. Layer
    /// each route with the requirement it needs.
    ///
    /// ```
    /// use axum::{routing::post, Router};
    /// use auth_core::{Algorithm, Key, KeyRing, ScopeVocabulary, Verifier};
    /// use auth_server::AuthLayer;
    ///
    /// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap());
    /// let vocab = ScopeVocabulary::from_pairs(&[("sms", &["sms:send"][..]), ("sms:send", &[])]).unwrap();
    /// let auth = AuthLayer::new(Verifier::new(ring));
    /// let app: Router = Router::new()
    ///     .route("/sms", post(|| async { "sent" }).layer(auth.require_scopes(vocab.require(&["sms:send"]).unwrap())));
    /// ```
    #[must_use]
    pub fn require_scopes(mut self, scopes: RequiredScopes) -> Self {
        self.scopes = Some(Arc::new(scopes));
        self
    }

    /// The scopes every request needs ([`require_scopes`](Self::require_scopes)).
    pub fn required_scopes(&self) -> Option<&RequiredScopes> {
        self.scopes.as_deref()
    }

    /// Notes every authenticated request's token, time and client address in `last_used`
    /// (written to the database off the request path).
    #[must_use]
    pub fn last_used(mut self, last_used: Arc<LastUsed>) -> Self {
        self.last_used = Some(last_used);
        self
    }

    /// Whether authentication is optional ([`optional`](Self::optional)).
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// The authenticator.
    pub fn authenticator(&self) -> &Authenticator {
        &self.auth
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        self.auth.verifier()
    }

    /// The trusted proxies.
    pub fn proxies(&self) -> &TrustedProxies {
        self.auth.proxies()
    }

    /// The client address of a request's parts ([`TrustedProxies::client_ip`]); `None`:
    /// unknown (a connection without an IP address).
    pub fn client_ip(
        &self,
        extensions: &http::Extensions,
        headers: &HeaderMap,
    ) -> Result<Option<std::net::IpAddr>, Error> {
        self.auth
            .proxies()
            .client_ip(peer_ip(extensions), &lines(headers, &FORWARDED_FOR))
    }

    /// Authenticates a request's parts without answering it (for handlers that answer in
    /// their own way, such as nginx's `auth_request` endpoint).
    pub fn authenticate(
        &self,
        extensions: &http::Extensions,
        headers: &HeaderMap,
    ) -> Result<Authenticated, Error> {
        self.authenticate_scoped(extensions, headers, self.scopes.as_deref())
    }

    /// [`authenticate`](Self::authenticate) requiring `scopes` instead of the layer's own
    /// (for a handler whose requirement comes with the request, such as `/a/auth?scope=`).
    pub fn authenticate_scoped(
        &self,
        extensions: &http::Extensions,
        headers: &HeaderMap,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Authenticated, Error> {
        self.authenticate_parts(extensions, headers, false, scopes)
            .and_then(|found| found.ok_or_else(|| Error::new(ErrorCode::MissingToken)))
    }

    /// [`authenticate`](Self::authenticate) under optional authentication
    /// ([`Authenticator::authenticate_optional`]): `Ok(None)` for a request without bearer
    /// credentials. Anonymous requests are not counted in the metrics (no token was verified).
    pub fn authenticate_optional(
        &self,
        extensions: &http::Extensions,
        headers: &HeaderMap,
    ) -> Result<Option<Authenticated>, Error> {
        self.authenticate_parts(extensions, headers, true, self.scopes.as_deref())
    }

    fn authenticate_parts(
        &self,
        extensions: &http::Extensions,
        headers: &HeaderMap,
        optional: bool,
        scopes: Option<&RequiredScopes>,
    ) -> Result<Option<Authenticated>, Error> {
        let start = self.metrics.as_ref().map(|_| Instant::now());
        let (authorization, peer) = (lines(headers, &AUTHORIZATION), peer_ip(extensions));
        let forwarded_for = lines(headers, &FORWARDED_FOR);
        let result = if optional {
            self.auth.authenticate_optional_scoped_at(
                &authorization,
                peer,
                &forwarded_for,
                None,
                scopes,
            )
        } else {
            self.auth
                .authenticate_scoped_at(&authorization, peer, &forwarded_for, None, scopes)
                .map(Some)
        };
        if let (Some(tracker), Ok(Some(auth))) = (&self.last_used, &result) {
            if let Ok(now) = auth_core::system_now() {
                tracker.record(&auth.claims.jti, now, auth.client_ip);
            }
        }
        if let (Some(metrics), Some(start)) = (&self.metrics, start) {
            match &result {
                Ok(None) => {}
                Ok(Some(_)) => metrics.verification(Ok(()), start.elapsed()),
                Err(err) => metrics.verification(Err(err.code()), start.elapsed()),
            }
        }
        result
    }
}

/// Every line of header `name`, as received.
pub fn lines<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Vec<&'a [u8]> {
    headers
        .get_all(name)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect()
}

/// The response format a request asks for with `Accept` ([`accept_format`]).
pub fn response_format(headers: &HeaderMap) -> Format {
    accept_format(&lines(headers, &ACCEPT))
}

/// The response for a core [`Answer`]: its status, headers and body as they are.
pub fn answer_response(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = answer.headers();
    let mut res = (status, answer.body).into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            res.headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    res
}

/// The response refusing a request with `err` in `style` ([`Answer::refusal`]).
pub fn error_response(err: &Error, style: AnswerStyle, headers: &HeaderMap) -> Response {
    answer_response(Answer::refusal(err, style, &lines(headers, &ACCEPT)))
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around an inner service.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    layer: AuthLayer,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<S>
where
    S: Service<Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let found = self.layer.authenticate_parts(
            req.extensions(),
            req.headers(),
            self.layer.optional,
            self.layer.scopes.as_deref(),
        );
        match found {
            Ok(found) => {
                if let Some(auth) = found {
                    tracing::debug!(
                        kind = %auth.claims.subject.kind(),
                        id = auth.claims.subject.id(),
                        "request authenticated"
                    );
                    req.extensions_mut().insert(auth);
                } else {
                    tracing::debug!("anonymous request (optional authentication)");
                }
                // The service that was polled ready handles this request; a fresh clone
                // stays behind for the next one.
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                Box::pin(async move { Ok(inner.call(req).await?.map(Body::new)) })
            }
            Err(err) => {
                tracing::info!(code = %err.code(), path = %req.uri().path(), "request refused");
                let res = error_response(&err, self.layer.style, req.headers());
                Box::pin(async move { Ok(res) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_response_format_follows_accept_and_defaults_to_json() {
        let mut h = HeaderMap::new();
        assert_eq!(response_format(&h), Format::Json);
        h.insert(ACCEPT, HeaderValue::from_static("application/xml"));
        assert_eq!(response_format(&h), Format::Xml);
        h.insert(ACCEPT, HeaderValue::from_static("text/html"));
        assert_eq!(response_format(&h), Format::Json);
    }

    #[test]
    fn an_answer_is_copied_out_as_it_is() {
        let answer = Answer::rate_limited(30, AnswerStyle::TokenApi, &[b"application/xml"]);
        let want = answer.clone();
        let res = answer_response(answer);
        assert_eq!(res.status().as_u16(), want.status);
        for (name, value) in want.headers() {
            assert_eq!(res.headers()[name], value.as_str(), "{name}");
        }
    }
}
