"""``server_proxy_headers``: what the skins do with a peer the server may have rewritten from
forwarding headers, through raw ASGI scopes and WSGI environs (the real servers:
test_integrations_servers.py)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from auth_core import Issuer, KeyRing, ServerError, Verifier
from auth_core.asgi import authenticate_scope
from auth_core.bearer import BearerAuth
from auth_core.wsgi import BearerAuthMiddleware

RING = KeyRing.single("k1", b"integration tests secret, 32+ b.")
VERIFIER = Verifier(RING)
LIMITED = Issuer(RING).mint_user(7, "limited", allowed_ips=["10.1.2.3"]).token


def scope(client: str, *headers: tuple[bytes, bytes], token: str = LIMITED) -> dict[str, Any]:
    return {"type": "http", "client": (client, 5000), "headers": [(b"authorization", f"Bearer {token}".encode()), *headers]}


@pytest.mark.parametrize(
    "header",
    [(b"x-forwarded-for", b"10.1.2.3"), (b"x-forwarded-for", b"192.0.2.1, 10.1.2.3:8080"),
     (b"forwarded", b'for="10.1.2.3:4711"'), (b"x-real-ip", b"10.1.2.3"), (b"x-forwarded-for", b"::ffff:10.1.2.3")],
)
def test_a_peer_named_in_its_forwarding_headers_is_refused(header: tuple[bytes, bytes], caplog: Any) -> None:
    with caplog.at_level(logging.ERROR, logger="auth_core"), pytest.raises(ServerError):
        authenticate_scope(BearerAuth(VERIFIER), scope("10.1.2.3", header))
    assert "--no-proxy-headers" in caplog.text and "'10.1.2.3'" in caplog.text


def test_a_request_without_a_token_is_answered_as_such_first() -> None:
    s = scope("10.1.2.3", (b"x-forwarded-for", b"10.1.2.3"))
    s["headers"] = s["headers"][1:]
    with pytest.raises(Exception) as err:
        authenticate_scope(BearerAuth(VERIFIER), s)
    assert getattr(err.value, "code", None) == "missing_token"


def test_a_peer_not_named_in_its_headers_is_decided_as_usual() -> None:
    auth = BearerAuth(VERIFIER)
    assert authenticate_scope(auth, scope("10.1.2.3")).name == "limited"
    assert authenticate_scope(auth, scope("10.1.2.3", (b"x-forwarded-for", b"10.1.2.30"))).name == "limited"


def test_off_and_trust_are_explicit_choices(caplog: Any) -> None:
    forged = scope("10.1.2.3", (b"x-forwarded-for", b"10.1.2.3"))
    assert authenticate_scope(BearerAuth(VERIFIER, server_proxy_headers="off"), forged).name == "limited"
    with caplog.at_level(logging.WARNING, logger="auth_core"):
        trusting = BearerAuth(VERIFIER, server_proxy_headers="trust")
    assert "server_proxy_headers='trust'" in caplog.text
    assert trusting.server_proxy_headers == "trust"
    assert authenticate_scope(trusting, forged).name == "limited"


def test_trust_excludes_trusted_proxies_and_values_are_checked() -> None:
    with pytest.raises(ValueError, match="one of them"):
        BearerAuth(VERIFIER, trusted_proxies=["10.0.0.0/8"], server_proxy_headers="trust")
    with pytest.raises(ValueError):
        BearerAuth(VERIFIER, server_proxy_headers="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        BearerAuthMiddleware(lambda e, s: [], auth=BearerAuth(VERIFIER), server_proxy_headers="off")


def _ok(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("content-type", "text/plain")])
    return [b"ok"]


@pytest.mark.parametrize("mode", ["refuse", "off"])
def test_proxy_fix_rewrite_is_refused_unless_trusted(mode: str) -> None:
    app = ProxyFix(BearerAuthMiddleware(_ok, VERIFIER, server_proxy_headers=mode), x_for=1)  # type: ignore[arg-type]
    r = Client(app).get("/", headers={"Authorization": f"Bearer {LIMITED}", "X-Forwarded-For": "10.1.2.3"},
                        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 500 and r.json == {"error": "server_error", "message": r.json["message"]}
    trusting = ProxyFix(BearerAuthMiddleware(_ok, VERIFIER, server_proxy_headers="trust"), x_for=1)
    r = Client(trusting).get("/", headers={"Authorization": f"Bearer {LIMITED}", "X-Forwarded-For": "10.1.2.3"},
                             environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 200
