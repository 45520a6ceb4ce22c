//! One rule or client address: strict parsing, IPv4-mapped normalization, canonical text and
//! the linear check over a token's few `allowed_ips`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net};

use super::MAX_IP_TEXT_LEN;
use crate::error::{Error, ErrorCode, Result};

/// The IPv4-mapped IPv6 prefix length: `::ffff:0:0/96`.
const MAPPED_PREFIX: u8 = 96;

/// One allow rule: an address or a network, normalized (IPv4-mapped rules become IPv4).
///
/// A rule is either a single address (`10.0.0.1`, `2001:db8::1`) or a network given in CIDR form
/// with no host bits set (`10.0.0.0/8`, `2001:db8::/32`).
///
/// IPv4-mapped rules are the IPv4 rule: `::ffff:192.168.2.0/120` is `192.168.2.0/24`, and
/// `::ffff:0:0/96` is `0.0.0.0/0`. A rule inside `::ffff:0:0/96` with a prefix shorter than 96
/// (`::/0`, `::/80`, …) stays an IPv6 rule; because client addresses are normalized (mapped → IPv4)
/// before they are checked, such a rule covers **no** IPv4 client. IPv4 clients are admitted only
/// by IPv4 (or mapped, prefix ≥ 96) rules.
///
/// # Example
///
/// ```
/// use auth_core::{IpRule, parse_client_ip};
///
/// let rule = IpRule::parse("::ffff:192.168.2.0/120").unwrap();
/// assert_eq!(rule.to_string(), "192.168.2.0/24");
/// assert!(rule.contains(parse_client_ip("192.168.2.5").unwrap()));
/// assert!(IpRule::parse("192.168.2.5/24").is_err()); // host bits set
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpRule {
    net: IpNet,
}

impl IpRule {
    /// Parses rule text strictly (`invalid_ip_rule` on any deviation).
    ///
    /// Accepted: an IPv4 address in dotted-decimal form, an IPv6 address, or either followed by
    /// `/prefix` (plain decimal digits, no leading zeros, `0..=32` or `0..=128`). Refused: empty text,
    /// text longer than [`MAX_IP_TEXT_LEN`], whitespace anywhere, leading zeros in IPv4 octets, short,
    /// hex or integer IPv4 forms, zone ids, brackets, ports, and networks with host bits set (the error
    /// message names the intended network).
    pub fn parse(text: &str) -> Result<IpRule> {
        check_text(text).map_err(|why| rule_error(text, why))?;
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr = IpAddr::from_str(addr_text)
            .map_err(|_| rule_error(text, "not an IPv4 or IPv6 address"))?;
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix_text {
            None => max,
            Some(p) => parse_prefix(p, max).map_err(|why| rule_error(text, why))?,
        };
        // Cannot fail: the prefix was checked against the family's maximum above.
        let net =
            IpNet::new(addr, prefix).map_err(|_| rule_error(text, "prefix length out of range"))?;
        let network = net.trunc();
        if network != net {
            return Err(Error::with_message(
                ErrorCode::InvalidIpRule,
                format!("host bits set in {net}; did you mean {network}?"),
            ));
        }
        Ok(IpRule::from_network(net))
    }

    /// A rule for exactly one address (normalized: an IPv4-mapped address gives an IPv4 rule).
    pub fn from_addr(addr: IpAddr) -> IpRule {
        IpRule::from_network(IpNet::from(normalize_addr(addr)))
    }

    /// Normalizes a host-bit-free network: an IPv4-mapped network with prefix ≥ 96 becomes IPv4.
    fn from_network(net: IpNet) -> IpRule {
        if let IpNet::V6(v6) = net {
            if v6.prefix_len() >= MAPPED_PREFIX {
                if let Some(v4) = v6.network().to_ipv4_mapped() {
                    if let Ok(v4net) = Ipv4Net::new(v4, v6.prefix_len() - MAPPED_PREFIX) {
                        return IpRule {
                            net: IpNet::V4(v4net),
                        };
                    }
                }
            }
        }
        IpRule { net }
    }

    /// Whether `addr` is inside this rule.
    ///
    /// `addr` is normalized first (see [`normalize_addr`]), so an IPv4-mapped client address is
    /// checked as the IPv4 address. An IPv4 address never matches an IPv6 rule and vice versa.
    pub fn contains(&self, addr: IpAddr) -> bool {
        self.net.contains(&normalize_addr(addr))
    }

    /// The rule as a network (a single address is a `/32` or `/128` network).
    pub fn network(&self) -> IpNet {
        self.net
    }

    /// Whether the rule is a single address (prefix `/32` or `/128`).
    pub fn is_single_address(&self) -> bool {
        self.net.prefix_len() == self.net.max_prefix_len()
    }
}

impl FromStr for IpRule {
    type Err = Error;

    /// Same as [`IpRule::parse`].
    fn from_str(s: &str) -> Result<IpRule> {
        IpRule::parse(s)
    }
}

