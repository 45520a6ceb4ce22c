"""A real uvicorn server on 127.0.0.1 (a free port), driven over loopback with httpx: the
FastAPI dependency and the ASGI middleware as deployed, headers as they travel on the wire."""

# No `from __future__ import annotations`: FastAPI must see the routes' real annotations.

import socket
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from fastapi import Depends, FastAPI, Security
from integrations_support import (
    SPOOFED,
    World,
    assert_missing,
    assert_rejected,
    assert_short_of_scope,
    bearer,
    make_world,
)

from auth_core import UserClaims
from auth_core.asgi import BearerAuthMiddleware, Receive, Scope, Send
from auth_core.bearer import Claims
from auth_core.fastapi import BearerToken, install_error_handler

WORLD = make_world()


def build_app(world: World) -> FastAPI:
    app = FastAPI()
    install_error_handler(app)
    # Loopback is not a proxy here: X-Forwarded-For from 127.0.0.1 is a spoof.
    direct = BearerToken(world.verifier, trusted_proxies=["10.0.0.0/8"])
    # Here loopback plays the reverse proxy in front of the app.
    proxied = BearerToken(world.verifier, trusted_proxies=["127.0.0.1"])

    @app.get("/me")
    def me(claims: Annotated[Claims, Depends(direct)]) -> dict[str, Any]:
        return claims.to_dict()

    @app.get("/admin")
    def admin(user: Annotated[UserClaims, Depends(direct.user(admin=True))]) -> dict[str, Any]:
        return {"admin": user.name}

    @app.post("/sms")
    def send_sms(claims: Annotated[Claims, Security(direct, scopes=["sms:send"])]) -> dict[str, Any]:
        return {"name": claims.name}

    @app.get("/behind-proxy")
    def behind_proxy(claims: Annotated[Claims, Depends(proxied)]) -> dict[str, Any]:
        return {"name": claims.name}

    async def raw(scope: Scope, receive: Receive, send: Send) -> None:
        body = scope["auth"].to_json().encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    app.mount("/raw", BearerAuthMiddleware(raw, world.verifier))
    # Starlette hands a mounted app the full path (and the mount point as root_path).
    scoped = BearerAuthMiddleware(raw, world.verifier, scopes={"POST /scoped": ["sms:send"], "/scoped": ["account"]})
    app.mount("/scoped", scoped)
    return app


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # proxy_headers=False: uvicorn must not rewrite the client address itself; the
    # integration decides which X-Forwarded-For to believe.
    config = uvicorn.Config(build_app(WORLD), log_level="warning", proxy_headers=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped during start-up"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as c:
        yield c


def test_valid_token_over_the_wire(client: httpx.Client) -> None:
    for scheme in ("Bearer", "bearer", "BEARER"):
        r = client.get("/me", headers=bearer(WORLD.user, scheme))
        assert r.status_code == 200 and r.json()["name"] == "alice"
    assert client.get("/admin", headers=bearer(WORLD.admin)).json() == {"admin": "root"}
    assert client.get("/raw/x", headers=bearer(WORLD.reseller, "bearer")).json()["type"] == "reseller"


@pytest.mark.parametrize(
    ("token", "code"),
    [("expired", "token_expired"), ("revoked", "token_revoked"), ("restricted", "ip_not_allowed"),
     ("garbled", "malformed_token")],
)
@pytest.mark.parametrize("path", ["/me", "/raw/x"])
def test_rejected_tokens_over_the_wire(client: httpx.Client, path: str, token: str, code: str) -> None:
    r = client.get(path, headers=bearer(getattr(WORLD, token)))
    assert_rejected(r.status_code, r.headers, r.json(), code)


def test_missing_and_garbled_headers_over_the_wire(client: httpx.Client) -> None:
    for path in ("/me", "/raw/x"):
        r = client.get(path)
        assert_missing(r.status_code, r.headers, r.json())
        for header in ("Bearer", f"Bearer {WORLD.user} extra", "Bearer  two-spaces", f"Bearer\t{WORLD.user}"):
            r = client.get(path, headers={"Authorization": header})
            assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")
        r = client.get(path, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert_missing(r.status_code, r.headers, r.json())
        # Two lines on the wire: no choice between them is safe.
        r = client.get(path, headers=[("Authorization", f"Bearer {WORLD.user}"), ("Authorization", f"Bearer {WORLD.user}")])
        assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")


def test_user_without_admin_is_forbidden_over_the_wire(client: httpx.Client) -> None:
    r = client.get("/admin", headers=bearer(WORLD.user))
    assert_rejected(r.status_code, r.headers, r.json(), "not_permitted", 403)


def test_spoofed_forwarded_for_is_ignored_over_the_wire(client: httpx.Client) -> None:
    # The restricted token admits only 198.51.100.0/24; the caller (127.0.0.1) claims it.
    spoof = {**bearer(WORLD.restricted), "X-Forwarded-For": SPOOFED}
    for path in ("/me", "/raw/x"):
        r = client.get(path, headers=spoof)
        assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    # The same header through a trusted proxy (loopback, for /behind-proxy) is believed,
    # and there the right-most entry decides.
    assert client.get("/behind-proxy", headers=spoof).json() == {"name": "bob"}
    r = client.get("/behind-proxy", headers={**bearer(WORLD.restricted), "X-Forwarded-For": f"{SPOOFED}, 192.0.2.1"})
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")


def test_scopes_over_the_wire(client: httpx.Client) -> None:
    assert client.post("/sms", headers=bearer(WORLD.sms)).json() == {"name": "alice"}
    r = client.post("/sms", headers=bearer(WORLD.account))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "sms:send")
    # The middleware mounted at /scoped: its rules name the full path.
    assert client.post("/scoped/x", headers=bearer(WORLD.sms_send)).json()["name"] == "alice"
    r = client.get("/scoped/x", headers=bearer(WORLD.sms_send))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account")
    assert client.get("/scoped/x", headers=bearer(WORLD.account)).json()["type"] == "reseller"
