//! docs/ip-rules.md: large allow-lists and regex rules (client addresses and rules are in `ip_rules.rs`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use auth_core::ErrorCode;
use auth_core::{
    canonical_ip_text, parse_client_ip, rules_allow, IpAllowList, IpRegex, IpRule, RegexMode,
    MAX_REGEX_LEN,
};
use proptest::prelude::{Rng as _, RngExt as _};
use proptest::test_runner::{RngAlgorithm, TestRng};

fn ip(text: &str) -> IpAddr {
    parse_client_ip(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

// ---------------------------------------------------------------- allow-list

#[test]
fn allow_list_keeps_rules_in_order() {
    let texts = [
        "10.0.0.0/8",
        "::ffff:192.168.0.0/112",
        "10.1.0.0/16",
        "2001:db8::/32",
    ];
    let list = IpAllowList::parse(texts).unwrap();
    assert_eq!(list.len(), 4);
    assert!(!list.is_empty());
    let shown: Vec<String> = list.rules().iter().map(|r| r.to_string()).collect();
    assert_eq!(
        shown,
        [
            "10.0.0.0/8",
            "192.168.0.0/16",
            "10.1.0.0/16",
            "2001:db8::/32"
        ]
    );
    let again = IpAllowList::new(list.rules().to_vec());
    assert_eq!(again, list);
}

#[test]
fn allow_list_bad_rule_names_its_index() {
    let err = IpAllowList::parse(vec![
        "10.0.0.0/8".to_owned(),
        "1.2.3.4".into(),
        "10.0.0.1/8".into(),
    ])
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    assert!(err.message().contains("rule 2"), "{}", err.message());
    assert!(err.message().contains("10.0.0.0/8"), "{}", err.message());
    let err = IpAllowList::parse(["1.2.3.4", " 1.2.3.5"]).unwrap_err();
    assert!(err.message().contains("rule 1"), "{}", err.message());
}

#[test]
fn empty_allow_list_allows_nothing() {
    let list = IpAllowList::parse(Vec::<&str>::new()).unwrap();
    assert!(list.is_empty());
    assert_eq!(list.len(), 0);
    assert!(!list.contains(ip("0.0.0.0")));
    assert!(!list.contains(ip("::")));
    assert!(!IpAllowList::default().contains(ip("1.1.1.1")));
}

#[test]
fn allow_list_v4_overlapping_adjacent_nested_boundaries() {
    let list = IpAllowList::parse([
        "10.0.0.0/24",   // 10.0.0.0 - 10.0.0.255
        "10.0.1.0/24",   // adjacent: merged to 10.0.0.0 - 10.0.1.255
        "10.0.0.128/25", // nested
        "10.0.3.0/24",   // gap at 10.0.2.x
        "10.0.3.0/23",   // host bits set (10.0.2.0/23 was meant)
    ]);
    // One bad rule refuses the whole list.
    assert!(list.is_err());

    let list = IpAllowList::parse([
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.0.128/25",
        "10.0.3.0/24",
        "10.0.3.16/28",
        "10.0.3.200/29",
        "172.16.0.0/12",
        "172.16.5.0/24",
        "192.168.1.7",
        "192.168.1.8",
        "255.255.255.255",
        "0.0.0.0",
    ])
    .unwrap();
    let expect = [
        ("9.255.255.255", false),
        ("10.0.0.0", true),
        ("10.0.0.255", true),
        ("10.0.1.0", true),
        ("10.0.1.255", true),
        ("10.0.2.0", false),
        ("10.0.2.255", false),
        ("10.0.3.0", true),
        ("10.0.3.255", true),
        ("10.0.4.0", false),
        ("172.15.255.255", false),
        ("172.16.0.0", true),
        ("172.31.255.255", true),
        ("172.32.0.0", false),
        ("192.168.1.6", false),
        ("192.168.1.7", true),
        ("192.168.1.8", true),
        ("192.168.1.9", false),
        ("255.255.255.254", false),
        ("255.255.255.255", true),
        ("0.0.0.0", true),
        ("0.0.0.1", false),
        ("::ffff:10.0.1.255", true),
        ("::ffff:10.0.2.0", false),
        ("::10.0.0.1", false),
    ];
    for (text, want) in expect {
        assert_eq!(list.contains(ip(text)), want, "{text}");
        assert_eq!(
            list.contains(ip(text)),
            rules_allow(list.rules(), ip(text)),
            "{text} agrees with linear scan"
        );
    }
    // Unnormalized mapped address is normalized by contains().
    assert!(list.contains("::ffff:10.0.0.1".parse().unwrap()));
}

#[test]
fn allow_list_v6_overlapping_adjacent_nested_boundaries() {
    let list = IpAllowList::parse([
        "2001:db8::/48",
        "2001:db8:1::/48", // adjacent
        "2001:db8::/64",   // nested
        "2001:db8:3::/48", // gap at 2001:db8:2::/48
        "2001:db8:3::/47", // host bits set (2001:db8:2::/47 was meant)
    ]);
    // One bad rule refuses the whole list.
    assert!(list.is_err());

    let list = IpAllowList::parse([
        "2001:db8::/48",
        "2001:db8:1::/48",
        "2001:db8::/64",
        "2001:db8:3::/48",
        "2001:db8:3::/49",
        "::",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fe80::/10",
        "10.0.0.0/8",
    ])
    .unwrap();
    let expect = [
        ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false),
        ("2001:db8::", true),
        ("2001:db8:0:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8:1::", true),
        ("2001:db8:1:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8:2::", false),
        ("2001:db8:2:ffff:ffff:ffff:ffff:ffff", false),
        ("2001:db8:3::", true),
        ("2001:db8:3:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8:4::", false),
        ("::", true),
        ("::1", false),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", false),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false),
        ("fe80::", true),
        ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("fec0::", false),
        ("10.1.1.1", true),
        ("::ffff:10.1.1.1", true),
        ("::10.1.1.1", false),
    ];
    for (text, want) in expect {
        assert_eq!(list.contains(ip(text)), want, "{text}");
        assert_eq!(
            list.contains(ip(text)),
            rules_allow(list.rules(), ip(text)),
            "{text}"
        );
    }
}

#[test]
fn allow_list_whole_space_rules() {
    let list = IpAllowList::parse(["0.0.0.0/0", "::/0", "1.2.3.4"]).unwrap();
    assert!(list.contains(ip("0.0.0.0")));
    assert!(list.contains(ip("255.255.255.255")));
    assert!(list.contains(ip("::")));
    assert!(list.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    let v4_only = IpAllowList::parse(["0.0.0.0/0"]).unwrap();
    assert!(!v4_only.contains(ip("::1")));
    let v6_only = IpAllowList::parse(["::/0"]).unwrap();
    assert!(
        !v6_only.contains(ip("1.2.3.4")),
        "::/0 covers no IPv4 client"
    );
}

fn random_v4_rule(rng: &mut TestRng) -> IpRule {
    // Concentrated in 10.0.0.0/12 so that random lookups hit and miss often.
    let prefix = rng.random_range(12..=32u8);
    let addr = 0x0a00_0000u32 | (rng.next_u64() as u32 & 0x000f_ffff);
    let net = ipnet::Ipv4Net::new(Ipv4Addr::from(addr), prefix)
        .unwrap()
        .trunc();
    IpRule::parse(&net.to_string()).unwrap()
}

fn random_v6_rule(rng: &mut TestRng) -> IpRule {
    let prefix = rng.random_range(100..=128u8);
    let addr = (0x2001_0db8u128 << 96) | (u128::from(rng.next_u64()) & 0x0fff_ffff);
    let net = ipnet::Ipv6Net::new(Ipv6Addr::from(addr), prefix)
        .unwrap()
        .trunc();
    IpRule::parse(&net.to_string()).unwrap()
}

#[test]
fn allow_list_of_100k_rules_agrees_with_linear_scan() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut rules = Vec::with_capacity(100_000);
    for i in 0..100_000 {
        rules.push(if i % 4 == 0 {
            random_v6_rule(&mut rng)
        } else {
            random_v4_rule(&mut rng)
        });
    }
    let texts: Vec<String> = rules.iter().map(ToString::to_string).collect();
    let list = IpAllowList::parse(&texts).unwrap();
    assert_eq!(list.len(), 100_000);
    assert_eq!(list.rules(), &rules[..]);

    let mut hits = 0;
    let mut misses = 0;
    for i in 0..1_000 {
        let addr = match i % 3 {
            0 => IpAddr::V4(Ipv4Addr::from(
                0x0a00_0000u32 | (rng.next_u64() as u32 & 0x001f_ffff),
            )),
            1 => IpAddr::V6(Ipv6Addr::from(
                (0x2001_0db8u128 << 96) | (u128::from(rng.next_u64()) & 0x1fff_ffff),
            )),
            _ => {
                // Mapped form of a v4 candidate.
                let a = Ipv4Addr::from(0x0a00_0000u32 | (rng.next_u64() as u32 & 0x000f_ffff));
                IpAddr::V6(a.to_ipv6_mapped())
            }
        };
        let fast = list.contains(addr);
        let slow = rules.iter().any(|r| r.contains(addr));
        assert_eq!(fast, slow, "{addr}");
        if fast {
            hits += 1;
        } else {
            misses += 1;
        }
    }
    assert!(hits > 50 && misses > 50, "hits {hits}, misses {misses}");

    // Boundaries of every 997th rule: first/last inside, one below/above agrees with linear scan.
    for r in rules.iter().step_by(997) {
        let net = r.network();
        assert!(list.contains(net.network()));
        assert!(list.contains(net.broadcast()));
        for probe in neighbours(net) {
            assert_eq!(
                list.contains(probe),
                rules.iter().any(|r| r.contains(probe)),
                "{probe}"
            );
        }
    }
}

fn neighbours(net: ipnet::IpNet) -> Vec<IpAddr> {
    match net {
        ipnet::IpNet::V4(n) => {
            let lo = u32::from(n.network());
            let hi = u32::from(n.broadcast());
            [lo.checked_sub(1), hi.checked_add(1)]
                .into_iter()
                .flatten()
                .map(|x| IpAddr::V4(x.into()))
                .collect()
        }
        ipnet::IpNet::V6(n) => {
            let lo = u128::from(n.network());
            let hi = u128::from(n.broadcast());
            [lo.checked_sub(1), hi.checked_add(1)]
                .into_iter()
                .flatten()
                .map(|x| IpAddr::V6(x.into()))
                .collect()
        }
    }
}

#[test]
fn allow_list_is_send_sync_clone_debug() {
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_send_sync::<IpAllowList>();
    assert_send_sync::<IpRegex>();
    let list = IpAllowList::parse(["10.0.0.0/8"]).unwrap();
    assert!(format!("{list:?}").contains("IpAllowList"));
}

// ---------------------------------------------------------------- regex

fn re(p: &str) -> IpRegex {
    IpRegex::new(p, RegexMode::FullMatch).unwrap_or_else(|e| panic!("{p:?}: {e}"))
}

fn search(p: &str) -> IpRegex {
    IpRegex::new(p, RegexMode::Search).unwrap_or_else(|e| panic!("{p:?}: {e}"))
}

#[test]
fn regex_full_match_vs_search() {
    let full = re(r"192\.168\.1\.1");
    assert!(full.is_match(ip("192.168.1.1")));
    assert!(!full.is_match(ip("192.168.1.10")));
    let s = search(r"192\.168\.1\.1");
    assert!(s.is_match(ip("192.168.1.1")));
    assert!(s.is_match(ip("192.168.1.10")));
    assert!(!s.is_match(ip("192.168.2.1")));
    assert_eq!(RegexMode::default(), RegexMode::FullMatch);
    assert_eq!(full.mode(), RegexMode::FullMatch);
    assert_eq!(s.mode(), RegexMode::Search);
    assert_eq!(full.pattern(), r"192\.168\.1\.1");
}

#[test]
fn regex_full_match_anchors_alternation_as_a_whole() {
    let r = re(r"10\.0\.0\.1|10\.0\.0\.2");
    assert!(r.is_match(ip("10.0.0.1")));
    assert!(r.is_match(ip("10.0.0.2")));
    assert!(!r.is_match(ip("10.0.0.10")));
    assert!(!r.is_match(ip("10.0.0.20")));
    // Leftmost-first alternation must still admit the longer full match.
    let r = re(r"10\.0\.0\.1|10\.0\.0\.12");
    assert!(r.is_match(ip("10.0.0.12")));
}

#[test]
fn regex_cannot_escape_anchoring_group() {
    // Unbalanced on its own, so refused rather than becoming ^(?:1)|(?:2)$.
    let err = IpRegex::new(r"1)|(?:2", RegexMode::FullMatch).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRegex);
}

