"""A Flask service guarded by auth-core: log in, call protected views, log out.

    pip install "./bindings/python[flask]"
    export AUTHCTL_SECRET="$(authctl keygen)"                # required: the HS256 key
    python bindings/python/examples/flask_app.py            # serves http://127.0.0.1:5000

    curl -s -X POST localhost:5000/session.json -H 'Content-Type: application/json' \\
         -d '{"login": "alice", "password": "wonderland"}'
    curl -s localhost:5000/me -H "Authorization: Bearer <token>"

Environment: ``AUTHCTL_SECRET`` (the HS256 key, 32+ bytes; required), ``TRUSTED_PROXIES`` (comma-separated
ranges whose ``X-Forwarded-For`` is believed), ``HOST`` and ``PORT``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from flask import Flask, Response, request

import auth_core
from auth_core import Issuer, KeyRing, MemoryRevocationStore, Verifier
from auth_core.flask import BearerAuthExtension, current_claims


def _secret() -> str:
    """The HS256 secret from ``AUTHCTL_SECRET`` (the variable ``authctl`` reads); the example
    stops with a clear message when it is unset rather than run with a made-up key."""
    secret = os.environ.get("AUTHCTL_SECRET", "")
    if not secret:
        sys.exit("set AUTHCTL_SECRET to the HS256 secret (32+ bytes), e.g. "
                 "export AUTHCTL_SECRET=\"$(authctl keygen)\"")
    return secret


# Built once at start-up; all thread-safe.
RING = KeyRing.single("demo", _secret())
ISSUER = Issuer(RING)
REVOKED = MemoryRevocationStore()
PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

# The host checks passwords, not the library (a real service asks its database).
USERS = {"alice": (123, "wonderland", False), "root": (1, "toor", True)}

app = Flask(__name__)
auth = BearerAuthExtension(app, Verifier(RING, revocation=REVOKED), trusted_proxies=PROXIES)


@app.post("/session.json")
def login() -> Response:
    """docs/apis.md login: ``{"login", "password"}`` → ``{"user": {...}, "token": "<jwt>"}``."""
    body = request.get_json(silent=True) or {}
    user = USERS.get(str(body.get("login", "")))
    if user is None or body.get("password") != user[1]:
        raise auth_core.InvalidCredentials()  # answered by the extension's error handler
    client_ip = auth.auth.client_ip(request.remote_addr, request.headers.getlist("X-Forwarded-For"))
    session = auth_core.login_user(ISSUER, id=user[0], name=body["login"], admin=user[2], client_ip=client_ip)
    return Response(session.to_json(), mimetype="application/json")


@app.get("/me")
@auth.required
def me() -> dict[str, Any]:
    """Who is calling: any valid user or reseller token."""
    claims = current_claims()
    return {"type": claims.type, "id": claims.id, "name": claims.name}


@app.get("/admin")
@auth.required(type="user", admin=True)
def admin() -> dict[str, Any]:
    """Admins only: other tokens get 403 ``not_permitted``."""
    return {"admin": current_claims().name}


@app.delete("/session.json")
@auth.required
def logout() -> dict[str, str]:
    """Revoke the caller's token: it is refused from now on (``token_revoked``)."""
    auth_core.logout(REVOKED, current_claims())
    return {"status": "logged out"}


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
