"""A FastAPI service guarded by auth-core: log in, call protected routes, log out.

    pip install "./bindings/python[fastapi]" uvicorn
    export AUTHCTL_SECRET="$(authctl keygen)"                # required: the HS256 key
    python bindings/python/examples/fastapi_app.py          # serves http://127.0.0.1:8000
    cd bindings/python/examples && uvicorn fastapi_app:app --no-proxy-headers   # the same, by uvicorn's CLI

    curl -s -X POST localhost:8000/session.json -d '{"login": "alice", "password": "wonderland"}'
    curl -s localhost:8000/me -H "Authorization: Bearer <token>"

Environment: ``AUTHCTL_SECRET`` (the HS256 key, 32+ bytes; required), ``TRUSTED_PROXIES`` (comma-separated
ranges whose ``X-Forwarded-For`` is believed), ``HOST`` and ``PORT``.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations.

import os
import sys
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response

import auth_core
from auth_core import Issuer, KeyRing, MemoryRevocationStore, UserClaims, Verifier
from auth_core.bearer import Claims
from auth_core.fastapi import BearerToken, install_error_handler


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
bearer = BearerToken(Verifier(RING, revocation=REVOKED), trusted_proxies=PROXIES)

# The host checks passwords, not the library (a real service asks its database).
USERS = {"alice": (123, "wonderland", False), "root": (1, "toor", True)}

app = FastAPI(title="auth-core example")
install_error_handler(app)  # errors as {"error": "<code>", "message": "..."}


@app.post("/session.json")
def login(body: dict[str, str], request: Request) -> Response:
    """docs/apis.md login: ``{"login", "password"}`` → ``{"user": {...}, "token": "<jwt>"}``."""
    user = USERS.get(body.get("login", ""))
    if user is None or body.get("password") != user[1]:
        raise auth_core.InvalidCredentials()
    peer = request.client.host if request.client else None
    client_ip = bearer.auth.client_ip(peer, request.headers.getlist("x-forwarded-for"))
    session = auth_core.login_user(ISSUER, id=user[0], name=body["login"], admin=user[2], client_ip=client_ip)
    return Response(session.to_json(), media_type="application/json")


@app.get("/me")
def me(claims: Annotated[Claims, Depends(bearer)]) -> dict[str, Any]:
    """Who is calling: any valid user or reseller token."""
    return {"type": claims.type, "id": claims.id, "name": claims.name}


@app.get("/admin")
def admin(user: Annotated[UserClaims, Depends(bearer.user(admin=True))]) -> dict[str, Any]:
    """Admins only: other tokens get 403 ``not_permitted``."""
    return {"admin": user.name}


@app.delete("/session.json")
def logout(claims: Annotated[Claims, Depends(bearer)]) -> dict[str, str]:
    """Revoke the caller's token: it is refused from now on (``token_revoked``)."""
    auth_core.logout(REVOKED, claims)
    return {"status": "logged out"}


if __name__ == "__main__":
    import uvicorn

    # proxy_headers=False: the client address is decided by TRUSTED_PROXIES above.
    uvicorn.run(app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8000")),
                proxy_headers=False, log_level="warning")
