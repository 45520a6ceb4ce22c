"""auth_core.asgi and auth_core.fastapi through Starlette's and FastAPI's test clients."""

# No `from __future__ import annotations`: FastAPI must see the routes' real annotations.

import warnings
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Request

with warnings.catch_warnings():  # recent Starlette prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
from integrations_support import (
    CLIENT,
    GARBLED_HEADERS,
    NOT_BEARER_HEADERS,
    PROXY,
    SPOOFED,
    TRUSTED,
    World,
    assert_missing,
    assert_rejected,
    bearer,
    make_world,
)
from starlette.websockets import WebSocket, WebSocketDisconnect

import auth_core
from auth_core import ResellerClaims, UserClaims
from auth_core.asgi import BearerAuthMiddleware, Receive, Scope, Send, claims_from_scope
from auth_core.bearer import BearerAuth, Claims
from auth_core.fastapi import AuthHTTPException, BearerToken, install_error_handler



@pytest.fixture
def world() -> World:
    return make_world()


# --- the middleware around a bare ASGI app -----------------------------------------------


async def echo_claims(scope: Scope, receive: Receive, send: Send) -> None:
    """A framework-free ASGI app answering the claims the middleware stored."""
    claims = claims_from_scope(scope)
    assert claims is not None and scope["auth"] is claims
    body = claims.to_json().encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def bare_client(world: World, peer: str = CLIENT, **options: Any) -> TestClient:
    app = BearerAuthMiddleware(echo_claims, world.verifier, **options)
    return TestClient(app, client=(peer, 40000))  # type: ignore[arg-type]


def test_bare_asgi_valid_token_puts_claims_in_scope(world: World) -> None:
    r = bare_client(world).get("/me", headers=bearer(world.user))
    assert r.status_code == 200 and r.json()["name"] == "alice" and r.json()["type"] == "user"


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_bare_asgi_scheme_any_case(world: World, scheme: str) -> None:
    assert bare_client(world).get("/", headers=bearer(world.user, scheme)).status_code == 200


@pytest.mark.parametrize(
    ("token", "code"),
    [("expired", "token_expired"), ("revoked", "token_revoked"), ("restricted", "ip_not_allowed"),
     ("garbled", "malformed_token")],
)
def test_bare_asgi_rejections(world: World, token: str, code: str) -> None:
    r = bare_client(world).get("/", headers=bearer(getattr(world, token)))
    assert_rejected(r.status_code, r.headers, r.json(), code)


def test_bare_asgi_missing_and_garbled_headers(world: World) -> None:
    client = bare_client(world)
    r = client.get("/")
    assert_missing(r.status_code, r.headers, r.json())
    for header in GARBLED_HEADERS:
        r = client.get("/", headers={"Authorization": header})
        assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")
    for header in NOT_BEARER_HEADERS:
        r = client.get("/", headers={"Authorization": header})
        assert_missing(r.status_code, r.headers, r.json())
    r = client.get("/", headers=[("Authorization", f"Bearer {world.user}"), ("Authorization", f"Bearer {world.user}")])
    assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")


def test_bare_asgi_spoofed_forwarded_for_is_ignored(world: World) -> None:
    # The restricted token admits only 198.51.100.0/24; claiming that network does not help
    # a caller that is not a trusted proxy, even when proxies are configured.
    for options in ({}, {"trusted_proxies": TRUSTED}):
        r = bare_client(world, **options).get("/", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED})
        assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")


def test_bare_asgi_forwarded_for_from_a_trusted_proxy(world: World) -> None:
    client = bare_client(world, PROXY, trusted_proxies=TRUSTED)
    r = client.get("/", headers={**bearer(world.restricted), "X-Forwarded-For": f"1.2.3.4, {SPOOFED}"})
    assert r.status_code == 200 and r.json()["name"] == "bob"
    # The right-most untrusted entry decides, not a left-most one the client wrote.
    r = client.get("/", headers={**bearer(world.restricted), "X-Forwarded-For": f"{SPOOFED}, {CLIENT}"})
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    # Several header lines are one list.
    r = client.get("/", headers=[("Authorization", f"Bearer {world.restricted}"), ("X-Forwarded-For", SPOOFED),
                                 ("X-Forwarded-For", "10.9.9.9")])
    assert r.status_code == 200
    # Garbage from a trusted proxy's list is a bad request, not a pass.
    r = client.get("/", headers={**bearer(world.user), "X-Forwarded-For": "garbage"})
    assert_rejected(r.status_code, r.headers, r.json(), "invalid_ip_address", 400)


