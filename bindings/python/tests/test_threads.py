"""Verification releases the GIL and is safe from many threads at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import auth_core
from auth_core import Issuer, KeyRing, MemoryRevocationStore, Verifier
from conftest import NOW


def test_many_threads_verify_at_once_with_correct_results(ring: KeyRing, issuer: Issuer) -> None:
    store = MemoryRevocationStore()
    verifier = Verifier(ring, revocation=store)
    tokens = []
    for i in range(64):
        minted = issuer.mint_user(i, f"user{i}", now=NOW, allowed_ips=["10.0.0.0/8"] if i % 4 == 0 else None)
        if i % 8 == 1:
            store.revoke(minted.token_id, minted.expires_at, now=NOW)
        t = minted.token
        tokens.append(t if i % 8 != 3 else t[:-10] + ("A" if t[-10] != "A" else "B") + t[-9:])

    def expected(i: int) -> str:
        if i % 8 == 1:
            return "token_revoked"
        if i % 8 == 3:
            return "bad_signature"
        if i % 4 == 0 and i % 3 == 0:
            return "ip_not_allowed"
        return "ok"

    def work(i: int) -> tuple[int, str]:
        ip = "192.168.0.1" if i % 3 == 0 else "10.1.2.3"
        out = "ok"
        for _ in range(200):
            try:
                claims = verifier.verify(tokens[i], now=NOW, client_ip=ip)
                assert claims.id == i and claims.name == f"user{i}"
            except auth_core.AuthError as e:
                out = e.code
        return i, out

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = dict(pool.map(work, range(64)))
    assert results == {i: expected(i) for i in range(64)}


def test_verify_does_not_hold_the_gil_against_a_callback_in_another_thread(ring: KeyRing, issuer: Issuer) -> None:
    """Two verifications meet inside their revocation callbacks: each callback waits at a
    barrier for the other, which can only work if both verifications are in progress at the
    same time (a deadlock-free rendezvous; the timeout only guards against a hang)."""
    barrier = threading.Barrier(2, timeout=30)

    def revoked(q: auth_core.RevocationQuery) -> bool:
        barrier.wait()
        return q.id == 2

    verifier = Verifier(ring, revocation=revoked)
    tokens = [issuer.mint_user(i, "u", now=NOW).token for i in (1, 2)]

    def work(token: str) -> str:
        try:
            return str(verifier.verify(token, now=NOW).id)
        except auth_core.AuthError as e:
            return e.code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(work, tokens)) == ["1", "token_revoked"]


def test_rotation_while_other_threads_verify(issuer: Issuer) -> None:
    ring = KeyRing.single("a", b"rotation test: the first key, 32+ bytes")
    issuer, verifier = Issuer(ring), Verifier(ring)
    token = issuer.mint_user(1, "a", now=NOW).token
    stop = threading.Event()
    failures: list[BaseException] = []

    def verify_loop() -> None:
        while not stop.is_set():
            try:
                assert verifier.verify(token, now=NOW).id == 1
            except BaseException as e:  # noqa: BLE001
                failures.append(e)
                return

    threads = [threading.Thread(target=verify_loop) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(200):
        ring.rotate(f"k{i}", f"rotation test: key number {i:04d}, 32+ bytes".encode())
    stop.set()
    for t in threads:
        t.join()
    assert failures == []
    assert len(ring) == 201 and ring.active_kid == "k199"
