//! The service and the layer on a real loopback listener: peer addresses come from the
//! connection, and the server shuts down gracefully.

mod common;

use std::sync::Arc;

use auth_core::{MemoryRevocationStore, Verifier};
use auth_server::{serve_until, AuthLayer, Authenticated, PeerAddr};
use axum::routing::get;
use axum::{Extension, Router};
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

async fn http(addr: std::net::SocketAddr, request: String) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

fn get_with(path: &str, token: Option<&str>) -> String {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n")
}

#[tokio::test]
async fn the_service_answers_over_tcp_and_stops_on_shutdown() {
    let s = service();
    let token = s.user_token().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(listener, s.app.clone(), async {
        let _ = stopped.await;
    }));

    let body = r#"{"login": "user@example.com", "password": "your_password"}"#;
    let login = http(
        addr,
        format!("POST /a/session.json HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
    )
    .await;
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(
        login.contains(r#""user": {"id": 123, "blocked": false}"#),
        "{login}"
    );

    let ok = http(addr, get_with("/a/some-endpoint", Some(&token))).await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let refused = http(addr, get_with("/a/some-endpoint", None)).await;
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_layer_guards_a_router_of_ones_own() {
    let store = Arc::new(MemoryRevocationStore::new());
    let layer = AuthLayer::new(Verifier::new(keys())).revocation(store.clone());
    let app = Router::new()
        .route(
            "/me",
            get(|Extension(a): Extension<Authenticated>| async move {
                let ip = a.client_ip.map(|ip| ip.to_string());
                format!(
                    "{} from {}",
                    a.claims.subject.name(),
                    ip.unwrap_or_default()
                )
            }),
        )
        .layer(layer);
    let s = service();
    let token = s.user_token().await;
    let call = |token: Option<String>| {
        let app = app.clone();
        async move {
            let mut req = http::Request::get("/me");
            if let Some(t) = token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            let mut req = req.body(axum::body::Body::empty()).unwrap();
            // Not axum's ConnectInfo: a hyper or tonic server records the peer like this.
            req.extensions_mut()
                .insert(PeerAddr("192.0.2.4:5000".parse().unwrap()));
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 16)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    assert_eq!(
        call(Some(token.clone())).await,
        (http::StatusCode::OK, "John Doe from 192.0.2.4".to_owned())
    );
    let (status, body) = call(None).await;
    assert_eq!(status, http::StatusCode::UNAUTHORIZED);
    assert!(body.contains("missing_token"), "{body}");
    // Revoked in the layer's store: refused.
    let claims = Verifier::new(keys()).verify(&token).unwrap();
    store.revoke_claims(&claims, None).unwrap();
    let (status, body) = call(Some(token)).await;
    assert_eq!(status, http::StatusCode::UNAUTHORIZED);
    assert!(body.contains("token_revoked"), "{body}");
}
