//! The HTTP edge on a request built with `arbitrary`: `Authorization` lines (each may hold
//! one of the valid tokens of `tests/vectors/http_edge.json`), a peer (`peer_addr` of
//! arbitrary text, or none), `X-Forwarded-For` lines, `Accept` lines, a choice of trusted
//! proxies, and an error code and message for a refusal.
//!
//! * `bearer_token` accepts exactly what an independent reference of RFC 6750 §2.1 accepts
//!   (one line whose OWS-trimmed value is `bearer` in any case, one space, a b64token), and
//!   refuses only with `missing_token` or `malformed_token`;
//! * `peer_addr` returns normalised addresses that read back from their text;
//! * `client_ip` with no trusted proxy is the peer; from an untrusted peer it is the peer
//!   whatever was forwarded; from a trusted one it is the peer, an address of the
//!   forwarded lines, or `invalid_ip_address`, and when every entry is an address it is the
//!   reference's right-most untrusted entry;
//! * `Authenticator::authenticate_at` fails with the bearer reader's error, then the
//!   address's, then the verifier's verdict for that token and address; it verifies only
//!   a token the bearer reader returned, and only the vectors' tokens; the valid static
//!   token always verifies once the bearer reader and the address accept it, the
//!   IP-limited one exactly from its ranges, the revoked one never (`token_revoked`);
//! * every `Answer` (in a style the input chooses: `refusal` of every error met plus one of a chosen code
//!   with an arbitrary message, `rate_limited`, `server_error`) has a status in 400..=599
//!   (401/403/500 for `auth_request`), a content type exactly when its style has a body,
//!   a body that parses as that style's JSON or XML (`<response>…</response>` for the
//!   token API when `Accept` asks for XML) with the code, status and client message, and
//!   header values that are valid HTTP field values.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use auth_core::{
    accept_format, bearer_token, error_status, normalize_addr, peer_addr, Algorithm, Answer,
    AnswerStyle, Authenticator, Error, ErrorCode, Format, Key, KeyRing, MemoryRevocationStore,
    Result, TrustedProxies, Verifier, VerifyRequest,
};
use auth_core_fuzz::NOW;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

/// `tests/vectors/http_edge.json`: the `edge` key and two of its tokens.
const EDGE_SECRET_B64: &str = "KCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4_QEFCQ0RFRkc";
/// A static token (no `exp`), `jti` `edge-1`.
const VALID: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImVkZ2UifQ.eyJ0eXBlIjoidXNlciIsImlkIjoxMjMsIm5hbWUiOiJhbGljZSIsImFkbWluIjpmYWxzZSwic21zX2Zyb20iOiJBQ01FIiwidXNlcl9ncm91cF9pZCI6NywiaWF0IjoxNjk5OTk5OTAwLCJqdGkiOiJlZGdlLTEifQ.AmUaz6UJ9X19B9ALFhK4HOhIaBHTGEClt18rD36MBmg";
/// A static token whose `jti` (`edge-revoked`) the fixture's revocation store holds.
const REVOKED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImVkZ2UifQ.eyJ0eXBlIjoidXNlciIsImlkIjoxMjMsIm5hbWUiOiJhbGljZSIsImFkbWluIjpmYWxzZSwic21zX2Zyb20iOiJBQ01FIiwidXNlcl9ncm91cF9pZCI6NywiaWF0IjoxNjk5OTk5OTAwLCJqdGkiOiJlZGdlLXJldm9rZWQifQ.UfGUuOZP3mCEfuaJGP7NYUxmjWCfJBdksXA-IEAirDA";
/// A static token with `allowed_ips` `203.0.113.0/24` and `2001:db8::/32`, `jti` `edge-ip`.
const IP_LIMITED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImVkZ2UifQ.eyJ0eXBlIjoidXNlciIsImlkIjoxMjMsIm5hbWUiOiJhbGljZSIsImFkbWluIjpmYWxzZSwic21zX2Zyb20iOiJBQ01FIiwidXNlcl9ncm91cF9pZCI6NywiaWF0IjoxNjk5OTk5OTAwLCJqdGkiOiJlZGdlLWlwIiwiYWxsb3dlZF9pcHMiOlsiMjAzLjAuMTEzLjAvMjQiLCIyMDAxOmRiODo6LzMyIl19.pXGR6d_MqPf9C_NZS7vlAB2jAavin-ZoE2GjUurDMZQ";

