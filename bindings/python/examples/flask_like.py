"""A request handler in the style of a Flask view, without any framework: it takes the
``Authorization`` header and the client address, and answers ``(status, json_body)``.

For real services use the integrations instead: ``examples/flask_app.py`` (Flask),
``examples/fastapi_app.py`` (FastAPI), ``auth_core.asgi`` / ``auth_core.wsgi`` (any framework).

Run it: ``AUTHCTL_SECRET="$(authctl keygen)" python examples/flask_like.py`` (it mints a few
tokens and prints the answers; without ``AUTHCTL_SECRET`` it stops and says so).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Optional

import auth_core
from auth_core import Issuer, KeyRing, MemoryRevocationStore, Verifier
from auth_core.bearer import parse_authorization


def _secret() -> str:
    """The HS256 secret from ``AUTHCTL_SECRET`` (the variable ``authctl`` reads); the example
    stops with a clear message when it is unset rather than run with a made-up key."""
    secret = os.environ.get("AUTHCTL_SECRET", "")
    if not secret:
        sys.exit("set AUTHCTL_SECRET to the HS256 secret (32+ bytes), e.g. "
                 "export AUTHCTL_SECRET=\"$(authctl keygen)\"")
    return secret


# Process-wide, built once at start-up: all of these are thread-safe.
RING = KeyRing.single("2026-11", _secret())
ISSUER = Issuer(RING)
REVOKED = MemoryRevocationStore()
VERIFIER = Verifier(RING, revocation=REVOKED)


def authenticate(authorization: Optional[str], client_ip: str) -> auth_core.Claims:
    """The claims of the bearer token in ``authorization`` (scheme in any case); raises
    ``AuthError`` subclasses."""
    return VERIFIER.verify(parse_authorization(authorization), client_ip=client_ip)


def handle_request(authorization: Optional[str], client_ip: str) -> tuple[int, dict[str, Any]]:
    """``GET /me``: who is calling."""
    try:
        claims = authenticate(authorization, client_ip)
    except auth_core.AuthError as e:
        return auth_core.error_status(e), json.loads(auth_core.login_error_json(e))
    if isinstance(claims, auth_core.UserClaims):
        return 200, {"user": {"id": claims.id, "name": claims.name, "admin": claims.admin}}
    return 200, {"reseller": {"id": claims.id, "name": claims.name}}


def handle_logout(authorization: Optional[str], client_ip: str) -> tuple[int, dict[str, Any]]:
    """``DELETE /session.json``: revoke the caller's token."""
    try:
        claims = authenticate(authorization, client_ip)
        auth_core.logout(REVOKED, claims)
    except auth_core.AuthError as e:
        return auth_core.error_status(e), json.loads(auth_core.login_error_json(e))
    return 200, {"status": "logged out"}


def main() -> None:
    user = ISSUER.mint_user(123, "alice", sms_from="ACME", user_group_id=7).token
    reseller = auth_core.login_reseller(
        ISSUER, id=1, name="reseller_name", allowed_ips=["192.168.2.0/24"], client_ip="192.168.2.2"
    ).token
    for header, ip in [
        (f"Bearer {user}", "203.0.113.9"),
        (f"bearer {reseller}", "192.168.2.2"),
        (f"Bearer {reseller}", "10.0.0.1"),
        ("Bearer not.a.token", "203.0.113.9"),
        (None, "203.0.113.9"),
    ]:
        print(handle_request(header, ip))
    print(handle_logout(f"Bearer {user}", "203.0.113.9"))
    print(handle_request(f"Bearer {user}", "203.0.113.9"))


if __name__ == "__main__":
    main()
