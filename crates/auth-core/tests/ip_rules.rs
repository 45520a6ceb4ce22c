//! docs/ip-rules.md: strict IP rules, IPv4-mapped rules and client addresses (allow-lists and regex rules are in
//! `ip_allow_list_and_regex.rs`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use auth_core::ErrorCode;
use auth_core::{normalize_addr, parse_client_ip, rules_allow, IpRule};

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