/// The trusted-proxy sets a request may be checked against (`proxies % 8`; bit 3 also
/// trusts Unix-socket peers; the top bits choose the answer style).
const PROXY_SETS: [&[&str]; 8] = [
    &[],
    &["127.0.0.1"],
    &["127.0.0.1", "10.0.0.0/8"],
    &["::1", "2001:db8::/32"],
    &["0.0.0.0/0", "::/0"],
    &["192.168.0.0/16", "fe80::/10"],
    &["203.0.113.0/24"],
    &["172.16.0.0/12", "fc00::/7"],
];

#[derive(Arbitrary, Debug)]
struct Request {
    /// Which trusted proxies (`% 8`), whether Unix peers are trusted (`& 8`) and the
    /// style of the answers (`>> 4`, index into `AnswerStyle::ALL`).
    proxies: u8,
    /// The code of one more refusal (index into `ErrorCode::ALL`).
    code: u8,
    /// The peer's text as a server writes it; `None`: no IP address.
    peer: Option<Vec<u8>>,
    authorization: Vec<Line>,
    forwarded_for: Vec<Vec<u8>>,
    accept: Vec<Vec<u8>>,
    /// The message of the extra refusal.
    message: Vec<u8>,
}

/// `prefix`, then a token of the vectors (`token % 4`: none, `VALID`, `IP_LIMITED`,
/// `REVOKED`), then `suffix`.
#[derive(Arbitrary, Debug)]
struct Line {
    prefix: Vec<u8>,
    token: u8,
    suffix: Vec<u8>,
}

impl Line {
    fn bytes(&self) -> Vec<u8> {
        let token = match self.token % 4 {
            0 => "",
            1 => VALID,
            2 => IP_LIMITED,
            _ => REVOKED,
        };
        [&self.prefix[..], token.as_bytes(), &self.suffix[..]].concat()
    }
}

struct Fixture {
    verifier: Verifier,
    /// One per `proxies & 15`.
    authenticators: Vec<(TrustedProxies, Authenticator)>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let secret = URL_SAFE_NO_PAD
            .decode(EDGE_SECRET_B64)
            .expect("edge secret");
        let ring = KeyRing::single(Key::new("edge", Algorithm::HS256, &secret).expect("edge key"));
        let store = MemoryRevocationStore::new();
        store.revoke("edge-revoked", None, None).expect("revoke");
        let mut verifier = Verifier::new(ring);
        verifier.set_revocation_store(Some(Arc::new(store)));
        let authenticators = (0..16)
            .map(|i| {
                let proxies = TrustedProxies::parse(PROXY_SETS[i % 8])
                    .expect("trusted proxies")
                    .trust_unix_peers(i & 8 != 0);
                let auth = Authenticator::new(verifier.clone()).trusted_proxies(proxies.clone());
                (proxies, auth)
            })
            .collect();
        Fixture {
            verifier,
            authenticators,
        }
    })
}

