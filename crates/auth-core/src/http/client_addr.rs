//! The client's address: the connection's peer, or — only when the peer is a trusted proxy —
//! the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
//!
//! A client can write anything into `X-Forwarded-For`; each proxy appends the address it
//! received the request from. Reading from the right and skipping trusted proxies finds the
//! first hop nobody we trust vouches for — the left part of the header is never believed.
//! A peer outside every trusted range is the client, whatever headers it sent.
//!
//! How an entry is read (docs/http.md):
//!
//! * several header lines are one list, in the order received (RFC 9110 §5.3);
//! * entries are separated by `,` with optional spaces and tabs; empty entries are skipped
//!   (RFC 9110 §5.6.1);
//! * an entry is an IPv4 or IPv6 address, optionally `[IPv6]`, `IPv4:port` or
//!   `[IPv6]:port` (some proxies append ports); IPv4-mapped IPv6 counts as its IPv4
//!   address;
//! * anything else the rule must read — `unknown`, a host name, a zone id (`fe80::1%eth0`,
//!   meaningless off its host), a bad port, bytes outside ASCII — is `invalid_ip_address`
//!   (HTTP 400): the address cannot be known, and the rules that depend on it must not
//!   guess. Entries left of the client's are never read, so nothing there can fail a
//!   request.
//!
//! A connection without an IP address (a Unix-domain socket) has no peer address:
//! [`TrustedProxies::trust_unix_peers`] says whether such a peer is a trusted proxy (a
//! reverse proxy on the same host); otherwise the client address is unknown, and a token
//! restricted by `allowed_ips` is refused (`ip_not_allowed`).

use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;

use super::trim_ows;
use crate::error::{Error, ErrorCode, Result};
use crate::ip::{normalize_addr, IpRule};

/// The proxies whose `X-Forwarded-For` is believed. Empty by default: the peer is the client.
///
/// ```
/// use auth_core::TrustedProxies;
/// let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
/// let peer = Some("127.0.0.1".parse().unwrap());
/// let client = proxies.client_ip(peer, &[b"6.6.6.6, 203.0.113.7", b"10.1.1.1"]).unwrap();
/// assert_eq!(client, Some("203.0.113.7".parse().unwrap()));
/// // An untrusted peer is the client, whatever it forwards.
/// let other = Some("198.51.100.9".parse().unwrap());
/// assert_eq!(proxies.client_ip(other, &[b"1.2.3.4"]).unwrap(), other);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    unix_peers: bool,
}

impl TrustedProxies {
    /// No trusted proxy: the peer address is always the client.
    pub fn none() -> Self {
        TrustedProxies::default()
    }

    /// Trusted ranges from IP/CIDR text (`127.0.0.1`, `10.0.0.0/8`, `::1`), parsed strictly
    /// like every rule of the library (`invalid_ip_rule`).
    pub fn parse<S: AsRef<str>>(rules: &[S]) -> Result<Self> {
        let nets = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                IpRule::parse(r.as_ref())
                    .map(|rule| rule.network())
                    .map_err(|e| {
                        Error::with_message(
                            ErrorCode::InvalidIpRule,
                            format!("trusted proxy {i}: {}", e.message()),
                        )
                    })
            })
            .collect::<Result<_>>()?;
        Ok(TrustedProxies {
            nets,
            unix_peers: false,
        })
    }

    /// Also treats a peer without an IP address (a Unix-domain socket) as a trusted proxy:
    /// for a reverse proxy on the same host that connects over a socket only it can reach
    /// (nginx in front of gunicorn or `uvicorn --uds`).
    #[must_use]
    pub fn trust_unix_peers(mut self, trust: bool) -> Self {
        self.unix_peers = trust;
        self
    }

    /// Whether a peer without an IP address is a trusted proxy.
    pub fn trusts_unix_peers(&self) -> bool {
        self.unix_peers
    }

    /// Whether `addr` is inside a trusted range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = normalize_addr(addr);
        self.nets.iter().any(|n| n.contains(&addr))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty() && !self.unix_peers
    }

    /// The client address of a request from `peer` (`None`: a connection without an IP
    /// address) with these `X-Forwarded-For` header values (in the order received):
    ///
    /// * `peer` not a trusted proxy → `peer` (`X-Forwarded-For` is not read);
    /// * otherwise the entries of every line, read from the right: the first one that is
    ///   not a trusted proxy; if all are trusted, the left-most; if there are none, `peer`.
    ///
    /// `Ok(None)`: the address is unknown (an untrusted peer without an IP address).
    /// An entry the rule must read that is not an address → `invalid_ip_address`.
    pub fn client_ip(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: &[&[u8]],
    ) -> Result<Option<IpAddr>> {
        let peer = peer.map(normalize_addr);
        let trusted = match peer {
            Some(addr) => self.contains(addr),
            None => self.unix_peers,
        };
        if !trusted {
            return Ok(peer);
        }
        let mut leftmost = None;
        let entries = forwarded_for
            .iter()
            .rev()
            .flat_map(|line| line.rsplit(|&b| b == b','));
        for entry in entries {
            let entry = trim_ows(entry);
            if entry.is_empty() {
                continue;
            }
            let addr = parse_forwarded_entry(entry)?;
            if !self.contains(addr) {
                return Ok(Some(addr));
            }
            leftmost = Some(addr);
        }
        Ok(leftmost.or(peer))
    }
}

