"""auth_core.wsgi and auth_core.flask through Flask's (werkzeug's) test client."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Callable

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
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
from werkzeug.test import Client, TestResponse

import auth_core
from auth_core.bearer import BearerAuth
from auth_core.flask import BearerAuthExtension, current_claims
from auth_core.wsgi import ENVIRON_KEY, BearerAuthMiddleware, claims_from_environ


@pytest.fixture
def world() -> World:
    return make_world()


def _json(r: TestResponse) -> Any:
    return json.loads(r.get_data())


# --- the middleware around a bare WSGI app -----------------------------------------------


def echo_claims(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    claims = claims_from_environ(environ)
    if claims is None:
        start_response("200 OK", [("content-type", "text/plain")])
        return [b"public"]
    assert environ[ENVIRON_KEY] is claims
    start_response("200 OK", [("content-type", "application/json")])
    return [claims.to_json().encode()]


def bare(world: World, peer: str = CLIENT, **options: Any) -> tuple[Client, dict[str, str]]:
    return Client(BearerAuthMiddleware(echo_claims, world.verifier, **options)), {"REMOTE_ADDR": peer}


def test_bare_wsgi_valid_token_puts_claims_in_environ(world: World) -> None:
    client, env = bare(world)
    for scheme in ("Bearer", "bearer", "BEARER"):
        r = client.get("/me", headers=bearer(world.user, scheme), environ_base=env)
        assert r.status_code == 200 and _json(r)["name"] == "alice"


@pytest.mark.parametrize(
    ("token", "code"),
    [("expired", "token_expired"), ("revoked", "token_revoked"), ("restricted", "ip_not_allowed"),
     ("garbled", "malformed_token")],
)
def test_bare_wsgi_rejections(world: World, token: str, code: str) -> None:
    client, env = bare(world)
    r = client.get("/", headers=bearer(getattr(world, token)), environ_base=env)
    assert_rejected(r.status_code, r.headers, _json(r), code)
    assert r.status == "401 Unauthorized"
    assert int(r.headers["content-length"]) == len(r.get_data())


def test_bare_wsgi_missing_garbled_spoofed_and_proxied(world: World) -> None:
    client, env = bare(world, trusted_proxies=TRUSTED)
    r = client.get("/", environ_base=env)
    assert_missing(r.status_code, r.headers, _json(r))
    for header in GARBLED_HEADERS:
        r = client.get("/", headers={"Authorization": header}, environ_base=env)
        assert_rejected(r.status_code, r.headers, _json(r), "malformed_token")
    for header in NOT_BEARER_HEADERS:
        r = client.get("/", headers={"Authorization": header}, environ_base=env)
        assert_missing(r.status_code, r.headers, _json(r))
    # Two lines reach WSGI joined with a comma: still refused.
    r = client.get("/", headers=[("Authorization", f"Bearer {world.user}"), ("Authorization", f"Bearer {world.user}")],
                   environ_base=env)
    assert_rejected(r.status_code, r.headers, _json(r), "malformed_token")
    r = client.get("/", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED}, environ_base=env)
    assert_rejected(r.status_code, r.headers, _json(r), "ip_not_allowed")
    r = client.get("/", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED},
                   environ_base={"REMOTE_ADDR": PROXY})
    assert r.status_code == 200 and _json(r)["name"] == "bob"


def test_bare_wsgi_behind_a_proxy_on_a_unix_socket(world: World) -> None:
    # A server on a Unix-domain socket reports no peer address (REMOTE_ADDR empty).
    auth = BearerAuth(world.verifier, trust_non_ip_peers=True)
    client = Client(BearerAuthMiddleware(echo_claims, auth=auth))
    r = client.get("/", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED}, environ_base={"REMOTE_ADDR": ""})
    assert r.status_code == 200 and _json(r)["name"] == "bob"
    # Without the option the header of a socket peer is not believed.
    client, _ = bare(world, trusted_proxies=TRUSTED)
    r = client.get("/", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED}, environ_base={"REMOTE_ADDR": ""})
    assert_rejected(r.status_code, r.headers, _json(r), "ip_not_allowed")


def test_bare_wsgi_excluded_paths(world: World) -> None:
    client, env = bare(world, exclude=["/health"])
    assert client.get("/health", environ_base=env).get_data() == b"public"
    assert client.get("/healthz", environ_base=env).status_code == 401


# --- Flask -------------------------------------------------------------------------------


def flask_app(world: World, **options: Any) -> tuple[Flask, BearerAuthExtension]:
    app = Flask(__name__)
    auth = BearerAuthExtension(app, world.verifier, **options)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/me")
    @auth.required
    def me() -> dict[str, Any]:
        assert "auth_claims" not in g  # the claims live with the request, not the app context
        return current_claims().to_dict()

    @app.get("/admin")
    @auth.required(type="user", admin=True)
    def admin() -> dict[str, Any]:
        return {"admin": current_claims().name}

    @app.get("/reseller")
    @auth.required(type="reseller")
    def reseller() -> dict[str, Any]:
        return {"reseller": current_claims().name}

    @app.get("/forbidden")
    @auth.required
    def forbidden() -> dict[str, Any]:
        raise auth_core.NotPermitted("not your account")

    @app.get("/unguarded")
    def unguarded() -> dict[str, Any]:
        return {"name": current_claims().name}

    return app, auth


def flask_client(world: World, **options: Any) -> FlaskClient:
    app, _ = flask_app(world, **options)
    app.config["TESTING"] = True
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT
    return client


def test_flask_required_gives_claims(world: World) -> None:
    client = flask_client(world)
    assert client.get("/me", headers=bearer(world.user, "bearer")).json["name"] == "alice"  # type: ignore[index]
    assert client.get("/admin", headers=bearer(world.admin)).json == {"admin": "root"}
    assert client.get("/reseller", headers=bearer(world.reseller)).json == {"reseller": "reseller_name"}
    assert client.get("/health").json == {"status": "ok"}


def test_flask_requirements_answer_403(world: World) -> None:
    client = flask_client(world)
    for path, token in [("/admin", world.user), ("/admin", world.reseller), ("/reseller", world.user)]:
        r = client.get(path, headers=bearer(token))
        assert_rejected(r.status_code, r.headers, r.json, "not_permitted", 403)
    r = client.get("/forbidden", headers=bearer(world.user))
    assert_rejected(r.status_code, r.headers, r.json, "not_permitted", 403)
    assert r.json["message"] == "not your account"  # type: ignore[index]


@pytest.mark.parametrize(
    ("token", "code"),
    [("expired", "token_expired"), ("revoked", "token_revoked"), ("restricted", "ip_not_allowed"),
     ("garbled", "malformed_token")],
)
def test_flask_rejections(world: World, token: str, code: str) -> None:
    client = flask_client(world)
    for path in ("/me", "/admin", "/reseller"):
        r = client.get(path, headers=bearer(getattr(world, token)))
        assert_rejected(r.status_code, r.headers, r.json, code)


def test_flask_missing_garbled_spoofed_and_proxied(world: World) -> None:
    client = flask_client(world, trusted_proxies=TRUSTED)
    r = client.get("/me")
    assert_missing(r.status_code, r.headers, r.json)
    for header in GARBLED_HEADERS:
        r = client.get("/me", headers={"Authorization": header})
        assert_rejected(r.status_code, r.headers, r.json, "malformed_token")
    for header in NOT_BEARER_HEADERS:
        r = client.get("/me", headers={"Authorization": header})
        assert_missing(r.status_code, r.headers, r.json)
    r = client.get("/me", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED})
    assert_rejected(r.status_code, r.headers, r.json, "ip_not_allowed")
    r = client.get("/me", headers={**bearer(world.restricted), "X-Forwarded-For": SPOOFED},
                   environ_base={"REMOTE_ADDR": PROXY})
    assert r.status_code == 200 and r.json["name"] == "bob"  # type: ignore[index]


def test_flask_claims_do_not_outlive_their_request_in_a_shared_app_context(world: World) -> None:
    # A pushed application context (a test fixture, a job runner) serves several requests
    # with one flask.g: the second caller must not be served as the first.
    app, _ = flask_app(world)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT
    with app.app_context():
        assert client.get("/me", headers=bearer(world.user)).json["name"] == "alice"  # type: ignore[index]
        r = client.get("/me")
        assert_missing(r.status_code, r.headers, r.json)
        r = client.get("/me", headers=bearer(world.garbled))
        assert_rejected(r.status_code, r.headers, r.json, "malformed_token")
        app.config["PROPAGATE_EXCEPTIONS"] = True
        with pytest.raises(RuntimeError, match="not guarded"):
            client.get("/unguarded")


def test_flask_current_claims_outside_a_guarded_view_raises(world: World) -> None:
    app, _ = flask_app(world)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="not guarded"):
        app.test_client().get("/unguarded", headers=bearer(world.user))


def test_flask_protect_all_guards_every_view_but_the_excluded(world: World) -> None:
    client = flask_client(world, protect_all=True, exclude=["/health"])
    assert client.get("/health").json == {"status": "ok"}
    assert client.get("/unguarded", headers=bearer(world.user)).json == {"name": "alice"}
    r = client.get("/unguarded")
    assert_missing(r.status_code, r.headers, r.json)
    r = client.get("/unguarded", headers=bearer(world.revoked))
    assert_rejected(r.status_code, r.headers, r.json, "token_revoked")


def test_flask_init_app_for_application_factories(world: World) -> None:
    auth = BearerAuthExtension(verifier=world.verifier)
    app = Flask(__name__)
    auth.init_app(app)
    assert app.extensions["auth_core"] is auth

    @app.get("/me")
    @auth.required
    def me() -> dict[str, Any]:
        return {"id": current_claims().id}

    client = app.test_client()
    assert client.get("/me", headers=bearer(world.user)).json == {"id": 7}


def test_flask_two_extensions_do_not_share_verdicts(world: World) -> None:
    app = Flask(__name__)
    lax = BearerAuthExtension(app, auth_core.Verifier(world.ring))  # no revocation
    strict = BearerAuthExtension(verifier=world.verifier)

    @app.get("/me")
    @lax.required
    @strict.required
    def me() -> dict[str, Any]:
        return {"name": current_claims().name}

    client = app.test_client()
    assert client.get("/me", headers=bearer(world.user)).json == {"name": "alice"}
    r = client.get("/me", headers=bearer(world.revoked))
    assert_rejected(r.status_code, r.headers, r.json, "token_revoked")


def test_flask_app_with_the_wsgi_middleware(world: World) -> None:
    app = Flask(__name__)

    @app.get("/me")
    def me() -> dict[str, Any]:
        from flask import request

        claims = request.environ["auth_core.claims"]
        return {"name": claims.name}

    app.wsgi_app = BearerAuthMiddleware(app.wsgi_app, world.verifier)  # type: ignore[method-assign]
    client = app.test_client()
    assert client.get("/me", headers=bearer(world.user)).json == {"name": "alice"}
    r = client.get("/me", headers=bearer(world.expired))
    assert_rejected(r.status_code, r.headers, r.json, "token_expired")
