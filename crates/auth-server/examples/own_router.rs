//! The tower layer in front of your own axum router: every route behind it gets the verified
//! claims in its request extensions; refused requests never reach it.
//!
//! ```sh
//! export AUTHCTL_SECRET="$(authctl keygen)"
//! cargo run -p auth-server --example own_router            # listens on 127.0.0.1:3000
//! curl -H "Authorization: Bearer $(authctl mint user --id 7 --name alice)" http://127.0.0.1:3000/hello
//! ```

use std::sync::Arc;

use auth_core::{Algorithm, Key, KeyRing, MemoryRevocationStore, Verifier};
use auth_server::{serve, AuthLayer, Authenticated, TrustedProxies};
use axum::routing::get;
use axum::{Extension, Router};

async fn hello(Extension(auth): Extension<Authenticated>) -> String {
    format!(
        "hello {} ({} {}) from {}\n",
        auth.claims.subject.name(),
        auth.claims.subject.kind(),
        auth.claims.subject.id(),
        auth.client_ip
            .map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string())
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("AUTHCTL_SECRET").map_err(|_| "set AUTHCTL_SECRET")?;
    let keys = KeyRing::single(Key::new("default", Algorithm::HS256, secret.as_bytes())?);
    let layer = AuthLayer::new(Verifier::new(keys))
        .revocation(Arc::new(MemoryRevocationStore::new()))
        .trusted_proxies(TrustedProxies::parse(&["127.0.0.1"])?);
    let app = Router::new()
        .route("/hello", get(hello))
        .layer(layer)
        .route("/health", get(|| async { "ok\n" })); // added after the layer: not authenticated
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
            serve(listener, app).await
        })?;
    Ok(())
}
