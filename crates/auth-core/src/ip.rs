//! IP rules (SPEC §5): strict address/CIDR parsing, fast allow-lists, regex rules.
//! INTERFACE STUB — implemented by the IP work item.

use std::fmt;
use std::net::IpAddr;

use crate::error::Result;

/// One allow rule: an address or a network, normalized (IPv4-mapped rules become IPv4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpRule {
    net: ipnet::IpNet,
}

impl IpRule {
    /// Parses rule text strictly (`invalid_ip_rule` on any deviation).
    pub fn parse(text: &str) -> Result<IpRule> {
        let _ = text;
        todo!()
    }

    /// Whether `addr` (already normalized by [`parse_client_ip`] or [`normalize_addr`]) is inside this rule.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let _ = addr;
        todo!()
    }
}

impl fmt::Display for IpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.net)
    }
}

/// Parses a client address strictly (`invalid_ip_address`); IPv4-mapped IPv6 becomes IPv4.
pub fn parse_client_ip(text: &str) -> Result<IpAddr> {
    let _ = text;
    todo!()
}

/// Maps `::ffff:a.b.c.d` to `a.b.c.d`; every other address is returned unchanged.
pub fn normalize_addr(addr: IpAddr) -> IpAddr {
    addr
}

/// Whether any rule of a (short) list matches.
pub fn rules_allow(rules: &[IpRule], addr: IpAddr) -> bool {
    let addr = normalize_addr(addr);
    rules.iter().any(|r| r.contains(addr))
}
