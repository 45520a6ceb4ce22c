"""Framework-neutral bearer authentication: the part every web integration shares.

``auth_core.asgi``, ``auth_core.wsgi``, ``auth_core.fastapi`` and ``auth_core.flask`` are thin
skins over :class:`BearerAuth`, itself a thin wrapper of the native
:class:`auth_core.Authenticator`. The skins hand it a request's raw ``Authorization`` and
``X-Forwarded-For`` lines and the peer the server reports; every rule — the RFC 6750 header
grammar, the client address behind trusted proxies, verification and revocation, and the
status, challenge and body of a refusal (:class:`auth_core.Answer`) — is the core's HTTP edge,
described in docs/http.md and the same in the Rust, C and Python skins.

This module imports no web framework.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Callable, Literal, Optional, Union

from ._native import (
    Answer,
    AuthError,
    Authenticated,
    Authenticator,
    IpAllowList,
    MemoryRevocationStore,
    MissingToken,
    NotPermitted,
    RedisRevocationStore,
    RequiredScopes,
    ResellerClaims,
    RevocationQuery,
    ScopeVocabulary,
    ServerError,
    UserClaims,
    Verifier,
    bearer_credentials,
    bearer_token,
    forwarded_mentions,
)

__all__ = [
    "AnswerStyle",
    "BearerAuth",
    "Claims",
    "HeaderLines",
    "MissingToken",
    "PathFilter",
    "Revocation",
    "ScopeRules",
    "Scopes",
    "ServerProxyHeaders",
    "TrustedProxies",
    "error_body",
    "error_response",
    "make_auth",
    "path_filter",
    "parse_authorization",
    "require",
    "scope_rules",
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
#: The lines of one header as received: ``None`` (absent), one value, or every line in order
#: (``str`` values are read as Latin-1, the way servers decode headers).
HeaderLines = Union[str, bytes, bytearray, Iterable[Union[str, bytes, bytearray]], None]
#: The body of a refusal: ``{"error", "message"}`` (``plain``), the login API's, the token
#: API's (JSON or XML by ``Accept``), or none for nginx ``auth_request``.
AnswerStyle = Union[
    Literal["plain"], Literal["login_api"], Literal["token_api"], Literal["auth_request"], Literal["oauth"]
]
#: What a request needs (docs/scopes.md): scope names (a list, or the space-separated scope
#: text) resolved through the ``BearerAuth``'s vocabulary, a ready
#: :class:`auth_core.RequiredScopes`, or ``None`` for nothing.
Scopes = Union[RequiredScopes, str, Iterable[str], None]
#: The middlewares' ``scopes=``: one requirement (:data:`Scopes`) for every request, or a
#: mapping from path prefix to requirement — ``"/sms"`` covers ``/sms`` and ``/sms/...``; a
#: key may start with a method, ``"POST /sms"`` (``GET`` covers ``HEAD`` too); the longest
#: prefix wins, a method's rule before the path's; a value ``None`` requires nothing.
ScopeRules = Union[Scopes, Mapping[str, Scopes]]
#: What the server in front of the application does with forwarding headers, i.e. who may
#: decide the client address when the server rewrites the peer itself (uvicorn's default
#: ``--proxy-headers``, werkzeug's ``ProxyFix``, gunicorn's PROXY protocol): ``"refuse"``
#: (the default), ``"trust"`` or ``"off"``; see :class:`BearerAuth` and docs/http.md §2.
ServerProxyHeaders = Union[Literal["refuse"], Literal["trust"], Literal["off"]]

_log = logging.getLogger("auth_core")


def parse_authorization(header: HeaderLines) -> str:
    """The bearer token of a request's ``Authorization`` lines (``None``, one value, or
    every line as received), by the core's RFC 6750 grammar (docs/http.md).

    No header, an empty one or another scheme raises :class:`MissingToken` (a
    :class:`auth_core.MalformedToken`, code ``missing_token``); any other shape — two
    spaces or a tab after the scheme, two tokens, several lines — raises
    :class:`auth_core.MalformedToken`.
    """
    return bearer_token(header)


class BearerAuth:
    """What the web integrations share: a native :class:`auth_core.Authenticator` — the
    verifier, the trusted proxies and the revocation source.

    ``trusted_proxies``: the address ranges (IPs or CIDRs, or an ``IpAllowList``) of the
    reverse proxies in front of the application; only from them is ``X-Forwarded-For``
    believed. ``trust_non_ip_peers`` (also accepted as ``trust_unix_peers``, the core's
    name): a peer without an IP address (a Unix-domain socket) is a trusted proxy too — for
    nginx on the same host in front of gunicorn or ``uvicorn --uds``; only set it when
    nothing but the proxy can reach that socket. ``revocation``: a store or callable
    consulted in addition to the verifier's own. The rules: docs/http.md.

    ``server_proxy_headers``: what the server does with forwarding headers. Some servers
    rewrite the peer they hand the application from ``X-Forwarded-For`` before the
    application runs — uvicorn by default (``--proxy-headers``, believed from
    ``--forwarded-allow-ips``, default loopback), werkzeug's ``ProxyFix``, gunicorn's
    ``--proxy-protocol`` — and then the server's rule, not ``trusted_proxies``, would decide
    the address ``allowed_ips`` is checked against. The skins never let it do so silently:

    - ``"refuse"`` (default): a request whose peer the server rewrote — for certain
      (``ProxyFix``, the PROXY protocol) or possibly (the peer appears in the request's own
      ``X-Forwarded-For``, ``Forwarded`` or ``X-Real-IP``, as after uvicorn's rewriting) — is
      answered 500 ``server_error`` and the log says why. A client cannot hide a rewrite
      from this check (the server took the address from those headers); it can only get its
      own request refused by naming its peer there.
    - ``"off"``: the operator declares that the server passes the connection's peer
      (``uvicorn --no-proxy-headers``, no ``ProxyFix``); only a certain rewrite is refused.
    - ``"trust"``: the server's rewriting is the proxy rule: the peer it reports is the
      client and ``X-Forwarded-For`` is not read again. Excludes ``trusted_proxies``; the
      choice is logged (a warning) when the ``BearerAuth`` is built.

    ``vocabulary``: the :class:`auth_core.ScopeVocabulary` through which requirements given
    as names (``scopes=["sms:send"]``) are resolved (default: the verifier's; none: names
    are required exactly).

    Thread-safe and reusable; build one at start-up.
    """

    __slots__ = ("_authenticator", "_proxies", "_server_proxy_headers")

    def __init__(
        self,
        verifier: Verifier,
        *,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        trust_non_ip_peers: bool = False,
        trust_unix_peers: bool = False,
        server_proxy_headers: ServerProxyHeaders = "refuse",
        vocabulary: Optional[ScopeVocabulary] = None,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError(f"verifier must be an auth_core.Verifier, not {type(verifier).__name__}")
        if server_proxy_headers not in ("refuse", "trust", "off"):
            raise ValueError(f"server_proxy_headers must be 'refuse', 'trust' or 'off', not {server_proxy_headers!r}")
        self._authenticator = Authenticator(
            verifier,
            trusted_proxies=trusted_proxies,
            trust_unix_peers=bool(trust_non_ip_peers or trust_unix_peers),
            revocation=revocation,
            vocabulary=vocabulary,
        )
        rules = self._authenticator.trusted_proxies
        self._proxies: Optional[IpAllowList]
        if isinstance(trusted_proxies, IpAllowList):
            self._proxies = trusted_proxies if rules else None
        else:
            self._proxies = IpAllowList(rules) if rules else None
        self._server_proxy_headers: ServerProxyHeaders = server_proxy_headers
        if server_proxy_headers == "trust":
            if rules:
                raise ValueError(
                    "server_proxy_headers='trust' lets the server's proxy-header rule decide the client "
                    "address; trusted_proxies would be a second rule: pass one of them"
                )
            _log.warning(
                "auth_core: server_proxy_headers='trust': the client address is the peer the server "
                "reports after its own proxy-header rewriting (uvicorn --forwarded-allow-ips, werkzeug "
                "ProxyFix, gunicorn --proxy-allow-from); auth_core does not read X-Forwarded-For itself"
            )

    @property
    def authenticator(self) -> Authenticator:
        """The native authenticator that decides."""
        return self._authenticator

    @property
    def verifier(self) -> Verifier:
        """The verifier every request goes through."""
        return self._authenticator.verifier

    @property
    def vocabulary(self) -> Optional[ScopeVocabulary]:
        """The vocabulary requirements given as names are resolved through, or ``None``."""
        return self._authenticator.vocabulary

    def require_scopes(self, scopes: Scopes) -> Optional[RequiredScopes]:
        """``scopes`` as a :class:`auth_core.RequiredScopes` (names through
        :attr:`vocabulary`: an undeclared one raises ``InvalidScope``), or ``None`` for
        ``None``. The skins call it once per route, at start-up."""
        if scopes is None or isinstance(scopes, RequiredScopes):
            return scopes
        return self._authenticator.require(scopes)

    @property
    def trusted_proxies(self) -> Optional[IpAllowList]:
        """The trusted proxy ranges, or ``None`` when there are none."""
        return self._proxies

    @property
    def server_proxy_headers(self) -> ServerProxyHeaders:
        """What the server's own proxy-header rewriting may do: ``"refuse"``, ``"trust"``
        or ``"off"`` (see the class)."""
        return self._server_proxy_headers

    @property
    def trust_non_ip_peers(self) -> bool:
        """Whether a peer without an IP address (a Unix-domain socket) is a trusted proxy."""
        return self._authenticator.trust_unix_peers

    def client_ip(self, peer: Optional[str], forwarded_for: HeaderLines = None) -> Optional[str]:
        """The client address (canonical text) of a request from ``peer`` with these
        ``X-Forwarded-For`` lines, or ``None`` when unknown (a peer without an IP address).
        A trusted proxy's entry that is not an address raises ``InvalidIpAddress``."""
        return self._authenticator.client_ip(peer, forwarded_for)

    def authenticate(
        self,
        authorization: HeaderLines,
        peer: Optional[str],
        forwarded_for: HeaderLines = None,
        *,
        scopes: Scopes = None,
    ) -> Claims:
        """The claims of the request's bearer token, or an ``AuthError`` subclass.

        ``authorization`` / ``forwarded_for``: every ``Authorization`` / ``X-Forwarded-For``
        line as received (or ``None``); ``peer``: the connection's address as the server
        reports it (``None`` or text that is not an IP address: no address); ``scopes``:
        what the request needs (:data:`Scopes`), checked last — a token whose ``scope``
        claim does not hold it raises ``InsufficientScope`` (403)."""
        return self._authenticator.authenticate(authorization, peer, forwarded_for, scopes=scopes)

    def authenticate_optional(
        self,
        authorization: HeaderLines,
        peer: Optional[str],
        forwarded_for: HeaderLines = None,
        *,
        scopes: Scopes = None,
    ) -> Optional[Claims]:
        """Optional authentication (docs/http.md): :meth:`authenticate`, except that a
        request without bearer credentials gives ``None`` (an anonymous caller). Credentials
        that fail — malformed, expired, revoked, ``ip_not_allowed``, short of ``scopes`` —
        still raise."""
        return self._authenticator.authenticate_optional(authorization, peer, forwarded_for, scopes=scopes)

    def authenticate_request(
        self,
        authorization: HeaderLines,
        peer: Optional[str],
        forwarded_for: HeaderLines = None,
        *,
        scopes: Scopes = None,
    ) -> Authenticated:
        """:meth:`authenticate`, returning the claims and the client address
        (:class:`auth_core.Authenticated`)."""
        return self._authenticator.authenticate_request(authorization, peer, forwarded_for, scopes=scopes)

    def authenticate_served(
        self,
        authorization: HeaderLines,
        peer: Optional[str],
        forwarded_for: HeaderLines = None,
        *,
        forwarding: HeaderLines = None,
        rewritten_by: Optional[str] = None,
        scopes: Scopes = None,
    ) -> Claims:
        """:meth:`authenticate` for a request as a server hands it to the application, whose
        peer the server may have rewritten (see ``server_proxy_headers``); what the skins call.

        ``forwarding``: the request's other header lines a server may take the peer from
        (``Forwarded``, ``X-Real-IP``); ``rewritten_by``: what rewrote the peer, when the
        skin knows for certain (werkzeug's ``ProxyFix``), else ``None``. As in docs/http.md
        §3, a request without a well-formed bearer token is answered as such first; a
        refused rewrite raises :class:`auth_core.ServerError` (500 ``server_error``; the
        cause is logged, not answered). ``scopes``: as in :meth:`authenticate`."""
        claims = self._served(False, authorization, peer, forwarded_for, forwarding, rewritten_by, scopes)
        assert claims is not None  # the core refuses a request without a token
        return claims

    def authenticate_served_optional(
        self,
        authorization: HeaderLines,
        peer: Optional[str],
        forwarded_for: HeaderLines = None,
        *,
        forwarding: HeaderLines = None,
        rewritten_by: Optional[str] = None,
        scopes: Scopes = None,
    ) -> Optional[Claims]:
        """:meth:`authenticate_served` under optional authentication: ``None`` for a request
        without bearer credentials (its peer and address are not read); any other request
        is authenticated, and refused, exactly as by :meth:`authenticate_served`."""
        return self._served(True, authorization, peer, forwarded_for, forwarding, rewritten_by, scopes)

    def _served(
        self,
        optional: bool,
        authorization: HeaderLines,
        peer: Optional[str],
        forwarded_for: HeaderLines,
        forwarding: HeaderLines,
        rewritten_by: Optional[str],
        scopes: Scopes,
    ) -> Optional[Claims]:
        native = self._authenticator

        def authenticate(authorization: HeaderLines, peer: Optional[str], forwarded: HeaderLines) -> Optional[Claims]:
            if optional:
                return native.authenticate_optional(authorization, peer, forwarded, scopes=scopes)
            return native.authenticate(authorization, peer, forwarded, scopes=scopes)

        read_token: Callable[[HeaderLines], Optional[str]] = bearer_credentials if optional else bearer_token
        if self._server_proxy_headers == "trust":
            return authenticate(authorization, peer, None)
        # The core's bearer grammar first; under optional authentication it says whether
        # the request carries credentials at all (None: anonymous, nothing else is read).
        if read_token(authorization) is None:
            return None
        if rewritten_by is not None:
            why = f"was rewritten by {rewritten_by}"
        elif self._server_proxy_headers == "refuse" and peer and (
            forwarded_mentions(peer, forwarded_for) or forwarded_mentions(peer, forwarding)
        ):
            why = (
                "appears in the request's own forwarding headers, so the server may have taken it from "
                "them (uvicorn does by default for loopback peers)"
            )
        else:
            return authenticate(authorization, peer, forwarded_for)
        _log.error(
            "auth_core: request refused (500 server_error): its peer %r %s, and a server's proxy-header "
            "rule may not decide the client address silently. Run the server without it (uvicorn --no-proxy-headers, no ProxyFix) and give "
            "trusted_proxies= to auth_core, or let the server's rule decide with "
            "server_proxy_headers='trust' (docs/http.md section 2)",
            peer,
            why,
        )
        raise ServerError("the server rewrote the peer from forwarding headers")


def require(
    claims: Claims,
    *,
    type: Optional[Literal["user", "reseller"]] = None,
    admin: bool = False,
    scopes: Optional[RequiredScopes] = None,
) -> Claims:
    """``claims`` if they meet the requirements, else :class:`auth_core.InsufficientScope`
    (403, ``scopes``) or :class:`auth_core.NotPermitted` (403, ``type``, ``admin``).

    ``scopes``: a :class:`auth_core.RequiredScopes` the token's ``scope`` claim must hold
    (checked by the core, first); ``type``: ``"user"`` or ``"reseller"``; ``admin=True``: a
    user token with ``admin``."""
    if scopes is not None:
        scopes.check(claims)
    # A registered-profile token (RegisteredClaims) has no `type`: it never meets one.
    if type is not None and getattr(claims, "type", None) != type:
        raise NotPermitted(f"this resource needs a {type} token")
    if admin and not (isinstance(claims, UserClaims) and claims.admin):
        raise NotPermitted("this resource needs an admin user token")
    return claims


def error_response(
    err: AuthError, style: AnswerStyle = "plain", accept: HeaderLines = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """The HTTP answer to ``err``, ``(status, headers, body)``, from the core's
    :class:`auth_core.Answer` (status, ``WWW-Authenticate``, ``Cache-Control: no-store``,
    body in ``style``; ``accept``: the request's ``Accept`` lines, for the token API)."""
    answer = Answer.refusal(err, style, accept)
    return answer.status, answer.headers, answer.body


def error_body(err: AuthError) -> dict[str, str]:
    """The core's plain answer body to ``err``, ``{"error": "<code>", "message": "..."}``,
    as a dict."""
    body: dict[str, str] = json.loads(Answer.refusal(err).body)
    return body


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


def _no_scopes(method: str, path: str) -> Optional[RequiredScopes]:
    return None


_METHOD = re.compile(r"[A-Z]+")


def scope_rules(rules: ScopeRules, auth: BearerAuth) -> Callable[[str, str], Optional[RequiredScopes]]:
    """``rules`` (see :data:`ScopeRules`) as a function of a request's method and path giving
    what it needs; every requirement is resolved through ``auth`` now (an undeclared name
    raises ``InvalidScope`` at start-up, not at the first request)."""
    if rules is None:
        return _no_scopes
    if not isinstance(rules, Mapping):
        every = auth.require_scopes(rules)
        return lambda method, path: every
    table: list[tuple[str, Optional[str], Optional[RequiredScopes]]] = []
    for key, value in rules.items():
        if not isinstance(key, str):
            raise TypeError(f"a scope rule's key must be a str ('/path' or 'METHOD /path'), not {key!r}")
        method, _, prefix = key.rpartition(" ")
        if not prefix.startswith("/") or (method and not _METHOD.fullmatch(method)):
            raise ValueError(f"a scope rule's key must be '/path' or 'METHOD /path', not {key!r}")
        table.append((prefix.rstrip("/"), method or None, auth.require_scopes(value)))
    # The longest prefix first; at one prefix, a method's rule before the path's.
    table.sort(key=lambda rule: (-len(rule[0]), rule[1] is None))

    def needed(method: str, path: str) -> Optional[RequiredScopes]:
        for prefix, only, required in table:
            if only is not None and only != method and not (only == "GET" and method == "HEAD"):
                continue
            if path == prefix or path.startswith(prefix + "/") or not prefix:
                return required
        return None

    return needed


def make_auth(
    verifier: Optional[Verifier],
    auth: Optional[BearerAuth],
    trusted_proxies: TrustedProxies = None,
    revocation: Optional[Revocation] = None,
    server_proxy_headers: Optional[ServerProxyHeaders] = None,
) -> BearerAuth:
    """One :class:`BearerAuth` from the integrations' two ways of being configured: a ready
    ``auth``, or a ``verifier`` with the options of ``BearerAuth``."""
    if auth is not None:
        if verifier is not None or trusted_proxies is not None or revocation is not None or server_proxy_headers:
            raise TypeError("pass either auth=BearerAuth(...) or a verifier with its options, not both")
        if not isinstance(auth, BearerAuth):
            raise TypeError(f"auth must be an auth_core.bearer.BearerAuth, not {type(auth).__name__}")
        return auth
    if verifier is None:
        raise TypeError("a verifier (auth_core.Verifier) or auth (auth_core.bearer.BearerAuth) is required")
    return BearerAuth(
        verifier,
        trusted_proxies=trusted_proxies,
        revocation=revocation,
        server_proxy_headers=server_proxy_headers or "refuse",
    )
