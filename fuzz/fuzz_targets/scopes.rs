//! Scopes and the OAuth endpoints' inputs (docs/scopes.md, docs/oauth.md), on arbitrary bytes.
//! The first byte chooses what the rest is:
//!
//! * `0`: the `scope` claim's text — `ScopeSet::parse` accepts exactly what an independent
//!   reference accepts (names split on single spaces, 1–64 bytes of RFC 6749's scope-token
//!   characters, at most 64, none twice), refuses only with `invalid_scope`, and its text
//!   reads back to the same set, sorted;
//! * `1`: a vocabulary — `ScopeVocabulary::from_json` refuses only with `invalid_scope`; an
//!   accepted one has every name holding itself, `expand` agreeing with `holds`, an unscoped
//!   token holding every name, and every one-name requirement met exactly by the names that
//!   hold it;
//! * `2`: a form body — `TokenForm::parse` refuses only with `invalid_request` or
//!   `invalid_ip_address`; an accepted one has a non-empty token;
//! * `3`: an `Authorization` line — `client_credentials` refuses only with `invalid_request`
//!   and never returns an empty id or a control character;
//! * otherwise: a requirement text given back to an `insufficient_scope` error — the answer's
//!   challenge is a valid header value naming only a valid scope list.
#![no_main]

use auth_core::{
    client_credentials, Answer, AnswerStyle, Error, ErrorCode, ScopeSet, ScopeVocabulary,
    TokenForm,
};
use auth_core_fuzz::assert_error_in;
use libfuzzer_sys::fuzz_target;

fn reference_parse(text: &str) -> Option<Vec<String>> {
    let names: Vec<&str> = text.split(' ').collect();
    let ok = |n: &&str| {
        (1..=64).contains(&n.len())
            && n.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
    };
    if names.len() > 64 || !names.iter().all(ok) {
        return None;
    }
    let mut sorted: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    sorted.sort();
    let before = sorted.len();
    sorted.dedup();
    (sorted.len() == before).then_some(sorted)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match mode {
        0 => {
            let got = ScopeSet::parse(&text);
            match (&got, reference_parse(&text)) {
                (Ok(set), Some(want)) => {
                    assert_eq!(set.iter().collect::<Vec<_>>(), want);
                    assert_eq!(ScopeSet::parse(&set.to_string()).unwrap(), *set);
                }
                (Err(e), None) => assert_error_in(e, &[ErrorCode::InvalidScope], "scope text"),
                (got, want) => panic!("parse {text:?}: {got:?} but the reference says {want:?}"),
            }
        }
        1 => match ScopeVocabulary::from_json(&text) {
            Err(e) => assert_error_in(&e, &[ErrorCode::InvalidScope], "vocabulary"),
            Ok(v) => {
                let names: Vec<String> = v.names().map(str::to_owned).collect();
                for name in &names {
                    let own = ScopeSet::parse(name).unwrap();
                    assert!(v.holds(Some(&own), name));
                    assert!(v.holds(None, name));
                    let expanded = v.expand(Some(&own));
                    let need = v.require(&[name.as_str()]).unwrap();
                    for other in &names {
                        assert_eq!(expanded.contains(other), v.holds(Some(&own), other));
                        let other_set = ScopeSet::parse(other).unwrap();
                        assert_eq!(need.check(Some(&other_set)).is_ok(), v.holds(Some(&other_set), name));
                    }
                }
            }
        },
        2 => match TokenForm::parse(rest) {
            Err(e) => assert_error_in(&e, &[ErrorCode::InvalidRequest, ErrorCode::InvalidIpAddress], "form"),
            Ok(form) => assert!(!form.token.is_empty()),
        },
        3 => match client_credentials(&[rest]) {
            Err(e) => assert_error_in(&e, &[ErrorCode::InvalidRequest], "client credentials"),
            Ok(None) => {}
            Ok(Some((id, secret))) => {
                assert!(!id.is_empty());
                assert!(!id.chars().chain(secret.chars()).any(char::is_control));
            }
        },
        _ => {
            let err = Error::new(ErrorCode::InsufficientScope).with_required_scope(&text);
            for style in AnswerStyle::ALL {
                let answer = Answer::refusal(&err, style, &[]);
                assert_eq!(answer.status, 403);
                for (_, value) in answer.headers() {
                    assert!(http_value(&value), "{value:?}");
                }
                let challenge = answer.challenge.unwrap();
                if let Some(scope) = challenge.strip_prefix("Bearer error=\"insufficient_scope\", scope=\"") {
                    let scope = scope.strip_suffix('"').unwrap();
                    assert!(ScopeSet::parse(scope).is_ok(), "{scope:?}");
                } else {
                    assert_eq!(challenge, "Bearer error=\"insufficient_scope\"");
                }
            }
        }
    }
});

/// RFC 9110 field-value: visible ASCII, spaces and tabs, no leading or trailing space.
fn http_value(v: &str) -> bool {
    v.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
        && !v.starts_with([' ', '\t'])
        && !v.ends_with([' ', '\t'])
}
