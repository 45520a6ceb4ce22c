"""Framework-neutral bearer authentication: the part every web integration shares.

``auth_core.asgi``, ``auth_core.wsgi``, ``auth_core.fastapi`` and ``auth_core.flask`` are thin
skins over :class:`BearerAuth`, which does the three things each request needs:

1. read the ``Authorization`` header (RFC 6750 §2.1: the scheme ``Bearer`` in any case,
   one space, one token; anything else is ``malformed_token``, no header is
   :class:`MissingToken`, also ``malformed_token``);
2. find the client address: the peer address, or — only when the peer is inside a
   configured trusted-proxy range — the right-most ``X-Forwarded-For`` entry that is not
   itself a trusted proxy (a header sent by anyone else is ignored);
3. call :meth:`auth_core.Verifier.verify` with that address and the revocation store
   (one native call per request when no proxies are configured).

Failures are ``AuthError`` subclasses; :func:`error_response` turns one into the HTTP
answer every integration sends: the status from ``err.http_status`` (500 for the
configuration errors that have none), a JSON body ``{"error": "<code>", "message": "..."}``
(the shape of ``authctl``'s errors) and, on 401/403, an RFC 6750 ``WWW-Authenticate``
header: ``Bearer`` alone when no token was sent, ``Bearer error="invalid_token"`` for a
rejected token, ``Bearer error="insufficient_scope"`` for a token without the rights
(:func:`require`).

This module imports no web framework.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Callable, Literal, Optional, Union

from ._native import (
    AuthError,
    InvalidIpAddress,
    IpAllowList,
    MalformedToken,
    MemoryRevocationStore,
    NotPermitted,
    RedisRevocationStore,
    ResellerClaims,
    RevocationQuery,
    UserClaims,
    Verifier,
    canonical_ip,
)

__all__ = [
    "BearerAuth",
    "Claims",
    "MissingToken",
    "PathFilter",
    "Revocation",
    "TrustedProxies",
    "error_body",
    "error_response",
    "make_auth",
    "path_filter",
    "parse_authorization",
    "require",
]

#: The claims of a verified token.
Claims = Union[UserClaims, ResellerClaims]

#: Paths that need no token: a predicate on the path, or path prefixes (one ``str`` or
#: several; ``"/health"`` matches ``/health`` and ``/health/...``, not ``/healthz``).
PathFilter = Union[Callable[[str], bool], str, Iterable[str], None]

_Rule = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network]
#: A revocation store or callable, as ``Verifier.verify(revocation=...)`` takes.
Revocation = Union[MemoryRevocationStore, RedisRevocationStore, Callable[[RevocationQuery], bool]]
#: Trusted proxy ranges: IP/CIDR rules or an ``IpAllowList``; ``None`` for none.
TrustedProxies = Union[Iterable[_Rule], IpAllowList, None]


class MissingToken(MalformedToken):
    """The request carried no ``Authorization`` header (code ``malformed_token``, HTTP 401).

    A subclass of :class:`auth_core.MalformedToken` so ``except AuthError`` catches it; it
    differs only in the ``WWW-Authenticate`` answer (``Bearer`` without an error, RFC 6750
    §3.1)."""


def parse_authorization(header: Optional[str]) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value.

    The scheme is matched case-insensitively (``Bearer``, ``bearer``, ``BEARER``) and must
    be followed by exactly one space and one non-empty token without spaces. ``None`` or an
    empty value raises :class:`MissingToken`; any other shape (another scheme, no token,
    two tokens, tabs) raises :class:`auth_core.MalformedToken`.
    """
    if not header:
        raise MissingToken("no bearer token: the Authorization header is missing")
    scheme, sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not sep:
        raise MalformedToken('the Authorization header is not "Bearer <token>"')
    if not token or any(c in token for c in " \t\r\n"):
        raise MalformedToken('the Authorization header is not "Bearer <token>"')
    return token


