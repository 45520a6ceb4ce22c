"""Load: 100,000 revocations written by 4 writer threads while 2 verifier processes verify
continuously. Every revoked token is rejected after propagation, no valid token is rejected,
and the replica's memory per entry is reported."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

import auth_core

CHILD = str(Path(__file__).with_name("load_child.py"))
N = int(os.environ.get("AUTH_REDIS_LOAD_N", "100000"))
WRITERS = 4
EXP = 1_700_000_000 + 9 * 365 * 86400  # the tokens' exp (load_child.py)


def test_load_four_writers_two_verifier_processes() -> None:
    url = os.environ.get("AUTH_REDIS_URL") or pytest.fail("AUTH_REDIS_URL is not set: run scripts/test-redis.sh")
    prefix = f"load{uuid.uuid4().hex[:6]}:"
    verifiers = [
        subprocess.Popen([sys.executable, CHILD, url, prefix, str(N), "200"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        for v in verifiers:
            assert v.stdout is not None and v.stdout.readline().strip() == "ready"
        # One store per writer thread: each has its own connection (a store serializes its writes).
        stores = [auth_core.RedisRevocationStore(url, key_prefix=prefix) for _ in range(WRITERS)]
        failures: list[BaseException] = []

        def write(w: int) -> None:
            try:
                for k in range(w, N, WRITERS):
                    stores[w].revoke(f"load-{k}", EXP)
            except BaseException as e:  # reported below
                failures.append(e)

        t0 = time.monotonic()
        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        assert not failures, failures
        print(f"\n{N} durable revocations by {WRITERS} threads in {took:.2f} s = {N / took:.0f}/s")
        results = []
        for v in verifiers:
            assert v.stdin is not None and v.stdout is not None
            v.stdin.write("check\n")
            v.stdin.flush()
        for v in verifiers:
            assert v.stdout is not None
            results.append(json.loads(v.stdout.readline()))
        for r in results:
            print(f"verifier process: {r}")
            assert r["rejected"] == 0, r
            assert r["verified"] > 0, r
            assert r["missed"] == 0, r
            assert r["entries"] >= N, r
        per_entry = results[0]["memory_bytes"] / results[0]["entries"]
        print(f"replica memory: {per_entry:.0f} bytes per entry (estimate of the in-memory store)")
    finally:
        for v in verifiers:
            v.kill()
            v.wait()
