//! SPEC §5: strict IP rules, client addresses, allow-lists and regex rules.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use auth_core::error::ErrorCode;
use auth_core::ip::{
    canonical_ip_text, normalize_addr, parse_client_ip, rules_allow, IpAllowList, IpRegex, IpRule,
    RegexMode, MAX_REGEX_LEN,
};
use proptest::prelude::{Rng as _, RngExt as _};
use proptest::test_runner::{RngAlgorithm, TestRng};

fn rule(text: &str) -> IpRule {
    IpRule::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn ip(text: &str) -> IpAddr {
    parse_client_ip(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

// ---------------------------------------------------------------- rule parsing

#[test]
fn rule_accepts_addresses_and_networks_with_canonical_display() {
    let cases = [
        ("192.168.2.0/24", "192.168.2.0/24"),
        ("10.0.0.1", "10.0.0.1"),
        ("10.0.0.1/32", "10.0.0.1"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8::1/128", "2001:db8::1"),
        ("::/0", "::/0"),
        ("::1", "::1"),
        ("FE80::/10", "fe80::/10"),
        ("1.2.3.0/31", "1.2.3.0/31"),
    ];
    for (text, display) in cases {
        let r = rule(text);
        assert_eq!(r.to_string(), display, "{text}");
        assert_eq!(IpRule::parse(display).unwrap(), r, "{display} re-parses");
    }
}

#[test]
fn single_address_and_full_prefix_are_the_same_rule() {
    assert_eq!(rule("10.0.0.1"), rule("10.0.0.1/32"));
    assert_eq!(rule("2001:db8::1"), rule("2001:db8::1/128"));
    assert!(rule("10.0.0.1").is_single_address());
    assert!(!rule("10.0.0.0/31").is_single_address());
}

#[test]
fn rule_network_exposes_ipnet() {
    let net: ipnet::IpNet = "192.168.2.0/24".parse().unwrap();
    assert_eq!(rule("192.168.2.0/24").network(), net);
    let single: ipnet::IpNet = "10.0.0.1/32".parse().unwrap();
    assert_eq!(rule("10.0.0.1").network(), single);
    assert_eq!(
        rule("::ffff:192.168.2.0/120").network(),
        net,
        "mapped rule is the IPv4 network"
    );
}

#[test]
fn rule_refuses_every_non_strict_form() {
    let refused = [
        "",
        " ",
        "010.1.1.1",
        "1.1.1.01",
        "00.1.1.1",
        "1.1",
        "1.1.1",
        "1",
        "0x7f.0.0.1",
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.-1",
        "fe80::1%eth0",
        "fe80::1%1",
        "[::1]",
        "[2001:db8::]/32",
        "1.2.3.4:80",
        "[::1]:80",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4\n",
        "\t1.2.3.4",
        "1.2.3.4 /24",
        "1.2.3.0/ 24",
        "1.2.3.0 /24",
        "1.2. 3.4",
        "1.2.3.0/024",
        "1.2.3.0/+24",
        "1.2.3.0/-0",
        "1.2.3.0/",
        "/24",
        "1.2.3.0/33",
        "1.2.3.0/256",
        "1.2.3.0/1000",
        "1.2.3.0/24/24",
        "2001:db8::/129",
        "2001:db8::/0128",
        "2001:db8::/00",
        "0.0.0.0/00",
        ":::",
        "1::2::3",
        "12345::",
        "g::1",
        "::ffff:010.1.1.1",
        "localhost",
        "1.2.3.4\0",
        "１.２.３.４",
    ];
    for text in refused {
        let err = IpRule::parse(text).expect_err(text);
        assert_eq!(err.code(), ErrorCode::InvalidIpRule, "{text:?}: {err}");
    }
}

#[test]
fn rule_prefix_bounds_are_inclusive() {
    assert_eq!(rule("0.0.0.0/0").network().prefix_len(), 0);
    assert_eq!(rule("1.2.3.4/32").network().prefix_len(), 32);
    assert_eq!(rule("::/0").network().prefix_len(), 0);
    assert_eq!(rule("::1/128").network().prefix_len(), 128);
    assert_eq!(rule("::/128").to_string(), "::");
}

#[test]
fn rule_refuses_overly_long_input_early() {
    let long = format!("{}1.2.3.4", "0".repeat(100));
    assert_eq!(
        IpRule::parse(&long).unwrap_err().code(),
        ErrorCode::InvalidIpRule
    );
    let huge = "1".repeat(1_000_000);
    let err = IpRule::parse(&huge).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    assert!(
        err.message().len() < 200,
        "message does not echo the whole input"
    );
    // The longest valid text still fits.
    let longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128";
    assert_eq!(
        rule(longest).to_string(),
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    );
}

#[test]
fn host_bits_error_names_the_network() {
    let err = IpRule::parse("192.168.2.5/24").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    assert!(
        err.message().contains("192.168.2.0/24"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("192.168.2.5/24"),
        "{}",
        err.message()
    );

    let err = IpRule::parse("2001:db8::1/32").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    assert!(err.message().contains("2001:db8::/32"), "{}", err.message());

    let err = IpRule::parse("::ffff:192.168.2.5/120").unwrap_err();
    assert!(
        err.message().contains("::ffff:192.168.2.0/120"),
        "{}",
        err.message()
    );
}

#[test]
fn rule_from_str_and_from_addr() {
    let r: IpRule = "10.0.0.0/8".parse().unwrap();
    assert_eq!(r, rule("10.0.0.0/8"));
    assert_eq!(
        "11.0.0.0/7".parse::<IpRule>().unwrap_err().code(),
        ErrorCode::InvalidIpRule
    );
    let mapped: IpAddr = "::ffff:1.2.3.4".parse().unwrap();
    assert_eq!(IpRule::from(mapped), rule("1.2.3.4"));
}

// ---------------------------------------------------------------- mapped rules

#[test]
fn mapped_rule_is_the_ipv4_rule() {
    assert_eq!(rule("::ffff:192.168.2.0/120"), rule("192.168.2.0/24"));
    assert_eq!(rule("::ffff:192.168.2.0/120").to_string(), "192.168.2.0/24");
    assert_eq!(rule("::ffff:c0a8:200/120"), rule("192.168.2.0/24"));
    assert_eq!(rule("::ffff:192.168.2.5"), rule("192.168.2.5"));
    assert_eq!(rule("::FFFF:192.168.2.5/128").to_string(), "192.168.2.5");
    assert_eq!(rule("::ffff:0:0/96"), rule("0.0.0.0/0"));
    assert!(rule("::ffff:0:0/96").contains(ip("8.8.8.8")));
    assert!(rule("::ffff:192.168.2.0/120").contains(ip("192.168.2.5")));
    assert!(rule("::ffff:192.168.2.0/120").contains(v4(192, 168, 2, 255)));
    assert!(!rule("::ffff:192.168.2.0/120").contains(v4(192, 168, 3, 0)));
}

#[test]
fn mapped_address_matches_ipv4_rule() {
    let r = rule("192.168.2.0/24");
    assert!(r.contains(ip("::ffff:192.168.2.5")));
    assert!(r.contains(ip("::ffff:c0a8:205")));
    // Even an un-normalized mapped address is checked as IPv4.
    let raw: IpAddr = "::ffff:192.168.2.5".parse().unwrap();
    assert!(raw.is_ipv6());
    assert!(r.contains(raw));
    assert!(rules_allow(&[r], raw));
}

#[test]
fn ipv4_compatible_nat64_and_6to4_are_not_ipv4() {
    let r = rule("192.168.2.0/24");
    for text in ["::192.168.2.5", "64:ff9b::192.168.2.5", "2002:c0a8:205::1"] {
        let a = ip(text);
        assert!(a.is_ipv6(), "{text} stays IPv6");
        assert!(!r.contains(a), "{text} must not match an IPv4 rule");
        let raw: IpAddr = text.parse().unwrap();
        assert_eq!(normalize_addr(raw), raw);
    }
    assert!(rule("::192.168.2.0/120").contains(ip("::192.168.2.5")));
    assert!(!rule("::192.168.2.0/120").contains(ip("192.168.2.5")));
}

#[test]
fn short_mapped_prefix_stays_ipv6_and_covers_no_ipv4_client() {
    // Documented choice: prefix < 96 inside ::ffff:0:0/96 is an IPv6 rule.
    let r = rule("::/80"); // contains ::ffff:0:0/96
    assert!(r.contains(ip("::1")));
    assert!(r.network().addr().is_ipv6());
    assert!(!r.contains(ip("1.2.3.4")));
    assert!(!r.contains(ip("::ffff:1.2.3.4")));
    assert!(!rule("::/0").contains(ip("10.0.0.1")));
    assert!(rule("::/0").contains(ip("2001:db8::1")));
    assert!(!rule("0.0.0.0/0").contains(ip("2001:db8::1")));
}

// ---------------------------------------------------------------- client addresses

#[test]
fn client_ip_parses_strictly() {
    assert_eq!(ip("192.168.2.5"), v4(192, 168, 2, 5));
    assert_eq!(ip("::ffff:192.168.2.5"), v4(192, 168, 2, 5));
    assert_eq!(ip("::ffff:c0a8:205"), v4(192, 168, 2, 5));
    assert_eq!(ip("::FFFF:C0A8:0205"), v4(192, 168, 2, 5));
    assert_eq!(
        ip("2001:DB8::1"),
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))
    );
    assert!(ip("::192.168.2.5").is_ipv6());
    for text in [
        "",
        "010.1.1.1",
        "1.1",
        "0x7f.0.0.1",
        "2130706433",
        "fe80::1%eth0",
        "[::1]",
        "1.2.3.4:80",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4/32",
        "::1/128",
        "256.0.0.0",
        "1.2.3.4\r\n",
        "abc",
    ] {
        let err = parse_client_ip(text).expect_err(text);
        assert_eq!(err.code(), ErrorCode::InvalidIpAddress, "{text:?}");
    }
    let long = "1".repeat(10_000);
    assert_eq!(
        parse_client_ip(&long).unwrap_err().code(),
        ErrorCode::InvalidIpAddress
    );
}

#[test]
fn normalize_only_maps_ffff_prefix() {
    let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
    assert_eq!(normalize_addr(mapped), v4(10, 1, 2, 3));
    let v4addr = v4(10, 1, 2, 3);
    assert_eq!(normalize_addr(v4addr), v4addr);
    let loopback: IpAddr = "::1".parse().unwrap();
    assert_eq!(normalize_addr(loopback), loopback);
    let near: IpAddr = "::fffe:10.1.2.3".parse().unwrap();
    assert_eq!(normalize_addr(near), near);
    let one_ffff: IpAddr = "1::ffff:10.1.2.3".parse().unwrap();
    assert_eq!(normalize_addr(one_ffff), one_ffff);
}

#[test]
fn rules_allow_checks_any_rule_and_empty_allows_nothing() {
    let rules = [rule("10.0.0.0/8"), rule("2001:db8::/32")];
    assert!(rules_allow(&rules, ip("10.9.9.9")));
    assert!(rules_allow(&rules, ip("2001:db8:1::5")));
    assert!(rules_allow(&rules, "::ffff:10.0.0.1".parse().unwrap()));
    assert!(!rules_allow(&rules, ip("11.0.0.0")));
    assert!(!rules_allow(&rules, ip("2001:db9::")));
    assert!(!rules_allow(&[], ip("10.0.0.1")));
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
