//! tests/vectors/http_edge.json through the tower layer, as real `http::Request`s: the same
//! status, error code and challenge as the core, the Python integrations and C.

#[path = "../../../tests/vectors/rust/http_edge_cases.rs"]
mod edge;

use std::net::SocketAddr;

use auth_core::{AnswerStyle, Authenticator, ErrorCode};
use auth_server::{AuthLayer, Authenticated, PeerAddr};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::Value;
use tower::ServiceExt;

async fn call(app: Router, case: &edge::EdgeCase) -> (u16, Option<String>, Vec<u8>) {
    let mut req = http::Request::get("/edge");
    for line in &case.authorization {
        req = req.header(
            "authorization",
            http::HeaderValue::from_bytes(line).unwrap(),
        );
    }
    for line in &case.forwarded_for {
        req = req.header(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(line).unwrap(),
        );
    }
    let mut req = req.body(axum::body::Body::empty()).unwrap();
    if let Some(ip) = case.peer {
        req.extensions_mut()
            .insert(PeerAddr(SocketAddr::new(ip, 40_000)));
    }
    let res = app.oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, challenge, body.to_vec())
}

/// The error code in a refusal's body of `style`.
fn code_in(style: AnswerStyle, body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let code = match style {
        AnswerStyle::LoginApi => &v["error"]["code"],
        _ => &v["error"],
    };
    code.as_str().map(str::to_owned)
}

#[tokio::test]
async fn every_edge_vector_gets_the_same_answer_through_the_tower_layer() {
    let v = edge::vectors();
    let verifier = edge::verifier(&v);
    let cases = edge::cases(&v);
    for style in AnswerStyle::ALL {
        for case in &cases {
            let auth = Authenticator::new(verifier.clone()).trusted_proxies(case.proxies.clone());
            let layer = AuthLayer::from_authenticator(auth).error_style(style);
            let app = Router::new()
                .route(
                    "/edge",
                    get(|Extension(a): Extension<Authenticated>| async move {
                        a.client_ip.map(|ip| ip.to_string()).unwrap_or_default()
                    }),
                )
                .layer(layer);
            let (status, challenge, body) = call(app, case).await;
            let name = format!("{} ({style:?})", case.name);
            if case.status == 200 {
                assert_eq!(status, 200, "{name}");
                let want = case.client_ip.map(|ip| ip.to_string()).unwrap_or_default();
                assert_eq!(String::from_utf8(body).unwrap(), want, "{name}");
                continue;
            }
            if style == AnswerStyle::AuthRequest {
                assert_eq!(status, case.auth_request_status, "{name}");
                assert!(body.is_empty(), "{name}");
            } else {
                assert_eq!(status, case.status, "{name}");
                // The OAuth endpoints' bodies name RFC 6749's error, the code's `oauth_error`.
                let want = match style {
                    AnswerStyle::OAuth => case
                        .code
                        .as_deref()
                        .and_then(ErrorCode::from_name)
                        .map(|c| c.oauth_error().to_owned()),
                    _ => case.code.clone(),
                };
                assert_eq!(code_in(style, &body), want, "{name}");
            }
            assert_eq!(challenge, case.challenge, "{name}");
        }
    }
}

/// The optional layer's route: `anonymous`, or the client address of the authenticated caller.
async fn who(auth: Option<Extension<Authenticated>>) -> String {
    match auth {
        Some(Extension(a)) => format!(
            "user {} from {}",
            a.claims.subject.id(),
            a.client_ip.map(|ip| ip.to_string()).unwrap_or_default()
        ),
        None => "anonymous".to_owned(),
    }
}

#[tokio::test]
async fn an_optional_layer_lets_only_requests_without_credentials_through_anonymously() {
    let v = edge::vectors();
    let verifier = edge::verifier(&v);
    let cases = edge::cases(&v);
    assert!(cases.iter().any(|c| c.optional_anonymous));
    for case in &cases {
        let auth = Authenticator::new(verifier.clone()).trusted_proxies(case.proxies.clone());
        let layer = AuthLayer::from_authenticator(auth)
            .error_style(AnswerStyle::Plain)
            .optional(true);
        assert!(layer.is_optional());
        let app = Router::new().route("/edge", get(who)).layer(layer);
        let (status, challenge, body) = call(app, case).await;
        let body = String::from_utf8(body).unwrap();
        if case.optional_anonymous {
            assert_eq!((status, body.as_str()), (200, "anonymous"), "{}", case.name);
            assert_eq!(challenge, None, "{}", case.name);
        } else if case.status == 200 {
            let ip = case.client_ip.map(|ip| ip.to_string()).unwrap_or_default();
            assert_eq!(
                (status, body),
                (200, format!("user 123 from {ip}")),
                "{}",
                case.name
            );
        } else {
            assert_eq!(status, case.status, "{}", case.name);
            assert_eq!(
                code_in(AnswerStyle::Plain, body.as_bytes()),
                case.code,
                "{}",
                case.name
            );
            assert_eq!(challenge, case.challenge, "{}", case.name);
        }
    }
}
