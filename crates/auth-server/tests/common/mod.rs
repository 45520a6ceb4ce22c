//! A service on an in-memory (or file) database with the demo accounts and a few more,
//! called in-process with a chosen peer address.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_core::{Algorithm, Key, KeyRing, MemoryRevocationStore, Principal, PrincipalType};
use auth_server::db::NewUser;
use auth_server::{
    create_demo_accounts, router, AppState, Db, HashParams, LoginLimits, Passwords, ServerConfig,
    TrustedProxies,
};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

pub const SECRET: &[u8] = b"auth-server test secret, 32 bytes or more";

/// Cheap hashes for tests only (the default is 19 MiB, 2 passes).
pub const CHEAP: HashParams = HashParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

pub fn keys() -> KeyRing {
    KeyRing::single(Key::new("test", Algorithm::HS256, SECRET).unwrap())
}

pub struct Svc {
    pub app: Router,
    pub state: Arc<AppState>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// The extra accounts the error cases use: a blocked user, a user whose group only allows
/// 192.168.1.x, a reseller restricted to 10.0.0.0/8, and user 777 nobody else owns.
pub fn add_test_accounts(db: &Db, passwords: &Passwords) {
    let hash = passwords.hash(b"your_password").unwrap();
    let office = db.add_group("office", Some(r"192\.168\.1\.\d+")).unwrap();
    for (id, login, group) in [
        (200, "blocked@example.com", None),
        (201, "office@example.com", Some(office)),
        (777, "other@example.com", None),
    ] {
        db.add_user(&NewUser {
            id: Some(id),
            login,
            name: login,
            password_hash: &hash,
            user_group_id: group,
            ..NewUser::default()
        })
        .unwrap();
    }
    db.set_user_blocked("blocked@example.com", true).unwrap();
    db.add_reseller(
        Some(2),
        "restricted",
        &hash,
        Some(&["10.0.0.0/8".to_owned()]),
        5.5,
    )
    .unwrap();
    db.add_sub_account(
        777,
        Principal {
            kind: PrincipalType::Reseller,
            id: 2,
        },
    )
    .unwrap();
}

pub fn service_on(db: Arc<Db>, trusted: &[&str], limits: LoginLimits) -> Svc {
    service_configured(db, trusted, limits, |_| {})
}

/// A service on `db` whose configuration `change` adjusts last.
pub fn service_configured(
    db: Arc<Db>,
    trusted: &[&str],
    limits: LoginLimits,
    change: impl FnOnce(&mut ServerConfig),
) -> Svc {
    let mut config = ServerConfig::new(keys());
    config.hash_params = CHEAP;
    config.login_limits = limits;
    config.trusted_proxies = TrustedProxies::parse(trusted).unwrap();
    change(&mut config);
    let state = AppState::new(config, db, Arc::new(MemoryRevocationStore::new())).unwrap();
    Svc {
        app: router(state.clone()),
        state,
    }
}

pub fn service_with(trusted: &[&str], limits: LoginLimits) -> Svc {
    let db = Arc::new(Db::open_in_memory().unwrap());
    let passwords = Passwords::new(CHEAP).unwrap();
    create_demo_accounts(&db, &passwords).unwrap();
    add_test_accounts(&db, &passwords);
    service_on(db, trusted, limits)
}

pub fn service() -> Svc {
    service_with(&[], LoginLimits::default())
}

impl Svc {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        peer: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::from(body.to_owned())).unwrap();
        let peer: SocketAddr = SocketAddr::new(peer.parse().unwrap(), 40000);
        req.extensions_mut().insert(ConnectInfo(peer));
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// `call` from 127.0.0.1 with `Authorization: <auth>` as the only header.
    pub async fn authed(&self, method: &str, path: &str, auth: &str, body: &str) -> Answer {
        self.call(method, path, "127.0.0.1", &[("authorization", auth)], body)
            .await
    }

    pub async fn user_token(&self) -> String {
        let a = self
            .call(
                "POST",
                "/a/session.json",
                "127.0.0.1",
                &[],
                r#"{"login": "user@example.com", "password": "your_password"}"#,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.json()["token"].as_str().unwrap().to_owned()
    }

    /// A user login token for `login` (password `your_password`).
    pub async fn login_as(&self, login: &str) -> String {
        let body = format!(r#"{{"login": "{login}", "password": "your_password"}}"#);
        let a = self
            .call("POST", "/a/session.json", "127.0.0.1", &[], &body)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.json()["token"].as_str().unwrap().to_owned()
    }

    pub async fn reseller_token(&self) -> String {
        let a = self
            .call(
                "POST",
                "/a/v1/resellers/login.json",
                "127.0.0.1",
                &[],
                r#"{"name": "reseller_name", "pass": "your_password"}"#,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.json()["token"].as_str().unwrap().to_owned()
    }
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub fn short_window(per_account: u32, per_address: u32) -> LoginLimits {
    LoginLimits {
        per_account,
        per_address,
        window: Duration::from_secs(60),
        ..LoginLimits::default()
    }
}
