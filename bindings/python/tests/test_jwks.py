"""auth_core.JwksClient against a local HTTPS server (tests/jwks/server.py with the
certificates of tests/tls/make-certs.sh): first fetch, rotation with the cooldown, a failed
refresh that keeps the keys, slow, broken, huge and malformed answers, http://, threads."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import auth_core
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests" / "jwks"))
import server as jwks_server  # noqa: E402


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("certs")
    subprocess.run(["bash", str(REPO_ROOT / "tests" / "tls" / "make-certs.sh"), str(d)], check=True)
    return d


class Endpoint:
    def __init__(self, www: Path, port: int, scheme: str) -> None:
        self.www, self.base = www, f"{scheme}://127.0.0.1:{port}"
        self.url = self.base + "/jwks.json"

    def serve(self, jwks: str) -> None:
        (self.www / "jwks.json").write_text(jwks)

    @property
    def requests(self) -> int:
        count = self.www / "count"
        return int(count.read_text()) if count.exists() else 0


@pytest.fixture
def endpoint(certs: Path, tmp_path: Path) -> Iterator[Endpoint]:
    srv = jwks_server.start(tmp_path, str(certs / "server.pem"), str(certs / "server.key"))
    yield Endpoint(tmp_path, srv.server_address[1], "https")
    srv.shutdown()


def signer(kid: str, alg: str) -> tuple[auth_core.Issuer, str]:
    ring = auth_core.KeyRing()
    ring.add_pem(kid, auth_core.generate_private_key_pem(alg))
    return auth_core.Issuer(ring), ring.to_jwks()


def token(issuer: auth_core.Issuer) -> str:
    return issuer.mint_user(7, "alice").token


def client(endpoint: Endpoint, certs: Path, path: str = "/jwks.json", **kw: Any) -> auth_core.JwksClient:
    return auth_core.JwksClient(endpoint.base + path, ca_file=certs / "ca.pem", **kw)


def test_first_fetch_rotation_and_cooldown(endpoint: Endpoint, certs: Path) -> None:
    a, jwks_a = signer("ed-1", "EdDSA")
    b, jwks_b = signer("ec-1", "ES256")
    endpoint.serve(jwks_a)
    c = client(endpoint, certs, cooldown_seconds=0.3)
    assert endpoint.requests == 0 and c.status["attempts"] == 0 and c.last_error is None
    assert c.verify(token(a)).name == "alice"
    c.verify(token(a))
    assert endpoint.requests == 1
    assert c.ring.kids() == ["ed-1"] and c.url == endpoint.url

    endpoint.serve(jwks_b)
    with pytest.raises(auth_core.UnknownKey):
        c.verify(token(b))  # within the cooldown: not fetched
    assert endpoint.requests == 1
    time.sleep(0.35)
    v = c.verifier(leeway=5)
    assert v.verify(token(b)).id == 7 and v.leeway == 5
    assert endpoint.requests == 2
    with pytest.raises(auth_core.UnknownKey):
        v.verify(token(a))
    # verify_many goes through the client too.
    results = v.verify_many([token(b), token(a)])
    assert results[0].name == "alice" and isinstance(results[1], auth_core.UnknownKey)
    st = c.status
    assert (st["keys"], st["attempts"], st["failures"], st["last_error"]) == (1, 2, 0, None)
    assert st["fresh_for"] > 250 and st["last_success"] > 1_700_000_000


def test_a_failed_refresh_keeps_the_keys(endpoint: Endpoint, certs: Path) -> None:
    a, jwks_a = signer("a", "EdDSA")
    endpoint.serve(jwks_a)
    c = client(endpoint, certs)
    c.refresh()
    endpoint.serve('{"keys": []}')
    with pytest.raises(auth_core.JwksUnavailable, match="holds no key") as e:
        c.refresh()
    assert e.value.http_status == 503 and e.value.number == 34
    assert isinstance(c.last_error, auth_core.JwksUnavailable)
    assert c.last_error.message == e.value.message
    assert c.verify(token(a)).id == 7
    assert c.status["failures"] == 1


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/500", "HTTP 500"),
        ("/redirect", "redirect"),
        ("/huge", "larger than 262144 bytes"),
        ("/malformed", "not strict JSON"),
    ],
)
def test_broken_endpoints_fail_closed(endpoint: Endpoint, certs: Path, path: str, says: str) -> None:
    a, _ = signer("a", "EdDSA")
    c = client(endpoint, certs, path)
    with pytest.raises(auth_core.JwksUnavailable, match=says):
        c.verify(token(a))
    assert c.status["keys"] == 0 and c.status["attempts"] == 1
    assert isinstance(c.last_error, auth_core.JwksUnavailable)
    # Within the cooldown the failing endpoint is not asked again; still closed.
    with pytest.raises(auth_core.JwksUnavailable):
        c.verify(token(a))
    assert c.status["attempts"] == 1


def test_slow_endpoint_hits_the_timeout(endpoint: Endpoint, certs: Path) -> None:
    c = client(endpoint, certs, "/slow", timeout=0.3, deadline=2)
    t = time.monotonic()
    with pytest.raises(auth_core.JwksUnavailable, match="timed out"):
        c.refresh()
    assert time.monotonic() - t < 2.5


def test_the_certificate_is_checked(endpoint: Endpoint, certs: Path) -> None:
    _, jwks = signer("a", "EdDSA")
    endpoint.serve(jwks)
    with pytest.raises(auth_core.JwksUnavailable):
        auth_core.JwksClient(endpoint.url, ca_file=certs / "other-ca.pem").refresh()
    with pytest.raises(auth_core.JwksUnavailable):
        auth_core.JwksClient(endpoint.url).refresh()  # the public roots
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.JwksClient(endpoint.url, ca_file=certs / "missing.pem")
    assert endpoint.requests == 0


def test_http_needs_allow_http(tmp_path: Path) -> None:
    _, jwks = signer("a", "ES256")
    srv = jwks_server.start(tmp_path, None, None)
    try:
        plain = Endpoint(tmp_path, srv.server_address[1], "http")
        plain.serve(jwks)
        with pytest.raises(auth_core.InvalidRequest, match="https://"):
            auth_core.JwksClient(plain.url)
        c = auth_core.JwksClient(plain.url, allow_http=True)
        c.refresh()
        assert c.ring.kids() == ["a"]
    finally:
        srv.shutdown()


def test_bad_arguments() -> None:
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.JwksClient("ftp://example.com/jwks")
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.JwksClient("https://example.com/jwks", max_bytes=10**9)
    with pytest.raises(ValueError):
        auth_core.JwksClient("https://example.com/jwks", timeout=-1)
    with pytest.raises(TypeError):
        auth_core.JwksClient("https://example.com/jwks", cooldown_seconds=True)
    assert "example.com" in repr(auth_core.JwksClient("https://example.com/jwks"))


def test_many_threads_one_fetch(endpoint: Endpoint, certs: Path) -> None:
    a, jwks = signer("a", "EdDSA")
    endpoint.serve(jwks)
    c = client(endpoint, certs, cooldown_seconds=0)
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            c.verify(token(a))
        except BaseException as e:  # noqa: BLE001 (collected for the assertion)
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and endpoint.requests == 1
