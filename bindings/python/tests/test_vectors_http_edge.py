"""The shared HTTP edge vectors (tests/vectors/http_edge.json) through every Python skin: the
native Authenticator and Answer, the ASGI middleware (raw ASGI calls), the WSGI middleware
(a raw environ), Flask (its test client) and FastAPI (its test client). Each request must get
the case's status, error code and ``WWW-Authenticate`` challenge — the answer the Rust and C
skins give it.

Header strings of the file are bytes, one per character (Latin-1), with ``{name}`` replaced
by ``tokens[name]``. A ``null`` peer is a connection without an IP address: an ASGI scope
without ``client`` or with a name that is not an address, no ``REMOTE_ADDR`` in WSGI, a
socket path as Flask's ``REMOTE_ADDR``.

WSGI has one ``environ`` entry per header: servers (werkzeug, gunicorn, wsgiref) join
repeated lines with a comma, and so do the WSGI cases here. Every case still expresses
itself — the two-line ``Authorization`` case arrives as one value with a comma, which the
bearer grammar refuses the same way (``malformed_token``) — so no case is skipped.
"""

# No `from __future__ import annotations`: FastAPI must see the route's real annotations.

import asyncio
import json
import warnings
from dataclasses import dataclass
from typing import Annotated, Any, Optional

import pytest
from conftest import b64url_decode, load_vectors
from fastapi import Depends, FastAPI
from flask import Flask

with warnings.catch_warnings():  # recent Starlette prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import auth_core
from auth_core import Answer, Authenticator, KeyRing, MemoryRevocationStore, Verifier
from auth_core.asgi import BearerAuthMiddleware as AsgiMiddleware
from auth_core.asgi import Receive, Scope, Send
from auth_core.bearer import BearerAuth, Claims
from auth_core.fastapi import BearerToken, install_error_handler
from auth_core.flask import BearerAuthExtension
from auth_core.wsgi import BearerAuthMiddleware as WsgiMiddleware

VECTORS = load_vectors("http_edge.json")


def _verifier() -> Verifier:
    key = VECTORS["key"]
    ring = KeyRing.single(key["kid"], b64url_decode(key["secret"]), key["alg"])
    store = MemoryRevocationStore()
    for jti in VECTORS["revoked_jtis"]:
        store.revoke(jti)
    return Verifier(ring, revocation=store)


VERIFIER = _verifier()


def _lines(texts: list[str]) -> list[bytes]:
    out = []
    for text in texts:
        for name, token in VECTORS["tokens"].items():
            text = text.replace("{" + name + "}", token)
        out.append(text.encode("latin-1"))
    return out


@dataclass
class Case:
    name: str
    authorization: list[bytes]
    peer: Optional[str]
    forwarded_for: list[bytes]
    trusted_proxies: list[str]
    trust_unix_peers: bool
    expect: dict[str, Any]

    def auth(self) -> BearerAuth:
        return BearerAuth(VERIFIER, trusted_proxies=self.trusted_proxies, trust_unix_peers=self.trust_unix_peers)


CASES = [
    Case(c["name"], _lines(c["authorization"]), c["peer"], _lines(c["forwarded_for"]), c["trusted_proxies"],
         c["trust_unix_peers"], c["expect"])
    for c in VECTORS["cases"]
]


def _str(line: bytes) -> str:
    return line.decode("latin-1")


@dataclass
class Verdict:
    status: int
    code: Optional[str]
    challenge: Optional[str]


def _verdict(status: int, headers: Any, body: bytes) -> Verdict:
    challenge = headers.get("www-authenticate")
    if status == 200:
        return Verdict(status, None, challenge)
    assert headers.get("cache-control") == "no-store"
    return Verdict(status, json.loads(body)["error"], challenge)


def _check(case: Case, got: Verdict) -> None:
    e = case.expect
    assert (got.status, got.code, got.challenge) == (e["status"], e["code"], e["challenge"]), case.name


def test_every_case_is_here() -> None:
    assert len(CASES) == len(VECTORS["cases"]) >= 40


