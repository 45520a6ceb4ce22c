//! `check-ip`: allow-lists and regex rules on an address.

use crate::support::{authctl, Out};

fn check_ip(args: &[&str]) -> Out {
    let mut all = vec!["check-ip"];
    all.extend_from_slice(args);
    authctl(&all).run()
}

#[test]
fn check_ip_rules_allow_and_deny() {
    let rules = ["--rule", "10.0.0.0/8", "--rule", "2001:db8::/32"];
    for (addr, allowed) in [
        ("10.1.2.3", true),
        ("::ffff:10.9.9.9", true),
        ("2001:db8::1", true),
        ("11.0.0.1", false),
        ("2001:db9::1", false),
    ] {
        let mut args = rules.to_vec();
        args.push(addr);
        let out = check_ip(&args);
        if allowed {
            assert_eq!(out.ok(), "allow", "{addr}");
        } else {
            assert_eq!((out.code, out.stdout.as_str()), (1, "deny\n"), "{addr}");
            assert_eq!(out.stderr, "");
        }
    }
}

#[test]
fn check_ip_bad_rule_or_address_exits_2() {
    check_ip(&["--rule", "192.168.2.5/24", "192.168.2.5"]).fails(2, "invalid_ip_rule");
    check_ip(&["--rule", "10.0.0.0/8", "--rule", "010.0.0.0/8", "10.0.0.1"])
        .fails(2, "invalid_ip_rule");
    check_ip(&["--rule", "10.0.0.0/8", "10.0.0.1:80"]).fails(2, "invalid_ip_address");
    check_ip(&["--rule", "10.0.0.0/8", "10.1"]).fails(2, "invalid_ip_address");
    check_ip(&["--regex", "10\\..*", "10.0.0.01"]).fails(2, "invalid_ip_address");
    check_ip(&["--regex", "(", "10.0.0.1"]).fails(2, "invalid_regex");
    check_ip(&["--regex", "", "10.0.0.1"]).fails(2, "invalid_regex");
}

#[test]
fn check_ip_regex_is_full_match_unless_search() {
    let re = r"192\.168\.1\.1";
    assert_eq!(check_ip(&["--regex", re, "192.168.1.1"]).ok(), "allow");
    let out = check_ip(&["--regex", re, "192.168.1.10"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, "deny\n"));
    assert_eq!(
        check_ip(&["--regex", re, "--search", "192.168.1.10"]).ok(),
        "allow"
    );
    // canonical text: mapped addresses are matched as IPv4
    assert_eq!(
        check_ip(&["--regex", re, "::ffff:192.168.1.1"]).ok(),
        "allow"
    );
    // a pattern beginning with `-` in `=` form
    assert_eq!(
        check_ip(&["--regex=-?10\\.0\\.0\\.1", "10.0.0.1"]).ok(),
        "allow"
    );
}

#[test]
fn check_ip_needs_exactly_one_of_rule_or_regex() {
    for args in [
        vec!["10.0.0.1"],
        vec!["--rule", "10.0.0.0/8", "--regex", "10.*", "10.0.0.1"],
        vec!["--rule", "10.0.0.0/8", "--search", "10.0.0.1"],
        vec!["--search", "10.0.0.1"],
        vec!["--rule", "10.0.0.0/8"],
    ] {
        check_ip(&args).fails(2, "invalid_request");
    }
}

#[test]
fn check_ip_without_rule_or_regex_names_both() {
    let out = check_ip(&["10.0.0.1"]);
    out.fails(2, "invalid_request");
    let message = out.error()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("--rule") && message.contains("--regex"),
        "{message}"
    );
}