#[test]
fn regex_ipv6_uses_canonical_lowercase_text() {
    let r = re(r"2001:db8::1");
    assert!(r.is_match(ip("2001:DB8:0:0:0:0:0:1")));
    assert!(r.is_match(ip("2001:0db8::0001")));
    assert!(!re(r"2001:DB8::1").is_match(ip("2001:db8::1")));
    assert!(re(r"2001:db8:.*").is_match(ip("2001:db8::abcd")));
    assert_eq!(
        canonical_ip_text(ip("2001:DB8:0:0:1:0:0:1")),
        "2001:db8::1:0:0:1"
    );
    assert_eq!(canonical_ip_text(ip("::192.168.2.5")), "::c0a8:205");
}

#[test]
fn regex_matches_mapped_addresses_as_ipv4() {
    let r = re(r"192\.168\.2\.\d+");
    assert!(r.is_match(ip("::ffff:192.168.2.5")));
    let raw: IpAddr = "::ffff:c0a8:205".parse().unwrap();
    assert!(
        r.is_match(raw),
        "un-normalized mapped address is normalized"
    );
    assert_eq!(canonical_ip_text(raw), "192.168.2.5");
    assert!(!re(r"::ffff:.*").is_match(raw));
    assert!(!r.is_match(ip("::192.168.2.5")));
}

