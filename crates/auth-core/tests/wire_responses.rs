//! The bodies the login and token APIs answer with: exact bytes of the success responses
//! and error bodies in JSON and XML, and content negotiation.

mod common;

use auth_core::{
    create_token, error_status, login_error_json, login_reseller, login_user, sms_error_body,
    sms_error_json, sms_error_xml, Error, ErrorCode, Format, Lifetime, TokenTarget,
};
use common::*;
use serde_json::{json, Value};

// --- login API responses -----------------------------------------------------

#[test]
fn user_login_response_is_the_documented_shape_exactly() {
    let login = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let body = login.to_json();
    assert_eq!(
        body,
        format!(
            r#"{{"user": {{"id": 123, "blocked": false}}, "token": "{}"}}"#,
            login.token()
        )
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v,
        json!({"user": {"id": 123, "blocked": false}, "token": login.token()})
    );
    assert_eq!(login.user_id, 123);
    assert!(!login.blocked);
}

#[test]
fn reseller_login_response_is_the_documented_shape_exactly() {
    let login = login_reseller(
        &issuer(),
        &reseller(None),
        None,
        Lifetime::Dynamic,
        Some(NOW),
    )
    .unwrap();
    let body = login.to_json();
    assert_eq!(
        body,
        format!(
            r#"{{"token": "{}", "reseller": {{"id": 1, "name": "reseller_name"}}, "user_groups": [], "user_balance": 1000.00, "version": "1.0.0"}}"#,
            login.token()
        )
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v,
        json!({"token": login.token(), "reseller": {"id": 1, "name": "reseller_name"},
               "user_groups": [], "user_balance": 1000.0, "version": "1.0.0"})
    );
    assert_eq!(login.reseller_id(), 1);
    assert_eq!(login.reseller_name(), "reseller_name");
    assert_eq!(login.version(), "1.0.0");
    assert_eq!(login.user_balance(), 1000.0);
}

