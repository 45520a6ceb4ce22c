//! The service for the throughput benchmark (`crates/auth-server/bench/run.sh`): the real
//! router with the demo accounts and default Argon2 parameters, plus `GET /open/some-endpoint`,
//! the same route without authentication — a copy of the token's claims written as JSON on
//! every request, as `GET /a/some-endpoint` writes the verified ones — the baseline of
//! `GET /a/some-endpoint` with a valid token, on the same server.
//!
//! Prints `PORT TOKEN` on stdout, then serves until SIGTERM or Ctrl-C.
//! `cargo run --release -p auth-server --example bench_server [ALG [SIGNATURE_CACHE]]`: the
//! key's algorithm (HS256, the default, EdDSA or ES256) and the signature cache's capacity
//! (default as `authctl serve`'s; 0 turns it off, docs/signature-cache.md).

use std::sync::Arc;

use auth_core::{
    generate_secret_for, Algorithm, Key, KeyRing, MemoryRevocationStore, RandomSource,
    SystemRandom, Verifier,
};
use auth_server::{
    create_demo_accounts, router, AppState, Db, HashParams, Passwords, ServerConfig,
};
use axum::routing::get;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let alg = Algorithm::parse(args.first().map_or("HS256", String::as_str))?;
    let material = if alg.is_hmac() {
        generate_secret_for(alg, &SystemRandom)?.into_bytes()
    } else {
        // An EdDSA or ES256 private key: 32 random bytes.
        let mut raw = vec![0u8; 32];
        SystemRandom.fill(&mut raw)?;
        raw
    };
    let keys = KeyRing::single(Key::new("bench", alg, &material)?);
    let db = Arc::new(Db::open_in_memory()?);
    create_demo_accounts(&db, &Passwords::new(HashParams::default())?)?;
    let mut config = ServerConfig::new(keys.clone());
    if let Some(n) = args.get(1) {
        config.signature_cache = n.parse()?;
    }
    let state = AppState::new(config, db, Arc::new(MemoryRevocationStore::new()))?;

    // A token like the login example's, and its claims as /a/some-endpoint answers them.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut req = auth_core::MintRequest::new(auth_core::Subject::User {
            id: 123,
            name: "John Doe".into(),
            admin: false,
            sms_from: Some("ACME".into()),
            user_group_id: Some(1),
        });
        req.lifetime = auth_core::Lifetime::Dynamic;
        let token = auth_core::Issuer::new(keys.clone()).mint(&req)?.token;
        // The same handler as `/a/some-endpoint` minus the authentication: it takes the claims
        // (there from the middleware, here a copy of the token's) and writes them as JSON on
        // every request.
        let claims = Verifier::new(keys).verify(&token)?;
        let open = get(move || {
            let claims = claims.clone();
            async move {
                (
                    [(http::header::CONTENT_TYPE, "application/json")],
                    claims.to_json(),
                )
            }
        });
        let app = router(state).route("/open/some-endpoint", open);
        println!("{port} {token}");
        auth_server::serve(listener, app).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}
