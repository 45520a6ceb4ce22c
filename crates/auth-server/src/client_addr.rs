//! The connection's peer address as axum and hyper record it. Which address is the client's
//! (`X-Forwarded-For` behind trusted proxies) is the core's rule:
//! [`TrustedProxies`](auth_core::TrustedProxies).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::header::HeaderName;
use http::Extensions;

/// The header proxies append the client address to.
pub const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The TCP peer of a request, for servers that do not use axum's
/// `into_make_service_with_connect_info::<SocketAddr>()` (hyper, tonic): insert it into the
/// request's extensions before [`AuthLayer`](crate::AuthLayer) sees the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The peer address in a request's extensions: [`PeerAddr`], else axum's
/// `ConnectInfo<SocketAddr>`; `None` (a connection without an IP address) when neither.
pub fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    if let Some(PeerAddr(addr)) = extensions.get::<PeerAddr>() {
        return Some(addr.ip());
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}