fuzz_target!(|req: Request| {
    let f = fixture();
    let auth_lines: Vec<Vec<u8>> = req.authorization.iter().map(Line::bytes).collect();
    let auth: Vec<&[u8]> = auth_lines.iter().map(Vec::as_slice).collect();
    let xff: Vec<&[u8]> = req.forwarded_for.iter().map(Vec::as_slice).collect();
    let accept: Vec<&[u8]> = req.accept.iter().map(Vec::as_slice).collect();
    let (proxies, authenticator) = &f.authenticators[usize::from(req.proxies & 15)];

    let peer = req
        .peer
        .as_ref()
        .and_then(|p| peer_addr(&String::from_utf8_lossy(p)));
    if let Some(a) = peer {
        assert_eq!(normalize_addr(a), a, "peer_addr returned a mapped address");
        assert_eq!(
            peer_addr(&a.to_string()),
            Some(a),
            "peer text does not read back"
        );
        assert_eq!(peer_addr(&format!(" [{a}] ")), Some(a), "bracketed peer");
    }

    let mut errors: Vec<Error> = Vec::new();

    // The bearer reader against the reference.
    let bearer = bearer_token(&auth);
    assert_eq!(
        bearer.as_ref().ok().map(|t| t.as_bytes()),
        reference_bearer(&auth),
        "bearer_token disagrees with RFC 6750 on {auth_lines:?}"
    );
    if let Err(e) = &bearer {
        check_error(e, &[ErrorCode::MissingToken, ErrorCode::MalformedToken]);
        if auth.is_empty() || (auth.len() == 1 && trim_ows(auth[0]).is_empty()) {
            assert_eq!(e.code(), ErrorCode::MissingToken, "no credential");
        }
        if auth.len() > 1 {
            assert_eq!(e.code(), ErrorCode::MalformedToken, "several lines");
        }
        errors.push(e.clone());
    }

    // The client address.
    let client = proxies.client_ip(peer, &xff);
    check_client_ip(proxies, peer, &xff, &client);
    if let Err(e) = &client {
        errors.push(e.clone());
    }

    // Authentication.
    let result = authenticator.authenticate_at(&auth, peer, &xff, Some(NOW));
    match (&bearer, &client) {
        (Err(e), _) | (Ok(_), Err(e)) => {
            let got = result
                .as_ref()
                .expect_err("authenticated a refused request");
            assert_eq!(got.code(), e.code(), "authenticate_at's first failing step");
        }
        (Ok(token), Ok(ip)) => {
            let mut vr = VerifyRequest::at(NOW);
            vr.client_ip = *ip;
            let direct = f.verifier.verify_with(token, &vr);
            match (&result, &direct) {
                (Ok(a), Ok(c)) => {
                    assert_eq!(&a.claims, c);
                    assert_eq!(a.client_ip, *ip, "authenticated from another address");
                }
                (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
                _ => panic!("authenticate_at and verify_with disagree"),
            }
            let expected = if *token == VALID {
                true
            } else if *token == IP_LIMITED {
                ip.is_some_and(in_ip_limited_rules)
            } else {
                false
            };
            if *token == REVOKED {
                let code = result.as_ref().err().map(|e| e.code());
                assert_eq!(code, Some(ErrorCode::TokenRevoked), "revoked token");
            }
            assert_eq!(
                result.is_ok(),
                expected,
                "token {token:?} from {ip:?}: {:?}",
                result.as_ref().err().map(|e| e.code())
            );
        }
    }
    if let Err(e) = &result {
        errors.push(e.clone());
    }

    // The answers.
    let code = ErrorCode::ALL[usize::from(req.code) % ErrorCode::ALL.len()];
    errors.push(Error::with_message(
        code,
        String::from_utf8_lossy(&req.message).into_owned(),
    ));
    let format = accept_format(&accept);
    if format == Format::Xml {
        assert!(
            accept.iter().any(|l| {
                let l = String::from_utf8_lossy(l).to_ascii_lowercase();
                l.contains("xml") || l.contains("text/*")
            }),
            "XML chosen for {accept:?}"
        );
    }
    // One style per input (the top bits of `proxies`), to keep executions cheap.
    let style = AnswerStyle::ALL[usize::from(req.proxies >> 4) % AnswerStyle::ALL.len()];
    for err in &errors {
        let answer = Answer::refusal(err, style, &accept);
        check_answer(&answer, err, style, format);
    }
    let retry = u64::from(req.code);
    let limited = Answer::rate_limited(retry, style, &accept);
    check_answer(&limited, &Error::new(ErrorCode::RateLimited), style, format);
    assert_eq!(limited.retry_after, Some(retry.max(1)));
    let server = Answer::server_error(style, &accept);
    check_answer(&server, &Error::new(ErrorCode::ServerError), style, format);
    assert_eq!(server.status, 500);
});

fn check_error(e: &Error, codes: &[ErrorCode]) {
    assert!(codes.contains(&e.code()), "unexpected code {:?}", e.code());
    assert!(!e.message().is_empty(), "empty message");
    assert_eq!(e.http_status(), e.code().http_status());
}

/// `value` without leading and trailing spaces and tabs.
fn trim_ows(value: &[u8]) -> &[u8] {
    let mut v = value;
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// RFC 6750 §2.1, written independently: exactly one line; its OWS-trimmed value is
/// `bearer` (any case), one space and a `b64token`.
fn reference_bearer<'a>(lines: &[&'a [u8]]) -> Option<&'a [u8]> {
    let [line] = lines else { return None };
    let value = trim_ows(line);
    if value.len() < 7 || !value[..6].eq_ignore_ascii_case(b"bearer") || value[6] != b' ' {
        return None;
    }
    let token = &value[7..];
    let body = token.len() - token.iter().rev().take_while(|&&b| b == b'=').count();
    let ok = body > 0
        && token[..body].iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    ok.then_some(token)
}

