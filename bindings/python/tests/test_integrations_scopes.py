"""Scopes in the web integrations (docs/scopes.md), through Starlette's, FastAPI's and
werkzeug's test clients: FastAPI's ``Security(..., scopes=[...])``, Flask's
``@auth.required(scopes=[...])`` and the ASGI and WSGI middlewares' ``scopes=`` — a token
short of them gets 403 ``insufficient_scope`` with the RFC 6750 challenge naming the
scopes, and every answer is the core's."""

# No `from __future__ import annotations`: FastAPI must see the routes' real annotations.

import json
import logging
import warnings
from collections.abc import Iterable
from typing import Annotated, Any, Callable, Optional

import pytest
from fastapi import Depends, FastAPI, Request, Security
from flask import Flask
from integrations_support import (
    CLIENT,
    VOCABULARY,
    World,
    assert_missing,
    assert_rejected,
    assert_short_of_scope,
    bearer,
    make_world,
)
from starlette.websockets import WebSocket, WebSocketDisconnect
from werkzeug.test import Client

with warnings.catch_warnings():  # recent Starlette prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import auth_core
from auth_core import ResellerClaims, UserClaims, Verifier
from auth_core.asgi import BearerAuthMiddleware as AsgiAuth
from auth_core.asgi import Receive, Scope, Send, claims_from_scope
from auth_core.bearer import BearerAuth, Claims, scope_rules
from auth_core.fastapi import BearerToken, install_error_handler
from auth_core.flask import BearerAuthExtension, current_claims, optional_claims
from auth_core.wsgi import BearerAuthMiddleware as WsgiAuth
from auth_core.wsgi import claims_from_environ

# Per path and method: reads and writes of /sms differ, /account needs `account` except its
# public part, /both needs two names.
RULES = {"GET /sms": ["sms:read"], "POST /sms": ["sms:send"], "/account": ["account"],
         "/account/public": None, "/both/": "account sms:send"}


@pytest.fixture
def world() -> World:
    return make_world()


# --- scope_rules: what a middleware requires of a request -----------------------------------


def test_scope_rules_pick_the_longest_prefix_and_the_method(world: World) -> None:
    auth = BearerAuth(world.verifier)
    needed = scope_rules(RULES, auth)

    def names(method: str, path: str) -> Optional[tuple[str, ...]]:
        required = needed(method, path)
        return None if required is None else required.names

    assert names("GET", "/sms") == names("HEAD", "/sms/1") == ("sms:read",)
    assert names("POST", "/sms/batch") == ("sms:send",)
    assert names("PUT", "/sms") is None and names("GET", "/smsx") is None
    assert names("GET", "/account") == names("DELETE", "/account/7") == ("account",)
    assert names("GET", "/account/public") is None and names("GET", "/account/publicity") == ("account",)
    assert names("GET", "/both") == ("account", "sms:send") and names("GET", "/") is None
    every = scope_rules(["account"], auth)
    assert every("GET", "/anything") == VOCABULARY.require(["account"])
    assert scope_rules({"/": "sms"}, auth)("POST", "/x") == VOCABULARY.require("sms")
    assert scope_rules(None, auth)("GET", "/") is None


def test_scope_rules_are_checked_at_start_up(world: World) -> None:
    auth = BearerAuth(world.verifier)
    with pytest.raises(auth_core.InvalidScope, match="billing"):
        scope_rules({"/sms": ["billing"]}, auth)
    with pytest.raises(auth_core.InvalidScope):
        AsgiAuth(echo_claims, world.verifier, scopes=["billing"])
    for key in ("sms", "post /sms", "POST  /sms", "GET sms"):
        with pytest.raises(ValueError):
            scope_rules({key: ["sms"]}, auth)
    with pytest.raises(TypeError):
        scope_rules({1: ["sms"]}, auth)  # type: ignore[dict-item]
    # Without a vocabulary names are required exactly; a BearerAuth may bring its own.
    plain = BearerAuth(Verifier(world.ring))
    assert plain.vocabulary is None and plain.require_scopes(["billing"]).names == ("billing",)
    own = BearerAuth(Verifier(world.ring), vocabulary=VOCABULARY)
    assert own.vocabulary is VOCABULARY and own.require_scopes(None) is None


# --- the ASGI middleware ----------------------------------------------------------------------


