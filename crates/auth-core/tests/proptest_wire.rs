//! Property tests for the token-creation request parsers and responses.

use std::net::{Ipv4Addr, Ipv6Addr};

use auth_core::{
    create_token, Algorithm, CreateTokenRequest, ErrorCode, Format, IpRule, Issuer, Key, KeyRing,
    Lifetime, MintRequest, Subject, TokenTarget, Verifier, VerifyRequest,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;

/// A test secret of `len` distinct-enough bytes starting at `seed` (a secret of one
/// repeated byte is `weak_key`).
fn secret(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

/// The codes a request parser may answer with.
fn parser_code(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::InvalidRequest | ErrorCode::InvalidTtl | ErrorCode::InvalidIpRule
    )
}

/// An IP rule in canonical text (host bits cleared, as `IpRule` displays it).
fn rule_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, p)| {
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            let net = Ipv4Addr::from(a & mask);
            if p == 32 {
                net.to_string()
            } else {
                format!("{net}/{p}")
            }
        }),
        (any::<u128>(), 0u8..=128).prop_map(|(a, p)| {
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            let net = Ipv6Addr::from(a & mask);
            if p == 128 {
                net.to_string()
            } else {
                format!("{net}/{p}")
            }
        }),
    ]
}

/// XML-ish text: the parser's own vocabulary, shuffled.
fn xmlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<token>"),
            Just("</token>"),
            Just("<name>"),
            Just("</name>"),
            Just("<ttl>"),
            Just("</ttl>"),
            Just("<allowed_ips>"),
            Just("</allowed_ips>"),
            Just("<ip>"),
            Just("</ip>"),
            Just("<x>"),
            Just("</x>"),
            Just("<x/>"),
            Just("<!-- c -->"),
            Just("<![CDATA[a]]>"),
            Just("<?xml version=\"1.0\"?>"),
            Just("<!DOCTYPE t>"),
            Just("&amp;"),
            Just("&e;"),
            Just("&#65;"),
            Just("10.0.0.0/8"),
            Just("60"),
            Just("n"),
            Just(" "),
            Just("<"),
            Just(">"),
            Just("\""),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

/// A valid request: a name of 1–255 characters, an optional TTL, canonical rules.
fn request_parts() -> impl Strategy<Value = (String, Option<i64>, Vec<String>)> {
    (
        proptest::collection::vec(any::<char>(), 1..=255).prop_map(|c| c.into_iter().collect()),
        proptest::option::of(any::<i64>()),
        proptest::collection::vec(rule_text(), 0..8),
    )
}

fn xml_allowed(c: char) -> bool {
    // '\r' is excluded: XML normalizes line ends, so it cannot round-trip exactly.
    matches!(c, '\t' | '\n' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn expected(name: &str, ttl: Option<i64>, rules: &[String]) -> CreateTokenRequest {
    CreateTokenRequest {
        name: name.to_owned(),
        lifetime: ttl.map_or(Lifetime::Static, Lifetime::Ttl),
        allowed_ips: rules.iter().map(|r| IpRule::parse(r).unwrap()).collect(),
        scopes: None,
    }
}

/// XML 1.0 §2.11: CR LF and a lone CR read as LF.
fn xml_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// XML whitespace (the only kind allowed around `<ttl>` digits and between elements).
fn xml_space() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![Just(' '), Just('\t'), Just('\r'), Just('\n')],
        0..3,
    )
    .prop_map(|c| c.into_iter().collect())
}

