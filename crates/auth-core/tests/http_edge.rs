//! tests/vectors/http_edge.json through the core's `Authenticator` and `Answer`: the verdict
//! every skin (tower layer, Python integrations, C) must reproduce.

#[path = "../../../tests/vectors/rust/http_edge_cases.rs"]
mod edge;

use auth_core::{Answer, AnswerStyle, Authenticator};

#[test]
fn every_edge_vector_gets_its_status_code_and_challenge() {
    let v = edge::vectors();
    let verifier = edge::verifier(&v);
    let cases = edge::cases(&v);
    assert!(cases.len() >= 40);
    for case in cases {
        let auth = Authenticator::new(verifier.clone()).trusted_proxies(case.proxies.clone());
        let got = auth.authenticate(&case.authorization(), case.peer, &case.forwarded_for());
        match got {
            Ok(ok) => {
                assert_eq!(case.status, 200, "{}: authenticated", case.name);
                assert_eq!(ok.client_ip, case.client_ip, "{}", case.name);
            }
            Err(err) => {
                assert_eq!(
                    Some(err.code().as_str()),
                    case.code.as_deref(),
                    "{}",
                    case.name
                );
                for style in AnswerStyle::ALL {
                    let a = Answer::refusal(&err, style, &[]);
                    let want = if style == AnswerStyle::AuthRequest {
                        case.auth_request_status
                    } else {
                        case.status
                    };
                    assert_eq!(a.status, want, "{}: {style:?}", case.name);
                    assert_eq!(
                        a.challenge.as_deref(),
                        case.challenge.as_deref(),
                        "{}: {style:?}",
                        case.name
                    );
                }
            }
        }
    }
}

#[test]
fn under_optional_authentication_only_a_request_without_credentials_is_anonymous() {
    let v = edge::vectors();
    let verifier = edge::verifier(&v);
    let cases = edge::cases(&v);
    assert!(cases.iter().filter(|c| c.optional_anonymous).count() >= 5);
    for case in cases {
        let auth = Authenticator::new(verifier.clone()).trusted_proxies(case.proxies.clone());
        let (lines, xff) = (case.authorization(), case.forwarded_for());
        let got = auth.authenticate_optional(&lines, case.peer, &xff);
        if case.optional_anonymous {
            assert_eq!(case.code.as_deref(), Some("missing_token"), "{}", case.name);
            assert_eq!(got.unwrap(), None, "{}: anonymous", case.name);
            continue;
        }
        match (got, auth.authenticate(&lines, case.peer, &xff)) {
            (Ok(Some(optional)), Ok(required)) => assert_eq!(optional, required, "{}", case.name),
            (Err(optional), Err(required)) => {
                assert_eq!(optional.code(), required.code(), "{}", case.name)
            }
            (optional, required) => panic!("{}: {optional:?} vs {required:?}", case.name),
        }
    }
}
