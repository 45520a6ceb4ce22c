"""ASGI middleware: bearer-token authentication for any ASGI application.

Works with Starlette, FastAPI, Quart, Litestar or a bare ASGI callable; imports none of them::

    from auth_core import KeyRing, MemoryRevocationStore, Verifier
    from auth_core.asgi import BearerAuthMiddleware

    app = BearerAuthMiddleware(app, Verifier(ring), revocation=store,
                               trusted_proxies=["10.0.0.0/8"], exclude=["/health"])
    # or, in Starlette/FastAPI: app.add_middleware(BearerAuthMiddleware, verifier=Verifier(ring))

Each HTTP request (and WebSocket handshake) is handed to the core as it arrived: every
``Authorization`` and ``X-Forwarded-For`` line and the scope's ``client`` (see
:class:`auth_core.bearer.BearerAuth`; the rules are docs/http.md). On success the claims go
into ``scope["auth"]`` (Starlette's ``request.auth``) and ``scope["state"]["auth_claims"]``
(``request.state.auth_claims``), and the application runs. On failure the application does
not run: the answer is the core's :class:`auth_core.Answer` (status, RFC 6750
``WWW-Authenticate``, ``Cache-Control: no-store``, the JSON body ``{"error": "<code>",
"message": "..."}``); a WebSocket is closed with code 1008 before it is accepted. Lifespan
events pass through.

With ``optional=True`` a request without bearer credentials runs the application
anonymously, with ``scope["auth"]`` and ``auth_claims`` ``None``; a request whose credentials
fail (malformed, expired, revoked, ``ip_not_allowed``) is still refused (docs/http.md).

Scopes (docs/scopes.md): ``scopes=`` requires scope names of every request, or of the paths
(and methods) a mapping names; a token whose ``scope`` claim does not hold them is answered
403 ``insufficient_scope`` with ``WWW-Authenticate: Bearer error="insufficient_scope",
scope="..."`` (a token without the claim holds everything)::

    app = BearerAuthMiddleware(app, Verifier(ring, vocabulary=vocabulary), scopes={
        "GET /sms": ["sms:read"], "POST /sms": ["sms:send"], "/account": ["account"],
    })
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Awaitable, Callable, Optional

from ._native import Answer, AuthError, Verifier
from .bearer import (
    BearerAuth,
    Claims,
    PathFilter,
    Revocation,
    ScopeRules,
    Scopes,
    ServerProxyHeaders,
    TrustedProxies,
    make_auth,
    path_filter,
    scope_rules,
)

__all__ = [
    "VERIFIED_BY",
    "ASGIApp",
    "BearerAuthMiddleware",
    "Receive",
    "Scope",
    "Send",
    "authenticate_scope",
    "authenticate_scope_optional",
    "claims_from_scope",
    "store_claims",
]

#: An ASGI connection scope.
Scope = MutableMapping[str, Any]
#: The ASGI ``receive`` callable.
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
#: The ASGI ``send`` callable.
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
#: An ASGI 3 application.
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


#: The ``scope["state"]`` key naming the ``BearerAuth`` that verified ``auth_claims``.
VERIFIED_BY = "auth_core.verified_by"


def claims_from_scope(scope: Scope, verified_by: Optional[BearerAuth] = None) -> Optional[Claims]:
    """The claims :class:`BearerAuthMiddleware` (or ``auth_core.fastapi.BearerToken``)
    stored in ``scope``, or ``None``; with ``verified_by``, only claims that this
    ``BearerAuth`` verified (its proxies and revocation, not another's)."""
    state = scope.get("state")
    if isinstance(state, MutableMapping):
        claims = state.get("auth_claims")
        if claims is not None and (verified_by is None or state.get(VERIFIED_BY) is verified_by):
            return claims  # type: ignore[no-any-return]
    return None


def store_claims(scope: Scope, claims: Optional[Claims], verified_by: BearerAuth) -> None:
    """Put ``claims`` (``None``: an anonymous request) into ``scope["state"]["auth_claims"]``,
    noting who verified them."""
    state = scope.get("state")
    if state is None:
        state = scope["state"] = {}
    state["auth_claims"] = claims
    state[VERIFIED_BY] = verified_by


def authenticate_scope(auth: BearerAuth, scope: Scope, *, scopes: Scopes = None) -> Claims:
    """Authenticate the request of an ASGI ``scope`` with ``auth``: its ``Authorization`` and
    ``X-Forwarded-For`` lines exactly as received, and ``scope["client"]``'s host (``None``
    or a name that is not an IP address: no address). Raises ``AuthError`` subclasses.

    A server may have rewritten ``scope["client"]`` from ``X-Forwarded-For`` (uvicorn does by
    default for loopback peers) and ASGI keeps no trace of the original, so a peer that
    appears in the request's forwarding headers (``X-Forwarded-For``, ``Forwarded``,
    ``X-Real-IP``) is refused with ``ServerError`` unless ``auth`` says what the server does
    (``server_proxy_headers``: see :class:`~auth_core.bearer.BearerAuth`). ``scopes``: what
    the request needs (:data:`auth_core.bearer.Scopes`; short → ``InsufficientScope``)."""
    authorization, peer, forwarded, forwarding = _request_of(scope)
    return auth.authenticate_served(authorization, peer, forwarded, forwarding=forwarding, scopes=scopes)


def authenticate_scope_optional(auth: BearerAuth, scope: Scope, *, scopes: Scopes = None) -> Optional[Claims]:
    """:func:`authenticate_scope` under optional authentication: ``None`` for a request
    without bearer credentials; any other request is authenticated, or refused, the same way."""
    authorization, peer, forwarded, forwarding = _request_of(scope)
    return auth.authenticate_served_optional(authorization, peer, forwarded, forwarding=forwarding, scopes=scopes)


def _request_of(scope: Scope) -> tuple[list[bytes], Optional[str], list[bytes], list[bytes]]:
    """The ``Authorization``, peer, ``X-Forwarded-For`` and other forwarding lines of a scope."""
    authorization: list[bytes] = []
    forwarded: list[bytes] = []
    forwarding: list[bytes] = []
    for name, value in scope.get("headers", ()):
        lname = bytes(name).lower()
        if lname == b"authorization":
            authorization.append(bytes(value))
        elif lname == b"x-forwarded-for":
            forwarded.append(bytes(value))
        elif lname in (b"forwarded", b"x-real-ip"):
            forwarding.append(bytes(value))
    client = scope.get("client")
    peer = str(client[0]) if client else None
    return authorization, peer, forwarded, forwarding


class BearerAuthMiddleware:
    """ASGI middleware that lets only requests with a valid bearer token through.

    Pass either ``auth`` (a configured :class:`~auth_core.bearer.BearerAuth`) or a
    ``verifier`` with the optional ``trusted_proxies``, ``revocation`` and
    ``server_proxy_headers`` (the arguments of ``BearerAuth``; under uvicorn's default
    ``--proxy-headers`` choose ``"trust"`` or run it with ``--no-proxy-headers``).
    ``exclude``: paths (``scope["path"]``) that need no token — prefixes or a predicate
    (:data:`auth_core.bearer.PathFilter`). ``optional=True``: a request without bearer
    credentials runs the app with ``scope["auth"]`` ``None``; bad credentials are still refused.
    ``scopes``: what requests need (:data:`auth_core.bearer.ScopeRules`: one requirement, or
    one per path prefix and method), resolved now through the verifier's vocabulary (or
    ``auth``'s); a WebSocket handshake counts as ``GET``.
    """

    __slots__ = ("app", "auth", "optional", "_excluded", "_scopes")

    def __init__(
        self,
        app: ASGIApp,
        verifier: Optional[Verifier] = None,
        *,
        auth: Optional[BearerAuth] = None,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        server_proxy_headers: Optional[ServerProxyHeaders] = None,
        exclude: PathFilter = None,
        optional: bool = False,
        scopes: ScopeRules = None,
    ) -> None:
        self.app = app
        self.auth: BearerAuth = make_auth(verifier, auth, trusted_proxies, revocation, server_proxy_headers)
        self.optional = optional
        self._excluded = path_filter(exclude)
        self._scopes = scope_rules(scopes, self.auth)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Verify an HTTP request or WebSocket handshake, then run the app or answer the error."""
        kind = scope["type"]
        path = scope.get("path", "")
        if kind not in ("http", "websocket") or self._excluded(path):
            await self.app(scope, receive, send)
            return
        needed = self._scopes(scope.get("method", "GET"), path)
        try:
            if self.optional:
                claims = authenticate_scope_optional(self.auth, scope, scopes=needed)
            else:
                claims = authenticate_scope(self.auth, scope, scopes=needed)
        except AuthError as err:
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": err.code})
            else:
                await _send_error(send, err)
            return
        scope["auth"] = claims
        store_claims(scope, claims, self.auth)
        await self.app(scope, receive, send)


async def _send_error(send: Send, err: AuthError) -> None:
    answer = Answer.refusal(err)
    body = answer.body
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
