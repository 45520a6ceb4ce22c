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

``@auth.required`` verifies the ``Authorization: Bearer`` token with the client address
(``request.remote_addr``, or ``X-Forwarded-For`` from a trusted proxy: see
:class:`auth_core.bearer.BearerAuth`) and the revocation store, and puts the claims in
``flask.g.auth_claims`` (:func:`current_claims`). ``protect_all=True`` does the same for
every request before any view (``exclude``: paths that need no token). A failure — and any
``AuthError`` a view raises — is answered with the error's status, the JSON body
``{"error": "<code>", "message": "..."}`` and an RFC 6750 ``WWW-Authenticate`` header.
The usual ``init_app`` pattern works for application factories.

Do not combine ``trusted_proxies`` with werkzeug's ``ProxyFix`` (which rewrites
``remote_addr`` itself): use one of them.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Literal, Optional, TypeVar, Union, cast, overload

from flask import Flask, Response, current_app, g, request

from ._native import AuthError, MalformedToken, Verifier
from .bearer import (
    BearerAuth,
    Claims,
    PathFilter,
    Revocation,
    TrustedProxies,
    error_response,
    make_auth,
    path_filter,
    require,
)

__all__ = ["BearerAuthExtension", "current_claims", "error_as_response"]

_View = TypeVar("_View", bound=Callable[..., Any])
_EXTENSION_KEY = "auth_core"


def current_claims() -> Claims:
    """The verified claims of the current request (``flask.g.auth_claims``). Raises
    ``RuntimeError`` outside a view that ``required`` (or ``protect_all``) guards."""
    claims = g.get("auth_claims")
    if claims is None:
        raise RuntimeError("no verified claims: the view is not guarded by BearerAuthExtension")
    return cast(Claims, claims)


def error_as_response(err: AuthError) -> Response:
    """The Flask response to ``err`` (:func:`auth_core.bearer.error_response`)."""
    status, headers, body = error_response(err)
    return Response(body, status=status, headers=headers)


class BearerAuthExtension:
    """The Flask extension. Pass either ``auth`` (a configured
    :class:`~auth_core.bearer.BearerAuth`) or a ``verifier`` with the optional
    ``trusted_proxies`` and ``revocation``; ``app`` now or later through :meth:`init_app`."""

    def __init__(
        self,
        app: Optional[Flask] = None,
        verifier: Optional[Verifier] = None,
        *,
        auth: Optional[BearerAuth] = None,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        protect_all: bool = False,
        exclude: PathFilter = None,
    ) -> None:
        self.auth: BearerAuth = make_auth(verifier, auth, trusted_proxies, revocation)
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

    def authenticate(self) -> Claims:
        """Verify the current request (once: a second call through this extension reuses
        ``g.auth_claims``) and return its claims; raises ``AuthError`` subclasses."""
        known = g.get("auth_claims")
        if known is not None and g.get("auth_core_verified_by") is self.auth:
            return cast(Claims, known)
        values = request.headers.getlist("Authorization")
        if len(values) > 1:
            raise MalformedToken("several Authorization headers")
        forwarded = request.headers.getlist("X-Forwarded-For")
        claims = self.auth.authenticate(
            values[0] if values else None,
            request.remote_addr,
            ",".join(forwarded) if forwarded else None,
        )
        g.auth_claims = claims
        g.auth_core_verified_by = self.auth
        return claims

    @overload
    def required(self, view: _View) -> _View: ...
    @overload
    def required(
        self, view: None = None, *, type: Optional[Literal["user", "reseller"]] = None, admin: bool = False
    ) -> Callable[[_View], _View]: ...

    def required(
        self,
        view: Optional[_View] = None,
        *,
        type: Optional[Literal["user", "reseller"]] = None,
        admin: bool = False,
    ) -> Union[_View, Callable[[_View], _View]]:
        """Guard a view: ``@auth.required`` or ``@auth.required(type="user", admin=True)``.
        A token of another type, or a user without ``admin`` when ``admin=True``, gets 403
        ``not_permitted``."""

        def decorate(f: _View) -> _View:
            @functools.wraps(f)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                try:
                    require(self.authenticate(), type=type, admin=admin)
                except AuthError as err:
                    return error_as_response(err)
                return current_app.ensure_sync(f)(*args, **kwargs)

            return cast(_View, guarded)

        if view is not None:
            return decorate(view)
        return decorate
