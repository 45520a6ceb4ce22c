"""Fleet-wide revocation through a real Redis (scripts/test-redis.sh starts it and sets
AUTH_REDIS_URL, AUTH_REDIS_PORT and AUTH_REDIS_PID): several processes, faults."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

import auth_core

CHILD = str(Path(__file__).with_name("fleet_child.py"))
SECRET = b"a secret of at least 32 bytes, for the fleet tests"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run scripts/test-redis.sh, which starts redis-server")
    return value


@pytest.fixture
def url() -> str:
    return env("AUTH_REDIS_URL")


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}:"


def issuer() -> auth_core.Issuer:
    return auth_core.Issuer(auth_core.KeyRing.single("k", SECRET))


def child(*args: str, stdin: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, CHILD, *args],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        text=True,
    )


def line(p: subprocess.Popen[str]) -> str:
    assert p.stdout is not None
    out = p.stdout.readline().strip()
    assert out, f"child exited with {p.wait()}"
    return out


def ask(p: subprocess.Popen[str], cmd: str) -> str:
    assert p.stdin is not None
    p.stdin.write(cmd + "\n")
    p.stdin.flush()
    return line(p)


def test_a_revocation_in_one_process_is_rejected_by_another_within_100ms(url: str, prefix: str) -> None:
    minted = issuer().mint_user(7, "u", ttl=3600)
    b = child("wait-revoked", url, prefix, minted.token)
    try:
        assert line(b) == "ready"
        a = child("revoke", url, prefix, minted.token_id, str(minted.expires_at))
        a_before, a_after = map(float, line(a).split())
        assert a.wait(10) == 0
        verdict, at = line(b).split()
        assert verdict == "token_revoked"
        latency = float(at) - a_before
        print(f"propagation (write start to rejection in another process): {latency * 1000:.1f} ms")
        assert latency < 0.1, f"{latency * 1000:.1f} ms"
    finally:
        b.kill()
        b.wait()
    # A process started afterwards catches up and rejects it too.
    c = child("check", url, prefix, minted.token)
    assert line(c) == "token_revoked"
    assert c.wait(10) == 0


def test_a_c_process_rejects_a_python_revocation_within_100ms(url: str, prefix: str) -> None:
    minted = issuer().mint_user(8, "c", ttl=3600)
    b = subprocess.Popen(
        [env("AUTH_REDIS_C_BIN"), "wait-revoked", url, prefix, minted.token],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert line(b) == "ready"
        writer = auth_core.RedisRevocationStore(url, key_prefix=prefix)
        before = time.monotonic()
        writer.logout(minted.claims)
        verdict, at = line(b).split()
        assert verdict == "token_revoked"
        latency = float(at) - before
        print(f"propagation to a C process: {latency * 1000:.1f} ms")
        assert latency < 0.1, f"{latency * 1000:.1f} ms"
        assert b.wait(10) == 0
    finally:
        if b.poll() is None:
            b.kill()
            b.wait()


def test_the_readme_two_process_example(url: str, prefix: str) -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```py\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 2, "README: the two-process example"
    a, b = (blk.replace("redis://127.0.0.1:6379/0", url).replace('"myapp:"', repr(prefix)) for blk in blocks)
    out = subprocess.run([sys.executable, "-c", a], capture_output=True, text=True, check=True).stdout
    token = out.strip().splitlines()[-1]
    run_b = subprocess.run([sys.executable, "-c", b, token], capture_output=True, text=True)
    assert run_b.returncode != 0 and "TokenRevoked" in run_b.stderr, run_b.stderr


def test_logout_and_cutoffs_write_through_the_redis_store(url: str, prefix: str) -> None:
    store = auth_core.RedisRevocationStore(url, key_prefix=prefix)
    verifier = auth_core.Verifier(auth_core.KeyRing.single("k", SECRET), revocation=store)
    assert isinstance(verifier.revocation, auth_core.RedisRevocationStore)
    m1 = issuer().mint_user(1, "one", ttl=3600)
    m2 = issuer().mint_reseller(2, "two", ttl=3600)
    verifier.verify(m1.token)
    auth_core.logout(store, m1.claims)
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(m1.token)
    store.revoke_principal_before(("reseller", 2), m2.claims.iat)
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(m2.token)
    assert store.principal_cutoff(("reseller", 2)) == m2.claims.iat
    s = store.status()
    assert s["connected"] and s["current"] and s["entries"] == 2 and s["last_error"] is None
    with pytest.raises(auth_core.InvalidRequest):
        store.revoke("")
    with pytest.raises(ValueError):
        auth_core.RedisRevocationStore(url, max_staleness=0)
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.RedisRevocationStore("http://not-redis")


@pytest.fixture
def redis_pid() -> Iterator[int]:
    pid = int(env("AUTH_REDIS_PID"))
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGCONT)


def test_a_paused_redis_fails_closed_then_recovers(url: str, prefix: str, redis_pid: int) -> None:
    store = auth_core.RedisRevocationStore(url, key_prefix=prefix, max_staleness=0.3, io_timeout=0.5)
    lenient = auth_core.RedisRevocationStore(url, key_prefix=prefix, max_staleness=0.3, fail_open_for=60)
    ring = auth_core.KeyRing.single("k", SECRET)
    strict_v = auth_core.Verifier(ring, revocation=store)
    lenient_v = auth_core.Verifier(ring, revocation=lenient)
    fine = issuer().mint_user(3, "fine", ttl=3600)
    gone = issuer().mint_user(4, "gone", ttl=3600)
    store.logout(gone.claims)
    lenient.wait_current(1)
    deadline = time.monotonic() + 2
    while not lenient.is_revoked(gone.token_id) and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(redis_pid, signal.SIGSTOP)
    start = time.monotonic()
    while True:
        try:
            strict_v.verify(fine.token)
        except auth_core.RevocationUnavailable as e:
            assert e.http_status == 503
            break
        assert time.monotonic() - start < 3, "did not fail closed"
        time.sleep(0.01)
    with pytest.raises(auth_core.TokenRevoked):
        strict_v.verify(gone.token)
    with pytest.raises(auth_core.TokenRevoked):
        lenient_v.verify(gone.token)
    lenient_v.verify(fine.token)  # opt-in fail-open, within its bound
    assert not store.status()["current"]
    os.kill(redis_pid, signal.SIGCONT)
    store.wait_current(5)
    strict_v.verify(fine.token)


def test_a_stopped_process_behind_a_trimmed_stream_rebuilds(url: str, prefix: str) -> None:
    port = env("AUTH_REDIS_PORT")
    writer = auth_core.RedisRevocationStore(url, key_prefix=prefix)
    b = child("serve", url, prefix, stdin=True)
    try:
        assert line(b) == "ready"
        writer.revoke("first", 4_000_000_000)
        deadline = time.monotonic() + 2
        while json.loads(ask(b, "revoked first")) != [True]:
            assert time.monotonic() < deadline
        snapshots = json.loads(ask(b, "status"))["snapshots"]
        os.kill(b.pid, signal.SIGSTOP)
        try:
            jtis = [f"missed-{i}" for i in range(200)]
            for j in jtis:
                writer.revoke(j, 4_000_000_000)
            subprocess.run(
                ["redis-cli", "-p", port, "XTRIM", f"{{{prefix}}}stream", "MAXLEN", "0"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        finally:
            os.kill(b.pid, signal.SIGCONT)
        deadline = time.monotonic() + 5
        while True:
            status = json.loads(ask(b, "status"))
            if status["current"] and status["snapshots"] > snapshots:
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.02)
        assert json.loads(ask(b, "revoked " + " ".join(jtis))) == [True] * len(jtis)
    finally:
        b.kill()
        b.wait()
