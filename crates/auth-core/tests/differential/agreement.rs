//! Running both verifiers on one case and tallying where they agree.

use std::net::IpAddr;

use auth_core::*;
use serde_json::Value;

use super::reference::{jwt_alg, reference_verify, RefRing};

pub struct Case {
    pub ring: RefRing,
    pub token: Vec<u8>,
    pub now: u64,
    pub options: VerifyOptions,
    pub client_ip: Option<IpAddr>,
    pub what: String,
}

#[derive(Default)]
pub struct Tally {
    pub accepted: usize,
    pub rejected: std::collections::BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    pub fn run(&mut self, case: &Case) {
        let ring = case.ring.ring();
        let verifier = Verifier::with_options(ring, case.options.clone());
        let req = {
            let mut request = VerifyRequest::default();
            request.now = Some(case.now);
            request.client_ip = case.client_ip;
            request.revocation = None;
            request
        };
        let ours = verifier.verify_with(&case.token, &req);
        let theirs = reference_verify(
            &case.ring,
            &case.token,
            case.now,
            &case.options,
            case.client_ip,
        );
        let shown = || String::from_utf8_lossy(&case.token).into_owned();
        match (&ours, &theirs) {
            (Ok(claims), Ok(want)) => {
                if &claims.to_json_value() != want {
                    self.failures.push(format!(
                        "{}: claims differ\n  ours {}\n  ref  {}\n  token {}",
                        case.what,
                        claims.to_json_value(),
                        want,
                        shown()
                    ));
                } else {
                    self.accepted += 1;
                    cross_check_jsonwebtoken(case, want);
                }
            }
            (Err(e), Err(code)) if e.code().as_str() == *code => {
                *self.rejected.entry(code).or_default() += 1;
            }
            _ => self.failures.push(format!(
                "{}: ours {:?}, reference {:?}\n  token {}",
                case.what,
                ours.as_ref()
                    .map(|c| c.to_json())
                    .map_err(|e| e.to_string()),
                theirs,
                shown()
            )),
        }
    }

    pub fn assert_clean(&self, min_accepted: usize, min_rejected: usize) {
        assert!(
            self.failures.is_empty(),
            "{} disagreements:\n{}",
            self.failures.len(),
            self.failures[..self.failures.len().min(20)].join("\n")
        );
        let rejected: usize = self.rejected.values().sum();
        assert!(
            self.accepted >= min_accepted && rejected >= min_rejected,
            "too few cases: {} accepted, {:?} rejected",
            self.accepted,
            self.rejected
        );
    }
}

/// When both accept, `jsonwebtoken::decode` itself (not only its MAC) must accept the
/// token too and read the same JSON, whenever its own `Header` type can represent the
/// header (it refuses some extra parameters that docs/token-format.md tells us to ignore).
fn cross_check_jsonwebtoken(case: &Case, want: &Value) {
    let token = std::str::from_utf8(&case.token).unwrap();
    if jsonwebtoken::decode_header(token).is_err() {
        return;
    }
    let kid = jsonwebtoken::decode_header(token).unwrap().kid;
    let key = case.ring.resolve(kid.as_deref()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jwt_alg(key.alg));
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(&key.secret),
        &validation,
    )
    .unwrap_or_else(|e| panic!("{}: jsonwebtoken refused an accepted token: {e}", case.what));
    for (name, value) in want.as_object().unwrap() {
        if matches!(
            name.as_str(),
            "allowed_ips" | "sms_from" | "user_group_id" | "aud"
        ) {
            continue; // normalized by both verifiers (a one-element `aud` array as a string)
        }
        assert_eq!(&data.claims[name], value, "{}: claim {name}", case.what);
    }
}