#[test]
fn regex_is_match_str_parses_strictly_first() {
    let r = search(r".*");
    assert!(r.is_match_str("1.2.3.4").unwrap());
    for bad in [
        "",
        "010.1.1.1",
        " 1.2.3.4",
        "1.2.3.4/32",
        "fe80::1%eth0",
        "hello",
    ] {
        let err = r.is_match_str(bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidIpAddress, "{bad:?}");
    }
    assert!(re(r"1\.2\.3\.4").is_match_str("::ffff:1.2.3.4").unwrap());
}

#[test]
fn regex_refuses_empty_oversized_invalid_and_too_big() {
    for (pattern, what) in [
        (String::new(), "empty"),
        ("a".repeat(MAX_REGEX_LEN + 1), "oversized"),
        ("(".into(), "unbalanced"),
        ("[z-a]".into(), "bad class"),
        (r"\".into(), "trailing escape"),
        ("a{5".into(), "bad repetition"),
        (r"\d{1000}{1000}".into(), "compiled too big"),
        (r"(?:a{100}){100}{100}".into(), "compiled too big 2"),
        (
            format!("{}a{}", "(".repeat(200), ")".repeat(200)),
            "too deeply nested",
        ),
    ] {
        for mode in [RegexMode::FullMatch, RegexMode::Search] {
            let err = IpRegex::new(&pattern, mode).expect_err(what);
            assert_eq!(err.code(), ErrorCode::InvalidRegex, "{what}: {err}");
        }
    }
    // Exactly at the cap is allowed.
    let at_cap = "1".repeat(MAX_REGEX_LEN);
    assert!(IpRegex::new(&at_cap, RegexMode::Search).is_ok());
}

#[test]
fn regex_pathological_patterns_answer_quickly() {
    let start = Instant::now();
    for p in [
        r"(a*)*b",
        r"(x+x+)+y",
        r"(.*)*z",
        r"(\d+\.?)+z",
        r"(.*a){20}",
    ] {
        for mode in [RegexMode::FullMatch, RegexMode::Search] {
            let r = IpRegex::new(p, mode).unwrap();
            assert!(!r.is_match(ip("255.255.255.255")));
            assert!(!r.is_match(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        }
    }
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn regex_x_mode_comment_at_end_is_refused_with_hint() {
    // In (?x) mode a trailing comment would swallow the anchoring `)$`.
    let err = IpRegex::new("(?x)1\\.2\\.3\\.4 # office", RegexMode::FullMatch).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidRegex);
    assert!(err.message().contains("(?x)"), "{}", err.message());
    // Ending the comment with a newline works, and search mode is unaffected.
    let ok = re("(?x)1\\.2\\.3\\.4 # office\n");
    assert!(ok.is_match(ip("1.2.3.4")));
    assert!(!ok.is_match(ip("1.2.3.45")));
    assert!(search("(?x)1\\.2\\.3\\.4 # office").is_match(ip("1.2.3.45")));
}

#[test]
fn regex_common_group_patterns() {
    let r = re(r"10\.(0|1)\.\d{1,3}\.\d{1,3}");
    assert!(r.is_match(ip("10.1.200.3")));
    assert!(!r.is_match(ip("10.2.200.3")));
    let ci = re(r"(?i)2001:DB8::.*");
    assert!(ci.is_match(ip("2001:db8::1")));
    let debug = format!("{r:?}");
    assert!(debug.contains("FullMatch"));
    let cloned = r.clone();
    assert!(cloned.is_match(ip("10.0.0.1")));
}
