"""Servers that rewrite the peer themselves, run for real: the README's FastAPI app under
``uvicorn app:app`` (default options: ``--proxy-headers``, believed from loopback) and the
README's Flask app under gunicorn, with and without werkzeug's ``ProxyFix`` and gunicorn's
PROXY protocol. A caller on 127.0.0.1 forges ``X-Forwarded-For`` for a token limited to
10.1.2.3: no server's own rewriting may decide the address silently (docs/http.md §2).

Each server is a child process on 127.0.0.1 and a free port, started as users start it
(``python -m uvicorn`` / ``python -m gunicorn``), stopped at the end of its test also on
failure."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import httpx
import pytest
from integrations_support import assert_rejected

from auth_core import Issuer, KeyRing, ScopeVocabulary

README = Path(__file__).resolve().parent.parent / "README.md"
# The README's ring: its apps and these tokens share the key.
RING = KeyRing.single("2026-11", b"a secret of at least 32 bytes...")
LIMITED = Issuer(RING).mint_user(7, "limited", allowed_ips=["10.1.2.3"]).token
OPEN = Issuer(RING).mint_user(8, "open").token
FORGED = {"Authorization": f"Bearer {LIMITED}", "X-Forwarded-For": "10.1.2.3"}
# A token scoped to `sms` (which includes `sms:send` in the README's scopes examples).
SMS = Issuer(RING, vocabulary=ScopeVocabulary({"sms": {}})).mint_user(7, "alice", scopes=["sms"]).token


def readme_block(marker: str) -> str:
    """The README's python block that contains ``marker``."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if marker in b]
    return block


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server child process: its base URL and what it logged."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def get(self, path: str, headers: dict[str, str]) -> httpx.Response:
        return httpx.get(self.url + path, headers=headers, timeout=10)

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


Start = Callable[..., Server]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """``start(app_source, *server_args, server="uvicorn")``: the app written to
    ``tmp_path/app.py`` and served as ``<server> app:app <args>`` on a free port."""
    procs: list[subprocess.Popen[bytes]] = []

    def run(source: str, *args: str, server: str = "uvicorn") -> Server:
        (tmp_path / "app.py").write_text(source, encoding="utf-8")
        port = _free_port()
        bind = ["--host", "127.0.0.1", "--port", str(port)] if server == "uvicorn" else ["-b", f"127.0.0.1:{port}"]
        log = tmp_path / f"{server}-{len(procs)}.log"
        env = {k: v for k, v in os.environ.items() if k not in ("FORWARDED_ALLOW_IPS", "GUNICORN_CMD_ARGS")}
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", server, "app:app", *bind, *args], cwd=tmp_path, env=env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"{server} stopped during start-up:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"{server} did not start:\n{log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        return Server(f"http://127.0.0.1:{port}", log)

    try:
        yield run
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)


def assert_refused_as_server_error(r: httpx.Response, server: Server) -> None:
    assert r.status_code == 500, (r.status_code, r.text)
    assert r.json() == {"error": "server_error", "message": r.json()["message"]}
    assert "10.1.2.3" not in r.text  # the cause is in the log, not in the answer
    assert "server_proxy_headers='trust'" in server.logged() and "--no-proxy-headers" in server.logged()


# --- ASGI: uvicorn ---------------------------------------------------------------------------

FASTAPI_APP = readme_block("from auth_core.fastapi import BearerToken")
TRUSTING_FASTAPI_APP = FASTAPI_APP.replace(
    'trusted_proxies=["10.0.0.0/8"])', 'server_proxy_headers="trust")'
)


def test_readme_names_the_safe_uvicorn_command() -> None:
    assert any("uvicorn app:app --no-proxy-headers" in c for c in readme_commands())
    assert 'trusted_proxies=["10.0.0.0/8"])' in FASTAPI_APP and TRUSTING_FASTAPI_APP != FASTAPI_APP


def test_plain_uvicorn_does_not_let_a_forged_forwarded_for_pass(start: Start) -> None:
    server = start(FASTAPI_APP)  # `uvicorn app:app`: proxy headers believed from loopback
    r = server.get("/me", FORGED)
    assert r.status_code != 200
    assert_refused_as_server_error(r, server)
    # Requests the server did not rewrite are decided as usual.
    r = server.get("/me", {"Authorization": f"Bearer {LIMITED}"})
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    assert server.get("/me", {"Authorization": f"Bearer {OPEN}"}).json() == {"id": 8, "name": "open"}


def test_uvicorn_without_proxy_headers_decides_by_the_peer(start: Start) -> None:
    server = start(FASTAPI_APP, "--no-proxy-headers")  # the README's command
    r = server.get("/me", FORGED)
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    r = server.get("/me", {"Authorization": f"Bearer {OPEN}", "X-Forwarded-For": "10.1.2.3"})
    assert r.status_code == 200 and r.json() == {"id": 8, "name": "open"}
    assert "server_error" not in server.logged()