async def echo_claims(scope: Scope, receive: Receive, send: Send) -> None:
    claims = claims_from_scope(scope)
    body = b"null" if claims is None else claims.to_json().encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def asgi(world: World, **options: Any) -> TestClient:
    return TestClient(AsgiAuth(echo_claims, world.verifier, **options), client=(CLIENT, 40000))  # type: ignore[arg-type]


def test_asgi_requires_the_scopes_of_the_path_and_method(world: World) -> None:
    client = asgi(world, scopes=RULES)
    r = client.get("/sms", headers=bearer(world.sms_send))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "sms:read")
    assert client.head("/sms", headers=bearer(world.sms_send)).status_code == 403
    assert client.post("/sms", headers=bearer(world.sms_send)).json()["name"] == "alice"
    assert client.get("/sms", headers=bearer(world.sms)).status_code == 200  # `sms` includes `sms:read`
    r = client.get("/account/7", headers=bearer(world.sms))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account")
    assert client.get("/account/7", headers=bearer(world.account)).json()["type"] == "reseller"
    assert client.get("/account/public", headers=bearer(world.sms)).status_code == 200
    r = client.get("/both", headers=bearer(world.sms))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account sms:send")
    # An unscoped token holds everything; a bad or missing token is answered as such first.
    assert client.get("/both", headers=bearer(world.user)).status_code == 200
    r = client.get("/account", headers=bearer(world.expired))
    assert_rejected(r.status_code, r.headers, r.json(), "token_expired")
    r = client.get("/account")
    assert_missing(r.status_code, r.headers, r.json())


def test_asgi_one_requirement_for_every_request_and_optional(world: World) -> None:
    client = asgi(world, scopes="account", exclude=["/health"])
    r = client.get("/x", headers=bearer(world.sms))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account")
    assert client.get("/x", headers=bearer(world.account)).status_code == 200
    assert client.get("/health").status_code == 200
    optional = asgi(world, scopes=["account"], optional=True)
    assert optional.get("/x").json() is None  # anonymous: the app decides
    r = optional.get("/x", headers=bearer(world.sms))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account")


def test_asgi_websocket_short_of_scope_is_closed_before_accept(world: World) -> None:
    async def ws_app(scope: Scope, receive: Receive, send: Send) -> None:
        socket = WebSocket(scope, receive, send)
        await socket.accept()
        await socket.send_text("hi")
        await socket.close()

    client = TestClient(AsgiAuth(ws_app, world.verifier, scopes={"/feed": ["sms:read"]}))  # type: ignore[arg-type]
    with pytest.raises(WebSocketDisconnect) as e:
        with client.websocket_connect("/feed", headers=bearer(world.sms_send)):
            pass
    assert (e.value.code, e.value.reason) == (1008, "insufficient_scope")
    with client.websocket_connect("/feed", headers=bearer(world.sms)) as socket:
        assert socket.receive_text() == "hi"


# --- FastAPI: Security(..., scopes=[...]) ---------------------------------------------------


def fastapi_app(world: World, handler: bool = True) -> tuple[FastAPI, BearerToken]:
    guard = BearerToken(world.verifier)
    optional = BearerToken(auth=guard.auth, auto_error=False)
    app = FastAPI()
    if handler:
        install_error_handler(app)

    @app.post("/sms")
    def send_sms(claims: Annotated[Claims, Security(guard, scopes=["sms:send"])]) -> dict[str, Any]:
        return {"name": claims.name, "scope": claims.scope}

    @app.get("/account")
    def account(reseller: Annotated[ResellerClaims, Security(guard.reseller(), scopes=["account"])]) -> dict[str, Any]:
        return {"id": reseller.id}

    @app.get("/inbox")
    def inbox(user: Annotated[UserClaims, Security(guard.user(), scopes=["sms:read"])]) -> dict[str, Any]:
        return {"id": user.id}

    def sms_reader(claims: Annotated[Claims, Security(guard, scopes=["sms:read"])]) -> Claims:
        return claims

    @app.post("/reply")  # the scopes along the chain add up: sms:read and sms:send
    def reply(claims: Annotated[Claims, Security(sms_reader, scopes=["sms:send"])]) -> dict[str, Any]:
        return {"name": claims.name}

    @app.get("/plain")
    def plain(claims: Annotated[Claims, Depends(guard)]) -> dict[str, Any]:
        return {"name": claims.name}

    @app.get("/typo")
    def typo(claims: Annotated[Claims, Security(guard, scopes=["billing"])]) -> dict[str, Any]:
        return {}

    @app.get("/hello")
    def hello(claims: Annotated[Optional[Claims], Security(optional, scopes=["sms:read"])]) -> dict[str, Any]:
        return {"name": claims.name if claims else None}

    return app, guard


