"""The FastAPI and Flask examples run as users start them (``python examples/<app>.py``) on
127.0.0.1 and a free port, and do what their docs say, driven over loopback with httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from integrations_support import assert_missing, assert_rejected

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["fastapi_app.py", "flask_app.py"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), AUTHCTL_SECRET="example test secret, 32 bytes ok!")
    env.pop("TRUSTED_PROXIES", None)
    log = (tmp_path / "server.log").open("w+")
    proc = subprocess.Popen([sys.executable, str(EXAMPLES / request.param)], env=env, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"{request.param} exited early"
            try:
                httpx.get(url + "/me", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{request.param} did not start"
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        sys.stdout.write(log.read())
        log.close()


def test_example_login_protected_routes_and_logout(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        r = client.post("/session.json", json={"login": "alice", "password": "wrong"})
        assert_rejected(r.status_code, r.headers, r.json(), "invalid_credentials")
        r = client.post("/session.json", json={"login": "alice", "password": "wonderland"})
        assert r.status_code == 200 and r.json()["user"] == {"id": 123, "blocked": False}
        alice = r.json()["token"]
        root = client.post("/session.json", json={"login": "root", "password": "toor"}).json()["token"]

        r = client.get("/me", headers={"Authorization": f"bearer {alice}"})
        assert r.json() == {"type": "user", "id": 123, "name": "alice"}
        assert client.get("/admin", headers={"Authorization": f"Bearer {root}"}).json() == {"admin": "root"}
        r = client.get("/admin", headers={"Authorization": f"Bearer {alice}"})
        assert_rejected(r.status_code, r.headers, r.json(), "not_permitted", 403)

        r = client.get("/me")
        assert_missing(r.status_code, r.headers, r.json())
        r = client.get("/me", headers={"Authorization": f"Token {alice}"})
        assert_missing(r.status_code, r.headers, r.json())
        r = client.get("/me", headers={"Authorization": f"Bearer  {alice}"})
        assert_rejected(r.status_code, r.headers, r.json(), "malformed_token")

        assert client.delete("/session.json", headers={"Authorization": f"Bearer {alice}"}).json() == {
            "status": "logged out"}
        r = client.get("/me", headers={"Authorization": f"Bearer {alice}"})
        assert_rejected(r.status_code, r.headers, r.json(), "token_revoked")
        assert client.get("/me", headers={"Authorization": f"Bearer {root}"}).status_code == 200


@pytest.mark.parametrize("example", ["fastapi_app.py", "flask_app.py", "flask_like.py"])
def test_examples_without_authctl_secret_stop_and_say_so(example: str, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("AUTHCTL_SECRET", None)
    proc = subprocess.run([sys.executable, str(EXAMPLES / example)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "set AUTHCTL_SECRET" in proc.stderr
