"""Optional authentication (docs/http.md) in every Python skin, through each framework's test
client: a request without bearer credentials passes as anonymous, a valid token gives its
claims, and a token that is sent and fails is refused with the core's answer — never
downgraded to anonymous."""

# No `from __future__ import annotations`: FastAPI must see the routes' real annotations.

import json
import warnings
from typing import Annotated, Any, Optional

import pytest
from flask import Flask
from integrations_support import (
    CLIENT,
    GARBLED_HEADERS,
    NOT_BEARER_HEADERS,
    World,
    assert_rejected,
    bearer,
    make_world,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from werkzeug.test import Client

with warnings.catch_warnings():  # recent Starlette prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import auth_core
from auth_core.asgi import BearerAuthMiddleware as AsgiMiddleware
from auth_core.bearer import BearerAuth, Claims
from auth_core.fastapi import BearerToken, install_error_handler
from auth_core.flask import BearerAuthExtension, current_claims, optional_claims
from auth_core.wsgi import BearerAuthMiddleware as WsgiMiddleware
from auth_core.wsgi import claims_from_environ
from fastapi import Depends, FastAPI

WORLD: World = make_world()
ANONYMOUS: list[dict[str, str]] = [{}, {"Authorization": ""}] + [{"Authorization": h} for h in NOT_BEARER_HEADERS]
REFUSED = [
    (bearer(WORLD.expired), "token_expired", 401),
    (bearer(WORLD.garbled), "malformed_token", 401),
    (bearer(WORLD.revoked), "token_revoked", 401),
    (bearer(WORLD.restricted), "ip_not_allowed", 401),
] + [({"Authorization": h}, "malformed_token", 401) for h in GARBLED_HEADERS]


def _name(claims: Optional[Claims]) -> Optional[str]:
    return None if claims is None else claims.name


# --- each skin as an app answering {"name": <the caller's name, or null>} ----------------


def _asgi_app() -> Any:
    async def hello(request: Request) -> JSONResponse:
        assert request.auth is request.state.auth_claims
        return JSONResponse({"name": _name(request.auth)})

    app = Starlette(routes=[Route("/hello", hello)])
    return TestClient(AsgiMiddleware(app, WORLD.verifier, optional=True), client=(CLIENT, 50000))


def _wsgi_app() -> Any:
    def hello(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("content-type", "application/json")])
        return [json.dumps({"name": _name(claims_from_environ(environ))}).encode()]

    return Client(WsgiMiddleware(hello, WORLD.verifier, optional=True))


def _flask_app() -> Any:
    app = Flask(__name__)
    auth = BearerAuthExtension(app, WORLD.verifier)

    @app.get("/hello")
    @auth.required(optional=True)
    def hello() -> Any:
        return {"name": _name(optional_claims())}

    return app.test_client()


def _fastapi_app() -> Any:
    app = FastAPI()
    install_error_handler(app)
    maybe = BearerToken(WORLD.verifier, auto_error=False)

    @app.get("/hello")
    def hello(claims: Annotated[Optional[Claims], Depends(maybe)]) -> dict[str, Optional[str]]:
        return {"name": _name(claims)}

    return TestClient(app, client=(CLIENT, 50000))


SKINS = {"asgi": _asgi_app, "wsgi": _wsgi_app, "flask": _flask_app, "fastapi": _fastapi_app}


def _get(client: Any, headers: dict[str, str]) -> tuple[int, Any, Any]:
    if isinstance(client, TestClient):
        r = client.get("/hello", headers=headers)
        return r.status_code, r.headers, r.json()
    r = client.get("/hello", headers=headers, environ_base={"REMOTE_ADDR": CLIENT})
    return r.status_code, r.headers, json.loads(r.get_data())


@pytest.mark.parametrize("skin", SKINS)
@pytest.mark.parametrize("headers", ANONYMOUS, ids=lambda h: h.get("Authorization", "no header") or "empty")
def test_a_request_without_credentials_is_anonymous(skin: str, headers: dict[str, str]) -> None:
    status, response_headers, body = _get(SKINS[skin](), headers)
    assert (status, body) == (200, {"name": None})
    assert "www-authenticate" not in response_headers


