"""FastAPI dependencies: ``Depends(...)`` that give a route the typed claims of the caller.

Needs FastAPI (``pip install "auth-core[fastapi]"``)::

    from typing import Annotated
    from fastapi import Depends, FastAPI
    from auth_core import UserClaims, Verifier
    from auth_core.fastapi import BearerToken, install_error_handler

    bearer = BearerToken(Verifier(ring), revocation=store, trusted_proxies=["10.0.0.0/8"])
    app = FastAPI()
    install_error_handler(app)           # errors as {"error": "<code>", "message": "..."}

    @app.get("/me")
    def me(claims: Annotated[Claims, Depends(bearer)]) -> dict: ...

    @app.get("/admin")
    def admin(user: Annotated[UserClaims, Depends(bearer.user(admin=True))]) -> dict: ...

``Depends(bearer)`` verifies the ``Authorization: Bearer`` token with the client address
and the revocation store (:class:`auth_core.bearer.BearerAuth`) and gives ``UserClaims`` or
``ResellerClaims``; ``bearer.user(admin=...)`` and ``bearer.reseller()`` also require the
token type (and admin rights), else 403 ``not_permitted``. When the same ``BearerAuth``
already verified the request — :class:`auth_core.asgi.BearerAuthMiddleware` built with
``auth=bearer.auth``, or another dependency of this ``BearerToken`` — its claims are reused
(no second verification); claims verified under another configuration are not.

``BearerToken(..., auto_error=False)`` makes the route's authentication optional, like
FastAPI's ``HTTPBearer(auto_error=False)``: ``Depends(bearer)`` gives ``None`` for a request
without bearer credentials. Unlike ``HTTPBearer``, credentials that are sent and fail
(malformed, expired, revoked, ``ip_not_allowed``) are still refused — a bad token never
passes as an anonymous request (docs/http.md). ``bearer.user()`` and ``bearer.reseller()``
always need a token::

    @app.get("/hello")
    def hello(claims: Annotated[Optional[Claims], Depends(optional_bearer)]) -> dict: ...

Scopes (docs/scopes.md) are FastAPI's security scopes: ``Security(bearer, scopes=[...])``
(also ``Security(bearer.user(), scopes=[...])``) requires them, together with the scopes of
every ``Security`` declaration on the way to the route (``fastapi.security.SecurityScopes``).
Names are resolved through the verifier's ``ScopeVocabulary`` (``Verifier(ring,
vocabulary=...)``), so a name that includes another satisfies it. A token short of them gets
403 ``insufficient_scope`` with ``WWW-Authenticate: Bearer error="insufficient_scope",
scope="..."``; a token without a ``scope`` claim holds everything::

    @app.post("/sms")
    def send(claims: Annotated[Claims, Security(bearer, scopes=["sms:send"])]) -> dict: ...

The request is handed to the core as it arrived (every ``Authorization`` and
``X-Forwarded-For`` line, the scope's client: :func:`auth_core.asgi.authenticate_scope`; the
rules are docs/http.md). A failure raises :class:`AuthHTTPException` (a
``fastapi.HTTPException`` carrying the core's :class:`auth_core.Answer`: its status, RFC 6750
``WWW-Authenticate`` and ``Cache-Control`` headers). With :func:`install_error_handler` the
body is the answer's own, ``{"error": "<code>", "message": "..."}``, the same as the ASGI and
WSGI middleware; without it FastAPI's default handler answers ``{"detail": {"error": ...,
"message": ...}}`` with the same status and headers. The routes also declare the HTTP
bearer security scheme in the OpenAPI document.
"""

# No `from __future__ import annotations` here: FastAPI reads the dependencies' signatures
# at run time and must see real classes, not strings.

import json
import logging
from typing import Annotated, Callable, Optional, cast

from fastapi import FastAPI, HTTPException, Request, Security
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from ._native import (
    Answer,
    AuthError,
    InvalidScope,
    RequiredScopes,
    ResellerClaims,
    ServerError,
    UserClaims,
    Verifier,
)
from .asgi import authenticate_scope, authenticate_scope_optional, claims_from_scope, store_claims
from .bearer import BearerAuth, Claims, Revocation, ServerProxyHeaders, TrustedProxies, make_auth, require

__all__ = ["AuthHTTPException", "BearerToken", "install_error_handler"]

_log = logging.getLogger("auth_core")

# Only for the OpenAPI document (the "Authorize" button); the header is read by the core.
_SCHEME = HTTPBearer(auto_error=False, description="auth-core bearer token")


class AuthHTTPException(HTTPException):
    """The ``HTTPException`` a dependency raises for a rejected request; ``.error`` is the
    ``AuthError``, ``.answer`` the core's :class:`auth_core.Answer` to it, ``.detail`` its
    ``{"error", "message"}`` body as a dict."""

    def __init__(self, error: AuthError) -> None:
        answer = Answer.refusal(error)
        extra = {k: v for k, v in answer.headers if k != "content-type"}
        super().__init__(status_code=answer.status, detail=json.loads(answer.body), headers=extra)
        self.error = error
        self.answer = answer


