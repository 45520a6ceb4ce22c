//! Property tests for scopes (docs/scopes.md): the parsers never panic and round-trip, a
//! child never holds what its caller does not, and a requirement agrees with `holds`.

use auth_core::{ErrorCode, ScopeSet, ScopeVocabulary, TokenForm};
use proptest::prelude::*;

/// A random vocabulary of up to 8 names `s0..s7`, each including some later ones (acyclic by
/// construction).
fn vocabulary() -> impl Strategy<Value = ScopeVocabulary> {
    prop::collection::vec(prop::collection::vec(any::<bool>(), 8), 1..8).prop_map(|rows| {
        let n = rows.len();
        let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        let includes: Vec<Vec<&str>> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                (i + 1..n)
                    .filter(|&j| row[j])
                    .map(|j| names[j].as_str())
                    .collect()
            })
            .collect();
        let pairs: Vec<(&str, &[&str])> = names
            .iter()
            .zip(&includes)
            .map(|(n, inc)| (n.as_str(), inc.as_slice()))
            .collect();
        ScopeVocabulary::from_pairs(&pairs).unwrap()
    })
}

/// A subset of `s0..s7` (possibly with names the vocabulary lacks), or `None` (no claim).
fn held() -> impl Strategy<Value = Option<ScopeSet>> {
    prop::option::of(prop::collection::btree_set(0u8..10, 0..5)).prop_map(|set| {
        set.map(|s| {
            let names: Vec<String> = s.iter().map(|i| format!("s{i}")).collect();
            ScopeSet::from_names(&names).unwrap()
        })
    })
}

proptest! {
    #[test]
    fn scope_text_never_panics_and_round_trips(s in any::<String>()) {
        match ScopeSet::parse(&s) {
            Ok(set) => prop_assert_eq!(ScopeSet::parse(&set.to_string()).unwrap(), set),
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::InvalidScope),
        }
    }

    #[test]
    fn scope_like_text_round_trips(s in "[a-c:]{1,3}( [a-c:]{1,3}){0,4}") {
        if let Ok(set) = ScopeSet::parse(&s) {
            let mut names: Vec<&str> = s.split(' ').collect();
            names.sort_unstable();
            prop_assert_eq!(set.to_string(), names.join(" "));
        }
    }

    #[test]
    fn vocabulary_json_never_panics(s in any::<String>()) {
        if let Err(e) = ScopeVocabulary::from_json(&s) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidScope);
        }
    }

    #[test]
    fn forms_never_panic(body in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Err(e) = TokenForm::parse(&body) {
            prop_assert!(matches!(e.code(), ErrorCode::InvalidRequest | ErrorCode::InvalidIpAddress));
        }
    }

    #[test]
    fn a_child_never_holds_more_than_its_caller(v in vocabulary(), caller in held(), req in held()) {
        let requested = req.filter(|r| !r.is_empty());
        match v.narrow(caller.as_ref(), requested.as_ref()) {
            Ok(child) => {
                for name in v.names() {
                    if v.holds(child.as_ref(), name) {
                        prop_assert!(v.holds(caller.as_ref(), name), "{} widened", name);
                    }
                }
            }
            Err(e) => prop_assert!(matches!(e.code(), ErrorCode::NotPermitted | ErrorCode::InvalidScope)),
        }
    }

    #[test]
    fn a_requirement_is_met_exactly_when_every_name_is_held(v in vocabulary(), token in held(), need in held()) {
        let Some(need) = need else { return Ok(()) };
        let names: Vec<&str> = need.iter().collect();
        match v.require(&names) {
            Ok(required) => {
                let all = names.iter().all(|n| v.holds(token.as_ref(), n));
                prop_assert_eq!(required.check(token.as_ref()).is_ok(), all);
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::InvalidScope);
                prop_assert!(names.iter().any(|n| !v.contains(n)));
            }
        }
    }

    #[test]
    fn expand_lists_exactly_what_is_held(v in vocabulary(), token in held()) {
        let expanded = v.expand(token.as_ref());
        for name in v.names() {
            prop_assert_eq!(expanded.contains(name), v.holds(token.as_ref(), name));
        }
    }
}