def test_fastapi_security_scopes(world: World) -> None:
    app, _ = fastapi_app(world)
    client = TestClient(app, client=(CLIENT, 50000))
    assert client.post("/sms", headers=bearer(world.sms)).json() == {"name": "alice", "scope": ["sms"]}
    assert client.post("/sms", headers=bearer(world.user)).json() == {"name": "alice", "scope": None}
    r = client.post("/sms", headers=bearer(world.account))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "sms:send")
    assert client.get("/account", headers=bearer(world.account)).json() == {"id": 3}
    r = client.get("/account", headers=bearer(world.sms))  # short of scope: answered before the type
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account")
    r = client.get("/account", headers=bearer(world.user))  # unscoped user: the type decides
    assert_rejected(r.status_code, r.headers, r.json(), "not_permitted", 403)
    assert client.get("/inbox", headers=bearer(world.sms)).json() == {"id": 7}
    r = client.get("/inbox", headers=bearer(world.sms_send))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "sms:read")
    assert client.post("/reply", headers=bearer(world.sms)).json() == {"name": "alice"}
    r = client.post("/reply", headers=bearer(world.sms_send))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "sms:read sms:send")
    assert client.get("/plain", headers=bearer(world.account)).json() == {"name": "reseller_name"}
    r = client.post("/sms")
    assert_missing(r.status_code, r.headers, r.json())
    r = client.post("/sms", headers=bearer(world.revoked))
    assert_rejected(r.status_code, r.headers, r.json(), "token_revoked")
    assert client.get("/hello").json() == {"name": None}
    assert client.get("/hello", headers=bearer(world.sms)).json() == {"name": "alice"}
    r = client.get("/hello", headers=bearer(world.sms_send))
    assert_short_of_scope(r.status_code, r.headers, r.json(), "sms:read")


def test_fastapi_undeclared_route_scope_is_a_server_error(world: World, caplog: pytest.LogCaptureFixture) -> None:
    app, _ = fastapi_app(world)
    with caplog.at_level(logging.ERROR, logger="auth_core"):
        r = TestClient(app, client=(CLIENT, 50000)).get("/typo", headers=bearer(world.sms))
    assert_rejected(r.status_code, r.headers, r.json(), "server_error", 500)
    assert "billing" not in r.text and "billing" in caplog.text


def test_fastapi_without_the_error_handler_keeps_status_and_challenge(world: World) -> None:
    app, _ = fastapi_app(world, handler=False)
    r = TestClient(app, client=(CLIENT, 50000)).post("/sms", headers=bearer(world.account))
    assert r.status_code == 403 and r.json()["detail"]["error"] == "insufficient_scope"
    assert r.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="sms:send"'


def test_fastapi_checks_scopes_of_claims_the_middleware_verified(world: World) -> None:
    app, guard = fastapi_app(world)
    seen: list[Any] = []

    @app.get("/peek")
    def peek(request: Request, claims: Annotated[Claims, Security(guard, scopes=["account"])]) -> dict[str, Any]:
        seen.append(claims_from_scope(request.scope))
        return {}

    client = TestClient(AsgiAuth(app, auth=guard.auth), client=(CLIENT, 50000))  # type: ignore[arg-type]
    r = client.get("/peek", headers=bearer(world.sms))  # the middleware let it through: no scope there
    assert_short_of_scope(r.status_code, r.headers, r.json(), "account")
    assert client.get("/peek", headers=bearer(world.account)).status_code == 200
    assert seen and seen[0].name == "reseller_name"


# --- Flask: @auth.required(scopes=[...]) ----------------------------------------------------


def flask_app(world: World, **options: Any) -> Flask:
    app = Flask(__name__)
    auth = BearerAuthExtension(app, world.verifier, **options)

    @app.post("/sms")
    @auth.required(scopes=["sms:send"])
    def send_sms() -> dict[str, Any]:
        return {"name": current_claims().name}

    @app.get("/account")
    @auth.required(type="reseller", scopes="account")
    def account() -> dict[str, Any]:
        return {"id": current_claims().id}

    @app.get("/hello")
    @auth.required(optional=True, scopes=VOCABULARY.require(["sms:read"]))
    def hello() -> dict[str, Any]:
        claims = optional_claims()
        return {"name": claims.name if claims else None}

    return app