class BearerToken:
    """A FastAPI dependency: the verified claims of the request's bearer token.

    Pass either ``auth`` (a configured :class:`~auth_core.bearer.BearerAuth`) or a
    ``verifier`` with the optional ``trusted_proxies``, ``revocation`` and
    ``server_proxy_headers`` (under uvicorn's default ``--proxy-headers`` choose ``"trust"``
    or run it with ``--no-proxy-headers``). ``auto_error=False``: optional authentication —
    the dependency gives ``None`` for a request without bearer credentials (bad credentials,
    and tokens short of the route's scopes, are still refused). Use it with ``Depends`` or,
    to require scopes, ``Security(bearer, scopes=[...])``.
    """

    __slots__ = ("auth", "auto_error", "_required")

    def __init__(
        self,
        verifier: Optional[Verifier] = None,
        *,
        auth: Optional[BearerAuth] = None,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        server_proxy_headers: Optional[ServerProxyHeaders] = None,
        auto_error: bool = True,
    ) -> None:
        self.auth: BearerAuth = make_auth(verifier, auth, trusted_proxies, revocation, server_proxy_headers)
        self.auto_error = auto_error
        # The requirement of each set of security scopes met so far (routes declare few).
        self._required: dict[tuple[str, ...], Optional[RequiredScopes]] = {}

    def requirement(self, security_scopes: SecurityScopes) -> Optional[RequiredScopes]:
        """The requirement of FastAPI's accumulated security scopes (``None``: none), resolved
        through the ``BearerAuth``'s vocabulary once per set. A name the vocabulary does not
        declare is the application's mistake, not the caller's: it is logged and raises
        ``ServerError`` (500)."""
        key = tuple(sorted(set(security_scopes.scopes)))
        if not key:
            return None
        found = self._required.get(key)
        if found is None:
            try:
                found = self.auth.require_scopes(key)
            except InvalidScope as err:
                _log.error("auth_core: a route's security scopes %r cannot be required: %s", list(key), err.message)
                raise ServerError("a route requires a scope that is not declared") from err
            self._required[key] = found
        return found

    def authenticate(self, request: Request, scopes: Optional[RequiredScopes] = None) -> Claims:
        """The claims of ``request`` (whose token must hold ``scopes``); raises ``AuthError``
        subclasses."""
        known = claims_from_scope(request.scope, verified_by=self.auth)
        if known is not None:
            return require(known, scopes=scopes)
        claims = authenticate_scope(self.auth, request.scope, scopes=scopes)
        store_claims(request.scope, claims, self.auth)
        return claims

    def authenticate_optional(self, request: Request, scopes: Optional[RequiredScopes] = None) -> Optional[Claims]:
        """The claims of ``request``, or ``None`` when it carries no bearer credentials;
        raises ``AuthError`` subclasses for credentials that fail (or lack ``scopes``)."""
        known = claims_from_scope(request.scope, verified_by=self.auth)
        if known is not None:
            return require(known, scopes=scopes)
        claims = authenticate_scope_optional(self.auth, request.scope, scopes=scopes)
        store_claims(request.scope, claims, self.auth)
        return claims

    def __call__(
        self,
        request: Request,
        security_scopes: SecurityScopes,
        _credentials: Annotated[Optional[HTTPAuthorizationCredentials], Security(_SCHEME)],
    ) -> Optional[Claims]:
        """The dependency: the claims, or :class:`AuthHTTPException`; with
        ``auto_error=False``, ``None`` for a request without bearer credentials.
        ``security_scopes``: the scopes of ``Security(bearer, scopes=[...])``, required of the
        token; ``_credentials`` is FastAPI's ``HTTPBearer`` (it only declares the scheme in
        the OpenAPI document)."""
        try:
            scopes = self.requirement(security_scopes)
            if not self.auto_error:
                return self.authenticate_optional(request, scopes)
            return self.authenticate(request, scopes)
        except AuthError as err:
            raise AuthHTTPException(err) from None

    def user(self, *, admin: bool = False) -> Callable[..., UserClaims]:
        """A dependency giving ``UserClaims``: reseller tokens (and, with ``admin=True``,
        users without ``admin``) are refused with 403 ``not_permitted``; with
        ``Security(bearer.user(), scopes=[...])`` the token must hold the scopes too."""

        def user_claims(
            request: Request,
            security_scopes: SecurityScopes,
            _credentials: Annotated[Optional[HTTPAuthorizationCredentials], Security(_SCHEME)],
        ) -> UserClaims:
            try:
                claims = self.authenticate(request, self.requirement(security_scopes))
                return cast(UserClaims, require(claims, type="user", admin=admin))
            except AuthError as err:
                raise AuthHTTPException(err) from None

        return user_claims

    def reseller(self) -> Callable[..., ResellerClaims]:
        """A dependency giving ``ResellerClaims``: user tokens are refused with 403
        ``not_permitted``; with ``Security(bearer.reseller(), scopes=[...])`` the token must
        hold the scopes too."""

        def reseller_claims(
            request: Request,
            security_scopes: SecurityScopes,
            _credentials: Annotated[Optional[HTTPAuthorizationCredentials], Security(_SCHEME)],
        ) -> ResellerClaims:
            try:
                claims = self.authenticate(request, self.requirement(security_scopes))
                return cast(ResellerClaims, require(claims, type="reseller"))
            except AuthError as err:
                raise AuthHTTPException(err) from None

        return reseller_claims


def _auth_http_exception_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, AuthHTTPException):
        answer = exc.answer
    else:
        assert isinstance(exc, AuthError)
        answer = Answer.refusal(exc)
    extra = {k: v for k, v in answer.headers if k != "content-type"}
    return Response(content=answer.body, status_code=answer.status, headers=extra, media_type=answer.content_type)


def install_error_handler(app: FastAPI) -> None:
    """Answer :class:`AuthHTTPException` — and any ``AuthError`` a route raises — with the
    error's status, RFC 6750 header and the body ``{"error": "<code>", "message": "..."}``."""
    app.add_exception_handler(AuthHTTPException, _auth_http_exception_response)
    app.add_exception_handler(AuthError, _auth_http_exception_response)