/// The address of a connection's peer as a server or framework writes it, for skins that
/// receive it as text: an IP address (IPv4-mapped IPv6 as IPv4, brackets allowed), or
/// `None` for anything else (a Unix socket's path, a test client's name, nothing): the
/// connection has no IP address.
pub fn peer_addr(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if inner.contains('%') {
        return None;
    }
    IpAddr::from_str(inner).ok().map(normalize_addr)
}

/// Whether a server could have taken `peer` (as it reports it) from these forwarding header
/// lines (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`, in any case): `peer` equals one of their
/// entries as text, or as the same address once a port, brackets or a `for=` are taken off — the
/// forms uvicorn, werkzeug and hypercorn copy a client from. A skin whose server may rewrite the
/// peer from such headers uses it to refuse, rather than trust, a peer it cannot tell from a
/// forwarded one (docs/http.md, section 2).
///
/// ```
/// use auth_core::forwarded_mentions;
/// assert!(forwarded_mentions("203.0.113.9", &[b"10.0.0.1, 203.0.113.9:4711"]));
/// assert!(forwarded_mentions("2001:db8::1", &[b"for=\"[2001:DB8::1]:80\""]));
/// assert!(!forwarded_mentions("203.0.113.9", &[b"203.0.113.90"]));
/// assert!(!forwarded_mentions("203.0.113.9", &[]));
/// ```
pub fn forwarded_mentions(peer: &str, lines: &[&[u8]]) -> bool {
    let peer = peer.trim().to_ascii_lowercase();
    let wanted = [Some(peer.clone()), peer_addr(&peer).map(|a| a.to_string())];
    let matches = |text: &str| wanted.iter().flatten().any(|w| w == text);
    for line in lines {
        // Header bytes outside ASCII read as Latin-1, as servers hand them to applications.
        let text: String = line
            .iter()
            .map(|&b| char::from(b).to_ascii_lowercase())
            .collect();
        for piece in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"')) {
            let piece = piece.rsplit('=').next().unwrap_or("");
            if piece.is_empty() {
                continue;
            }
            let host = if let Some(rest) = piece.strip_prefix('[') {
                rest.split(']').next().unwrap_or("")
            } else if piece.matches(':').count() == 1 {
                piece.split(':').next().unwrap_or("")
            } else {
                piece
            };
            if matches(piece)
                || matches(host)
                || peer_addr(host).is_some_and(|a| matches(&a.to_string()))
            {
                return true;
            }
        }
    }
    false
}

/// One `X-Forwarded-For` entry: `IPv4`, `IPv6`, `[IPv6]`, `IPv4:port` or `[IPv6]:port`.
fn parse_forwarded_entry(entry: &[u8]) -> Result<IpAddr> {
    let bad = |why: &str| {
        Error::with_message(
            ErrorCode::InvalidIpAddress,
            format!("X-Forwarded-For holds an entry that is not an IP address ({why})"),
        )
    };
    let text = std::str::from_utf8(entry)
        .ok()
        .filter(|t| t.is_ascii())
        .ok_or_else(|| bad("bytes outside ASCII"))?;
    if text.len() > 64 {
        return Err(bad("too long"));
    }
    if text.contains('%') {
        return Err(bad("a zone id"));
    }
    let addr = if let Some(rest) = text.strip_prefix('[') {
        let (inner, after) = rest
            .split_once(']')
            .ok_or_else(|| bad("unclosed bracket"))?;
        check_port(after, true).map_err(bad)?;
        Ipv6Addr::from_str(inner)
            .map(IpAddr::V6)
            .map_err(|_| bad("not an IPv6 address in brackets"))?
    } else if let Ok(addr) = IpAddr::from_str(text) {
        addr
    } else {
        // `IPv4:port`; an IPv6 address with a port must be in brackets.
        let (host, port) = text
            .rsplit_once(':')
            .ok_or_else(|| bad("not an IP address"))?;
        check_port(&format!(":{port}"), false).map_err(bad)?;
        std::net::Ipv4Addr::from_str(host)
            .map(IpAddr::V4)
            .map_err(|_| bad("not an IP address"))?
    };
    Ok(normalize_addr(addr))
}

