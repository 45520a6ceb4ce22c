"""WSGI middleware: bearer-token authentication for any WSGI application.

Works with Flask, Django, Pyramid, Bottle or a bare WSGI callable; imports none of them::

    from auth_core import Verifier
    from auth_core.wsgi import BearerAuthMiddleware

    app.wsgi_app = BearerAuthMiddleware(app.wsgi_app, Verifier(ring), revocation=store,
                                        trusted_proxies=["10.0.0.0/8"], exclude=["/health"])

Each request is verified with the client address (``REMOTE_ADDR``, or ``X-Forwarded-For``
from a trusted proxy: see :class:`auth_core.bearer.BearerAuth`) and the revocation store.
On success the claims go into ``environ["auth_core.claims"]`` and the application runs; on
failure it does not: the answer is the status of the error, the JSON body
``{"error": "<code>", "message": "..."}`` and an RFC 6750 ``WWW-Authenticate`` header
(:func:`auth_core.bearer.error_response`).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Optional

from ._native import AuthError, Verifier
from .bearer import BearerAuth, Claims, PathFilter, Revocation, TrustedProxies, error_response, make_auth, path_filter

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ENVIRON_KEY", "BearerAuthMiddleware", "claims_from_environ"]

#: The ``environ`` key that holds the verified claims.
ENVIRON_KEY = "auth_core.claims"


def claims_from_environ(environ: WSGIEnvironment) -> Optional[Claims]:
    """The claims :class:`BearerAuthMiddleware` stored in ``environ``, or ``None``."""
    return environ.get(ENVIRON_KEY)


class BearerAuthMiddleware:
    """WSGI middleware that lets only requests with a valid bearer token through.

    Pass either ``auth`` (a configured :class:`~auth_core.bearer.BearerAuth`) or a
    ``verifier`` with the optional ``trusted_proxies`` and ``revocation``. ``exclude``:
    paths (``PATH_INFO``) that need no token — prefixes or a predicate.
    """

    __slots__ = ("app", "auth", "_excluded")

    def __init__(
        self,
        app: WSGIApplication,
        verifier: Optional[Verifier] = None,
        *,
        auth: Optional[BearerAuth] = None,
        trusted_proxies: TrustedProxies = None,
        revocation: Optional[Revocation] = None,
        exclude: PathFilter = None,
    ) -> None:
        self.app = app
        self.auth: BearerAuth = make_auth(verifier, auth, trusted_proxies, revocation)
        self._excluded = path_filter(exclude)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Verify the request, then run the app or answer the error."""
        if self._excluded(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        try:
            claims = self.auth.authenticate(
                environ.get("HTTP_AUTHORIZATION"),
                environ.get("REMOTE_ADDR") or None,
                environ.get("HTTP_X_FORWARDED_FOR"),
            )
        except AuthError as err:
            status, headers, body = error_response(err)
            headers.append(("content-length", str(len(body))))
            start_response(f"{status} {HTTPStatus(status).phrase}", headers)
            return [body]
        environ[ENVIRON_KEY] = claims
        return self.app(environ, start_response)