@pytest.mark.parametrize("skin", SKINS)
def test_a_valid_token_gives_its_claims(skin: str) -> None:
    assert _get(SKINS[skin](), bearer(WORLD.user))[::2] == (200, {"name": "alice"})


@pytest.mark.parametrize("skin", SKINS)
@pytest.mark.parametrize(("headers", "code", "http"), REFUSED, ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(REFUSED)])
def test_credentials_that_fail_are_refused_not_anonymous(skin: str, headers: dict[str, str], code: str, http: int) -> None:
    status, response_headers, body = _get(SKINS[skin](), headers)
    assert_rejected(status, response_headers, body, code, http)


# --- the native call and the rules around it --------------------------------------------


def test_native_authenticate_optional() -> None:
    auth = auth_core.Authenticator(WORLD.verifier)
    assert auth.authenticate_optional(None, CLIENT) is None
    assert auth.authenticate_optional(["Basic dXNlcjpwYXNz"], CLIENT) is None
    claims = auth.authenticate_optional(f"Bearer {WORLD.user}", CLIENT)
    assert claims is not None and claims == auth.authenticate(f"Bearer {WORLD.user}", CLIENT)
    with pytest.raises(auth_core.TokenExpired):
        auth.authenticate_optional(f"Bearer {WORLD.expired}", CLIENT)
    with pytest.raises(auth_core.MalformedToken):
        auth.authenticate_optional([f"Bearer {WORLD.user}"] * 2, CLIENT)
    assert auth_core.bearer_credentials(None) is None
    assert auth_core.bearer_credentials("Bearer abc") == "abc"
    with pytest.raises(auth_core.MalformedToken):
        auth_core.bearer_credentials("Bearer  abc")


def test_an_anonymous_request_is_not_checked_for_a_rewritten_peer() -> None:
    # The peer appears in X-Forwarded-For (a possible server rewrite): a token would be refused
    # with 500, but an anonymous request reads no address at all.
    auth = BearerAuth(WORLD.verifier)
    assert auth.authenticate_served_optional(None, CLIENT, CLIENT) is None
    with pytest.raises(auth_core.ServerError):
        auth.authenticate_served_optional(f"Bearer {WORLD.user}", CLIENT, CLIENT)


def test_flask_current_claims_of_an_anonymous_request_raises_and_required_views_still_refuse() -> None:
    app = Flask(__name__)
    auth = BearerAuthExtension(app, WORLD.verifier)

    @app.get("/anonymous")
    @auth.required(optional=True)
    def anonymous() -> Any:
        with pytest.raises(RuntimeError):
            current_claims()
        # A required check in the same request is not satisfied by the anonymous verdict.
        with pytest.raises(auth_core.MissingToken):
            auth.authenticate()
        return {"ok": True}

    @app.get("/admin")
    @auth.required(optional=True, admin=True)
    def admin() -> Any:
        return {"name": _name(optional_claims())}

    client = app.test_client()
    assert client.get("/anonymous", environ_base={"REMOTE_ADDR": CLIENT}).status_code == 200
    r = client.get("/admin", headers=bearer(WORLD.user), environ_base={"REMOTE_ADDR": CLIENT})
    assert_rejected(r.status_code, r.headers, r.get_json(), "not_permitted", 403)
    r = client.get("/admin", environ_base={"REMOTE_ADDR": CLIENT})
    assert (r.status_code, r.get_json()) == (200, {"name": None})


def test_fastapi_required_dependencies_still_refuse_an_anonymous_request() -> None:
    app = FastAPI()
    install_error_handler(app)
    maybe = BearerToken(WORLD.verifier, auto_error=False)
    required = BearerToken(auth=maybe.auth)

    @app.get("/both")
    def both(
        a: Annotated[Optional[Claims], Depends(maybe)], b: Annotated[Claims, Depends(required)]
    ) -> dict[str, Any]:
        return {}

    client = TestClient(app, client=(CLIENT, 50000))
    r = client.get("/both")
    assert_rejected(r.status_code, r.headers, r.json(), "missing_token", 401)
    assert client.get("/both", headers=bearer(WORLD.user)).status_code == 200
