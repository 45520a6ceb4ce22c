//! Reading `POST /token` bodies (JSON and XML): the field rules, strictness, limits, and
//! the shared request vectors.

mod common;

use auth_core::{CreateTokenRequest, ErrorCode, Format, Lifetime, MAX_BODY_BYTES, MAX_XML_DEPTH};
use common::*;
use serde_json::{json, Value};

// --- JSON bodies -------------------------------------------------------------

#[test]
fn json_documented_request_parses() {
    let req = CreateTokenRequest::from_json(API_DOC_JSON.as_bytes()).unwrap();
    assert_eq!(req.name, "Best token ever");
    assert_eq!(req.lifetime, Lifetime::Ttl(2_678_400));
    assert_eq!(req.allowed_ips, rules(&API_DOC_IPS));
    assert_eq!(
        CreateTokenRequest::parse(API_DOC_JSON.as_bytes(), Format::Json).unwrap(),
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
        let req = CreateTokenRequest::from_json(body.as_bytes()).unwrap();
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
    let req = CreateTokenRequest::from_json(body).unwrap();
    assert_eq!(req.name, "n");
    assert_eq!(req.lifetime, Lifetime::Ttl(60));
}

#[test]
fn json_keeps_zero_and_negative_ttl_for_the_issuer_to_refuse() {
    for (ttl, want) in [("0", 0), ("-5", -5), ("9223372036854775807", i64::MAX)] {
        let body = format!(r#"{{"token": {{"name": "n", "ttl": {ttl}}}}}"#);
        let req = CreateTokenRequest::from_json(body.as_bytes()).unwrap();
        assert_eq!(req.lifetime, Lifetime::Ttl(want));
    }
}

#[test]
fn json_name_rules() {
    let max = "é".repeat(255);
    let body = json!({"token": {"name": max}}).to_string();
    assert_eq!(
        CreateTokenRequest::from_json(body.as_bytes()).unwrap().name,
        max
    );

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
            code(CreateTokenRequest::from_json(body.as_bytes())),
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
            code(CreateTokenRequest::from_json(body.as_bytes())),
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
        let err = CreateTokenRequest::from_json(body.as_bytes()).unwrap_err();
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
            code(CreateTokenRequest::from_json(body.as_bytes())),
            ErrorCode::InvalidRequest,
            "{body}"
        );
    }
}

#[test]
fn json_fields_are_checked_name_then_ttl_then_ips() {
    let body = br#"{"token": {"ttl": "x", "allowed_ips": ["bad"]}}"#;
    assert_eq!(
        code(CreateTokenRequest::from_json(body)),
        ErrorCode::InvalidRequest
    );
    let body = br#"{"token": {"name": "n", "ttl": "x", "allowed_ips": ["bad"]}}"#;
    assert_eq!(
        code(CreateTokenRequest::from_json(body)),
        ErrorCode::InvalidTtl
    );
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
        let err = CreateTokenRequest::from_json(body.as_bytes()).unwrap_err();
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
            code(CreateTokenRequest::from_json(&body)),
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
        CreateTokenRequest::from_json(nested(20).as_bytes())
            .unwrap()
            .name,
        "n"
    );
    let err = CreateTokenRequest::from_json(nested(5_000).as_bytes()).unwrap_err();
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
    let err = CreateTokenRequest::from_json(body.as_bytes()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRequest);
    assert!(err.message().contains("larger than"));
    let body = format!("<token><name>n</name></token>{pad}");
    assert_eq!(
        code(CreateTokenRequest::from_xml(body.as_bytes())),
        ErrorCode::InvalidRequest
    );
    // Exactly at the limit is fine.
    let base = r#"{"token": {"name": "n"}}"#;
    let body = format!("{base}{}", " ".repeat(MAX_BODY_BYTES - base.len()));
    assert!(CreateTokenRequest::from_json(body.as_bytes()).is_ok());
}