#[test]
fn reseller_login_balance_has_two_decimals_and_strings_are_escaped() {
    let acct = {
        let mut account = reseller(None);
        account.name = "Bob \"the\" <reseller>\n".into();
        account.user_groups = vec![json!({"id": 3, "name": "sales"}), json!("x")];
        account.user_balance = 12.5;
        account.version = "2.0\\beta".into();
        account
    };
    let login = login_reseller(&issuer(), &acct, None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let body = login.to_json();
    assert!(body.contains(r#""user_balance": 12.50, "#), "{body}");
    assert!(
        body.contains(r#""user_groups": [{"id": 3, "name": "sales"}, "x"]"#),
        "{body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["reseller"]["name"], "Bob \"the\" <reseller>\n");
    assert_eq!(v["version"], "2.0\\beta");
    assert_eq!(v["user_groups"][0]["name"], "sales");

    for (balance, text) in [
        (-3.0, "-3.00"),
        (0.0, "0.00"),
        (0.004, "0.00"),
        (7.0, "7.00"),
    ] {
        let acct = {
            let mut account = reseller(None);
            account.user_balance = balance;
            account
        };
        let body = login_reseller(&issuer(), &acct, None, Lifetime::Dynamic, Some(NOW))
            .unwrap()
            .to_json();
        assert!(
            body.contains(&format!(r#""user_balance": {text}, "#)),
            "{body}"
        );
        serde_json::from_str::<Value>(&body).unwrap();
    }
}

// --- token API responses -----------------------------------------------------

#[test]
fn created_token_json_response_shape() {
    let created = create_token(
        &issuer(),
        &user_caller(),
        &request(API_DOC_JSON),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    let body = created.to_json();
    assert_eq!(
        body,
        format!(
            r#"{{"status": 1, "message": "OK", "token": "{}", "token_id": "{}", "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#,
            created.token(),
            created.token_id()
        )
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"status": 1, "message": "OK", "token": created.token(),
               "token_id": created.token_id(), "allowed_ips": API_DOC_IPS})
    );
    assert_eq!(created.render(Format::Json), body);

    let open = create_token(
        &issuer(),
        &user_caller(),
        &request(r#"{"token": {"name": "n"}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert!(open.to_json().ends_with(r#", "allowed_ips": []}"#));
}

#[test]
fn created_token_xml_response_shape() {
    let open = create_token(
        &issuer(),
        &user_caller(),
        &request(r#"{"token": {"name": "n", "ttl": 60}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(
        open.to_xml(),
        format!(
            "<response><status>1</status><message>OK</message><token>{}</token><token_id>{}</token_id></response>",
            open.token(),
            open.token_id()
        )
    );
    let restricted = create_token(
        &issuer(),
        &user_caller(),
        &request(API_DOC_JSON),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(
        restricted.render(Format::Xml),
        format!(
            "<response><status>1</status><message>OK</message><token>{}</token><token_id>{}</token_id><allowed_ips><ip>2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae</ip><ip>192.168.2.0/24</ip><ip>192.168.2.2</ip></allowed_ips></response>",
            restricted.token(),
            restricted.token_id()
        )
    );
}

// --- error bodies ------------------------------------------------------------

#[test]
fn login_error_body_has_code_message_and_status() {
    let err = Error::new(ErrorCode::LoginIpDenied);
    assert_eq!(
        login_error_json(&err),
        r#"{"error": {"code": "login_ip_denied", "message": "Login denied due to IP restriction", "status": 406}}"#
    );
    let err = Error::new(ErrorCode::ResellerInvalidCredentials);
    let v: Value = serde_json::from_str(&login_error_json(&err)).unwrap();
    assert_eq!(
        v,
        json!({"error": {"code": "reseller_invalid_credentials", "message": "Invalid ID or Password", "status": 401}})
    );
}

#[test]
fn configuration_errors_answer_500_with_the_generic_message() {
    let err = Error::with_message(ErrorCode::InvalidKey, "kid 'internal-2026' has no secret");
    assert_eq!(error_status(&err), 500);
    let body = login_error_json(&err);
    assert!(!body.contains("internal-2026"), "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"error": {"code": "invalid_key", "message": "invalid key", "status": 500}})
    );
    assert!(!sms_error_xml(&err).contains("internal-2026"));
    assert_eq!(error_status(&Error::new(ErrorCode::NotPermitted)), 403);
}

#[test]
fn sms_error_bodies_in_json_and_xml() {
    let err = Error::with_message(ErrorCode::InvalidTtl, "ttl must be at least 1 second");
    assert_eq!(
        sms_error_json(&err),
        r#"{"status": 0, "message": "ttl must be at least 1 second", "error": "invalid_ttl"}"#
    );
    assert_eq!(
        sms_error_xml(&err),
        "<response><status>0</status><message>ttl must be at least 1 second</message><error>invalid_ttl</error></response>"
    );
    assert_eq!(sms_error_body(&err, Format::Json), sms_error_json(&err));
    assert_eq!(sms_error_body(&err, Format::Xml), sms_error_xml(&err));
}

#[test]
fn sms_error_xml_escapes_text_and_replaces_forbidden_characters() {
    let err = Error::with_message(ErrorCode::InvalidRequest, "a <b> & \"c\"\u{1} 'd'");
    let xml = sms_error_xml(&err);
    assert_eq!(
        xml,
        "<response><status>0</status><message>a &lt;b&gt; &amp; &quot;c&quot;\u{FFFD} &apos;d&apos;</message><error>invalid_request</error></response>"
    );
    let json = sms_error_json(&err);
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap()["message"],
        "a <b> & \"c\"\u{1} 'd'"
    );
}

// --- content negotiation -----------------------------------------------------

#[test]
fn media_types_map_to_formats() {
    let cases: &[(&str, Option<Format>)] = &[
        ("application/json", Some(Format::Json)),
        ("Application/JSON; charset=UTF-8", Some(Format::Json)),
        ("application/xml", Some(Format::Xml)),
        ("text/xml;charset=utf-8", Some(Format::Xml)),
        ("*/*", Some(Format::Json)),
        ("application/*", Some(Format::Json)),
        ("text/*", Some(Format::Xml)),
        (
            "text/html, application/xml;q=0.9, */*;q=0.8",
            Some(Format::Xml),
        ),
        ("application/json;q=0.2, text/xml;q=0.3", Some(Format::Xml)),
        ("application/xml;q=0, */*", Some(Format::Json)),
        ("*/*;q=0.5, application/xml;q=0.5", Some(Format::Xml)),
        ("application/json, application/xml", Some(Format::Json)),
        (
            "application/xml;q=2, application/json;q=0.1",
            Some(Format::Json),
        ),
        ("application/json;q=0", None),
        ("text/html", None),
        ("application/jsonx", None),
        ("", None),
    ];
    for (value, want) in cases {
        assert_eq!(Format::from_media_type(value), *want, "{value:?}");
    }
    assert_eq!(Format::default(), Format::Json);
    assert_eq!(Format::Json.content_type(), "application/json");
    assert_eq!(Format::Xml.content_type(), "application/xml");
}
