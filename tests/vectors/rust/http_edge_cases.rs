//! The cases of tests/vectors/http_edge.json, read for the Rust skins' tests (the core's
//! `Authenticator` and the tower layer include this file with `#[path]`).
#![allow(dead_code)] // each test crate uses its own subset

use std::net::IpAddr;
use std::sync::Arc;

use auth_core::{Algorithm, Key, KeyRing, MemoryRevocationStore, TrustedProxies, Verifier};
use serde_json::Value;

/// One request of the vectors and the answer every skin must give it.
pub struct EdgeCase {
    pub name: String,
    /// The `Authorization` lines, as bytes (each character of the file's text is one byte).
    pub authorization: Vec<Vec<u8>>,
    pub peer: Option<IpAddr>,
    pub forwarded_for: Vec<Vec<u8>>,
    pub proxies: TrustedProxies,
    pub status: u16,
    pub code: Option<String>,
    pub challenge: Option<String>,
    pub auth_request_status: u16,
    /// On success: the client address the request was authenticated from.
    pub client_ip: Option<IpAddr>,
    /// Under optional authentication: the request passes as anonymous (it carries no
    /// bearer credentials); otherwise it gets the answer above.
    pub optional_anonymous: bool,
}

impl EdgeCase {
    pub fn authorization(&self) -> Vec<&[u8]> {
        self.authorization.iter().map(Vec::as_slice).collect()
    }

    pub fn forwarded_for(&self) -> Vec<&[u8]> {
        self.forwarded_for.iter().map(Vec::as_slice).collect()
    }
}

pub fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/http_edge.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("http_edge.json")).unwrap()
}

/// A verifier over the vectors' key whose own revocation store holds the revoked jtis.
pub fn verifier(v: &Value) -> Verifier {
    use base64::Engine as _;
    let key = &v["key"];
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key["secret"].as_str().unwrap())
        .unwrap();
    let ring =
        KeyRing::single(Key::new(key["kid"].as_str().unwrap(), Algorithm::HS256, &secret).unwrap());
    let store = MemoryRevocationStore::new();
    for jti in v["revoked_jtis"].as_array().unwrap() {
        store.revoke(jti.as_str().unwrap(), None, None).unwrap();
    }
    let mut verifier = Verifier::new(ring);
    verifier.set_revocation_store(Some(Arc::new(store)));
    verifier
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a header character above U+00FF"))
        .collect()
}

fn lines(v: &Value, tokens: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|line| {
            let mut text = line.as_str().unwrap().to_owned();
            for (name, token) in tokens.as_object().unwrap() {
                text = text.replace(&format!("{{{name}}}"), token.as_str().unwrap());
            }
            latin1(&text)
        })
        .collect()
}

pub fn cases(v: &Value) -> Vec<EdgeCase> {
    let tokens = &v["tokens"];
    let ip = |x: &Value| x.as_str().map(|s| s.parse::<IpAddr>().unwrap());
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let rules: Vec<&str> = c["trusted_proxies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            let proxies = TrustedProxies::parse(&rules)
                .unwrap()
                .trust_unix_peers(c["trust_unix_peers"].as_bool().unwrap());
            let e = &c["expect"];
            EdgeCase {
                name: c["name"].as_str().unwrap().to_owned(),
                authorization: lines(&c["authorization"], tokens),
                peer: ip(&c["peer"]),
                forwarded_for: lines(&c["forwarded_for"], tokens),
                proxies,
                status: e["status"].as_u64().unwrap() as u16,
                code: e["code"].as_str().map(str::to_owned),
                challenge: e["challenge"].as_str().map(str::to_owned),
                auth_request_status: e["auth_request_status"].as_u64().unwrap() as u16,
                client_ip: ip(&e["client_ip"]),
                optional_anonymous: c["optional_expect"]["anonymous"].as_bool().unwrap(),
            }
        })
        .collect()
}
