"""A Flask extension: bearer-token authentication for views or a whole app.

Needs Flask (``pip install "auth-core[flask]"``)::

    from flask import Flask
    from auth_core import Verifier
    from auth_core.flask import BearerAuthExtension, current_claims

    app = Flask(__name__)
    auth = BearerAuthExtension(app, Verifier(ring), revocation=store, trusted_proxies=["10.0.0.0/8"])

    @app.get("/me")
    @auth.required
    def me():
        return {"name": current_claims().name}

    @app.get("/admin")
    @auth.required(type="user", admin=True)
    def admin(): ...

``@auth.required`` hands the request to the core as the WSGI server passed it (the
``Authorization`` and ``X-Forwarded-For`` lines, ``request.remote_addr``: see
:mod:`auth_core.wsgi` and :class:`auth_core.bearer.BearerAuth`; the rules are docs/http.md)
and keeps the claims with the request itself (:func:`current_claims`) — not on ``flask.g``,
which belongs to the application context and may outlive the request (a context pushed by
a test fixture or a job runner serves several requests). ``protect_all=True`` does the same
for every request before any view (``exclude``: paths that need no token). A failure — and
any ``AuthError`` a view raises — is answered with the core's :class:`auth_core.Answer`:
status, RFC 6750 ``WWW-Authenticate``, ``Cache-Control: no-store`` and the JSON body
``{"error": "<code>", "message": "..."}``. The usual ``init_app`` pattern works for
application factories.

``@auth.required(optional=True)`` serves anonymous callers too: a request without bearer
credentials runs the view with :func:`optional_claims` ``None``; a request whose credentials
fail (malformed, expired, revoked, ``ip_not_allowed``) is still refused (docs/http.md)::

    @app.get("/hello")
    @auth.required(optional=True)
    def hello():
        claims = optional_claims()
        return {"name": claims.name if claims else None}

``@auth.required(scopes=["sms:send"])`` requires scopes (docs/scopes.md), resolved when the
view is decorated through the verifier's ``ScopeVocabulary`` (``Verifier(ring,
vocabulary=...)``; an undeclared name raises ``InvalidScope`` then). A token whose ``scope``
claim does not hold them gets 403 ``insufficient_scope`` with ``WWW-Authenticate: Bearer
error="insufficient_scope", scope="..."``; a token without the claim holds everything::

    @app.post("/sms")
    @auth.required(scopes=["sms:send"])
    def send(): ...

werkzeug's ``ProxyFix`` rewrites ``remote_addr`` itself: a request it rewrote is refused
(500 ``server_error``, the cause logged) unless ``server_proxy_headers="trust"`` makes its
rule the proxy rule; otherwise leave it out and pass ``trusted_proxies``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Literal, Optional, TypeVar, Union, cast, overload

from flask import Flask, Response, current_app, has_request_context, request

from ._native import Answer, AuthError, RequiredScopes, Verifier
from .bearer import (
    BearerAuth,
    Claims,
    PathFilter,
    Revocation,
    Scopes,
    ServerProxyHeaders,
    TrustedProxies,
    make_auth,
    path_filter,
    require,
)
from .wsgi import authenticate_environ, authenticate_environ_optional

__all__ = ["BearerAuthExtension", "current_claims", "error_as_response", "optional_claims"]

_View = TypeVar("_View", bound=Callable[..., Any])
_EXTENSION_KEY = "auth_core"
#: The request's ``environ`` key of the verified claims and the ``BearerAuth`` that
#: verified them (the environ lives exactly as long as the request); the claims are ``None``
#: for an anonymous request under ``required(optional=True)``.
_REQUEST_KEY = "auth_core.flask.verified"


def _verified() -> Optional[tuple[BearerAuth, Optional[Claims]]]:
    if not has_request_context():
        return None
    return cast(Optional[tuple[BearerAuth, Optional[Claims]]], request.environ.get(_REQUEST_KEY))


def current_claims() -> Claims:
    """The verified claims of the current request. Raises ``RuntimeError`` outside a view
    that ``required`` (or ``protect_all``) guards, and for an anonymous request under
    ``required(optional=True)`` (use :func:`optional_claims` there)."""
    claims = optional_claims()
    if claims is None:
        raise RuntimeError("no verified claims: the request is anonymous (use optional_claims())")
    return claims


def optional_claims() -> Optional[Claims]:
    """The verified claims of the current request, or ``None`` for an anonymous request in a
    view guarded by ``required(optional=True)``. Raises ``RuntimeError`` outside a guarded view."""
    verified = _verified()
    if verified is None:
        raise RuntimeError("no verified claims: the view is not guarded by BearerAuthExtension")
    return verified[1]


def error_as_response(err: AuthError) -> Response:
    """The Flask response to ``err``: the core's :class:`auth_core.Answer`."""
    answer = Answer.refusal(err)
    return Response(answer.body, status=answer.status, headers=answer.headers)


