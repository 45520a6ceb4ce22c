"""The verified-signature cache from Python (docs/signature-cache.md): ``Verifier(...,
signature_cache=N)`` skips only the signature check of an asymmetric token verified before;
revocation, IP rules and times still apply; a key-ring change empties it."""

from __future__ import annotations

import threading

import pytest

import auth_core
from auth_core import Issuer, KeyRing, MemoryRevocationStore, Verifier
from conftest import NOW

ALGS = ("EdDSA", "ES256")


def ring_for(alg: str) -> KeyRing:
    ring = KeyRing()
    ring.add_pem("k1", auth_core.generate_private_key_pem(alg))
    return ring


@pytest.mark.parametrize("alg", ALGS)
def test_a_repeated_token_is_a_hit_and_other_checks_still_run(alg: str) -> None:
    ring = ring_for(alg)
    store = MemoryRevocationStore()
    verifier = Verifier(ring, revocation=store, signature_cache=100)
    token = Issuer(ring).mint_user(7, "alice", now=NOW, ttl=60, allowed_ips=["192.0.2.0/24"]).token
    claims = verifier.verify(token, now=NOW + 1, client_ip="192.0.2.9")
    assert verifier.verify(token, now=NOW + 2, client_ip="192.0.2.9") == claims
    stats = verifier.signature_cache_stats()
    assert stats is not None
    assert (stats["hits"], stats["misses"], stats["inserts"], stats["entries"]) == (1, 1, 1, 1)
    assert stats["capacity"] >= 100
    with pytest.raises(auth_core.IpNotAllowed):
        verifier.verify(token, now=NOW + 2, client_ip="198.51.100.1")
    store.revoke_claims(claims, now=NOW + 3)
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(token, now=NOW + 4, client_ip="192.0.2.9")
    assert verifier.signature_cache_stats()["hits"] == 3  # type: ignore[index]
    with pytest.raises(auth_core.TokenExpired):  # past exp the entry is dropped, not used
        verifier.verify(token, now=NOW + 60, client_ip="192.0.2.9")
    stats = verifier.signature_cache_stats()
    assert stats is not None and (stats["hits"], stats["expired"], stats["entries"]) == (3, 1, 0)


def test_a_forged_signature_is_never_cached() -> None:
    ring, other = ring_for("ES256"), ring_for("ES256")
    verifier = Verifier(ring, signature_cache=100)
    good = Issuer(ring).mint_user(7, "alice", now=NOW, token_id="same-id").token
    forged = Issuer(other).mint_user(7, "alice", now=NOW, token_id="same-id").token
    assert good.rsplit(".", 1)[0] == forged.rsplit(".", 1)[0]
    verifier.verify(good, now=NOW + 1)
    for _ in range(3):
        with pytest.raises(auth_core.BadSignature):
            verifier.verify(forged, now=NOW + 1)
    assert verifier.signature_cache_stats()["inserts"] == 1  # type: ignore[index]


def test_a_ring_change_empties_the_cache() -> None:
    ring = ring_for("EdDSA")
    verifier = Verifier(ring, signature_cache=100)
    token = Issuer(ring).mint_user(7, "alice", now=NOW).token
    verifier.verify(token, now=NOW + 1)
    verifier.verify(token, now=NOW + 1)
    ring.add_pem("k2", auth_core.generate_private_key_pem("EdDSA"))
    verifier.verify(token, now=NOW + 1)
    stats = verifier.signature_cache_stats()
    assert stats is not None
    assert (stats["hits"], stats["invalidations"], stats["entries"]) == (1, 1, 1)
    ring.remove("k1")
    with pytest.raises(auth_core.UnknownKey):
        verifier.verify(token, now=NOW + 1)


def test_off_by_default_and_with_zero() -> None:
    ring = ring_for("ES256")
    assert Verifier(ring).signature_cache_stats() is None
    assert Verifier(ring, signature_cache=0).signature_cache_stats() is None
    with pytest.raises((TypeError, ValueError, OverflowError)):
        Verifier(ring, signature_cache=-1)


def test_threads_share_one_cache() -> None:
    ring = ring_for("EdDSA")
    verifier = Verifier(ring, signature_cache=100)
    token = Issuer(ring).mint_user(7, "alice", now=NOW).token
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                verifier.verify(token, now=NOW + 1)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stats = verifier.signature_cache_stats()
    assert stats is not None and stats["hits"] + stats["misses"] == 800 and stats["hits"] >= 796