#[test]
fn bad_rule_messages_quote_at_most_a_short_prefix_of_the_rule() {
    let rule = "x".repeat(2000);
    let body = json!({"token": {"name": "n", "allowed_ips": [rule]}}).to_string();
    let err = CreateTokenRequest::from_json(body.as_bytes()).unwrap_err();
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
        let err = CreateTokenRequest::from_json(body.as_bytes()).unwrap_err();
        assert!(!err.message().contains(secret), "{}", err.message());
    }
    for body in [
        format!("<token><name>n</name><ttl>{secret}</ttl></token>"),
        format!("<token><{secret}>x</{secret}2></token>"),
        format!("<token><name>&{secret};</name></token>"),
        format!("<{secret}/>"),
    ] {
        let err = CreateTokenRequest::from_xml(body.as_bytes()).unwrap_err();
        assert!(!err.message().contains(secret), "{}", err.message());
    }
}

// --- XML bodies --------------------------------------------------------------

const API_DOC_XML: &str = "<token><name>Best token ever</name><ttl>2678400</ttl><allowed_ips><ip>2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae</ip><ip>192.168.2.0/24</ip><ip>192.168.2.2</ip></allowed_ips></token>";

#[test]
fn xml_documented_request_parses_like_the_json_one() {
    let req = CreateTokenRequest::from_xml(API_DOC_XML.as_bytes()).unwrap();
    assert_eq!(
        req,
        CreateTokenRequest::from_json(API_DOC_JSON.as_bytes()).unwrap()
    );
    assert_eq!(
        CreateTokenRequest::parse(API_DOC_XML.as_bytes(), Format::Xml).unwrap(),
        req
    );
}

#[test]
fn xml_with_declaration_comments_whitespace_entities_and_cdata() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a comment -->\n<token>\n  <name>Fish &amp; Chips &#x263A; &lt;3</name>\n  <ttl> 60 </ttl>\n  <allowed_ips>\n    <ip>10.0.0.0/8</ip>\n    <!-- second -->\n    <ip><![CDATA[::1]]></ip>\n  </allowed_ips>\n  <unknown><deeper>text</deeper></unknown>\n</token>\n<!-- trailing comment -->\n";
    let req = CreateTokenRequest::from_xml(body.as_bytes()).unwrap();
    assert_eq!(req.name, "Fish & Chips \u{263A} <3");
    assert_eq!(req.lifetime, Lifetime::Ttl(60));
    assert_eq!(req.allowed_ips, rules(&["10.0.0.0/8", "::1"]));
}

#[test]
fn xml_ttl_and_ips_optional_and_empty_forms() {
    // An empty `<ttl>` is not an absent one: see
    // `xml_empty_or_blank_ttl_is_invalid_ttl_only_absent_is_static`.
    for body in [
        "<token><name>n</name></token>",
        "<token><name>n</name><allowed_ips/></token>",
        "<token><name>n</name><allowed_ips>\n</allowed_ips></token>",
    ] {
        let req = CreateTokenRequest::from_xml(body.as_bytes()).unwrap();
        assert_eq!(req.lifetime, Lifetime::Static, "{body}");
        assert!(req.allowed_ips.is_empty(), "{body}");
    }
    let req = CreateTokenRequest::from_xml(b"<token><ttl>-5</ttl><name>n</name></token>").unwrap();
    assert_eq!(req.lifetime, Lifetime::Ttl(-5));
}

