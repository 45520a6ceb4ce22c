"""WSGI middleware: bearer-token authentication for any WSGI application.

Works with Flask, Django, Pyramid, Bottle or a bare WSGI callable; imports none of them::

    from auth_core import Verifier
    from auth_core.wsgi import BearerAuthMiddleware

    app.wsgi_app = BearerAuthMiddleware(app.wsgi_app, Verifier(ring), revocation=store,
                                        trusted_proxies=["10.0.0.0/8"], exclude=["/health"])

Each request is handed to the core as the WSGI server passes it: the ``Authorization`` and
``X-Forwarded-For`` values of ``environ`` and ``REMOTE_ADDR`` (see
:class:`auth_core.bearer.BearerAuth`; the rules are docs/http.md). On success the claims go
into ``environ["auth_core.claims"]`` and the application runs; on failure it does not: the
answer is the core's :class:`auth_core.Answer` (status, RFC 6750 ``WWW-Authenticate``,
``Cache-Control: no-store``, the JSON body ``{"error": "<code>", "message": "..."}``).

With ``optional=True`` a request without bearer credentials runs the application
anonymously, with ``environ["auth_core.claims"]`` ``None``; a request whose credentials fail
(malformed, expired, revoked, ``ip_not_allowed``) is still refused (docs/http.md).

Scopes (docs/scopes.md): ``scopes=`` requires scope names of every request, or per path
prefix and method (``{"POST /sms": ["sms:send"], "/account": ["account"]}``, see
:data:`auth_core.bearer.ScopeRules`); a token short of them is answered 403
``insufficient_scope`` with the RFC 6750 challenge naming the scopes.

WSGI has one ``environ`` entry per header name: servers join repeated lines with ``,``
(PEP 3333, RFC 9110 §5.3), so the middleware reads each header as one line. That is the
same list for ``X-Forwarded-For``; for ``Authorization`` the joined value holds a comma,
which the RFC 6750 grammar refuses (``malformed_token``), as it refuses several lines. An
absent or empty ``REMOTE_ADDR`` (a Unix-domain socket) is a peer without an IP address.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Optional

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

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "ENVIRON_KEY",
    "BearerAuthMiddleware",
    "authenticate_environ",
    "authenticate_environ_optional",
    "claims_from_environ",
]

#: The ``environ`` key that holds the verified claims.
ENVIRON_KEY = "auth_core.claims"


def claims_from_environ(environ: WSGIEnvironment) -> Optional[Claims]:
    """The claims :class:`BearerAuthMiddleware` stored in ``environ``, or ``None``."""
    return environ.get(ENVIRON_KEY)


def _lines(environ: WSGIEnvironment, key: str) -> list[str]:
    value = environ.get(key)
    return [] if value is None else [value]


def _rewritten_by(environ: WSGIEnvironment) -> Optional[str]:
    """What rewrote ``REMOTE_ADDR``, when ``environ`` keeps the original: werkzeug's
    ``ProxyFix`` (``werkzeug.proxy_fix.orig``) or gunicorn's PROXY protocol
    (``PROXY_ADDR``). A client cannot set these keys (header keys start with ``HTTP_``)."""
    peer = environ.get("REMOTE_ADDR")
    orig = environ.get("werkzeug.proxy_fix.orig")
    if isinstance(orig, dict) and orig.get("REMOTE_ADDR") != peer:
        return "werkzeug's ProxyFix"
    if "PROXY_ADDR" in environ and environ["PROXY_ADDR"] != peer:
        return "the PROXY protocol (gunicorn --proxy-protocol)"
    return None


def authenticate_environ(auth: BearerAuth, environ: WSGIEnvironment, *, scopes: Scopes = None) -> Claims:
    """Authenticate the request of a WSGI ``environ`` with ``auth``: ``HTTP_AUTHORIZATION``
    and ``HTTP_X_FORWARDED_FOR`` as the server passed them (absent: no line) and
    ``REMOTE_ADDR``. Raises ``AuthError`` subclasses.

    A ``REMOTE_ADDR`` that werkzeug's ``ProxyFix`` or gunicorn's PROXY protocol rewrote, or
    that appears in the request's forwarding headers (``X-Forwarded-For``, ``Forwarded``,
    ``X-Real-IP``), is refused with ``ServerError`` unless ``auth`` says what the server does
    (``server_proxy_headers``: see :class:`~auth_core.bearer.BearerAuth`). ``scopes``: what
    the request needs (:data:`auth_core.bearer.Scopes`; short → ``InsufficientScope``)."""
    claims = _authenticate(auth, environ, optional=False, scopes=scopes)
    assert claims is not None  # the core refuses a request without a token
    return claims


def authenticate_environ_optional(
    auth: BearerAuth, environ: WSGIEnvironment, *, scopes: Scopes = None
) -> Optional[Claims]:
    """:func:`authenticate_environ` under optional authentication: ``None`` for a request
    without bearer credentials; any other request is authenticated, or refused, the same way."""
    return _authenticate(auth, environ, optional=True, scopes=scopes)


def _authenticate(auth: BearerAuth, environ: WSGIEnvironment, *, optional: bool, scopes: Scopes) -> Optional[Claims]:
    args = (_lines(environ, "HTTP_AUTHORIZATION"), environ.get("REMOTE_ADDR"), _lines(environ, "HTTP_X_FORWARDED_FOR"))
    forwarding = _lines(environ, "HTTP_FORWARDED") + _lines(environ, "HTTP_X_REAL_IP")
    rewritten_by = _rewritten_by(environ)
    if optional:
        return auth.authenticate_served_optional(*args, forwarding=forwarding, rewritten_by=rewritten_by, scopes=scopes)
    return auth.authenticate_served(*args, forwarding=forwarding, rewritten_by=rewritten_by, scopes=scopes)


class BearerAuthMiddleware:
    """WSGI middleware that lets only requests with a valid bearer token through.

    Pass either ``auth`` (a configured :class:`~auth_core.bearer.BearerAuth`) or a
    ``verifier`` with the optional ``trusted_proxies``, ``revocation`` and
    ``server_proxy_headers``. ``exclude``: paths (``PATH_INFO``) that need no token —
    prefixes or a predicate. ``optional=True``: a request without bearer credentials runs the
    app with ``environ["auth_core.claims"]`` ``None``; bad credentials are still refused.
    ``scopes``: what requests need (:data:`auth_core.bearer.ScopeRules`: one requirement, or
    one per path prefix and method), resolved now through the verifier's vocabulary.
    """

    __slots__ = ("app", "auth", "optional", "_excluded", "_scopes")

    def __init__(
        self,
        app: WSGIApplication,
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

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Verify the request, then run the app or answer the error."""
        path = environ.get("PATH_INFO", "")
        if self._excluded(path):
            return self.app(environ, start_response)
        needed = self._scopes(environ.get("REQUEST_METHOD", "GET"), path)
        try:
            claims = _authenticate(self.auth, environ, optional=self.optional, scopes=needed)
        except AuthError as err:
            answer = Answer.refusal(err)
            headers = [*answer.headers, ("content-length", str(len(answer.body)))]
            start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
            return [answer.body]
        environ[ENVIRON_KEY] = claims
        return self.app(environ, start_response)