def test_flask_required_scopes(world: World) -> None:
    client = flask_app(world).test_client()
    env = {"REMOTE_ADDR": CLIENT}
    assert client.post("/sms", headers=bearer(world.sms), environ_base=env).json == {"name": "alice"}
    assert client.post("/sms", headers=bearer(world.user), environ_base=env).json == {"name": "alice"}
    r = client.post("/sms", headers=bearer(world.account), environ_base=env)
    assert_short_of_scope(r.status_code, r.headers, r.json, "sms:send")
    assert client.get("/account", headers=bearer(world.account), environ_base=env).json == {"id": 3}
    r = client.get("/account", headers=bearer(world.sms), environ_base=env)
    assert_short_of_scope(r.status_code, r.headers, r.json, "account")
    r = client.get("/account", headers=bearer(world.user), environ_base=env)
    assert_rejected(r.status_code, r.headers, r.json, "not_permitted", 403)
    assert client.get("/hello", environ_base=env).json == {"name": None}
    assert client.get("/hello", headers=bearer(world.sms), environ_base=env).json == {"name": "alice"}
    r = client.get("/hello", headers=bearer(world.sms_send), environ_base=env)
    assert_short_of_scope(r.status_code, r.headers, r.json, "sms:read")
    r = client.post("/sms", environ_base=env)
    assert_missing(r.status_code, r.headers, r.json)


def test_flask_checks_scopes_of_claims_verified_before_the_view(world: World) -> None:
    # protect_all verifies every request first (no scopes); the view's scopes still apply.
    client = flask_app(world, protect_all=True).test_client()
    env = {"REMOTE_ADDR": CLIENT}
    r = client.post("/sms", headers=bearer(world.account), environ_base=env)
    assert_short_of_scope(r.status_code, r.headers, r.json, "sms:send")
    assert client.post("/sms", headers=bearer(world.sms_send), environ_base=env).status_code == 200
    r = client.get("/hello", headers=bearer(world.sms_send), environ_base=env)
    assert_short_of_scope(r.status_code, r.headers, r.json, "sms:read")


def test_flask_undeclared_scope_fails_when_the_view_is_decorated(world: World) -> None:
    auth = BearerAuthExtension(Flask(__name__), world.verifier)
    with pytest.raises(auth_core.InvalidScope, match="billing"):
        auth.required(scopes=["billing"])
    with pytest.raises(TypeError):
        auth.required(scopes=[b"sms"])  # type: ignore[list-item]


# --- the WSGI middleware ----------------------------------------------------------------------


def echo_environ(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    claims = claims_from_environ(environ)
    start_response("200 OK", [("content-type", "application/json")])
    return [b"null" if claims is None else claims.to_json().encode()]


def test_wsgi_requires_the_scopes_of_the_path_and_method(world: World) -> None:
    client = Client(WsgiAuth(echo_environ, world.verifier, scopes=RULES))
    env = {"REMOTE_ADDR": CLIENT}

    def call(method: str, path: str, token: str) -> tuple[int, Any, Any]:
        r = client.open(path, method=method, headers=bearer(token), environ_base=env)
        return r.status_code, r.headers, json.loads(r.get_data() or b"null")

    assert_short_of_scope(*call("GET", "/sms", world.sms_send), "sms:read")
    assert call("POST", "/sms", world.sms_send)[0] == 200
    assert call("GET", "/sms", world.sms)[0] == 200
    assert_short_of_scope(*call("GET", "/account", world.sms), "account")
    assert call("GET", "/account/public/x", world.sms)[0] == 200
    assert_short_of_scope(*call("PUT", "/both/1", world.account), "account sms:send")
    assert call("PUT", "/both/1", world.user)[0] == 200
    assert_rejected(*call("GET", "/account", world.expired), "token_expired")
    every = Client(WsgiAuth(echo_environ, world.verifier, scopes=["account"], optional=True))
    assert every.get("/x", environ_base=env).get_data() == b"null"
    r = every.get("/x", headers=bearer(world.sms), environ_base=env)
    assert_short_of_scope(r.status_code, r.headers, json.loads(r.get_data()), "account")