#[test]
fn xml_name_is_taken_exactly_and_must_be_1_to_255_chars() {
    let req = CreateTokenRequest::from_xml(b"<token><name> spaced </name></token>").unwrap();
    assert_eq!(req.name, " spaced ");
    let long = format!("<token><name>{}</name></token>", "a".repeat(256));
    for body in [
        "<token></token>",
        "<token><name/></token>",
        "<token><name></name></token>",
        long.as_str(),
    ] {
        assert_eq!(
            code(CreateTokenRequest::from_xml(body.as_bytes())),
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
            code(CreateTokenRequest::from_xml(body.as_bytes())),
            ErrorCode::InvalidTtl,
            "{ttl}"
        );
    }
    for rule in ["192.168.2.5/24", " 10.0.0.1 ", "", "1.2.3"] {
        let body =
            format!("<token><name>n</name><allowed_ips><ip>{rule}</ip></allowed_ips></token>");
        assert_eq!(
            code(CreateTokenRequest::from_xml(body.as_bytes())),
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
        ("json", API_DOC_JSON.into()),
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
            code(CreateTokenRequest::from_xml(body.as_bytes())),
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
    assert!(CreateTokenRequest::from_xml(ok.as_bytes()).is_ok());
}

#[test]
fn xml_non_utf8_is_refused() {
    assert_eq!(
        code(CreateTokenRequest::from_xml(
            b"<token><name>\xff</name></token>"
        )),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        code(CreateTokenRequest::parse(b"\xc3\x28", Format::Xml)),
        ErrorCode::InvalidRequest
    );
}

// --- shared vectors ----------------------------------------------------------

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
        let got = CreateTokenRequest::parse(case["body"].as_str().unwrap().as_bytes(), format);
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

// --- hardening: XML strictness and agreement with JSON -------------------------

/// The error a body gets, with its message, for assertions on both.
fn xml_err(body: &str) -> (ErrorCode, String) {
    let e = CreateTokenRequest::from_xml(body.as_bytes()).unwrap_err();
    (e.code(), e.message().to_string())
}

#[test]
fn xml_attributes_are_refused_on_every_element() {
    for body in [
        "<token version=\"2\"><name>n</name></token>",
        "<token><name lang=\"en\">n</name></token>",
        "<token><name>n</name><ttl unit=\"s\">60</ttl></token>",
        "<token><name>n</name><allowed_ips kind=\"v4\"><ip>10.0.0.1</ip></allowed_ips></token>",
        "<token><name>n</name><allowed_ips><ip a=\"\">10.0.0.1</ip></allowed_ips></token>",
        "<token><name>n</name><x><y a=\"1\"/></x></token>",
        "<token><name>n</name><ttl a=\"\"/></token>",
        "<token a=''><name>n</name></token>",
    ] {
        let (code, msg) = xml_err(body);
        assert_eq!(code, ErrorCode::InvalidRequest, "{body}");
        assert!(msg.contains("attributes are not allowed"), "{body}: {msg}");
    }
}

#[test]
fn xml_lt_inside_an_attribute_value_is_refused() {
    let (code, _) = xml_err("<token a=\"<\"><name>n</name></token>");
    assert_eq!(code, ErrorCode::InvalidRequest);
}

#[test]
fn xml_attribute_heavy_body_is_refused() {
    let mut body = String::from("<token");
    while body.len() < MAX_BODY_BYTES - 64 {
        body.push_str(&format!(" a{}=\"\"", body.len()));
    }
    body.push_str("><name>n</name></token>");
    let (code, msg) = xml_err(&body);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(msg.contains("attributes are not allowed"), "{msg}");
}

#[test]
fn xml_namespaces_are_refused() {
    for (body, what) in [
        (
            "<token xmlns=\"urn:evil\"><name>n</name></token>",
            "namespace",
        ),
        (
            "<token xmlns:x=\"urn:evil\"><name>n</name></token>",
            "namespace",
        ),
        ("<token><name>n</name><x:ttl>5</x:ttl></token>", "namespace"),
        ("<token><name>n</name><x:y/></token>", "namespace"),
        ("<token><name>n</name><a><b:c/></a></token>", "namespace"),
    ] {
        let (code, msg) = xml_err(body);
        assert_eq!(code, ErrorCode::InvalidRequest, "{body}");
        assert!(msg.contains(what), "{body}: {msg}");
    }
}

#[test]
fn xml_empty_or_blank_ttl_is_invalid_ttl_only_absent_is_static() {
    for body in [
        "<token><name>n</name><ttl/></token>",
        "<token><name>n</name><ttl></ttl></token>",
        "<token><name>n</name><ttl> </ttl></token>",
        "<token><name>n</name><ttl>\r\n\t</ttl></token>",
        "<token><name>n</name><ttl><!-- c --></ttl></token>",
        "<token><name>n</name><ttl><![CDATA[]]></ttl></token>",
    ] {
        let (code, msg) = xml_err(body);
        assert_eq!(code, ErrorCode::InvalidTtl, "{body}");
        assert!(msg.contains("empty"), "{body}: {msg}");
    }
    // JSON agrees: an empty string is invalid_ttl, absent or null is static.
    assert_eq!(
        code(CreateTokenRequest::from_json(
            br#"{"token": {"name": "n", "ttl": ""}}"#
        )),
        ErrorCode::InvalidTtl
    );
    let req = CreateTokenRequest::from_xml(b"<token><name>n</name></token>").unwrap();
    assert_eq!(req.lifetime, Lifetime::Static);
}

#[test]
fn xml_ttl_with_leading_zeros_is_invalid_ttl_like_json() {
    for ttl in ["00060", "060", "-060", "00"] {
        let (code, msg) = xml_err(&format!("<token><name>n</name><ttl>{ttl}</ttl></token>"));
        assert_eq!(code, ErrorCode::InvalidTtl, "{ttl}");
        assert!(msg.contains("leading zero"), "{ttl}: {msg}");
    }
    assert_eq!(
        code(CreateTokenRequest::from_json(
            br#"{"token": {"name": "n", "ttl": 060}}"#
        )),
        ErrorCode::InvalidRequest,
        "JSON refuses 060 as a syntax error"
    );
    let req = CreateTokenRequest::from_xml(b"<token><name>n</name><ttl>0</ttl></token>").unwrap();
    assert_eq!(
        req.lifetime,
        Lifetime::Ttl(0),
        "0 itself is left for the issuer"
    );
}

#[test]
fn xml_ttl_is_trimmed_of_xml_whitespace_only() {
    let req =
        CreateTokenRequest::from_xml(b"<token><name>n</name><ttl> \t\r\n60\r\n </ttl></token>")
            .unwrap();
    assert_eq!(req.lifetime, Lifetime::Ttl(60));
    for ws in [
        "\u{3000}", "\u{2028}", "\u{a0}", "\u{85}", "\u{2003}", "&#x3000;",
    ] {
        for body in [
            format!("<token><name>n</name><ttl>{ws}60</ttl></token>"),
            format!("<token><name>n</name><ttl>60{ws}</ttl></token>"),
        ] {
            assert_eq!(
                code(CreateTokenRequest::from_xml(body.as_bytes())),
                ErrorCode::InvalidTtl,
                "{ws:?}"
            );
        }
    }
}

#[test]
fn byte_order_marks_are_refused_by_both_readers() {
    let json = "{\"token\": {\"name\": \"n\", \"ttl\": 60}}";
    let xml = "<token><name>n</name><ttl>60</ttl></token>";
    for bom in ["\u{feff}", "\u{feff}\u{feff}"] {
        for (body, format) in [
            (format!("{bom}{json}"), Format::Json),
            (format!("{bom}{xml}"), Format::Xml),
        ] {
            let e = CreateTokenRequest::parse(body.as_bytes(), format).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest, "{format:?} {bom:?}");
            assert!(e.message().contains("byte-order mark"), "{}", e.message());
        }
    }
    assert_eq!(
        CreateTokenRequest::from_json(json.as_bytes()).unwrap(),
        CreateTokenRequest::from_xml(xml.as_bytes()).unwrap()
    );
}

#[test]
fn xml_line_ends_in_name_are_normalised_to_lf_like_json() {
    let json = CreateTokenRequest::from_json(br#"{"token": {"name": "a\nb\nc"}}"#).unwrap();
    for body in [
        "<token><name>a\r\nb\rc</name></token>",
        "<token><name>a\nb\nc</name></token>",
        "<token>\r\n<name><![CDATA[a\r\nb\r]]>c</name>\r</token>",
    ] {
        let xml = CreateTokenRequest::from_xml(body.as_bytes()).unwrap();
        assert_eq!(xml, json, "{body:?}");
    }
    // A character reference is not a line end: it keeps its CR, as JSON's "\r" does.
    let xml = CreateTokenRequest::from_xml(b"<token><name>a&#13;&#10;b</name></token>").unwrap();
    let json = CreateTokenRequest::from_json(br#"{"token": {"name": "a\r\nb"}}"#).unwrap();
    assert_eq!(xml, json);
}
