"""A verifier process of the load test (test_load.py): verifies never-revoked tokens
continuously until told `check` on stdin, then checks every revoked token."""

import json
import select
import sys
import time

import auth_core

SECRET = b"a secret of at least 32 bytes, for the fleet tests"
NOW = 1_700_000_000  # tokens minted deterministically (same token in every process), valid for 9 years


def main() -> None:
    url, prefix, n, valid_n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ring = auth_core.KeyRing.single("k", SECRET)
    issuer = auth_core.Issuer(ring, max_ttl=10 * 365 * 86400)
    store = auth_core.RedisRevocationStore(url, key_prefix=prefix)
    verifier = auth_core.Verifier(ring, revocation=store)
    valid = [issuer.mint_user(1, "v", ttl=9 * 365 * 86400, token_id=f"valid-{i}", now=NOW).token for i in range(valid_n)]
    print("ready", flush=True)
    verified = rejected = 0
    errors: dict[str, int] = {}
    i = 0
    while True:
        try:
            verifier.verify(valid[i % valid_n])
            verified += 1
        except auth_core.AuthError as e:
            rejected += 1
            errors[e.code] = errors.get(e.code, 0) + 1
        i += 1
        if i % 256 == 0 and select.select([sys.stdin], [], [], 0)[0]:
            sys.stdin.readline()
            break
    # Every revoked token is rejected once the replica has applied the writes.
    t0 = time.monotonic()
    while len(store) < n and time.monotonic() - t0 < 30:
        time.sleep(0.01)
    missed = 0
    for k in range(n):
        token = issuer.mint_user(2, "r", ttl=9 * 365 * 86400, token_id=f"load-{k}", now=NOW).token
        try:
            verifier.verify(token)
            missed += 1
        except auth_core.TokenRevoked:
            pass
    status = store.status()
    print(json.dumps({
        "verified": verified, "rejected": rejected, "errors": errors, "missed": missed,
        "entries": status["entries"], "memory_bytes": status["memory_bytes"],
    }), flush=True)


if __name__ == "__main__":
    main()