def test_bare_asgi_excluded_paths_need_no_token(world: World) -> None:
    async def plain(scope: Scope, receive: Receive, send: Send) -> None:
        assert "auth" not in scope
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(BearerAuthMiddleware(plain, world.verifier, exclude=["/health"]))
    assert client.get("/health").status_code == 204
    assert client.get("/health/ready").status_code == 204
    assert client.get("/healthz").status_code == 401


def test_bare_asgi_takes_a_configured_bearer_auth(world: World) -> None:
    auth = BearerAuth(auth_core.Verifier(world.ring), revocation=world.store)
    client = TestClient(BearerAuthMiddleware(echo_claims, auth=auth))
    r = client.get("/", headers=bearer(world.revoked))
    assert_rejected(r.status_code, r.headers, r.json(), "token_revoked")
    with pytest.raises(TypeError):
        BearerAuthMiddleware(echo_claims)


def test_lifespan_passes_through(world: World) -> None:
    events: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await echo_claims(scope, receive, send)

    with TestClient(BearerAuthMiddleware(app, world.verifier)):
        pass
    assert events == ["lifespan.startup", "lifespan.shutdown"]


# --- FastAPI: the middleware and the dependency ------------------------------------------


def fastapi_app(world: World, *, middleware: bool = False, **options: Any) -> FastAPI:
    app = FastAPI()
    bearer_dep = BearerToken(world.verifier, **options)
    install_error_handler(app)
    if middleware:
        # The same BearerAuth in both layers: the dependency reuses the middleware's claims.
        app.add_middleware(BearerAuthMiddleware, auth=bearer_dep.auth, exclude=["/health"])

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/me")
    def me(claims: Annotated[Claims, Depends(bearer_dep)]) -> dict[str, Any]:
        return claims.to_dict()

    @app.get("/state")
    def state(request: Request) -> dict[str, Any]:
        claims: Claims = request.state.auth_claims
        assert request.auth is claims
        return {"name": claims.name}

    @app.get("/admin")
    def admin(user: Annotated[UserClaims, Depends(bearer_dep.user(admin=True))]) -> dict[str, Any]:
        assert isinstance(user, UserClaims)
        return {"admin": user.name}

    @app.get("/user")
    def user(user: Annotated[UserClaims, Depends(bearer_dep.user())]) -> dict[str, Any]:
        return {"user": user.name}

    @app.get("/reseller")
    def reseller(r: Annotated[ResellerClaims, Depends(bearer_dep.reseller())]) -> dict[str, Any]:
        assert isinstance(r, ResellerClaims)
        return {"reseller": r.name}

    return app


def fastapi_client(world: World, peer: str = CLIENT, **options: Any) -> TestClient:
    return TestClient(fastapi_app(world, **options), client=(peer, 40000))


def test_fastapi_dependency_gives_typed_claims(world: World) -> None:
    client = fastapi_client(world)
    assert client.get("/me", headers=bearer(world.user, "bearer")).json()["name"] == "alice"
    assert client.get("/admin", headers=bearer(world.admin)).json() == {"admin": "root"}
    assert client.get("/user", headers=bearer(world.user)).json() == {"user": "alice"}
    assert client.get("/reseller", headers=bearer(world.reseller)).json() == {"reseller": "reseller_name"}


def test_fastapi_dependency_requirements_answer_403(world: World) -> None:
    client = fastapi_client(world)
    for path, token in [("/admin", world.user), ("/admin", world.reseller), ("/user", world.reseller),
                        ("/reseller", world.user)]:
        r = client.get(path, headers=bearer(token))
        assert_rejected(r.status_code, r.headers, r.json(), "not_permitted", 403)


@pytest.mark.parametrize(
    ("token", "code"),
    [("expired", "token_expired"), ("revoked", "token_revoked"), ("restricted", "ip_not_allowed"),
     ("garbled", "malformed_token")],
)
def test_fastapi_dependency_rejections(world: World, token: str, code: str) -> None:
    for path in ("/me", "/admin", "/reseller"):
        r = fastapi_client(world).get(path, headers=bearer(getattr(world, token)))
        assert_rejected(r.status_code, r.headers, r.json(), code)


