"""Cost of auth_core from Python against PyJWT, on the same token and key, in one run.

    python bindings/python/bench/compare.py [--number N] [--repeat R]

Prints a table of median per-call times (microseconds) and the ratio PyJWT / auth_core.
Needs auth_core installed and PyJWT (`pip install pyjwt`); not part of the test suite.
"""

from __future__ import annotations

import argparse
import platform
import secrets
import statistics
import time
import timeit

import jwt

import auth_core

SECRET = b"0123456789abcdef0123456789abcdef"


def median_us(fn, number: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up (and a check that it works)
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--number", type=int, default=20_000, help="calls per timing run")
    ap.add_argument("--repeat", type=int, default=15, help="timing runs (the median is reported)")
    args = ap.parse_args()

    ring = auth_core.KeyRing.single("k1", SECRET)
    issuer = auth_core.Issuer(ring)
    verifier = auth_core.Verifier(ring)
    minted = issuer.mint_user(123, "alice", False, "ACME", 7)
    token = minted.token
    claims = minted.claims.to_dict()
    headers = {"kid": "k1"}
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == claims
    assert verifier.verify(jwt.encode(claims, SECRET, "HS256", headers=headers)).to_dict() == claims

    rows = [
        (
            "verify (valid token)",
            lambda: verifier.verify(token),
            lambda: jwt.decode(token, SECRET, algorithms=["HS256"]),
        ),
        (
            "verify + to_dict()",
            lambda: verifier.verify(token).to_dict(),
            lambda: jwt.decode(token, SECRET, algorithms=["HS256"]),
        ),
        (
            "mint / encode",
            lambda: issuer.mint_user(123, "alice", False, "ACME", 7),
            lambda: jwt.encode(claims, SECRET, algorithm="HS256", headers=headers),
        ),
        (
            "mint, id given / encode",
            lambda: issuer.mint_user(123, "alice", False, "ACME", 7, token_id="tok-1"),
            lambda: jwt.encode(claims, SECRET, algorithm="HS256", headers=headers),
        ),
        (
            "mint / encode, same work",
            # What a PyJWT user writes to get the same token: fresh iat/exp and a random id.
            lambda: issuer.mint_user(123, "alice", False, "ACME", 7),
            lambda: jwt.encode(
                {**claims, "iat": (t := int(time.time())), "exp": t + 86_400, "jti": secrets.token_urlsafe(16)},
                SECRET,
                algorithm="HS256",
                headers=headers,
            ),
        ),
    ]
    batch = [token] * 100
    results = []
    for name, ours, theirs in rows:
        a = median_us(ours, args.number, args.repeat)
        b = median_us(theirs, args.number, args.repeat)
        results.append((name, a, b))
    many = median_us(lambda: verifier.verify_many(batch), max(1, args.number // 100), args.repeat) / len(batch)
    single = median_us(lambda: jwt.decode(token, SECRET, algorithms=["HS256"]), args.number, args.repeat)
    results.append(("verify_many (per token)", many, single))

    print(f"auth_core {auth_core.__version__} vs PyJWT {jwt.__version__} on "
          f"{platform.python_implementation()} {platform.python_version()}, token {len(token)} bytes, "
          f"median of {args.repeat} runs x {args.number} calls")
    print(f"| {'operation':<26} | {'auth_core µs':>12} | {'PyJWT µs':>9} | {'PyJWT / auth_core':>17} |")
    print(f"|{'-' * 28}|{'-' * 13}:|{'-' * 10}:|{'-' * 18}:|")
    for name, a, b in results:
        print(f"| {name:<26} | {a:>12.2f} | {b:>9.2f} | {b / a:>16.1f}x |")


if __name__ == "__main__":
    main()