/// Text escaped for XML element content, with raw line ends kept as written.
fn xml_text(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The JSON and XML renderings of one random request (fields in any order, XML
    /// whitespace around the TTL and between elements, raw CR LF or CR in the XML name
    /// where JSON has LF) read to the same `CreateTokenRequest`.
    #[test]
    fn json_and_xml_renderings_of_one_request_agree(
        (name, ttl, rules) in request_parts(),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
        pads in proptest::collection::vec(xml_space(), 6),
        wrap_ips_empty in any::<bool>(),
    ) {
        let name: String = name.chars().filter(|&c| c == '\r' || xml_allowed(c)).collect();
        let json_name = xml_line_ends(&name);
        prop_assume!(!json_name.is_empty() && json_name.chars().count() <= 255);

        let mut token = serde_json::Map::new();
        let mut xml = format!("{}<token>", pads[0]);
        for field in &order {
            match field {
                0 => {
                    token.insert("name".into(), json!(json_name));
                    xml.push_str(&format!("{}<name>{}</name>", pads[1], xml_text(&name)));
                }
                1 => {
                    if let Some(t) = ttl {
                        token.insert("ttl".into(), json!(t));
                        xml.push_str(&format!("<ttl>{}{t}{}</ttl>", pads[2], pads[3]));
                    }
                }
                _ => {
                    if !rules.is_empty() || wrap_ips_empty {
                        token.insert("allowed_ips".into(), json!(rules));
                        xml.push_str("<allowed_ips>");
                        for r in &rules {
                            xml.push_str(&format!("{}<ip>{r}</ip>", pads[4]));
                        }
                        xml.push_str("</allowed_ips>");
                    }
                }
            }
        }
        xml.push_str(&format!("{}</token>{}", pads[5], pads[0]));
        let json_body = json!({"token": token}).to_string();

        let from_json = CreateTokenRequest::from_json(json_body.as_bytes()).unwrap();
        let from_xml = CreateTokenRequest::from_xml(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{xml:?}: {e}"));
        prop_assert_eq!(&from_json, &from_xml);
        prop_assert_eq!(from_json, expected(&json_name, ttl, &rules));
    }

    /// Any attribute, on any element, is refused, whatever else the body holds.
    #[test]
    fn xml_attributes_are_always_refused(
        (name, ttl, _) in request_parts(),
        on in 0usize..3,
        attr in "[a-z][a-z0-9]{0,6}",
        value in "[a-zA-Z0-9 .:/='-]{0,8}",
    ) {
        let name: String = name.chars().filter(|&c| xml_allowed(c)).collect();
        prop_assume!(!name.is_empty());
        let a = format!(" {attr}=\"{}\"", xml_text(&value));
        let at = |i: usize| if i == on { a.as_str() } else { "" };
        let body = format!(
            "<token{}><name{}>{}</name><ttl{}>{}</ttl></token>",
            at(0), at(1), xml_text(&name), at(2), ttl.unwrap_or(1),
        );
        let e = CreateTokenRequest::from_xml(body.as_bytes()).unwrap_err();
        prop_assert_eq!(e.code(), ErrorCode::InvalidRequest);
        prop_assert!(e.message().contains("are not allowed"), "{}", e.message());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in [Format::Json, Format::Xml] {
            if let Err(e) = CreateTokenRequest::parse(&bytes, format) {
                prop_assert!(parser_code(e.code()), "{:?}", e);
            }
        }
    }

    #[test]
    fn xmlish_text_never_panics(text in xmlish()) {
        if let Err(e) = CreateTokenRequest::from_xml(text.as_bytes()) {
            prop_assert!(parser_code(e.code()), "{:?}", e);
        }
    }

    #[test]
    fn json_shaped_garbage_never_panics(v in proptest::arbitrary::any::<(Option<String>, Option<i64>, Option<Vec<String>>, bool)>()) {
        let (name, ttl, ips, wrap) = v;
        let mut token = serde_json::Map::new();
        if let Some(n) = name { token.insert("name".into(), json!(n)); }
        if let Some(t) = ttl { token.insert("ttl".into(), json!(t)); }
        if let Some(i) = ips { token.insert("allowed_ips".into(), json!(i)); }
        let body = if wrap { json!({"token": token}) } else { Value::Object(token) };
        if let Err(e) = CreateTokenRequest::from_json(body.to_string().as_bytes()) {
            prop_assert!(parser_code(e.code()), "{:?}", e);
        }
    }

    #[test]
    fn valid_json_requests_round_trip((name, ttl, rules) in request_parts()) {
        let mut token = serde_json::Map::new();
        token.insert("name".into(), json!(name));
        if let Some(t) = ttl {
            token.insert("ttl".into(), json!(t));
        }
        if !rules.is_empty() {
            token.insert("allowed_ips".into(), json!(rules));
        }
        let body = json!({"token": token}).to_string();
        let req = CreateTokenRequest::from_json(body.as_bytes()).unwrap();
        prop_assert_eq!(req, expected(&name, ttl, &rules));
    }

    #[test]
    fn valid_xml_requests_round_trip((name, ttl, rules) in request_parts()) {
        let name: String = name.chars().filter(|&c| xml_allowed(c)).collect();
        prop_assume!(!name.is_empty());
        let mut body = format!("<token><name>{}</name>", quick_xml::escape::escape(name.as_str()));
        if let Some(t) = ttl {
            body.push_str(&format!("<ttl>{t}</ttl>"));
        }
        if !rules.is_empty() {
            body.push_str("<allowed_ips>");
            for r in &rules {
                body.push_str(&format!("<ip>{r}</ip>"));
            }
            body.push_str("</allowed_ips>");
        }
        body.push_str("</token>");
        let req = CreateTokenRequest::from_xml(body.as_bytes()).unwrap();
        prop_assert_eq!(req, expected(&name, ttl, &rules));
    }

    #[test]
    fn created_tokens_match_their_request(
        (name, _, rules) in request_parts(),
        ttl in proptest::option::of(1i64..=315_360_000),
    ) {
        let ring = KeyRing::single(Key::new("k", Algorithm::HS256, &secret(5, 32)).unwrap());
        let issuer = Issuer::new(ring.clone());
        let mut login = MintRequest::new(Subject::user(9, "u", false));
        login.now = Some(NOW);
        let caller = issuer.mint(&login).unwrap().claims;
        let req = expected(&name, ttl, &rules);
        let created = create_token(&issuer, &caller, &req, TokenTarget::SelfAccount, Some(NOW)).unwrap();
        let mut at = VerifyRequest::at(NOW);
        at.client_ip = created.minted.claims.allowed_ips.as_ref().and_then(|r| r.first()).map(|r| r.network().network());
        let claims = Verifier::new(ring).verify_with(created.token(), &at).unwrap();
        prop_assert_eq!(claims.token_name.as_deref(), Some(name.as_str()));
        prop_assert_eq!(claims.exp, ttl.map(|t| NOW + t as u64));
        prop_assert_eq!(&created.allowed_ips, &rules);
        let json: Value = serde_json::from_str(&created.to_json()).unwrap();
        prop_assert_eq!(&json["allowed_ips"], &json!(rules));
        prop_assert_eq!(&json["token_id"], &json!(claims.jti));
    }
}