class BearerAuth:
    """What the web integrations share: a verifier, the trusted proxies, the revocation.

    ``trusted_proxies``: the address ranges (IPs or CIDRs, or an ``IpAllowList``) of the
    reverse proxies in front of the application. Only a request whose peer address is in
    one of them has its ``X-Forwarded-For`` header read; then the client is the right-most
    entry that is not itself a trusted proxy (the left-most entry when all are). Without
    ``trusted_proxies`` the header is never read. A peer that is not an IP address (a Unix
    socket, a test client's name) counts as no address: tokens restricted to
    ``allowed_ips`` are then refused (``ip_not_allowed``), others accepted.

    ``trust_non_ip_peers``: also treat a peer without an IP address as a trusted proxy —
    for a reverse proxy on the same host that connects over a Unix-domain socket (nginx in
    front of gunicorn or ``uvicorn --uds``), where the server reports no peer address. Only
    set it when nothing but the proxy can reach that socket.

    ``revocation``: a ``MemoryRevocationStore`` or callable passed to every ``verify``;
    ``None`` uses the verifier's own.

    Thread-safe and reusable; build one at start-up.
    """

    __slots__ = ("_proxies", "_revocation", "_trust_non_ip", "_verifier")

    def __init__(
        self,
        verifier: Verifier,
        *,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        trust_non_ip_peers: bool = False,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError(f"verifier must be an auth_core.Verifier, not {type(verifier).__name__}")
        self._verifier = verifier
        proxies: Optional[IpAllowList] = None
        if trusted_proxies is not None:
            proxies = trusted_proxies if isinstance(trusted_proxies, IpAllowList) else IpAllowList(trusted_proxies)
            if len(proxies) == 0:
                proxies = None
        self._proxies = proxies
        self._revocation = revocation
        self._trust_non_ip = bool(trust_non_ip_peers)

    @property
    def verifier(self) -> Verifier:
        """The verifier every request goes through."""
        return self._verifier

    @property
    def trusted_proxies(self) -> Optional[IpAllowList]:
        """The trusted proxy ranges, or ``None`` when ``X-Forwarded-For`` is never read."""
        return self._proxies

    @property
    def trust_non_ip_peers(self) -> bool:
        """Whether a peer without an IP address (a Unix-domain socket) is a trusted proxy."""
        return self._trust_non_ip

    def _is_proxy(self, address: str) -> bool:
        proxies = self._proxies
        if proxies is None:
            return False
        try:
            return address in proxies
        except InvalidIpAddress:
            return False

    def _peer_is_proxy(self, peer: Optional[str]) -> bool:
        if not peer:
            return self._trust_non_ip
        proxies = self._proxies
        try:
            if proxies is not None:
                return peer in proxies
            canonical_ip(peer)  # only to tell an IP address from a socket name
            return False
        except InvalidIpAddress:
            return self._trust_non_ip

    def client_ip(self, peer: Optional[str], forwarded_for: Optional[str] = None) -> Optional[str]:
        """The client address of a request from ``peer`` with this ``X-Forwarded-For`` value
        (several header lines joined with ``,``). See the class docs for the rule."""
        if forwarded_for is None or (self._proxies is None and not self._trust_non_ip):
            return peer
        if not self._peer_is_proxy(peer):
            return peer
        entries = [e.strip() for e in forwarded_for.split(",")]
        entries = [e for e in entries if e]
        if not entries:
            return peer
        for entry in reversed(entries):
            if not self._is_proxy(entry):
                return entry
        return entries[0]

    def verify(self, token: str, client_ip: Optional[str], *, from_peer: bool = True) -> Claims:
        """``verifier.verify(token, client_ip=..., revocation=...)``. When the address is the
        peer's own (``from_peer``) and is not an IP address, it counts as unknown."""
        try:
            return self._verifier.verify(token, client_ip=client_ip, revocation=self._revocation)
        except InvalidIpAddress:
            if not from_peer or client_ip is None:
                raise
            return self._verifier.verify(token, client_ip=None, revocation=self._revocation)

    def authenticate(
        self,
        authorization: Optional[str],
        peer: Optional[str],
        forwarded_for: Optional[str] = None,
    ) -> Claims:
        """The claims of the request's bearer token, or an ``AuthError`` subclass.

        ``authorization``: the ``Authorization`` header value (``None`` when absent);
        ``peer``: the address of the connection's other end; ``forwarded_for``: the
        ``X-Forwarded-For`` value, read only when ``peer`` is a trusted proxy."""
        token = parse_authorization(authorization)
        ip = self.client_ip(peer, forwarded_for)
        return self.verify(token, ip, from_peer=ip is peer)


def require(claims: Claims, *, type: Optional[Literal["user", "reseller"]] = None, admin: bool = False) -> Claims:
    """``claims`` if they meet the requirements, else :class:`auth_core.NotPermitted` (403).

    ``type``: ``"user"`` or ``"reseller"``; ``admin=True``: a user token with ``admin``."""
    if type is not None and claims.type != type:
        raise NotPermitted(f"this resource needs a {type} token")
    if admin and not (isinstance(claims, UserClaims) and claims.admin):
        raise NotPermitted("this resource needs an admin user token")
    return claims


def error_body(err: AuthError) -> dict[str, str]:
    """``{"error": err.code, "message": err.message}``: the JSON every integration answers."""
    return {"error": err.code, "message": err.message}


def error_response(err: AuthError) -> tuple[int, list[tuple[str, str]], bytes]:
    """The HTTP answer to ``err``: ``(status, headers, body)``.

    Status: ``err.http_status``, or 500 for the configuration errors that have none.
    Headers: ``Content-Type: application/json``, ``Cache-Control: no-store`` and, on 401 and
    403, ``WWW-Authenticate`` as RFC 6750 §3 describes."""
    status = err.http_status if err.http_status is not None else 500
    headers = [("content-type", "application/json"), ("cache-control", "no-store")]
    if isinstance(err, MissingToken):
        headers.append(("www-authenticate", "Bearer"))
    elif status == 401:
        headers.append(("www-authenticate", 'Bearer error="invalid_token"'))
    elif status == 403:
        headers.append(("www-authenticate", 'Bearer error="insufficient_scope"'))
    body = json.dumps(error_body(err), separators=(",", ":")).encode()
    return status, headers, body


def path_filter(exclude: PathFilter) -> Callable[[str], bool]:
    """``exclude`` (see :data:`PathFilter`) as a predicate: ``True`` for paths that need no
    token. Integrations call it once, at construction."""
    if exclude is None:
        return _nothing_excluded
    if callable(exclude):
        return exclude
    prefixes = (exclude,) if isinstance(exclude, str) else tuple(exclude)
    for prefix in prefixes:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"an excluded path prefix must be a str starting with '/', not {prefix!r}")
    exact = frozenset(prefixes) | {p.rstrip("/") for p in prefixes}
    under = tuple(p.rstrip("/") + "/" for p in prefixes)

    def excluded(path: str) -> bool:
        return path in exact or path.startswith(under)

    return excluded


def _nothing_excluded(path: str) -> bool:
    return False


def make_auth(
    verifier: Optional[Verifier],
    auth: Optional[BearerAuth],
    trusted_proxies: TrustedProxies = None,
    revocation: Optional[Revocation] = None,
) -> BearerAuth:
    """One :class:`BearerAuth` from the integrations' two ways of being configured: a ready
    ``auth``, or a ``verifier`` with the options of ``BearerAuth``."""
    if auth is not None:
        if verifier is not None or trusted_proxies is not None or revocation is not None:
            raise TypeError("pass either auth=BearerAuth(...) or a verifier with its options, not both")
        if not isinstance(auth, BearerAuth):
            raise TypeError(f"auth must be an auth_core.bearer.BearerAuth, not {type(auth).__name__}")
        return auth
    if verifier is None:
        raise TypeError("a verifier (auth_core.Verifier) or auth (auth_core.bearer.BearerAuth) is required")
    return BearerAuth(verifier, trusted_proxies=trusted_proxies, revocation=revocation)