/// One `X-Forwarded-For` entry as a reference reads it: an address, `[IPv6]`,
/// `[IPv6]:port` or `IPv4:port`, normalised.
fn reference_entry(entry: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(entry).ok()?;
    let port_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u16>().is_ok()
    };
    let addr = if let Some(rest) = text.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(port_ok)) {
            return None;
        }
        IpAddr::V6(Ipv6Addr::from_str(inner).ok()?)
    } else if let Ok(a) = IpAddr::from_str(text) {
        a
    } else {
        let (host, port) = text.rsplit_once(':')?;
        if !port_ok(port) {
            return None;
        }
        IpAddr::V4(Ipv4Addr::from_str(host).ok()?)
    };
    Some(normalize_addr(addr))
}

fn check_client_ip(
    proxies: &TrustedProxies,
    peer: Option<IpAddr>,
    xff: &[&[u8]],
    got: &Result<Option<IpAddr>>,
) {
    let peer_n = peer.map(normalize_addr);
    assert_eq!(
        TrustedProxies::none().client_ip(peer, xff).ok(),
        Some(peer_n),
        "no trusted proxy: the client is the peer"
    );
    let trusted_peer = match peer_n {
        Some(a) => proxies.contains(a),
        None => proxies.trusts_unix_peers(),
    };
    if !trusted_peer {
        assert_eq!(
            got.as_ref().ok(),
            Some(&peer_n),
            "an untrusted peer is the client"
        );
        return;
    }
    // Entries in order received; `None` for one the reference cannot read.
    let entries: Vec<Option<IpAddr>> = xff
        .iter()
        .flat_map(|l| l.split(|&b| b == b','))
        .map(trim_ows)
        .filter(|e| !e.is_empty())
        .map(reference_entry)
        .collect();
    match got {
        Err(e) => {
            check_error(e, &[ErrorCode::InvalidIpAddress]);
            assert_eq!(e.http_status(), Some(400));
            assert!(
                entries.iter().any(Option::is_none),
                "invalid_ip_address, but every entry is an address: {xff:?}"
            );
        }
        Ok(ip) => {
            assert!(
                *ip == peer_n || ip.is_some_and(|a| entries.contains(&Some(a))),
                "client {ip:?} is neither the peer nor a forwarded address"
            );
            if entries.iter().all(Option::is_some) {
                let addrs: Vec<IpAddr> = entries.iter().flatten().copied().collect();
                let expected = addrs
                    .iter()
                    .rev()
                    .find(|a| !proxies.contains(**a))
                    .or(addrs.first())
                    .copied()
                    .or(peer_n);
                assert_eq!(*ip, expected, "client address of {xff:?} from {peer:?}");
            }
        }
    }
}

fn in_ip_limited_rules(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[..3] == [203, 0, 113],
        IpAddr::V6(v6) => v6.segments()[..2] == [0x2001, 0x0db8],
    }
}

