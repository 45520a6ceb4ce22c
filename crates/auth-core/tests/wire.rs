//! The login and token APIs' shapes (SPEC §1): exact bodies, minted claims, every refusal.

use std::net::IpAddr;

use auth_core::ip::{IpAllowList, IpRegex, RegexMode};
use auth_core::revocation::MemoryRevocationStore;
use auth_core::wire::{
    create_token, error_status, login_error_json, login_reseller, login_user, logout,
    sms_error_body, sms_error_json, sms_error_xml, Format, ResellerAccount, TokenRequest,
    TokenTarget, UserAccount, MAX_BODY_BYTES, MAX_XML_DEPTH,
};
use auth_core::{
    Algorithm, Claims, Error, ErrorCode, IpRule, Issuer, Key, KeyRing, Lifetime, MintRequest,
    Principal, Subject, TtlPolicy, Verifier, VerifyRequest,
};
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;
const SEED_IPS: [&str; 3] = [
    "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae",
    "192.168.2.0/24",
    "192.168.2.2",
];

fn ring() -> KeyRing {
    KeyRing::single(Key::new("k1", Algorithm::HS256, b"0123456789abcdef0123456789abcdef").unwrap())
}

fn issuer() -> Issuer {
    Issuer::new(ring())
}

fn verify_at(token: &str, now: u64, ip: Option<&str>) -> auth_core::Result<Claims> {
    let mut req = VerifyRequest::at(now);
    if let Some(ip) = ip {
        req = req.client_ip(ip.parse().unwrap());
    }
    Verifier::new(ring()).verify_with(token, &req)
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

fn code<T: std::fmt::Debug>(r: auth_core::Result<T>) -> ErrorCode {
    r.unwrap_err().code()
}

fn rules(texts: &[&str]) -> Vec<IpRule> {
    texts.iter().map(|t| IpRule::parse(t).unwrap()).collect()
}

// ---------------------------------------------------------------------------
// Dialer user login
// ---------------------------------------------------------------------------

fn alice() -> UserAccount {
    UserAccount {
        id: 123,
        name: "alice".into(),
        admin: true,
        blocked: false,
        sms_from: Some("ACME".into()),
        user_group_id: Some(7),
        allowed_regex: None,
    }
}

fn with_regex(pattern: &str) -> UserAccount {
    UserAccount {
        allowed_regex: Some(IpRegex::new(pattern, RegexMode::FullMatch).unwrap()),
        ..alice()
    }
}

#[test]
fn user_login_response_is_the_seed_shape_exactly() {
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
fn user_login_token_carries_the_user_claims_and_lives_24_hours() {
    let login = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let claims = verify_at(login.token(), NOW + 10, None).unwrap();
    assert_eq!(
        claims.subject,
        Subject::User {
            id: 123,
            name: "alice".into(),
            admin: true,
            sms_from: Some("ACME".into()),
            user_group_id: Some(7),
        }
    );
    assert_eq!(claims.iat, NOW);
    assert_eq!(claims.exp, Some(NOW + 86_400));
    assert_eq!(claims.allowed_ips, None);
    assert_eq!(claims.parent, None);
    assert_eq!(
        code(verify_at(login.token(), NOW + 86_400, None)),
        ErrorCode::TokenExpired
    );
    let wire = claims.to_json_value();
    assert_eq!(wire["type"], "user");
    assert_eq!(wire["sms_from"], "ACME");
    assert_eq!(wire["user_group_id"], 7);
}

#[test]
fn user_login_static_lifetime_has_no_exp() {
    let login = login_user(&issuer(), &alice(), None, Lifetime::Static, Some(NOW)).unwrap();
    let claims = verify_at(login.token(), NOW + 100 * 365 * 86_400, None).unwrap();
    assert!(claims.is_static());
}

#[test]
fn user_login_regex_admits_matching_ip_including_mapped_ipv6() {
    let acct = with_regex(r"192\.168\.1\.\d{1,3}");
    for client in ["192.168.1.20", "::ffff:192.168.1.20"] {
        let login = login_user(&issuer(), &acct, ip(client), Lifetime::Dynamic, Some(NOW));
        assert!(login.is_ok(), "{client}");
    }
}

#[test]
fn user_login_regex_denies_other_ips_with_406() {
    let acct = with_regex(r"192\.168\.1\.1");
    for client in ["192.168.1.10", "10.0.0.1", "::1"] {
        let err =
            login_user(&issuer(), &acct, ip(client), Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::LoginIpDenied, "{client}");
        assert_eq!(err.http_status(), Some(406));
        assert_eq!(err.message(), "Login denied due to IP restriction");
    }
}

#[test]
fn user_login_regex_without_client_ip_is_denied() {
    let acct = with_regex(r".*");
    assert_eq!(
        code(login_user(
            &issuer(),
            &acct,
            None,
            Lifetime::Dynamic,
            Some(NOW)
        )),
        ErrorCode::LoginIpDenied
    );
}

#[test]
fn user_login_without_regex_needs_no_client_ip() {
    assert!(login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).is_ok());
}

#[test]
fn blocked_user_gets_no_token_even_from_an_allowed_ip() {
    let acct = UserAccount {
        blocked: true,
        ..with_regex(r"10\.0\.0\.1")
    };
    for client in [ip("10.0.0.1"), ip("10.0.0.2"), None] {
        let err = login_user(&issuer(), &acct, client, Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidCredentials);
        assert_eq!(err.http_status(), Some(401));
    }
}

#[test]
fn user_login_passes_minting_errors_on() {
    let strict = Issuer::with_policy(
        ring(),
        TtlPolicy {
            allow_static: false,
            ..TtlPolicy::default()
        },
    )
    .unwrap();
    assert_eq!(
        code(login_user(
            &strict,
            &alice(),
            None,
            Lifetime::Static,
            Some(NOW)
        )),
        ErrorCode::StaticNotAllowed
    );
    assert_eq!(
        code(login_user(
            &issuer(),
            &alice(),
            None,
            Lifetime::Ttl(0),
            Some(NOW)
        )),
        ErrorCode::InvalidTtl
    );
}

// ---------------------------------------------------------------------------
// Reseller login
// ---------------------------------------------------------------------------

fn reseller(allowed: Option<&[&str]>) -> ResellerAccount {
    ResellerAccount {
        id: 1,
        name: "reseller_name".into(),
        allowed_ips: allowed.map(|a| IpAllowList::parse(a.iter().copied()).unwrap()),
        user_groups: vec![],
        user_balance: 1000.0,
        version: "1.0.0".into(),
    }
}

#[test]
fn reseller_login_response_is_the_seed_shape_exactly() {
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
    let acct = ResellerAccount {
        name: "Bob \"the\" <reseller>\n".into(),
        user_groups: vec![json!({"id": 3, "name": "sales"}), json!("x")],
        user_balance: 12.5,
        version: "2.0\\beta".into(),
        ..reseller(None)
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
        let acct = ResellerAccount {
            user_balance: balance,
            ..reseller(None)
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

#[test]
fn reseller_login_refuses_non_finite_balance_before_minting() {
    for balance in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let acct = ResellerAccount {
            user_balance: balance,
            ..reseller(None)
        };
        assert_eq!(
            code(login_reseller(
                &issuer(),
                &acct,
                None,
                Lifetime::Dynamic,
                Some(NOW)
            )),
            ErrorCode::InvalidRequest
        );
    }
}

#[test]
fn reseller_login_copies_allow_list_into_the_token() {
    let acct = reseller(Some(&["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]));
    let login = login_reseller(
        &issuer(),
        &acct,
        ip("10.1.2.3"),
        Lifetime::Dynamic,
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(login.token(), NOW, Some("10.9.9.9")).unwrap();
    assert_eq!(claims.subject, Subject::reseller(1, "reseller_name"));
    assert_eq!(
        claims.allowed_ips,
        Some(rules(&["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]))
    );
    assert_eq!(claims.exp, Some(NOW + 86_400));
    // Later requests are checked from the token alone.
    assert_eq!(
        code(verify_at(login.token(), NOW, Some("11.0.0.1"))),
        ErrorCode::IpNotAllowed
    );
    assert_eq!(
        code(verify_at(login.token(), NOW, None)),
        ErrorCode::IpNotAllowed
    );
    assert!(verify_at(login.token(), NOW, Some("2001:db8::5")).is_ok());
}

#[test]
fn reseller_without_allow_list_gets_an_unrestricted_token() {
    let login = login_reseller(
        &issuer(),
        &reseller(None),
        None,
        Lifetime::Dynamic,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(
        verify_at(login.token(), NOW, None).unwrap().allowed_ips,
        None
    );
}

#[test]
fn reseller_outside_allow_list_or_without_ip_is_denied_with_401() {
    let acct = reseller(Some(&["10.0.0.0/8"]));
    for client in [ip("11.0.0.1"), ip("::1"), None] {
        let err =
            login_reseller(&issuer(), &acct, client, Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ResellerIpDenied);
        assert_eq!(err.http_status(), Some(401));
        assert_eq!(err.message(), "Your IP is not allowed");
    }
    // An empty allow-list allows nothing.
    let empty = reseller(Some(&[]));
    assert_eq!(
        code(login_reseller(
            &issuer(),
            &empty,
            ip("10.0.0.1"),
            Lifetime::Dynamic,
            Some(NOW)
        )),
        ErrorCode::ResellerIpDenied
    );
}

// ---------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Token creation requests: JSON
// ---------------------------------------------------------------------------

const SEED_JSON: &str = r#"{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#;

#[test]
fn json_seed_request_parses() {
    let req = TokenRequest::from_json(SEED_JSON.as_bytes()).unwrap();
    assert_eq!(req.name, "Best token ever");
    assert_eq!(req.lifetime, Lifetime::Ttl(2_678_400));
    assert_eq!(req.allowed_ips, rules(&SEED_IPS));
    assert_eq!(
        TokenRequest::parse(SEED_JSON.as_bytes(), Format::Json).unwrap(),
        req
    );
}

#[test]
fn json_ttl_absent_or_null_is_static_and_ips_optional() {
    for body in [
        r#"{"token": {"name": "n"}}"#,
        r#"{"token": {"name": "n", "ttl": null}}"#,
        r#"{"token": {"name": "n", "allowed_ips": []}}"#,
    ] {
        let req = TokenRequest::from_json(body.as_bytes()).unwrap();
        assert_eq!(req.lifetime, Lifetime::Static, "{body}");
        assert!(req.allowed_ips.is_empty(), "{body}");
    }
}

#[test]
fn json_unknown_keys_are_ignored_and_whitespace_allowed() {
    let body = br#"
      {"meta": {"x": [1, 2, {"y": null}]},
       "token": {"extra": true, "name": "n", "ttl": 60, "nested": {"a": 1}}}
    "#;
    let req = TokenRequest::from_json(body).unwrap();
    assert_eq!(req.name, "n");
    assert_eq!(req.lifetime, Lifetime::Ttl(60));
}

#[test]
fn json_keeps_zero_and_negative_ttl_for_the_issuer_to_refuse() {
    for (ttl, want) in [("0", 0), ("-5", -5), ("9223372036854775807", i64::MAX)] {
        let body = format!(r#"{{"token": {{"name": "n", "ttl": {ttl}}}}}"#);
        let req = TokenRequest::from_json(body.as_bytes()).unwrap();
        assert_eq!(req.lifetime, Lifetime::Ttl(want));
    }
}

#[test]
fn json_name_rules() {
    let max = "é".repeat(255);
    let body = json!({"token": {"name": max}}).to_string();
    assert_eq!(TokenRequest::from_json(body.as_bytes()).unwrap().name, max);

    let long = "a".repeat(256);
    for token in [
        json!({}),
        json!({"name": ""}),
        json!({"name": long}),
        json!({"name": null}),
        json!({"name": 5}),
        json!({"name": ["n"]}),
        json!({"name": {"n": 1}}),
    ] {
        let body = json!({ "token": token }).to_string();
        assert_eq!(
            code(TokenRequest::from_json(body.as_bytes())),
            ErrorCode::InvalidRequest,
            "{body}"
        );
    }
}

#[test]
fn json_ttl_of_the_wrong_type_is_invalid_ttl() {
    for ttl in [
        r#""60""#,
        "1.5",
        "60.0",
        "1e3",
        "true",
        "[60]",
        "{}",
        "18446744073709551615",
        "99999999999999999999999",
    ] {
        let body = format!(r#"{{"token": {{"name": "n", "ttl": {ttl}}}}}"#);
        assert_eq!(
            code(TokenRequest::from_json(body.as_bytes())),
            ErrorCode::InvalidTtl,
            "{ttl}"
        );
    }
}

#[test]
fn json_bad_ip_rules_are_invalid_ip_rule_naming_the_index() {
    for rule in [
        "192.168.2.5/24",
        "2001:db8::1/32",
        "010.1.1.1",
        "1.2.3.4/33",
        "fe80::1%eth0",
        " 1.2.3.4",
        "",
        "not an ip",
    ] {
        let body = json!({"token": {"name": "n", "allowed_ips": ["10.0.0.1", rule]}}).to_string();
        let err = TokenRequest::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidIpRule, "{rule:?}");
        assert!(
            err.message().contains("allowed_ips[1]"),
            "{}",
            err.message()
        );
    }
}

#[test]
fn json_allowed_ips_must_be_an_array_of_strings() {
    for ips in [
        json!("10.0.0.1"),
        json!(null),
        json!({"ip": "10.0.0.1"}),
        json!(5),
        json!(["10.0.0.1", 5]),
        json!([["10.0.0.1"]]),
        json!([null]),
    ] {
        let body = json!({"token": {"name": "n", "allowed_ips": ips}}).to_string();
        assert_eq!(
            code(TokenRequest::from_json(body.as_bytes())),
            ErrorCode::InvalidRequest,
            "{body}"
        );
    }
}

#[test]
fn json_fields_are_checked_name_then_ttl_then_ips() {
    let body = br#"{"token": {"ttl": "x", "allowed_ips": ["bad"]}}"#;
    assert_eq!(
        code(TokenRequest::from_json(body)),
        ErrorCode::InvalidRequest
    );
    let body = br#"{"token": {"name": "n", "ttl": "x", "allowed_ips": ["bad"]}}"#;
    assert_eq!(code(TokenRequest::from_json(body)), ErrorCode::InvalidTtl);
}

#[test]
fn json_duplicate_keys_are_refused() {
    for body in [
        r#"{"token": {"name": "a", "name": "b"}}"#,
        r#"{"token": {"name": "a", "ttl": 1, "ttl": 2}}"#,
        r#"{"token": {"name": "a", "allowed_ips": [], "allowed_ips": ["10.0.0.1"]}}"#,
        r#"{"token": {"name": "a", "x": 1, "x": 2}}"#,
        r#"{"token": {"name": "a"}, "token": {"name": "b"}}"#,
        r#"{"other": 1, "token": {"name": "a"}, "other": 2}"#,
        r#"{"token": {"name": "a", "n\u0061me": "b"}}"#,
    ] {
        let err = TokenRequest::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRequest, "{body}");
        assert!(err.message().contains("duplicate key"), "{}", err.message());
    }
}

#[test]
fn json_malformed_or_misshapen_bodies_are_invalid_request() {
    // Deep nesting in a member that is read (not skipped) hits serde_json's depth limit.
    let deep = format!(
        r#"{{"token": {{"name": "n", "allowed_ips": {}{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"   ".to_vec(),
        b"{".to_vec(),
        br#"{"token": {"name": "n"}"#.to_vec(),
        br#"{"token": {"name": "n"}} x"#.to_vec(),
        br#"{"token": {"name": "n"}}{}"#.to_vec(),
        br#"{"token": {"name": "n",}}"#.to_vec(),
        br#"{"token": {"name": 'n'}}"#.to_vec(),
        br#"{"token": {"name": "n" /* c */}}"#.to_vec(),
        br#"{"token": {"name": "n", "ttl": NaN}}"#.to_vec(),
        br#"{"token": {"name": "n", "ttl": 1e400}}"#.to_vec(),
        br#"[{"token": {"name": "n"}}]"#.to_vec(),
        br#""token""#.to_vec(),
        b"null".to_vec(),
        br#"{}"#.to_vec(),
        br#"{"Token": {"name": "n"}}"#.to_vec(),
        br#"{"token": null}"#.to_vec(),
        br#"{"token": "n"}"#.to_vec(),
        br#"{"token": [{"name": "n"}]}"#.to_vec(),
        b"{\"token\": {\"name\": \"\xff\xfe\"}}".to_vec(),
        b"\xef\xbb\xbf{\"token\": {\"name\": \"n\"}}".to_vec(),
        deep.into_bytes(),
    ];
    for body in bodies {
        assert_eq!(
            code(TokenRequest::from_json(&body)),
            ErrorCode::InvalidRequest,
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
}

#[test]
fn nesting_in_ignored_members_is_bounded() {
    let nested = |depth: usize| {
        format!(
            r#"{{"token": {{"name": "n", "x": {}{}}}, "y": {}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth),
            "{\"a\": ".repeat(depth),
            "}".repeat(depth)
        )
    };
    assert_eq!(
        TokenRequest::from_json(nested(20).as_bytes()).unwrap().name,
        "n"
    );
    let err = TokenRequest::from_json(nested(5_000).as_bytes()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    assert!(
        err.message().contains("nesting too deep"),
        "{}",
        err.message()
    );
}

#[test]
fn bodies_over_the_size_limit_are_refused_before_parsing() {
    let pad = " ".repeat(MAX_BODY_BYTES);
    let body = format!(r#"{{"token": {{"name": "n"}}}}{pad}"#);
    let err = TokenRequest::from_json(body.as_bytes()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    assert!(err.message().contains("larger than"));
    let body = format!("<token><name>n</name></token>{pad}");
    assert_eq!(
        code(TokenRequest::from_xml(body.as_bytes())),
        ErrorCode::InvalidRequest
    );
    // Exactly at the limit is fine.
    let base = r#"{"token": {"name": "n"}}"#;
    let body = format!("{base}{}", " ".repeat(MAX_BODY_BYTES - base.len()));
    assert!(TokenRequest::from_json(body.as_bytes()).is_ok());
}

#[test]
fn bad_rule_messages_quote_at_most_a_short_prefix_of_the_rule() {
    let rule = "x".repeat(2000);
    let body = json!({"token": {"name": "n", "allowed_ips": [rule]}}).to_string();
    let err = TokenRequest::from_json(body.as_bytes()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    assert!(err.message().len() < 200, "{}", err.message());
}

#[test]
fn errors_never_quote_the_body() {
    let secret = "s3cr3t-Pa55w0rd";
    for body in [
        format!(r#"{{"token": {{"name": "{secret}", "ttl": "{secret}"}}}}"#),
        format!(r#"{{"token": "{secret}"}}"#),
        format!(r#"{{"{secret}": 1, "{secret}": 2}}"#),
        format!(r#"{{"token": {{"name": "n"}}}} {secret}"#),
    ] {
        let err = TokenRequest::from_json(body.as_bytes()).unwrap_err();
        assert!(!err.message().contains(secret), "{}", err.message());
    }
    for body in [
        format!("<token><name>n</name><ttl>{secret}</ttl></token>"),
        format!("<token><{secret}>x</{secret}2></token>"),
        format!("<token><name>&{secret};</name></token>"),
        format!("<{secret}/>"),
    ] {
        let err = TokenRequest::from_xml(body.as_bytes()).unwrap_err();
        assert!(!err.message().contains(secret), "{}", err.message());
    }
}

// ---------------------------------------------------------------------------
// Token creation requests: XML
// ---------------------------------------------------------------------------

const SEED_XML: &str = "<token><name>Best token ever</name><ttl>2678400</ttl><allowed_ips><ip>2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae</ip><ip>192.168.2.0/24</ip><ip>192.168.2.2</ip></allowed_ips></token>";

#[test]
fn xml_seed_request_parses_like_the_json_one() {
    let req = TokenRequest::from_xml(SEED_XML.as_bytes()).unwrap();
    assert_eq!(req, TokenRequest::from_json(SEED_JSON.as_bytes()).unwrap());
    assert_eq!(
        TokenRequest::parse(SEED_XML.as_bytes(), Format::Xml).unwrap(),
        req
    );
}

#[test]
fn xml_with_declaration_comments_whitespace_entities_and_cdata() {
    let body = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a comment -->\n<token version=\"2\">\n  <name>Fish &amp; Chips &#x263A; &lt;3</name>\n  <ttl> 60 </ttl>\n  <allowed_ips>\n    <ip>10.0.0.0/8</ip>\n    <!-- second -->\n    <ip><![CDATA[::1]]></ip>\n  </allowed_ips>\n  <unknown><deeper a=\"1\">text</deeper></unknown>\n</token>\n<!-- trailing comment -->\n";
    let req = TokenRequest::from_xml(body.as_bytes()).unwrap();
    assert_eq!(req.name, "Fish & Chips \u{263A} <3");
    assert_eq!(req.lifetime, Lifetime::Ttl(60));
    assert_eq!(req.allowed_ips, rules(&["10.0.0.0/8", "::1"]));
}

#[test]
fn xml_ttl_and_ips_optional_and_empty_forms() {
    for body in [
        "<token><name>n</name></token>",
        "<token><name>n</name><ttl/></token>",
        "<token><name>n</name><ttl></ttl><allowed_ips/></token>",
        "<token><name>n</name><allowed_ips>\n</allowed_ips></token>",
    ] {
        let req = TokenRequest::from_xml(body.as_bytes()).unwrap();
        assert_eq!(req.lifetime, Lifetime::Static, "{body}");
        assert!(req.allowed_ips.is_empty(), "{body}");
    }
    let req = TokenRequest::from_xml(b"<token><ttl>-5</ttl><name>n</name></token>").unwrap();
    assert_eq!(req.lifetime, Lifetime::Ttl(-5));
}

#[test]
fn xml_name_is_taken_exactly_and_must_be_1_to_255_chars() {
    let req = TokenRequest::from_xml(b"<token><name> spaced </name></token>").unwrap();
    assert_eq!(req.name, " spaced ");
    let long = format!("<token><name>{}</name></token>", "a".repeat(256));
    for body in [
        "<token></token>",
        "<token><name/></token>",
        "<token><name></name></token>",
        long.as_str(),
    ] {
        assert_eq!(
            code(TokenRequest::from_xml(body.as_bytes())),
            ErrorCode::InvalidRequest,
            "{body}"
        );
    }
}

#[test]
fn xml_bad_ttl_and_rules() {
    for ttl in ["1.5", "abc", "+5", "1e3", "99999999999999999999"] {
        let body = format!("<token><name>n</name><ttl>{ttl}</ttl></token>");
        assert_eq!(
            code(TokenRequest::from_xml(body.as_bytes())),
            ErrorCode::InvalidTtl,
            "{ttl}"
        );
    }
    for rule in ["192.168.2.5/24", " 10.0.0.1 ", "", "1.2.3"] {
        let body =
            format!("<token><name>n</name><allowed_ips><ip>{rule}</ip></allowed_ips></token>");
        assert_eq!(
            code(TokenRequest::from_xml(body.as_bytes())),
            ErrorCode::InvalidIpRule,
            "{rule:?}"
        );
    }
}

#[test]
fn xml_strictness_refusals_are_invalid_request() {
    let deep = format!(
        "<token><name>n</name><x>{}{}</x></token>",
        "<a>".repeat(MAX_XML_DEPTH),
        "</a>".repeat(MAX_XML_DEPTH)
    );
    let bodies: Vec<(&str, String)> = vec![
        (
            "doctype",
            "<!DOCTYPE token><token><name>n</name></token>".into(),
        ),
        (
            "entity declaration",
            "<!DOCTYPE token [<!ENTITY e \"x\">]><token><name>&e;</name></token>".into(),
        ),
        ("unknown entity", "<token><name>&e;</name></token>".into()),
        (
            "external-looking entity",
            "<token><name>&nbsp;</name></token>".into(),
        ),
        (
            "bad char ref",
            "<token><name>&#xD800;</name></token>".into(),
        ),
        ("nul char ref", "<token><name>a&#0;</name></token>".into()),
        (
            "raw control char",
            "<token><name>a\u{1}</name></token>".into(),
        ),
        (
            "processing instruction",
            "<token><?php x?><name>n</name></token>".into(),
        ),
        (
            "late declaration",
            "<token><name>n</name></token><?xml version=\"1.0\"?>".into(),
        ),
        (
            "non-UTF-8 declared",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><token><name>n</name></token>".into(),
        ),
        (
            "duplicate name",
            "<token><name>a</name><name>b</name></token>".into(),
        ),
        (
            "duplicate ttl",
            "<token><name>a</name><ttl>1</ttl><ttl>2</ttl></token>".into(),
        ),
        (
            "duplicate unknown",
            "<token><name>a</name><x/><x/></token>".into(),
        ),
        (
            "duplicate allowed_ips",
            "<token><name>a</name><allowed_ips/><allowed_ips/></token>".into(),
        ),
        (
            "element in name",
            "<token><name><b>n</b></name></token>".into(),
        ),
        (
            "element in ttl",
            "<token><name>n</name><ttl><v>1</v></ttl></token>".into(),
        ),
        (
            "element in ip",
            "<token><name>n</name><allowed_ips><ip><v/></ip></allowed_ips></token>".into(),
        ),
        (
            "non-ip in list",
            "<token><name>n</name><allowed_ips><addr>10.0.0.1</addr></allowed_ips></token>".into(),
        ),
        (
            "text in list",
            "<token><name>n</name><allowed_ips>10.0.0.1</allowed_ips></token>".into(),
        ),
        ("text in token", "<token>hello<name>n</name></token>".into()),
        (
            "cdata in token",
            "<token><![CDATA[x]]><name>n</name></token>".into(),
        ),
        ("mismatched", "<token><name>n</nam></token>".into()),
        ("mismatched root", "<token><name>n</name></tokens>".into()),
        ("unclosed", "<token><name>n</name>".into()),
        ("unclosed leaf", "<token><name>n".into()),
        ("stray end", "<token><name>n</name></token></token>".into()),
        (
            "second root",
            "<token><name>n</name></token><token><name>m</name></token>".into(),
        ),
        ("trailing text", "<token><name>n</name></token>junk".into()),
        ("leading text", "junk<token><name>n</name></token>".into()),
        ("unknown root", "<request><name>n</name></request>".into()),
        (
            "prefixed root",
            "<x:token xmlns:x=\"u\"><name>n</name></x:token>".into(),
        ),
        ("empty", String::new()),
        ("only comment", "<!-- nothing -->".into()),
        ("json", SEED_JSON.into()),
        ("bad attribute", "<token a=1><name>n</name></token>".into()),
        (
            "duplicate attribute",
            "<token a=\"1\" a=\"2\"><name>n</name></token>".into(),
        ),
        (
            "attribute entity",
            "<token a=\"&e;\"><name>n</name></token>".into(),
        ),
        ("too deep", deep),
        ("lt in text", "<token><name>a<b</name></token>".into()),
    ];
    for (what, body) in bodies {
        assert_eq!(
            code(TokenRequest::from_xml(body.as_bytes())),
            ErrorCode::InvalidRequest,
            "{what}: {body}"
        );
    }
    // Just inside the depth bound is accepted.
    let ok = format!(
        "<token><name>n</name><x>{}{}</x></token>",
        "<a>".repeat(MAX_XML_DEPTH - 2),
        "</a>".repeat(MAX_XML_DEPTH - 2)
    );
    assert!(TokenRequest::from_xml(ok.as_bytes()).is_ok());
}

#[test]
fn xml_non_utf8_is_refused() {
    assert_eq!(
        code(TokenRequest::from_xml(b"<token><name>\xff</name></token>")),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        code(TokenRequest::parse(b"\xc3\x28", Format::Xml)),
        ErrorCode::InvalidRequest
    );
}

// ---------------------------------------------------------------------------
// Token creation
// ---------------------------------------------------------------------------

fn caller_claims(subject: Subject, allowed: Option<&[&str]>) -> Claims {
    let mut m = MintRequest::new(subject);
    m.now = Some(NOW);
    if let Some(a) = allowed {
        m.set_allowed_ips(a).unwrap();
    }
    let minted = issuer().mint(&m).unwrap();
    let client = allowed.map(|_| "10.1.1.1");
    let claims = verify_at(&minted.token, NOW, client).unwrap();
    assert_eq!(claims, minted.claims);
    claims
}

fn user_caller() -> Claims {
    caller_claims(Subject::user(123, "alice", false), None)
}

fn request(body: &str) -> TokenRequest {
    TokenRequest::from_json(body.as_bytes()).unwrap()
}

#[test]
fn created_token_for_self_carries_name_ttl_and_ips() {
    let req = request(SEED_JSON);
    let created = create_token(
        &issuer(),
        &user_caller(),
        &req,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(created.token(), NOW + 5, Some("192.168.2.77")).unwrap();
    assert_eq!(claims.subject, Subject::user(123, "alice", false));
    assert_eq!(claims.token_name.as_deref(), Some("Best token ever"));
    assert_eq!(claims.iat, NOW);
    assert_eq!(claims.exp, Some(NOW + 2_678_400));
    assert_eq!(claims.allowed_ips, Some(rules(&SEED_IPS)));
    assert_eq!(claims.parent, None);
    assert_eq!(claims.jti, created.token_id());
    assert_eq!(created.allowed_ips, SEED_IPS.to_vec());
    assert_eq!(
        code(verify_at(created.token(), NOW + 5, Some("192.168.3.1"))),
        ErrorCode::IpNotAllowed
    );
    assert_eq!(
        code(verify_at(
            created.token(),
            NOW + 2_678_400,
            Some("192.168.2.2")
        )),
        ErrorCode::TokenExpired
    );
}

#[test]
fn created_token_without_ttl_is_static_and_unrestricted() {
    let req = request(r#"{"token": {"name": "forever"}}"#);
    let created = create_token(
        &issuer(),
        &user_caller(),
        &req,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(created.token(), u64::from(u32::MAX), None).unwrap();
    assert!(claims.is_static());
    assert_eq!(claims.allowed_ips, None);
    assert!(created.allowed_ips.is_empty());
}

#[test]
fn created_token_json_response_shape() {
    let created = create_token(
        &issuer(),
        &user_caller(),
        &request(SEED_JSON),
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
               "token_id": created.token_id(), "allowed_ips": SEED_IPS})
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
        &request(SEED_JSON),
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

#[test]
fn created_token_ip_rules_are_written_canonically() {
    let req = request(
        r#"{"token": {"name": "n", "allowed_ips": ["::ffff:10.0.0.0/104", "2001:DB8::1"]}}"#,
    );
    let created = create_token(
        &issuer(),
        &user_caller(),
        &req,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(created.allowed_ips, vec!["10.0.0.0/8", "2001:db8::1"]);
}

#[test]
fn sub_account_token_names_the_caller_as_parent() {
    let caller = caller_claims(
        Subject::reseller(1, "reseller_name"),
        Some(&["10.0.0.0/8", "10.1.1.1"]),
    );
    let sub = Subject::User {
        id: 42,
        name: "customer".into(),
        admin: false,
        sms_from: Some("SHOP".into()),
        user_group_id: None,
    };
    let req = request(r#"{"token": {"name": "for the shop", "ttl": 3600}}"#);
    let created = create_token(
        &issuer(),
        &caller,
        &req,
        TokenTarget::SubAccount {
            subject: sub.clone(),
            owned_by_caller: true,
        },
        Some(NOW),
    )
    .unwrap();
    // The reseller's own restriction does not follow to the customer's token.
    let claims = verify_at(created.token(), NOW, None).unwrap();
    assert_eq!(claims.subject, sub);
    assert_eq!(claims.parent, Some(Principal::reseller(1)));
    assert_eq!(claims.token_name.as_deref(), Some("for the shop"));
    assert_eq!(claims.exp, Some(NOW + 3600));
    assert_eq!(claims.allowed_ips, None);
}

#[test]
fn sub_account_not_owned_is_not_permitted() {
    let err = create_token(
        &issuer(),
        &user_caller(),
        &request(SEED_JSON),
        TokenTarget::SubAccount {
            subject: Subject::user(999, "someone else", true),
            owned_by_caller: false,
        },
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    assert_eq!(err.http_status(), Some(403));
}

#[test]
fn self_token_keeps_the_callers_parent() {
    let mut m = MintRequest::new(Subject::user(42, "customer", false));
    m.parent = Some(Principal::reseller(1));
    m.now = Some(NOW);
    let caller = verify_at(&issuer().mint(&m).unwrap().token, NOW, None).unwrap();
    let created = create_token(
        &issuer(),
        &caller,
        &request(r#"{"token": {"name": "n"}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(created.minted.claims.parent, Some(Principal::reseller(1)));
}

#[test]
fn restricted_caller_cannot_widen_its_own_restriction() {
    let caller = caller_claims(
        Subject::reseller(1, "r"),
        Some(&["10.0.0.0/8", "2001:db8::/32"]),
    );
    let mint = |body: &str| {
        create_token(
            &issuer(),
            &caller,
            &request(body),
            TokenTarget::SelfAccount,
            Some(NOW),
        )
    };
    // No list asked: the caller's list is inherited.
    let inherited = mint(r#"{"token": {"name": "n"}}"#).unwrap();
    assert_eq!(inherited.allowed_ips, vec!["10.0.0.0/8", "2001:db8::/32"]);
    // Narrower rules are fine.
    let narrow = mint(
        r#"{"token": {"name": "n", "allowed_ips": ["10.1.0.0/16", "2001:db8::5", "10.0.0.0/8"]}}"#,
    )
    .unwrap();
    assert_eq!(
        narrow.allowed_ips,
        vec!["10.1.0.0/16", "2001:db8::5", "10.0.0.0/8"]
    );
    // Wider or elsewhere: refused.
    for ips in [
        r#"["0.0.0.0/0"]"#,
        r#"["10.0.0.0/7"]"#,
        r#"["10.0.0.1", "11.0.0.1"]"#,
        r#"["::/0"]"#,
    ] {
        let body = format!(r#"{{"token": {{"name": "n", "allowed_ips": {ips}}}}}"#);
        assert_eq!(code(mint(&body)), ErrorCode::NotPermitted, "{ips}");
    }
}

#[test]
fn caller_whose_token_allows_nothing_cannot_mint_an_unrestricted_self_token() {
    let mut caller = user_caller();
    caller.allowed_ips = Some(vec![]);
    assert_eq!(
        code(create_token(
            &issuer(),
            &caller,
            &request(r#"{"token": {"name": "n"}}"#),
            TokenTarget::SelfAccount,
            Some(NOW)
        )),
        ErrorCode::NotPermitted
    );
}

#[test]
fn ttl_out_of_range_is_refused_at_creation() {
    for ttl in [
        "0",
        "-1",
        "-9223372036854775808",
        "9223372036854775807",
        "315360001",
    ] {
        let body = format!(r#"{{"token": {{"name": "n", "ttl": {ttl}}}}}"#);
        let err = create_token(
            &issuer(),
            &user_caller(),
            &request(&body),
            TokenTarget::SelfAccount,
            Some(NOW),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidTtl, "{ttl}");
        assert_eq!(err.http_status(), Some(400));
    }
    // The largest TTL allowed by the default policy works.
    let body = r#"{"token": {"name": "n", "ttl": 315360000}}"#;
    let created = create_token(
        &issuer(),
        &user_caller(),
        &request(body),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(created.minted.expires_at(), Some(NOW + 315_360_000));
}

#[test]
fn static_request_honours_an_issuer_that_forbids_static_tokens() {
    let strict = Issuer::with_policy(
        ring(),
        TtlPolicy {
            allow_static: false,
            ..TtlPolicy::default()
        },
    )
    .unwrap();
    assert_eq!(
        code(create_token(
            &strict,
            &user_caller(),
            &request(r#"{"token": {"name": "n"}}"#),
            TokenTarget::SelfAccount,
            Some(NOW)
        )),
        ErrorCode::StaticNotAllowed
    );
}

#[test]
fn hand_built_request_with_a_bad_name_is_refused_at_creation() {
    let req = TokenRequest {
        name: String::new(),
        lifetime: Lifetime::Ttl(60),
        allowed_ips: vec![],
    };
    assert_eq!(
        code(create_token(
            &issuer(),
            &user_caller(),
            &req,
            TokenTarget::SelfAccount,
            Some(NOW)
        )),
        ErrorCode::InvalidRequest
    );
}

// ---------------------------------------------------------------------------
// Logout
// ---------------------------------------------------------------------------

#[test]
fn logout_revokes_the_token() {
    let store = MemoryRevocationStore::new();
    let login = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let other = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let claims = verify_at(login.token(), NOW, None).unwrap();
    logout(&store, &claims, Some(NOW + 1)).unwrap();

    let verifier = Verifier::new(ring());
    let req = VerifyRequest::at(NOW + 2).revocation(&store);
    assert_eq!(
        code(verifier.verify_with(login.token(), &req)),
        ErrorCode::TokenRevoked
    );
    assert!(verifier.verify_with(other.token(), &req).is_ok());
}

#[test]
fn logout_of_a_static_token_is_kept() {
    let store = MemoryRevocationStore::new();
    let created = create_token(
        &issuer(),
        &user_caller(),
        &request(r#"{"token": {"name": "n"}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    logout(&store, &created.minted.claims, Some(NOW)).unwrap();
    let far = NOW + 50 * 365 * 86_400;
    assert_eq!(store.purge_expired(Some(far)), 0);
    let req = VerifyRequest::at(far).revocation(&store);
    assert_eq!(
        code(Verifier::new(ring()).verify_with(created.token(), &req)),
        ErrorCode::TokenRevoked
    );
}

// ---------------------------------------------------------------------------
// Shared vectors
// ---------------------------------------------------------------------------

#[test]
fn shared_request_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/requests.json"
    );
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let format = match case["format"].as_str().unwrap() {
            "json" => Format::Json,
            "xml" => Format::Xml,
            other => panic!("{name}: unknown format {other}"),
        };
        let got = TokenRequest::parse(case["body"].as_str().unwrap().as_bytes(), format);
        match case["expect"].as_str().unwrap() {
            "valid" => {
                let req = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                let want = &case["request"];
                assert_eq!(req.name, want["name"].as_str().unwrap(), "{name}");
                let lifetime = want["ttl"].as_i64().map_or(Lifetime::Static, Lifetime::Ttl);
                assert_eq!(req.lifetime, lifetime, "{name}");
                let ips: Vec<String> = req.allowed_ips.iter().map(ToString::to_string).collect();
                let want_ips: Vec<String> = want["allowed_ips"]
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                assert_eq!(ips, want_ips, "{name}");
            }
            code => assert_eq!(got.map(|_| ()).unwrap_err().code().as_str(), code, "{name}"),
        }
    }
}
