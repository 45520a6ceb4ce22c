"""A million verify calls do not grow memory."""

from __future__ import annotations

import gc
import os

import auth_core
from auth_core import Issuer, MemoryRevocationStore, Verifier
from conftest import NOW

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def test_a_million_verifies_do_not_grow_memory(ring: auth_core.KeyRing) -> None:
    issuer = Issuer(ring)
    store = MemoryRevocationStore()
    verifier = Verifier(ring, revocation=store)
    good = issuer.mint_reseller(1, "r", now=NOW, allowed_ips=["10.0.0.0/8"]).token
    revoked = issuer.mint_user(2, "u", now=NOW)
    store.revoke(revoked.token_id, revoked.expires_at, now=NOW)
    bad = good[:-3] + "AAA"

    def run(n: int) -> int:
        ok = 0
        for i in range(n):
            if i % 10 == 0:  # the error paths too: exceptions created and dropped
                try:
                    verifier.verify(bad if i % 20 == 0 else revoked.token, now=NOW, client_ip="10.0.0.1")
                except auth_core.AuthError:
                    pass
            else:
                ok += verifier.verify(good, now=NOW, client_ip="10.0.0.1").id
        return ok

    run(50_000)  # warm-up: caches, allocator arenas
    gc.collect()
    before = rss_bytes()
    assert run(1_000_000) == 900_000
    gc.collect()
    growth = rss_bytes() - before
    assert growth < 4 * 1024 * 1024, f"RSS grew by {growth / 1024:.0f} KiB over 1,000,000 verifies"
