//! Property tests for the IP parsers and rules (docs/ip-rules.md).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use auth_core::ErrorCode;
use auth_core::{parse_client_ip, IpAllowList, IpRegex, IpRule, RegexMode};
use proptest::prelude::*;

/// Strings over the characters addresses are made of, so the parsers get past their pre-checks.
fn addressish() -> impl Strategy<Value = String> {
    "[0-9a-fA-F:./]{0,50}"
}

proptest! {
    #[test]
    fn rule_parse_never_panics(s in any::<String>()) {
        if let Err(e) = IpRule::parse(&s) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidIpRule);
        }
    }

    #[test]
    fn client_ip_parse_never_panics(s in any::<String>()) {
        if let Err(e) = parse_client_ip(&s) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidIpAddress);
        }
    }

    #[test]
    fn addressish_text_never_panics_and_round_trips(s in addressish()) {
        if let Ok(rule) = IpRule::parse(&s) {
            let shown = rule.to_string();
            prop_assert_eq!(IpRule::parse(&shown).unwrap(), rule);
            prop_assert_eq!(shown.to_ascii_lowercase(), shown.clone());
        }
        if let Ok(addr) = parse_client_ip(&s) {
            prop_assert_eq!(parse_client_ip(&addr.to_string()).unwrap(), addr);
        }
    }

    #[test]
    fn v4_rule_round_trips_through_display(a in any::<u32>(), prefix in 0u8..=32) {
        let net = ipnet::Ipv4Net::new(Ipv4Addr::from(a), prefix).unwrap().trunc();
        let rule = IpRule::parse(&net.to_string()).unwrap();
        prop_assert_eq!(IpRule::parse(&rule.to_string()).unwrap(), rule);
        prop_assert_eq!(rule.network(), ipnet::IpNet::V4(net));
    }

    #[test]
    fn v6_rule_round_trips_through_display(a in any::<u128>(), prefix in 0u8..=128) {
        let net = ipnet::Ipv6Net::new(Ipv6Addr::from(a), prefix).unwrap().trunc();
        let rule = IpRule::parse(&net.to_string()).unwrap();
        prop_assert_eq!(IpRule::parse(&rule.to_string()).unwrap(), rule);
    }

    #[test]
    fn v4_contains_agrees_with_ipnet(a in any::<u32>(), prefix in 0u8..=32, probe in any::<u32>(), near in any::<bool>()) {
        let net = ipnet::Ipv4Net::new(Ipv4Addr::from(a), prefix).unwrap().trunc();
        let rule = IpRule::parse(&net.to_string()).unwrap();
        // Half the probes land near the network so both answers occur.
        let probe = if near { u32::from(net.network()) ^ (probe & 0xff) } else { probe };
        let probe = Ipv4Addr::from(probe);
        prop_assert_eq!(rule.contains(IpAddr::V4(probe)), net.contains(&probe));
        prop_assert_eq!(rule.contains(IpAddr::V6(probe.to_ipv6_mapped())), net.contains(&probe));
        let list = IpAllowList::new(vec![rule]);
        prop_assert_eq!(list.contains(IpAddr::V4(probe)), net.contains(&probe));
    }

    #[test]
    fn mapped_rule_equals_v4_rule(a in any::<u32>(), prefix in 0u8..=32) {
        let net = ipnet::Ipv4Net::new(Ipv4Addr::from(a), prefix).unwrap().trunc();
        let mapped = format!("{}/{}", net.network().to_ipv6_mapped(), u16::from(prefix) + 96);
        prop_assert_eq!(IpRule::parse(&mapped).unwrap(), IpRule::parse(&net.to_string()).unwrap());
    }

    #[test]
    fn allow_list_agrees_with_linear_scan(
        nets in proptest::collection::vec((any::<u16>(), 16u8..=32), 0..40),
        probes in proptest::collection::vec(any::<u16>(), 1..40),
    ) {
        // Rules and probes inside 10.0.0.0/16 so ranges overlap, nest and touch.
        let rules: Vec<IpRule> = nets
            .iter()
            .map(|&(low, prefix)| {
                let net = ipnet::Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 | u32::from(low)), prefix).unwrap().trunc();
                IpRule::parse(&net.to_string()).unwrap()
            })
            .collect();
        let list = IpAllowList::new(rules.clone());
        for p in probes {
            let addr = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | u32::from(p)));
            prop_assert_eq!(list.contains(addr), rules.iter().any(|r| r.contains(addr)));
        }
    }

    #[test]
    fn regex_compile_never_panics(p in ".{0,40}", s in addressish()) {
        for mode in [RegexMode::FullMatch, RegexMode::Search] {
            match IpRegex::new(&p, mode) {
                Ok(r) => {
                    if let Err(e) = r.is_match_str(&s) {
                        prop_assert_eq!(e.code(), ErrorCode::InvalidIpAddress);
                    }
                }
                Err(e) => prop_assert_eq!(e.code(), ErrorCode::InvalidRegex),
            }
        }
    }
}