def test_uvicorn_proxy_headers_decide_when_trusted_and_it_is_said(start: Start) -> None:
    # Loopback plays the reverse proxy; the operator made uvicorn's rule the proxy rule.
    server = start(TRUSTING_FASTAPI_APP, "--forwarded-allow-ips", "127.0.0.1")
    r = server.get("/me", FORGED)
    assert r.status_code == 200 and r.json() == {"id": 7, "name": "limited"}
    r = server.get("/me", {"Authorization": f"Bearer {LIMITED}"})  # no header: the peer, 127.0.0.1
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    assert "server_proxy_headers='trust'" in server.logged()
    assert "does not read X-Forwarded-For itself" in server.logged()


# --- WSGI: gunicorn, werkzeug's ProxyFix, the PROXY protocol ---------------------------------

FLASK_APP = readme_block("from auth_core.flask import BearerAuthExtension")
PROXY_FIX = "\nfrom werkzeug.middleware.proxy_fix import ProxyFix\napp.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)\n"
TRUSTING_FLASK_APP = FLASK_APP.replace("BearerAuthExtension(app, Verifier(ring))",
                                       'BearerAuthExtension(app, Verifier(ring), server_proxy_headers="trust")')


def test_readme_names_the_gunicorn_command() -> None:
    assert any("gunicorn app:app" in c for c in readme_commands())
    assert TRUSTING_FLASK_APP != FLASK_APP


def test_plain_gunicorn_passes_the_peer(start: Start) -> None:
    server = start(FLASK_APP, server="gunicorn")  # gunicorn never takes REMOTE_ADDR from a header
    r = server.get("/me", FORGED)
    assert_rejected(r.status_code, r.headers, r.json(), "ip_not_allowed")
    assert server.get("/me", {"Authorization": f"Bearer {OPEN}"}).json() == {"name": "open"}


def test_proxy_fix_under_gunicorn_does_not_decide_silently(start: Start) -> None:
    server = start(FLASK_APP + PROXY_FIX, server="gunicorn")
    r = server.get("/me", FORGED)
    assert_refused_as_server_error(r, server)
    assert "werkzeug's ProxyFix" in server.logged()
    assert server.get("/me", {"Authorization": f"Bearer {OPEN}"}).json() == {"name": "open"}


def test_proxy_fix_decides_when_trusted_and_it_is_said(start: Start) -> None:
    server = start(TRUSTING_FLASK_APP + PROXY_FIX, server="gunicorn")
    assert server.get("/me", FORGED).json() == {"name": "limited"}
    assert "server_proxy_headers='trust'" in server.logged()


def _through_proxy_protocol(server: Server, source: str) -> tuple[int, str]:
    """A request whose PROXY protocol v1 line claims ``source`` as the client."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"PROXY TCP4 {source} 127.0.0.1 40000 {port}\r\n".encode()
                  + f"GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {LIMITED}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.decode("latin-1").partition("\r\n\r\n")
    return int(head.split()[1]), body


def test_gunicorn_proxy_protocol_does_not_decide_silently(start: Start) -> None:
    server = start(FLASK_APP, "--proxy-protocol", "v1", server="gunicorn")
    status, body = _through_proxy_protocol(server, "10.1.2.3")
    assert status == 500 and '"server_error"' in body
    assert "PROXY protocol" in server.logged()
    trusting = start(TRUSTING_FLASK_APP, "--proxy-protocol", "v1", server="gunicorn")
    assert _through_proxy_protocol(trusting, "10.1.2.3")[0] == 200


# --- scopes: the README's examples as served ----------------------------------------------------

SCOPED_FASTAPI_APP = readme_block('Security(bearer, scopes=["sms:send"])')
SCOPED_FLASK_APP = readme_block('@auth.required(scopes=["sms:send"])')


def assert_short_of_account(r: httpx.Response) -> None:
    assert r.status_code == 403, (r.status_code, r.text)
    assert r.json() == {"error": "insufficient_scope", "message": r.json()["message"]}
    assert r.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="account"'
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("source", "server", "args"), [
    (SCOPED_FASTAPI_APP, "uvicorn", ("--no-proxy-headers",)),
    (SCOPED_FLASK_APP, "gunicorn", ()),
], ids=["fastapi-uvicorn", "flask-gunicorn"])
def test_scoped_routes_as_served(start: Start, source: str, server: str, args: tuple[str, ...]) -> None:
    served = start(source, *args, server=server)
    sent = httpx.post(served.url + "/sms", headers={"Authorization": f"Bearer {SMS}"}, timeout=10)
    assert sent.status_code == 200 and sent.json() == {"sent_by": "alice"}
    assert_short_of_account(served.get("/account", {"Authorization": f"Bearer {SMS}"}))
    assert served.get("/account", {"Authorization": f"Bearer {OPEN}"}).json() == {"id": 8}  # unscoped
    r = served.get("/account", {})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