impl From<IpAddr> for IpRule {
    /// Same as [`IpRule::from_addr`].
    fn from(addr: IpAddr) -> IpRule {
        IpRule::from_addr(addr)
    }
}

impl fmt::Display for IpRule {
    /// Canonical text: dotted IPv4 or RFC 5952 lowercase IPv6; a single address without `/32` or
    /// `/128`, a network as `addr/prefix`. The text parses back to the same rule.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single_address() {
            write!(f, "{}", self.net.addr())
        } else {
            write!(f, "{}", self.net)
        }
    }
}

/// Cheap pre-checks shared by rules and client addresses: non-empty, bounded length, and only the
/// characters an address or CIDR can contain (this refuses whitespace, `%zone`, brackets, `+`, …).
fn check_text(text: &str) -> std::result::Result<(), &'static str> {
    if text.is_empty() {
        return Err("empty");
    }
    if text.len() > MAX_IP_TEXT_LEN {
        return Err("too long");
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/'))
    {
        return Err("unexpected character");
    }
    Ok(())
}

/// A prefix length: plain decimal digits, no sign, no leading zero (except `0` itself), `<= max`.
fn parse_prefix(text: &str, max: u8) -> std::result::Result<u8, &'static str> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 3 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err("prefix length must be decimal digits");
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return Err("prefix length has a leading zero");
    }
    match text.parse::<u8>() {
        Ok(p) if p <= max => Ok(p),
        _ => Err("prefix length out of range"),
    }
}

/// An `invalid_ip_rule` error; the (short, already length-checked or truncated) text is quoted with escapes.
fn rule_error(text: &str, why: &str) -> Error {
    Error::with_message(
        ErrorCode::InvalidIpRule,
        format!("invalid IP rule {}: {why}", quote(text)),
    )
}

/// Debug-quotes at most [`MAX_IP_TEXT_LEN`] characters of untrusted text for an error message.
fn quote(text: &str) -> String {
    if text.len() <= MAX_IP_TEXT_LEN {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX_IP_TEXT_LEN).collect();
        format!("{head:?}…")
    }
}

/// Parses a client address strictly (`invalid_ip_address`); IPv4-mapped IPv6 becomes IPv4.
///
/// The same strictness as [`IpRule::parse`] applies (no prefix allowed): no whitespace, zone ids,
/// brackets, ports, leading zeros, or short/hex/integer IPv4 forms. `::ffff:192.168.2.5` and
/// `::ffff:c0a8:205` both return `192.168.2.5`; `::192.168.2.5` (IPv4-compatible) stays IPv6.
///
/// ```
/// use auth_core::parse_client_ip;
/// use std::net::{IpAddr, Ipv4Addr};
///
/// assert_eq!(parse_client_ip("::ffff:c0a8:205").unwrap(), IpAddr::V4(Ipv4Addr::new(192, 168, 2, 5)));
/// assert!(parse_client_ip("010.1.1.1").is_err());
/// ```
pub fn parse_client_ip(text: &str) -> Result<IpAddr> {
    let bad = |why: &str| {
        Error::with_message(
            ErrorCode::InvalidIpAddress,
            format!("invalid IP address {}: {why}", quote(text)),
        )
    };
    check_text(text).map_err(bad)?;
    if text.contains('/') {
        return Err(bad("a client address has no prefix"));
    }
    IpAddr::from_str(text)
        .map(normalize_addr)
        .map_err(|_| bad("not an IPv4 or IPv6 address"))
}

/// Maps `::ffff:a.b.c.d` to `a.b.c.d`; every other address is returned unchanged.
///
/// Only `::ffff:0:0/96` counts as IPv4-mapped: the deprecated IPv4-compatible form (`::a.b.c.d`),
/// NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) addresses stay IPv6.
pub fn normalize_addr(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

/// Whether any rule of a (short) list matches; `addr` is normalized first. An empty list allows nothing.
///
/// This is a linear scan, meant for the few rules a token carries; use [`IpAllowList`](super::IpAllowList) for large lists.
pub fn rules_allow(rules: &[IpRule], addr: IpAddr) -> bool {
    let addr = normalize_addr(addr);
    rules.iter().any(|r| r.contains(addr))
}

/// The canonical text of an address: dotted IPv4, RFC 5952 lowercase IPv6, IPv4-mapped as IPv4.
///
/// This is the text an [`IpRegex`](super::IpRegex) is matched against.
///
/// ```
/// use auth_core::{canonical_ip_text, parse_client_ip};
///
/// let a = "2001:DB8:0:0:0:0:0:1".parse().unwrap();
/// assert_eq!(canonical_ip_text(a), "2001:db8::1");
/// assert_eq!(canonical_ip_text("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
/// ```
pub fn canonical_ip_text(addr: IpAddr) -> String {
    normalize_addr(addr).to_string()
}