/// The message a client is shown (docs/http.md): the error's own, or the code's generic
/// one for configuration errors and `server_error`.
fn client_message(err: &Error) -> &str {
    if err.http_status().is_some() && err.code() != ErrorCode::ServerError {
        err.message()
    } else {
        err.code().default_message()
    }
}

fn check_answer(a: &Answer, err: &Error, style: AnswerStyle, format: Format) {
    let code = err.code().as_str();
    assert!(
        (400..=599).contains(&a.status),
        "{style:?}: status {}",
        a.status
    );
    assert_eq!(a.content_type.is_some(), style != AnswerStyle::AuthRequest);
    assert_eq!(
        a.body.is_empty(),
        a.content_type.is_none(),
        "{style:?}: body"
    );
    if style == AnswerStyle::AuthRequest {
        assert!(
            matches!(a.status, 401 | 403 | 500),
            "auth_request status {}",
            a.status
        );
    } else {
        assert_eq!(a.status, error_status(err), "{style:?}: status");
    }
    if err.code() == ErrorCode::MissingToken {
        assert_eq!(a.challenge, Some("Bearer"));
    }
    let message = client_message(err);
    match style {
        AnswerStyle::AuthRequest => {}
        AnswerStyle::TokenApi if format == Format::Xml => {
            assert_eq!(a.content_type, Some(Format::Xml.content_type()));
            assert!(a.body.starts_with("<response>") && a.body.ends_with("</response>"));
            let fields = xml_fields(&a.body);
            let shown: String = message
                .chars()
                .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
                .collect();
            assert_eq!(
                fields,
                [
                    ("status".to_owned(), "0".to_owned()),
                    ("message".to_owned(), shown),
                    ("error".to_owned(), code.to_owned()),
                ],
                "token API XML body {:?}",
                a.body
            );
        }
        _ => {
            assert_eq!(a.content_type, Some(Format::Json.content_type()));
            let v: serde_json::Value = serde_json::from_str(&a.body)
                .unwrap_or_else(|e| panic!("{style:?}: body is not JSON ({e}): {:?}", a.body));
            let expected = match style {
                AnswerStyle::LoginApi => serde_json::json!({
                    "error": {"code": code, "message": message, "status": a.status}
                }),
                AnswerStyle::TokenApi => {
                    serde_json::json!({"status": 0, "message": message, "error": code})
                }
                _ => serde_json::json!({"error": code, "message": message}),
            };
            assert_eq!(v, expected, "{style:?} body");
        }
    }
    let headers = a.headers();
    for (name, value) in &headers {
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{name}"
        );
        assert!(
            value
                .bytes()
                .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic()),
            "header {name}: {value:?} is not a field value"
        );
        assert!(!value.starts_with([' ', '\t']) && !value.ends_with([' ', '\t']));
    }
    let has = |n: &str| headers.iter().any(|(name, _)| *name == n);
    assert_eq!(has("content-type"), a.content_type.is_some());
    assert!(headers.contains(&("cache-control", "no-store".to_owned())));
    assert_eq!(has("www-authenticate"), a.challenge.is_some());
    assert_eq!(has("retry-after"), a.retry_after.is_some());
}

/// XML 1.0 `Char`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The children of `<response>` as (name, unescaped text), read with quick-xml.
fn xml_fields(body: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0;
    let mut out: Vec<(String, String)> = Vec::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("XML {body:?}: {e}"))
        {
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8(e.name().as_ref().to_vec()).expect("name");
                assert!(e.attributes().next().is_none(), "attribute in {body:?}");
                match depth {
                    1 => assert_eq!(name, "response"),
                    2 => out.push((name, String::new())),
                    _ => panic!("nested element in {body:?}"),
                }
            }
            Event::Text(t) => {
                assert_eq!(depth, 2, "text outside a field in {body:?}");
                let text = t.unescape().unwrap_or_else(|e| panic!("XML {body:?}: {e}"));
                out.last_mut().expect("field").1.push_str(&text);
            }
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            other => panic!("unexpected {other:?} in {body:?}"),
        }
    }
    assert_eq!(depth, 0);
    out
}
