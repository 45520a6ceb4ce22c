"""A separate process of the fleet tests (test_fleet.py): a verifier or a writer sharing
revocations through Redis. Protocol: one line per answer on stdout."""

import json
import sys
import time

import auth_core

SECRET = b"a secret of at least 32 bytes, for the fleet tests"


def ring() -> auth_core.KeyRing:
    return auth_core.KeyRing.single("k", SECRET)


def code(verifier: auth_core.Verifier, token: str) -> str:
    try:
        verifier.verify(token)
        return "valid"
    except auth_core.AuthError as e:
        return e.code


def main() -> None:
    mode, url, prefix = sys.argv[1:4]
    store = auth_core.RedisRevocationStore(url, key_prefix=prefix, max_staleness=0.5, io_timeout=0.5)
    verifier = auth_core.Verifier(ring(), revocation=store)
    if mode == "wait-revoked":
        # Verifies continuously until the token is rejected; prints when (CLOCK_MONOTONIC is
        # one clock for every process of the machine).
        token = sys.argv[4]
        assert code(verifier, token) == "valid"
        print("ready", flush=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            c = code(verifier, token)
            if c != "valid":
                print(f"{c} {time.monotonic()!r}", flush=True)
                return
        print("timeout", flush=True)
    elif mode == "revoke":
        jti, exp = sys.argv[4], int(sys.argv[5])
        before = time.monotonic()
        store.revoke(jti, exp)
        print(f"{before!r} {time.monotonic()!r}", flush=True)
    elif mode == "check":
        print(code(verifier, sys.argv[4]), flush=True)
    elif mode == "serve":
        # Answers commands on stdin: `status`, `revoked JTI...`, `verify TOKEN`.
        print("ready", flush=True)
        for line in sys.stdin:
            cmd, *args = line.split()
            if cmd == "status":
                print(json.dumps(store.status()), flush=True)
            elif cmd == "revoked":
                print(json.dumps([store.is_revoked(j) for j in args]), flush=True)
            elif cmd == "verify":
                print(code(verifier, args[0]), flush=True)


if __name__ == "__main__":
    main()