class BearerAuthExtension:
    """The Flask extension. Pass either ``auth`` (a configured
    :class:`~auth_core.bearer.BearerAuth`) or a ``verifier`` with the optional
    ``trusted_proxies``, ``revocation`` and ``server_proxy_headers``; ``app`` now or later
    through :meth:`init_app`."""

    def __init__(
        self,
        app: Optional[Flask] = None,
        verifier: Optional[Verifier] = None,
        *,
        auth: Optional[BearerAuth] = None,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        server_proxy_headers: Optional[ServerProxyHeaders] = None,
        protect_all: bool = False,
        exclude: PathFilter = None,
    ) -> None:
        self.auth: BearerAuth = make_auth(verifier, auth, trusted_proxies, revocation, server_proxy_headers)
        self.protect_all = protect_all
        self._excluded = path_filter(exclude)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register with ``app``: the ``AuthError`` handler and, with ``protect_all``, the
        check before every request."""
        app.extensions[_EXTENSION_KEY] = self
        app.register_error_handler(AuthError, error_as_response)
        if self.protect_all:
            app.before_request(self._before_request)

    def _before_request(self) -> Optional[Response]:
        if self._excluded(request.path):
            return None
        try:
            self.authenticate()
        except AuthError as err:
            return error_as_response(err)
        return None

    def authenticate(self, scopes: Optional[RequiredScopes] = None) -> Claims:
        """Verify the current request (once: a second call through this extension reuses
        its claims) and return its claims, whose token must hold ``scopes``; raises
        ``AuthError`` subclasses."""
        verified = _verified()
        if verified is not None and verified[0] is self.auth and verified[1] is not None:
            return require(verified[1], scopes=scopes)
        claims = authenticate_environ(self.auth, request.environ, scopes=scopes)
        request.environ[_REQUEST_KEY] = (self.auth, claims)
        return claims

    def authenticate_optional(self, scopes: Optional[RequiredScopes] = None) -> Optional[Claims]:
        """:meth:`authenticate` under optional authentication: ``None`` for a request without
        bearer credentials; credentials that fail (or lack ``scopes``) still raise
        ``AuthError`` subclasses."""
        verified = _verified()
        if verified is not None and verified[0] is self.auth:
            claims = verified[1]
            return None if claims is None else require(claims, scopes=scopes)
        claims = authenticate_environ_optional(self.auth, request.environ, scopes=scopes)
        request.environ[_REQUEST_KEY] = (self.auth, claims)
        return claims

    @overload
    def required(self, view: _View) -> _View: ...
    @overload
    def required(
        self,
        view: None = None,
        *,
        type: Optional[Literal["user", "reseller"]] = None,
        admin: bool = False,
        optional: bool = False,
        scopes: Scopes = None,
    ) -> Callable[[_View], _View]: ...

    def required(
        self,
        view: Optional[_View] = None,
        *,
        type: Optional[Literal["user", "reseller"]] = None,
        admin: bool = False,
        optional: bool = False,
        scopes: Scopes = None,
    ) -> Union[_View, Callable[[_View], _View]]:
        """Guard a view: ``@auth.required`` or ``@auth.required(type="user", admin=True)``.
        A token of another type, or a user without ``admin`` when ``admin=True``, gets 403
        ``not_permitted``. ``scopes``: what the view needs (names, resolved now through the
        verifier's vocabulary, or a ``RequiredScopes``); a token short of it gets 403
        ``insufficient_scope``. ``optional=True``: a request without bearer credentials runs
        the view anonymously (:func:`optional_claims` is ``None``); a token that is sent is
        checked as usual, ``type``, ``admin`` and ``scopes`` included."""
        needed = self.auth.require_scopes(scopes)

        def decorate(f: _View) -> _View:
            @functools.wraps(f)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                try:
                    if not optional:
                        require(self.authenticate(needed), type=type, admin=admin)
                    elif (claims := self.authenticate_optional(needed)) is not None:
                        require(claims, type=type, admin=admin)
                except AuthError as err:
                    return error_as_response(err)
                return current_app.ensure_sync(f)(*args, **kwargs)

            return cast(_View, guarded)

        if view is not None:
            return decorate(view)
        return decorate
