"""Asymmetric verification from Python (EdDSA, ES256, ES384, ES512, RS256, PS256; RSA keys of
2048 bits): auth_core against PyJWT (+ cryptography, i.e. OpenSSL), on the same token and public
key (from the same JWK Set), in one run.

    python bindings/python/bench/compare_asymmetric.py [--number N] [--repeat R]

Prints median per-call times (microseconds) and the ratio PyJWT / auth_core. Needs auth_core,
PyJWT and cryptography installed (`pip install "pyjwt[crypto]"`); not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import timeit

import jwt

import auth_core


def median_us(fn, number: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up (and a check that it works)
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--number", type=int, default=500, help="calls per timing run")
    ap.add_argument("--repeat", type=int, default=11, help="timing runs (the median is reported)")
    args = ap.parse_args()
    print(f"{'':8} {'auth_core':>12} {'PyJWT':>12} {'PyJWT/auth_core':>16}")
    for alg in ("EdDSA", "ES256", "ES384", "ES512", "RS256", "PS256"):
        ring = auth_core.KeyRing()
        ring.add_pem("k1", auth_core.generate_private_key_pem(alg), alg=alg)
        token = auth_core.Issuer(ring).mint_user(123, "alice", False, "ACME", 7).token
        jwks = ring.to_jwks()
        verifier = auth_core.Verifier(auth_core.KeyRing.from_jwks(jwks))
        key = jwt.PyJWKSet.from_json(jwks)["k1"].key
        options = {"verify_aud": False}

        def ours() -> object:
            return verifier.verify(token)

        def theirs() -> object:
            return jwt.decode(token, key, algorithms=[alg], options=options)

        assert ours().jti == theirs()["jti"]  # type: ignore[attr-defined,index]
        a = median_us(ours, args.number, args.repeat)
        b = median_us(theirs, args.number, args.repeat)
        print(f"{alg:8} {a:12.1f} {b:12.1f} {b / a:16.2f}")


if __name__ == "__main__":
    main()