# --- the native Authenticator and Answer -------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_native(case: Case) -> None:
    auth = Authenticator(VERIFIER, trusted_proxies=case.trusted_proxies, trust_unix_peers=case.trust_unix_peers)
    # bytes, and the same lines as the str a framework decodes them to: one verdict.
    for authorization, forwarded in [(case.authorization, case.forwarded_for),
                                     ([_str(x) for x in case.authorization], [_str(x) for x in case.forwarded_for])]:
        try:
            found = auth.authenticate_request(authorization, case.peer, forwarded)
        except auth_core.AuthError as err:
            answer = Answer.refusal(err, "plain")
            _check(case, _verdict(answer.status, dict(answer.headers), answer.body))
            assert Answer.refusal(err, "auth_request").status == case.expect["auth_request_status"]
        else:
            _check(case, Verdict(200, None, None))
            assert found.client_ip == case.expect["client_ip"]
            assert found.claims == auth.authenticate(authorization, case.peer, forwarded)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_native_optional(case: Case) -> None:
    # Optional authentication: only a request without bearer credentials is anonymous.
    auth = case.auth()
    e = VECTORS["cases"][CASES.index(case)]["optional_expect"]
    try:
        claims = auth.authenticate_optional(case.authorization, case.peer, case.forwarded_for)
    except auth_core.AuthError as err:
        answer = Answer.refusal(err, "plain")
        got = _verdict(answer.status, dict(answer.headers), answer.body)
        assert (got.status, got.code, got.challenge) == (e["status"], e["code"], e["challenge"]), case.name
    else:
        assert e["status"] == 200 and (claims is None) == e["anonymous"], case.name


# --- ASGI, raw calls ---------------------------------------------------------------------


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["auth"] is not None
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_asgi(case: Case) -> None:
    app = AsgiMiddleware(_ok, auth=case.auth())
    headers = [(b"host", b"test")]
    headers += [(b"authorization", line) for line in case.authorization]
    headers += [(b"x-forwarded-for", line) for line in case.forwarded_for]
    scope: Scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                    "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"", "headers": headers,
                    "client": (case.peer, 50000) if case.peer is not None else None, "server": ("test", 80)}
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body = sent
    response_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    _check(case, _verdict(start["status"], response_headers, body["body"]))


# --- WSGI, a raw environ -----------------------------------------------------------------


def _wsgi_ok(environ: Any, start_response: Any) -> Any:
    assert environ["auth_core.claims"] is not None
    start_response("200 OK", [])
    return [b""]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_wsgi(case: Case) -> None:
    app = WsgiMiddleware(_wsgi_ok, auth=case.auth())
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "test", "SERVER_PORT": "80"}
    if case.peer is not None:
        environ["REMOTE_ADDR"] = case.peer
    # Repeated lines as a WSGI server passes them: one value, joined with commas.
    if case.authorization:
        environ["HTTP_AUTHORIZATION"] = ", ".join(_str(x) for x in case.authorization)
    if case.forwarded_for:
        environ["HTTP_X_FORWARDED_FOR"] = ", ".join(_str(x) for x in case.forwarded_for)
    answered: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered.append((int(status.split()[0]), dict(headers)))

    body = b"".join(app(environ, start_response))
    status, headers = answered[0]
    _check(case, _verdict(status, headers, body))


# --- Flask, its test client --------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_flask(case: Case) -> None:
    app = Flask(__name__)
    auth = BearerAuthExtension(app, auth=case.auth())

    @app.get("/")
    @auth.required
    def index() -> str:
        return ""

    headers = [("Authorization", _str(x)) for x in case.authorization]
    headers += [("X-Forwarded-For", _str(x)) for x in case.forwarded_for]
    peer = case.peer if case.peer is not None else "/run/app.sock"
    r = app.test_client().get("/", headers=headers, environ_base={"REMOTE_ADDR": peer})
    _check(case, _verdict(r.status_code, r.headers, r.get_data()))


# --- FastAPI, its test client ------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fastapi(case: Case) -> None:
    app = FastAPI()
    install_error_handler(app)
    bearer = BearerToken(auth=case.auth())

    @app.get("/")
    def index(claims: Annotated[Claims, Depends(bearer)]) -> dict[str, str]:
        return {}

    headers = [(b"authorization", x) for x in case.authorization]
    headers += [(b"x-forwarded-for", x) for x in case.forwarded_for]
    client = TestClient(app, client=(case.peer if case.peer is not None else "testclient", 50000))
    r = client.get("/", headers=headers)
    _check(case, _verdict(r.status_code, r.headers, r.content))
