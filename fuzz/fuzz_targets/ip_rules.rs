//! Arbitrary UTF-8 through the IP parsers and the regex rules.
//!
//! - the whole text as a rule (`IpRule::parse`) and as a client address
//!   (`parse_client_ip`): a rule re-parses from its `Display` text to an equal rule, an
//!   address's `canonical_ip_text` parses back to the same address, and an address that is
//!   also a rule is exactly that one-address rule;
//! - the lines as an allow-list: `IpAllowList::contains` agrees with the linear
//!   `rules_allow` for every address among the lines and each rule's network address;
//! - the first line as a regex pattern in both modes, matched against the other lines:
//!   `is_match_str` agrees with `is_match` on the parsed address, and a full match is
//!   always also a search match.
#![no_main]

use std::net::IpAddr;

use auth_core::rules_allow;
use auth_core::{
    canonical_ip_text, parse_client_ip, ErrorCode, IpAllowList, IpRegex, IpRule, RegexMode,
};
use auth_core_fuzz::assert_error_in;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    check_rule(text);
    check_addr(text);

    let lines: Vec<&str> = text.split('\n').take(64).collect();
    let mut rules = Vec::new();
    let mut addrs = Vec::new();
    for line in &lines {
        if let Some(r) = check_rule(line) {
            rules.push(r);
            addrs.push(r.network().network());
            addrs.push(r.network().broadcast());
        }
        if let Some(a) = check_addr(line) {
            addrs.push(a);
        }
    }
    let list = IpAllowList::new(rules.clone());
    assert_eq!(list.rules(), &rules[..]);
    let texts: Vec<String> = rules.iter().map(ToString::to_string).collect();
    let parsed = IpAllowList::parse(texts.iter()).expect("rule texts parse as a list");
    assert_eq!(parsed.rules(), &rules[..]);
    for &a in &addrs {
        let want = rules_allow(&rules, a);
        assert_eq!(
            list.contains(a),
            want,
            "allow-list and rules_allow disagree on {a}"
        );
        assert_eq!(parsed.contains(a), want);
    }
    if let Err(e) = IpAllowList::parse(lines.iter()) {
        assert_error_in(&e, &[ErrorCode::InvalidIpRule], "IpAllowList::parse");
    }

    let (pattern, rest) = text.split_once('\n').unwrap_or((text, ""));
    let full = IpRegex::new(pattern, RegexMode::FullMatch);
    let search = IpRegex::new(pattern, RegexMode::Search);
    for r in [&full, &search] {
        if let Err(e) = r {
            assert_error_in(e, &[ErrorCode::InvalidRegex], "IpRegex::new");
        }
    }
    if full.is_ok() {
        assert!(search.is_ok(), "a pattern that anchors must compile alone");
    }
    let subjects: Vec<&str> = rest.split('\n').take(16).collect();
    for s in subjects {
        let addr = parse_client_ip(s);
        for r in [&full, &search].into_iter().flatten() {
            match (r.is_match_str(s), &addr) {
                (Ok(m), Ok(a)) => assert_eq!(m, r.is_match(*a)),
                (Err(e), Err(_)) => {
                    assert_error_in(&e, &[ErrorCode::InvalidIpAddress], "is_match_str")
                }
                (m, a) => panic!("is_match_str {m:?} but parse_client_ip {a:?}"),
            }
        }
        if let (Ok(f), Ok(se), Ok(a)) = (&full, &search, &addr) {
            if f.is_match(*a) {
                assert!(se.is_match(*a), "full match but no search match for {a}");
            }
        }
    }
});

fn check_rule(text: &str) -> Option<IpRule> {
    match IpRule::parse(text) {
        Ok(rule) => {
            let shown = rule.to_string();
            let back = IpRule::parse(&shown)
                .unwrap_or_else(|e| panic!("{text:?} → {shown:?} does not re-parse: {e:?}"));
            assert_eq!(
                back, rule,
                "{text:?} → {shown:?} re-parses to a different rule"
            );
            assert_eq!(back.to_string(), shown, "Display is not canonical");
            let net = rule.network();
            assert_eq!(net, net.trunc(), "a rule with host bits set");
            assert!(rule.contains(net.network()) && rule.contains(net.broadcast()));
            Some(rule)
        }
        Err(e) => {
            assert_error_in(&e, &[ErrorCode::InvalidIpRule], "IpRule::parse");
            None
        }
    }
}

fn check_addr(text: &str) -> Option<IpAddr> {
    match parse_client_ip(text) {
        Ok(addr) => {
            let canon = canonical_ip_text(addr);
            let back = parse_client_ip(&canon)
                .unwrap_or_else(|e| panic!("{text:?} → {canon:?} does not re-parse: {e:?}"));
            assert_eq!(
                back, addr,
                "{text:?} → {canon:?} re-parses to a different address"
            );
            assert_eq!(
                canonical_ip_text(back),
                canon,
                "canonical text is not canonical"
            );
            if let IpAddr::V6(v6) = addr {
                assert!(
                    v6.to_ipv4_mapped().is_none(),
                    "a mapped address was not normalized"
                );
            }
            // The same text as a rule is exactly that one address.
            let rule = IpRule::parse(text).expect("a client address is also a rule");
            assert_eq!(rule, IpRule::from_addr(addr));
            assert!(rule.is_single_address() && rule.contains(addr));
            Some(addr)
        }
        Err(e) => {
            assert_error_in(&e, &[ErrorCode::InvalidIpAddress], "parse_client_ip");
            None
        }
    }
}
