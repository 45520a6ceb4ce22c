//! The reusable middleware: a `tower` layer that authenticates every request with its bearer
//! token, from the client's address, against revocation — and answers the request itself,
//! with the right status and body, when that fails.
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
//! The layer works with any `tower` stack whose requests are `http::Request`s (axum, tonic,
//! hyper): it needs the peer address in the request's extensions (axum's `ConnectInfo`, or
//! [`PeerAddr`](crate::PeerAddr)) and answers with `http::Response<axum::body::Body>`.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use auth_core::{
    error_status, login_error_json, sms_error_body, Claims, Error, ErrorCode, Format,
    RevocationStore, Verifier, VerifyRequest,
};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::client_addr::TrustedProxies;

/// A request that passed [`AuthLayer`]: in the request's extensions for the handlers behind it.
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// The verified claims of the bearer token.
    pub claims: Claims,
    /// The client address the token was checked from.
    pub client_ip: IpAddr,
}

/// Which error body the layer answers with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorStyle {
    /// The login API's `{"error": {"code", "message", "status"}}` (JSON).
    #[default]
    LoginApi,
    /// The token API's `{"status": 0, "message", "error"}`, in JSON or XML per `Accept`.
    TokenApi,
}

struct Shared {
    verifier: Verifier,
    revocation: Option<Arc<dyn RevocationStore>>,
    proxies: TrustedProxies,
}

/// The middleware: verifies `Authorization: Bearer <token>` from the client address (see
/// [`TrustedProxies`]) and against the revocation store, then puts [`Authenticated`] into
/// the request's extensions. Any failure is answered by the layer with the error code's
/// status ([`error_status`]) and body ([`ErrorStyle`]); 401s carry `WWW-Authenticate: Bearer`.
///
/// Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AuthLayer {
    shared: Arc<Shared>,
    style: ErrorStyle,
}

impl std::fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLayer")
            .field("verifier", &self.shared.verifier)
            .field("revocation", &self.shared.revocation.is_some())
            .field("proxies", &self.shared.proxies)
            .field("style", &self.style)
            .finish()
    }
}

impl AuthLayer {
    /// A layer verifying with `verifier` (and its own revocation store, if it has one); no
    /// trusted proxy; login-API error bodies.
    pub fn new(verifier: Verifier) -> Self {
        AuthLayer {
            shared: Arc::new(Shared {
                verifier,
                revocation: None,
                proxies: TrustedProxies::none(),
            }),
            style: ErrorStyle::LoginApi,
        }
    }

    fn with_shared(self, f: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = Shared {
            verifier: self.shared.verifier.clone(),
            revocation: self.shared.revocation.clone(),
            proxies: self.shared.proxies.clone(),
        };
        f(&mut shared);
        AuthLayer {
            shared: Arc::new(shared),
            style: self.style,
        }
    }

    /// Also asks `store` whether a token is revoked (in addition to the verifier's own store).
    #[must_use]
    pub fn revocation(self, store: Arc<dyn RevocationStore>) -> Self {
        self.with_shared(|s| s.revocation = Some(store))
    }

    /// Believes `X-Forwarded-For` from these proxies (see [`TrustedProxies::client_ip`]).
    #[must_use]
    pub fn trusted_proxies(self, proxies: TrustedProxies) -> Self {
        self.with_shared(|s| s.proxies = proxies)
    }

    /// The same layer answering errors in `style`.
    #[must_use]
    pub fn error_style(mut self, style: ErrorStyle) -> Self {
        self.style = style;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.shared.verifier
    }

    /// The trusted proxies.
    pub fn proxies(&self) -> &TrustedProxies {
        &self.shared.proxies
    }

    /// Authenticates a request's parts without answering it (for handlers that answer in
    /// their own way, such as nginx's `auth_request` endpoint): the client address, the
    /// bearer token, then [`Verifier::verify_with`] with both and the revocation store.
    pub fn authenticate(
        &self,
        extensions: &http::Extensions,
        headers: &HeaderMap,
    ) -> Result<Authenticated, Error> {
        let client_ip = self.shared.proxies.client_ip_of(extensions, headers)?;
        let token = bearer_token(headers)?;
        let mut req = VerifyRequest::default().client_ip(client_ip);
        if let Some(store) = &self.shared.revocation {
            req = req.revocation(store.as_ref());
        }
        let claims = self.shared.verifier.verify_with(token, &req)?;
        Ok(Authenticated { claims, client_ip })
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
/// Missing, repeated or of another scheme → `malformed_token` (401).
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, Error> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(Error::with_message(
            ErrorCode::MalformedToken,
            "one Authorization: Bearer header is required",
        ));
    };
    let text = value.to_str().unwrap_or("");
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            let token = token.trim_start_matches(' ');
            if token.is_empty() || token.contains(' ') {
                Err(Error::with_message(
                    ErrorCode::MalformedToken,
                    "the Authorization header holds no bearer token",
                ))
            } else {
                Ok(token)
            }
        }
        _ => Err(Error::with_message(
            ErrorCode::MalformedToken,
            "the Authorization header is not a Bearer token",
        )),
    }
}

/// The response format a request asks for with `Accept`: JSON unless it names XML
/// ([`Format::from_media_type`]); absent or naming neither → JSON.
pub fn response_format(headers: &HeaderMap) -> Format {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_media_type)
        .unwrap_or_default()
}

/// The response for `err` in `style`: the code's status ([`error_status`]), the body of the
/// API, `WWW-Authenticate: Bearer` on 401.
pub fn error_response(err: &Error, style: ErrorStyle, headers: &HeaderMap) -> Response {
    let status =
        StatusCode::from_u16(error_status(err)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (format, body) = match style {
        ErrorStyle::LoginApi => (Format::Json, login_error_json(err)),
        ErrorStyle::TokenApi => {
            let format = response_format(headers);
            (format, sms_error_body(err, format))
        }
    };
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
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
        match self.layer.authenticate(req.extensions(), req.headers()) {
            Ok(auth) => {
                tracing::debug!(
                    kind = %auth.claims.subject.kind(),
                    id = auth.claims.subject.id(),
                    "request authenticated"
                );
                req.extensions_mut().insert(auth);
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
    fn bearer_tokens_are_read_strictly() {
        let mut h = HeaderMap::new();
        assert!(bearer_token(&h).is_err());
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer abc.def.ghi"),
        );
        assert_eq!(bearer_token(&h).unwrap(), "abc.def.ghi");
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc"));
        assert_eq!(bearer_token(&h).unwrap(), "abc");
        for bad in ["Basic abc", "Bearer", "Bearer ", "Bearer a b", "abc"] {
            h.insert(AUTHORIZATION, HeaderValue::from_static(bad));
            let err = bearer_token(&h).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MalformedToken, "{bad:?}");
        }
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer a"));
        h.append(AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        assert!(bearer_token(&h).is_err());
    }

    #[test]
    fn the_response_format_follows_accept_and_defaults_to_json() {
        let mut h = HeaderMap::new();
        assert_eq!(response_format(&h), Format::Json);
        h.insert(ACCEPT, HeaderValue::from_static("application/xml"));
        assert_eq!(response_format(&h), Format::Xml);
        h.insert(ACCEPT, HeaderValue::from_static("text/html"));
        assert_eq!(response_format(&h), Format::Json);
    }
}