/// `after` is empty (when allowed) or `:` and a port number `0..=65535` of at most 5 digits.
fn check_port(after: &str, empty_ok: bool) -> std::result::Result<(), &'static str> {
    if after.is_empty() && empty_ok {
        return Ok(());
    }
    let digits = after.strip_prefix(':').ok_or("text after the address")?;
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a bad port");
    }
    digits.parse::<u16>().map(|_| ()).map_err(|_| "a bad port")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let lo = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        for proxies in [TrustedProxies::none(), lo] {
            let got = proxies.client_ip(ip("10.9.9.9"), &[b"not an address"]);
            assert_eq!(got.unwrap(), ip("10.9.9.9"));
            assert_eq!(proxies.client_ip(None, &[b"1.2.3.4"]).unwrap(), None);
        }
    }

    #[test]
    fn a_trusted_peer_yields_the_right_most_untrusted_entry() {
        let t = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let lines: &[&[u8]] = &[b"6.6.6.6, 192.168.2.7", b"10.1.1.1"];
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), lines).unwrap(),
            ip("192.168.2.7")
        );
        assert_eq!(
            t.client_ip(ip("::ffff:127.0.0.1"), lines).unwrap(),
            ip("192.168.2.7")
        );
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &[b"10.2.2.2, 10.3.3.3"])
                .unwrap(),
            ip("10.2.2.2")
        );
        assert_eq!(t.client_ip(ip("127.0.0.1"), &[]).unwrap(), ip("127.0.0.1"));
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &[b" , ,"]).unwrap(),
            ip("127.0.0.1")
        );
        // Garbage left of the client is never read.
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &[b"unknown, 9.9.9.9"])
                .unwrap(),
            ip("9.9.9.9")
        );
    }

    #[test]
    fn entries_with_ports_and_brackets_are_addresses() {
        let t = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        for (entry, want) in [
            (&b"1.2.3.4:8080"[..], "1.2.3.4"),
            (b"[2001:db8::1]", "2001:db8::1"),
            (b"[2001:db8::1]:443", "2001:db8::1"),
            (b"::ffff:1.2.3.4", "1.2.3.4"),
        ] {
            assert_eq!(
                t.client_ip(ip("127.0.0.1"), &[entry]).unwrap(),
                ip(want),
                "{entry:?}"
            );
        }
    }

    #[test]
    fn an_unreadable_entry_from_a_trusted_peer_is_refused() {
        let t = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        for bad in [
            &b"unknown"[..],
            b"1.2.3.4, nope",
            b"fe80::1%eth0",
            b"[fe80::1%25eth0]",
            b"1.2.3.4:99999",
            b"1.2.3.4:",
            b"2001:db8::1:80:",
            b"[::1",
            b"[::1]x",
            b"h\xc3\xa9",
            b"example.com",
        ] {
            let err = t.client_ip(ip("127.0.0.1"), &[bad]).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidIpAddress, "{bad:?}");
        }
    }

    #[test]
    fn unix_peers_are_trusted_only_when_told() {
        let t = TrustedProxies::none();
        assert_eq!(t.client_ip(None, &[b"1.2.3.4"]).unwrap(), None);
        let t = t.trust_unix_peers(true);
        assert_eq!(t.client_ip(None, &[b"1.2.3.4"]).unwrap(), ip("1.2.3.4"));
        assert_eq!(t.client_ip(None, &[]).unwrap(), None);
    }

    #[test]
    fn peer_text_is_an_address_or_none() {
        assert_eq!(peer_addr("127.0.0.1"), ip("127.0.0.1"));
        assert_eq!(peer_addr("[::1]"), ip("::1"));
        assert_eq!(peer_addr("::ffff:10.0.0.1"), ip("10.0.0.1"));
        assert_eq!(peer_addr("testclient"), None);
        assert_eq!(peer_addr("/run/app.sock"), None);
        assert_eq!(peer_addr("fe80::1%eth0"), None);
        assert_eq!(peer_addr(""), None);
    }

    #[test]
    fn trusted_ranges_are_parsed_strictly() {
        let err = TrustedProxies::parse(&["10.0.0.1/8"]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidIpRule);
        assert!(TrustedProxies::parse(&["nope"]).is_err());
    }
}
