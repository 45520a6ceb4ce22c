//! IP rules (docs/ip-rules.md): strict address/CIDR parsing, fast allow-lists, regex rules.
//!
//! * [`IpRule`] — one address or network (`192.168.2.0/24`, `2001:db8::/32`, `10.0.0.1`), parsed strictly.
//! * [`parse_client_ip`] / [`normalize_addr`] — client addresses, with IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
//!   treated as the IPv4 address everywhere.
//! * [`rules_allow`] — a linear check over the few rules a token carries in `allowed_ips`.
//! * [`IpAllowList`] — a large host-side allow-list (a reseller's `allowedIPs`) with `O(log n)` lookups.
//! * [`IpRegex`] — a user group's `allowed_regex`, matched against the canonical address text.
//!
//! Address syntax is decided by the standard library's [`Ipv4Addr`](std::net::Ipv4Addr) / [`Ipv6Addr`](std::net::Ipv6Addr) parsers (which refuse
//! leading zeros, short, hex and integer IPv4 forms, zone ids, brackets and ports) and networks by the
//! [`ipnet`] crate; this module only adds the checks those do not make (length, whitespace, prefix
//! digits, host bits) and the IPv4-mapped normalization.
//!
//! The code is laid out by what it decides: `rule.rs` the rule and client-address syntax and
//! the IPv4-mapped normalization, `allow_list.rs` the indexed large allow-list, `regex.rs` the
//! regex rules and their compile caps, `rule_set_cache.rs` the bounded cache that parses a
//! token's `allowed_ips` list once per distinct list.

mod allow_list;
mod regex;
mod rule;
mod rule_set_cache;

pub use self::allow_list::IpAllowList;
pub use self::regex::{IpRegex, RegexMode, MAX_REGEX_COMPILED_SIZE, MAX_REGEX_LEN, MAX_REGEX_NEST};
pub use self::rule::{canonical_ip_text, normalize_addr, parse_client_ip, rules_allow, IpRule};
pub(crate) use self::rule_set_cache::parse_rule_set;

/// Longest rule or client-address text accepted, in bytes.
///
/// The longest valid text, `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128`, is 49 bytes; anything
/// longer is refused before any parsing so that every check stays linear in a small bound.
pub const MAX_IP_TEXT_LEN: usize = 64;

// Compile-time checks that the shareable types are thread-safe.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<IpRule>();
    send_sync::<IpAllowList>();
    send_sync::<IpRegex>();
};
