//! The token API served for real: JSON and XML bodies without a Content-Type, responses per
//! Accept, sub-accounts, the creation policy, and tokens that must not pass.

mod common;

use auth_core::{Issuer, MintRequest, Subject, Verifier, VerifyRequest};
use common::*;
use http::StatusCode;
use serde_json::json;

const JSON_BODY: &str = r#"{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#;
const XML_BODY: &str = "<token><name>Best token ever</name><ttl>2678400</ttl><allowed_ips><ip>192.168.2.0/24</ip></allowed_ips></token>";

#[tokio::test]
async fn a_json_body_without_content_type_creates_a_named_token() {
    let s = service();
    let auth = bearer(&s.user_token().await);
    let a = s.authed("POST", "/token", &auth, JSON_BODY).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers["content-type"], "application/json");
    let body = a.json();
    assert_eq!(body["status"], 1);
    assert_eq!(body["message"], "OK");
    assert_eq!(
        body["allowed_ips"],
        json!([
            "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae",
            "192.168.2.0/24",
            "192.168.2.2"
        ])
    );
    let token = body["token"].as_str().unwrap();
    let claims = Verifier::new(keys())
        .verify_with(
            token,
            &VerifyRequest::default().client_ip("192.168.2.9".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(claims.token_name.as_deref(), Some("Best token ever"));
    assert_eq!(claims.jti, body["token_id"].as_str().unwrap());
    assert_eq!(claims.exp.unwrap() - claims.iat, 2_678_400);
    // Recorded as issued.
    let row = s.state.db().named_token(&claims.jti).unwrap().unwrap();
    assert_eq!(row.name, "Best token ever");
    assert_eq!(row.owner, ("user".to_owned(), 123));
    assert!(!row.revoked);
}

#[tokio::test]
async fn an_xml_body_is_detected_and_the_answer_follows_accept() {
    let s = service();
    let auth = bearer(&s.user_token().await);
    // curl -d sends application/x-www-form-urlencoded: the body decides.
    let form = [
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let a = s.call("POST", "/token", "127.0.0.1", &form, XML_BODY).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["allowed_ips"], json!(["192.168.2.0/24"]));
    let xml = [
        ("authorization", auth.as_str()),
        ("accept", "application/xml"),
    ];
    let a = s.call("POST", "/token", "127.0.0.1", &xml, XML_BODY).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers["content-type"], "application/xml");
    assert!(
        a.body
            .starts_with("<response><status>1</status><message>OK</message><token>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("<token_id>"));
}

#[tokio::test]
async fn bad_bodies_are_400_in_the_token_apis_shape_and_format() {
    let s = service();
    let auth = bearer(&s.user_token().await);
    let h = [("authorization", auth.as_str())];
    for (body, code) in [
        ("{", "invalid_request"),
        (r#"{"token": {"ttl": 5}}"#, "invalid_request"),
        (r#"{"token": {"name": "a", "ttl": "soon"}}"#, "invalid_ttl"),
        (
            r#"{"token": {"name": "a", "allowed_ips": ["192.168.2.1/24"]}}"#,
            "invalid_ip_rule",
        ),
        ("<token><name>a</name>", "invalid_request"),
        (r#"<token a="1"><name>a</name></token>"#, "invalid_request"),
        ("<token><name>a</name><ttl></ttl></token>", "invalid_ttl"),
    ] {
        let a = s.call("POST", "/token", "127.0.0.1", &h, body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(a.json()["status"], 0, "{body}");
        assert_eq!(a.json()["error"], code, "{body}");
    }
    let xml = [("authorization", auth.as_str()), ("accept", "text/xml")];
    let a = s
        .call("POST", "/token", "127.0.0.1", &xml, "<token/>")
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body.starts_with("<response><status>0</status><message>"),
        "{}",
        a.body
    );
    assert!(
        a.body
            .ends_with("<error>invalid_request</error></response>"),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn sub_account_tokens_need_ownership() {
    let s = service();
    for token in [s.user_token().await, s.reseller_token().await] {
        let auth = bearer(&token);
        let h = [("authorization", auth.as_str())];
        let a = s
            .call("POST", "/token/account/12542", "127.0.0.1", &h, JSON_BODY)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let t = a.json()["token"].as_str().unwrap().to_owned();
        let claims = Verifier::new(keys())
            .verify_with(
                &t,
                &VerifyRequest::default().client_ip("192.168.2.2".parse().unwrap()),
            )
            .unwrap();
        assert_eq!(claims.subject.id(), 12542);
        assert_eq!(claims.subject.name(), "Sub Account");
        let caller = Verifier::new(keys()).verify(&token).unwrap();
        assert_eq!(claims.parent, Some(caller.principal()));
        // Not owned (777 belongs to reseller 2), unknown, blocked: all the same 403.
        for path in [
            "/token/account/777",
            "/token/account/999999",
            "/token/account/200",
            "/token/account/9007199254740992",
            "/token/account/9223372036854775808",
            "/token/account/18446744073709551615",
        ] {
            let a = s.call("POST", path, "127.0.0.1", &h, JSON_BODY).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(a.json()["error"], "not_permitted");
            assert_eq!(a.json()["message"], "the caller does not own this account");
        }
        let a = s
            .call("POST", "/token/account/+12542", "127.0.0.1", &h, JSON_BODY)
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_named_token_cannot_create_tokens_by_default() {
    let s = service();
    let auth = bearer(&s.user_token().await);
    let a = s
        .authed("POST", "/token", &auth, r#"{"token": {"name": "n"}}"#)
        .await;
    let named = bearer(a.json()["token"].as_str().unwrap());
    let a = s
        .authed("POST", "/token", &named, r#"{"token": {"name": "m"}}"#)
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.json()["error"], "not_permitted");
}

#[tokio::test]
async fn expired_tampered_foreign_and_missing_tokens_are_refused() {
    let s = service();
    let issuer = Issuer::new(keys());
    let mut old = MintRequest::new(Subject::user(123, "John Doe", false));
    old.now = Some(1_600_000_000);
    let expired = issuer.mint(&old).unwrap().token;
    let good = s.user_token().await;
    let mut tampered = good.clone();
    tampered.replace_range(tampered.len() - 3.., "AAA");
    let other_key = Issuer::new(auth_core::KeyRing::single(
        auth_core::Key::new(
            "test",
            auth_core::Algorithm::HS256,
            b"another secret of at least 32 bytes!!",
        )
        .unwrap(),
    ))
    .mint(&MintRequest::new(Subject::user(123, "John Doe", false)))
    .unwrap()
    .token;
    for (token, code) in [
        (expired.as_str(), "token_expired"),
        (tampered.as_str(), "bad_signature"),
        (other_key.as_str(), "bad_signature"),
        ("not-a-token", "malformed_token"),
    ] {
        let auth = bearer(token);
        let a = s.authed("GET", "/a/some-endpoint", &auth, "").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{code}");
        assert_eq!(a.json()["error"]["code"], code);
        let a = s.authed("POST", "/token", &auth, JSON_BODY).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{code}");
        assert_eq!(a.json()["error"], code);
    }
    let a = s.call("POST", "/token", "127.0.0.1", &[], JSON_BODY).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.headers["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn some_endpoint_answers_the_claims() {
    let s = service();
    let auth = bearer(&s.user_token().await);
    let a = s.authed("GET", "/a/some-endpoint", &auth, "").await;
    assert_eq!(a.status, StatusCode::OK);
    let c = a.json();
    assert_eq!(c["type"], "user");
    assert_eq!(c["id"], 123);
    assert_eq!(c["name"], "John Doe");
    assert_eq!(c["user_group_id"], 1);
}

#[tokio::test]
async fn the_nginx_auth_endpoint_answers_204_with_headers_or_401_403() {
    let s = service();
    let token = s.reseller_token().await;
    let auth = bearer(&token);
    let a = s.authed("GET", "/a/auth", &auth, "").await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.headers["x-auth-type"], "reseller");
    assert_eq!(a.headers["x-auth-id"], "1");
    assert_eq!(a.headers["x-auth-name"], "reseller_name");
    let jti = Verifier::new(keys()).verify(&token).unwrap().jti;
    assert_eq!(a.headers["x-auth-token-id"], jti.as_str());
    assert!(a.body.is_empty());
    // nginx may send the subrequest with the original request's method.
    let a = s.authed("POST", "/a/auth", &auth, "").await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let a = s.call("GET", "/a/auth", "127.0.0.1", &[], "").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // A token used from an address it does not allow: 403.
    let mut req = MintRequest::new(Subject::reseller(2, "restricted"));
    req.set_allowed_ips(&["10.0.0.0/8"]).unwrap();
    let restricted = bearer(&Issuer::new(keys()).mint(&req).unwrap().token);
    let a = s.authed("GET", "/a/auth", &restricted, "").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = s
        .call(
            "GET",
            "/a/auth",
            "10.0.0.1",
            &[("authorization", &restricted)],
            "",
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
}
