//! The client's address: the TCP peer, or — only when the peer is a trusted proxy — the
//! right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
//!
//! A client can write anything into `X-Forwarded-For`; each proxy appends the address it
//! received the request from. Reading from the right and skipping trusted proxies finds the
//! first hop nobody we trust vouches for — the left part of the header is never believed.
//! A peer outside every trusted range is the client, whatever headers it sent.

use std::net::{IpAddr, SocketAddr};

use auth_core::{normalize_addr, parse_client_ip, Error, ErrorCode, IpRule};
use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap};
use ipnet::IpNet;

/// The header proxies append the client address to.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The TCP peer of a request, for servers that do not use axum's
/// `into_make_service_with_connect_info::<SocketAddr>()` (hyper, tonic): insert it into the
/// request's extensions before [`AuthLayer`](crate::AuthLayer) sees the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The peer address in a request's extensions: [`PeerAddr`], else axum's
/// `ConnectInfo<SocketAddr>`.
pub fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    if let Some(PeerAddr(addr)) = extensions.get::<PeerAddr>() {
        return Some(addr.ip());
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The proxies whose `X-Forwarded-For` is believed (`--trust-proxy CIDR`). Empty by default:
/// the peer is the client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// No trusted proxy: the peer address is always the client.
    pub fn none() -> Self {
        TrustedProxies::default()
    }

    /// Trusted ranges from IP/CIDR text (`127.0.0.1`, `10.0.0.0/8`, `::1`), parsed strictly
    /// like every rule of the library (`invalid_ip_rule`).
    pub fn parse<S: AsRef<str>>(rules: &[S]) -> Result<Self, Error> {
        let nets = rules
            .iter()
            .map(|r| IpRule::parse(r.as_ref()).map(|rule| rule.network()))
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { nets })
    }

    /// Whether `addr` is inside a trusted range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = normalize_addr(addr);
        self.nets.iter().any(|n| n.contains(&addr))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// The client address of a request from `peer` with these headers.
    ///
    /// * `peer` not trusted → `peer` (`X-Forwarded-For` is ignored);
    /// * otherwise the entries of every `X-Forwarded-For` header, read from the right: the
    ///   first one that is not a trusted proxy; if all are trusted, the left-most; if there
    ///   are none, `peer`.
    ///
    /// An entry that is not an IP address (from a trusted proxy, so a configuration fault or
    /// a forgery the proxy let through) → `invalid_ip_address`: the address cannot be
    /// known, and rules that depend on it must not guess.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> Result<IpAddr, Error> {
        let peer = normalize_addr(peer);
        if !self.contains(peer) {
            return Ok(peer);
        }
        let mut entries = Vec::new();
        for value in headers.get_all(FORWARDED_FOR) {
            let text = value.to_str().map_err(|_| bad_forwarded())?;
            entries.extend(text.split(',').map(str::trim));
        }
        let mut leftmost = None;
        for entry in entries.iter().rev() {
            let ip = parse_client_ip(entry).map_err(|_| bad_forwarded())?;
            if !self.contains(ip) {
                return Ok(ip);
            }
            leftmost = Some(ip);
        }
        Ok(leftmost.unwrap_or(peer))
    }

    /// [`client_ip`](Self::client_ip) for a request's parts; no peer address in the
    /// extensions → `invalid_ip_address` (the server was not set up to record peers).
    pub fn client_ip_of(
        &self,
        extensions: &Extensions,
        headers: &HeaderMap,
    ) -> Result<IpAddr, Error> {
        let peer = peer_ip(extensions).ok_or_else(|| {
            Error::with_message(
                ErrorCode::InvalidIpAddress,
                "the peer address of the connection is unknown",
            )
        })?;
        self.client_ip(peer, headers)
    }
}

fn bad_forwarded() -> Error {
    Error::with_message(
        ErrorCode::InvalidIpAddress,
        "X-Forwarded-For holds an entry that is not an IP address",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let none = TrustedProxies::none();
        let h = headers(&["1.2.3.4"]);
        assert_eq!(none.client_ip(ip("10.9.9.9"), &h).unwrap(), ip("10.9.9.9"));
        let lo = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        assert_eq!(lo.client_ip(ip("10.9.9.9"), &h).unwrap(), ip("10.9.9.9"));
        // Not even a malformed header matters then.
        let bad = headers(&["not an address"]);
        assert_eq!(lo.client_ip(ip("10.9.9.9"), &bad).unwrap(), ip("10.9.9.9"));
    }

    #[test]
    fn a_trusted_peer_yields_the_right_most_untrusted_entry() {
        let t = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let h = headers(&["6.6.6.6, 192.168.2.7", "10.1.1.1"]);
        assert_eq!(t.client_ip(ip("127.0.0.1"), &h).unwrap(), ip("192.168.2.7"));
        // IPv4-mapped peers count as their IPv4 address.
        assert_eq!(
            t.client_ip(ip("::ffff:127.0.0.1"), &h).unwrap(),
            ip("192.168.2.7")
        );
        // Only trusted entries: the left-most; none at all: the peer.
        let all = headers(&["10.2.2.2, 10.3.3.3"]);
        assert_eq!(t.client_ip(ip("127.0.0.1"), &all).unwrap(), ip("10.2.2.2"));
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &HeaderMap::new()).unwrap(),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_malformed_entry_from_a_trusted_peer_is_refused() {
        let t = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        for bad in ["", "1.2.3.4:80", "1.2.3.4, nope", "unknown"] {
            let err = t.client_ip(ip("127.0.0.1"), &headers(&[bad])).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidIpAddress, "{bad:?}");
        }
    }

    #[test]
    fn trusted_ranges_are_parsed_strictly() {
        let err = TrustedProxies::parse(&["10.0.0.1/8"]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidIpRule);
        assert!(TrustedProxies::parse(&["nope"]).is_err());
    }
}