def test_fastapi_dependency_missing_garbled_and_spoofed(world: World) -> None:
    client = fastapi_client(world, trusted_proxies=TRUSTED)
    r = client.get("/me")
    assert_missing(r.status_code, r.headers, r.json())
    for header in GARBLED_HEADERS:
        r = client.get("/me", headers={"Authorization": header})
        assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")
    for header in NOT_BEARER_HEADERS:
        r = client.get("/me", headers={"Authorization": header})
        assert_missing(r.status_code, r.headers, r.json())
    r = client.get("/me", headers=[("Authorization", f"Bearer {world.user}"), ("Authorization", f"Bearer {world.user}")])
    assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")
    r = client.get("/me", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED})
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    behind = fastapi_client(world, PROXY, trusted_proxies=TRUSTED)
    assert behind.get("/me", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED}).status_code == 200


def test_fastapi_without_the_error_handler_keeps_status_and_header(world: World) -> None:
    app = FastAPI()
    dep = BearerToken(world.verifier)

    @app.get("/me")
    def me(claims: Annotated[Claims, Depends(dep)]) -> dict[str, Any]:
        return claims.to_dict()

    r = TestClient(app).get("/me", headers=bearer(world.expired))
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert r.headers["cache-control"] == "no-store"
    assert r.json()["detail"]["error"] == "token_expired"


def test_fastapi_error_handler_answers_auth_errors_raised_by_routes(world: World) -> None:
    app = FastAPI()
    install_error_handler(app)

    @app.get("/boom")
    def boom() -> None:
        raise auth_core.NotPermitted("not your account")

    r = TestClient(app).get("/boom")
    assert_rejected(r.status_code, r.headers, r.json(), "not_permitted", 403)
    assert r.json()["message"] == "not your account"
    assert issubclass(AuthHTTPException, Exception)


def test_fastapi_with_the_middleware_reuses_its_claims(world: World) -> None:
    calls: list[str] = []

    def counting(query: auth_core.RevocationQuery) -> bool:
        calls.append(query.jti)
        return False

    client = fastapi_client(world, middleware=True, revocation=counting)
    assert client.get("/health").json() == {"status": "ok"}
    assert calls == []
    assert client.get("/state", headers=bearer(world.user)).json() == {"name": "alice"}
    assert client.get("/me", headers=bearer(world.user)).json()["name"] == "alice"
    assert len(calls) == 2  # one verification per request, not one per layer
    r = client.get("/state", headers=bearer(world.expired))
    assert_rejected(r.status_code, r.headers, r.json(), "token_expired")
    r = client.get("/state")
    assert_missing(r.status_code, r.headers, r.json())


def test_fastapi_dependency_does_not_trust_claims_verified_under_another_configuration(world: World) -> None:
    # The middleware checks no revocation; the dependency does: its verdict stands.
    lax = auth_core.Verifier(world.ring)
    app = FastAPI()
    install_error_handler(app)
    strict = BearerToken(world.verifier)
    app.add_middleware(BearerAuthMiddleware, verifier=lax)

    @app.get("/me")
    def me(claims: Annotated[Claims, Depends(strict)]) -> dict[str, Any]:
        return {"name": claims.name}

    client = TestClient(app)
    assert client.get("/me", headers=bearer(world.user)).json() == {"name": "alice"}
    r = client.get("/me", headers=bearer(world.revoked))
    assert_rejected(r.status_code, r.headers, r.json(), "token_revoked")


def test_fastapi_openapi_declares_the_bearer_scheme(world: World) -> None:
    schema = fastapi_client(world).get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s == {"type": "http", "scheme": "bearer", "description": "auth-core bearer token"} for s in schemes.values())


def test_websocket_without_a_valid_token_is_closed_before_accept(world: World) -> None:
    app = FastAPI()
    app.add_middleware(BearerAuthMiddleware, verifier=world.verifier)

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"name": websocket.scope["auth"].name})
        await websocket.close()

    client = TestClient(app, client=(CLIENT, 40000))
    with client.websocket_connect("/ws", headers=bearer(world.user)) as socket:
        assert socket.receive_json() == {"name": "alice"}
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect("/ws", headers=bearer(world.revoked)):
            pass
    assert info.value.code == 1008
