//! Arbitrary bytes as a token-creation body, read as JSON and as XML.
//!
//! A request that parses has a valid name and strict rules, and writing it back out
//! (as JSON always; as XML when the name holds only characters XML allows) reads back to
//! the same request — also across formats, which checks the two readers against each
//! other. The XML rendering also reads back the same with raw CR LF line ends in the
//! name (XML 1.0 line-end handling); with an attribute or a namespace declaration added,
//! or with an empty `<ttl>`, it is refused. A body that starts with a byte-order mark is
//! refused by both readers.
#![no_main]

use auth_core::{CreateTokenRequest, ErrorCode, IpRule, Lifetime, MAX_BODY_BYTES};
use auth_core_fuzz::assert_error_in;
use libfuzzer_sys::fuzz_target;

const CODES: [ErrorCode; 3] = [
    ErrorCode::InvalidRequest,
    ErrorCode::InvalidTtl,
    ErrorCode::InvalidIpRule,
];

fuzz_target!(|data: &[u8]| {
    if data.starts_with("\u{feff}".as_bytes()) {
        for r in [
            CreateTokenRequest::from_json(data),
            CreateTokenRequest::from_xml(data),
        ] {
            assert_eq!(r.unwrap_err().code(), ErrorCode::InvalidRequest, "BOM");
        }
    }
    for (r, what) in [
        (CreateTokenRequest::from_json(data), "from_json"),
        (CreateTokenRequest::from_xml(data), "from_xml"),
    ] {
        match r {
            Err(e) => assert_error_in(&e, &CODES, what),
            Ok(req) => {
                assert!(data.len() <= MAX_BODY_BYTES);
                check(&req, what);
            }
        }
    }
});

fn check(req: &CreateTokenRequest, what: &str) {
    assert!(
        auth_core::valid_token_name(&req.name),
        "{what}: accepted name of {} chars",
        req.name.chars().count()
    );
    assert!(
        matches!(req.lifetime, Lifetime::Static | Lifetime::Ttl(_)),
        "{what}: a body cannot ask for the dynamic default"
    );
    for r in &req.allowed_ips {
        assert_eq!(IpRule::parse(&r.to_string()).ok(), Some(*r));
    }

    let json = to_json(req);
    let back = CreateTokenRequest::from_json(json.as_bytes())
        .unwrap_or_else(|e| panic!("{what} → JSON {json:?} does not read back: {e:?}"));
    assert_eq!(&back, req, "{what} → JSON {json:?} reads back differently");

    if req.name.chars().all(xml_char) {
        let xml = to_xml(req);
        let back = CreateTokenRequest::from_xml(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{what} → XML {xml:?} does not read back: {e:?}"));
        assert_eq!(&back, req, "{what} → XML {xml:?} reads back differently");

        let crlf = to_xml_with(req, true);
        let back = CreateTokenRequest::from_xml(crlf.as_bytes())
            .unwrap_or_else(|e| panic!("{what} → XML {crlf:?} does not read back: {e:?}"));
        assert_eq!(&back, req, "{what} → XML {crlf:?} (CR LF) reads back differently");

        for extra in [" a=\"\"", " xmlns=\"urn:x\"", " xmlns:p=\"urn:x\""] {
            let attr = xml.replacen("<token>", &format!("<token{extra}>"), 1);
            let e = CreateTokenRequest::from_xml(attr.as_bytes()).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest, "{what}: {attr:?}");
        }
        let empty_ttl = match req.lifetime {
            Lifetime::Ttl(n) => xml.replacen(&format!("<ttl>{n}</ttl>"), "<ttl></ttl>", 1),
            _ => xml.replacen("</name>", "</name><ttl/>", 1),
        };
        let e = CreateTokenRequest::from_xml(empty_ttl.as_bytes()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidTtl, "{what}: {empty_ttl:?}");
    }
}

fn to_json(req: &CreateTokenRequest) -> String {
    let ttl = match req.lifetime {
        Lifetime::Ttl(n) => serde_json::Value::from(n),
        _ => serde_json::Value::Null,
    };
    let ips: Vec<String> = req.allowed_ips.iter().map(ToString::to_string).collect();
    serde_json::json!({"token": {"name": req.name, "ttl": ttl, "allowed_ips": ips}}).to_string()
}

fn to_xml(req: &CreateTokenRequest) -> String {
    to_xml_with(req, false)
}

/// The XML body of `req`; with `raw_crlf`, each LF of the name is written as a raw CR LF
/// (which XML reads back as LF) instead of a character reference.
fn to_xml_with(req: &CreateTokenRequest, raw_crlf: bool) -> String {
    let mut s = String::from("<token><name>");
    escape_into(&req.name, raw_crlf, &mut s);
    s.push_str("</name>");
    if let Lifetime::Ttl(n) = req.lifetime {
        s.push_str(&format!("<ttl>{n}</ttl>"));
    }
    if !req.allowed_ips.is_empty() {
        s.push_str("<allowed_ips>");
        for r in &req.allowed_ips {
            s.push_str(&format!("<ip>{r}</ip>"));
        }
        s.push_str("</allowed_ips>");
    }
    s.push_str("</token>");
    s
}

fn escape_into(text: &str, raw_crlf: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Written as references so that no line-end handling can change them.
            '\r' => out.push_str("&#13;"),
            '\n' if raw_crlf => out.push_str("\r\n"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// XML 1.0 `Char`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
