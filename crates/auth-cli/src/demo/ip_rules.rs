//! IP rules: CIDR allow-lists (including a 100,001-rule list) and regex rules on the client address.

use auth_core::{parse_client_ip, ErrorCode, IpAllowList, IpRegex, RegexMode};

use super::{Demo, Via};

pub(super) fn ip_lists_and_regex(d: &mut Demo) {
    d.section(
        "CIDR allow-lists and regex rules",
        Via::Library,
        "IpAllowList::parse, IpRegex::new, parse_client_ip",
    );
    let rules = ["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"];
    if let Some(list) = d.ok(
        &format!("parse the allow-list {rules:?}"),
        IpAllowList::parse(rules),
    ) {
        for (addr, expect) in [
            ("10.200.0.1", true),
            ("192.168.1.7", true),
            ("192.168.1.8", false),
            ("2001:db8::42", true),
            ("2001:db9::1", false),
        ] {
            match parse_client_ip(addr) {
                Ok(ip) => {
                    let got = list.contains(ip);
                    d.check(
                        &format!("{addr} -> {}", if expect { "allow" } else { "deny" }),
                        got == expect,
                        format_args!("got {}", if got { "allow" } else { "deny" }),
                    );
                }
                Err(e) => d.surprise(&format!("parsing {addr}"), e),
            }
        }
    }
    for bad in ["192.168.2.5/24", "010.1.1.1", "10.0.0.0/33", "10.0.0.1:80"] {
        d.rejects(
            &format!("the rule {bad:?}"),
            IpAllowList::parse([bad]),
            ErrorCode::InvalidIpRule,
        );
    }
    let big: Vec<String> = (0..100_000u32)
        .map(|i| format!("10.{}.{}.0/24", i >> 8 & 0xff, i & 0xff))
        .chain(std::iter::once("172.16.0.0/12".to_string()))
        .collect();
    if let Some(list) = d.ok("build a 100,001-rule allow-list", IpAllowList::parse(&big)) {
        let inside = parse_client_ip("172.20.1.1").map(|ip| list.contains(ip));
        let outside = parse_client_ip("11.0.0.1").map(|ip| list.contains(ip));
        d.check(
            "it allows 172.20.1.1 and denies 11.0.0.1",
            inside == Ok(true) && outside == Ok(false),
            format_args!("got {inside:?} and {outside:?}"),
        );
    }

    let pattern = r"192\.168\.1\.1";
    d.say(format_args!("a user group's allowed_regex: {pattern}"));
    if let Some(full) = d.ok(
        "compile it (full match, the default)",
        IpRegex::new(pattern, RegexMode::FullMatch),
    ) {
        d.check(
            "192.168.1.1 matches",
            full.is_match_str("192.168.1.1") == Ok(true),
            "no match",
        );
        d.check(
            "192.168.1.10 does not (the pattern must match the whole address)",
            full.is_match_str("192.168.1.10") == Ok(false),
            "it matched",
        );
        d.rejects(
            "a malformed address never reaches the regex",
            full.is_match_str("192.168.1.1x"),
            ErrorCode::InvalidIpAddress,
        );
    }
    if let Some(search) = d.ok(
        "compile it in search mode (explicit choice)",
        IpRegex::new(pattern, RegexMode::Search),
    ) {
        d.check(
            "in search mode 192.168.1.10 matches",
            search.is_match_str("192.168.1.10") == Ok(true),
            "no match",
        );
    }
    for bad in ["", "(", "[z-a]"] {
        d.rejects(
            &format!("the pattern {bad:?}"),
            IpRegex::new(bad, RegexMode::FullMatch),
            ErrorCode::InvalidRegex,
        );
    }
}
