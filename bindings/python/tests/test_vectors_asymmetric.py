"""The shared asymmetric vectors: tests/vectors/asymmetric.json (EdDSA, ES256) and
asymmetric2.json (RS256/384/512, PS256/384/512, ES384, ES512, a set mixing every key type):
the same tokens, JWK Sets, PEM keys and verdicts as the Rust and C suites."""

from __future__ import annotations

from typing import Any

import pytest

import auth_core
from conftest import load_vectors

_FILES = [load_vectors("asymmetric.json"), load_vectors("asymmetric2.json")]
ASYM = {
    "rings": {name: jwks for f in _FILES for name, jwks in f["rings"].items()},
    "cases": [c for f in _FILES for c in f["cases"]],
    "jwks": [c for f in _FILES for c in f["jwks"]],
    "pem": [c for f in _FILES for c in f["pem"]],
}
NOW = 1_700_000_000


def test_both_files_are_run() -> None:
    assert len(ASYM["cases"]) > 150 and len(ASYM["jwks"]) > 80 and len(ASYM["pem"]) > 25
    assert {c["name"] for c in _FILES[1]["cases"]} <= set(_ids(ASYM["cases"]))


def _add_pem(ring: auth_core.KeyRing, case: dict[str, Any]) -> None:
    """Pinned to the case's `pin` when it has one, else as the key type says (RSA: RS256)."""
    if "pin" in case:
        ring.add_pem(case["kid"], case["pem"], alg=case["pin"])
    else:
        ring.add_pem(case["kid"], case["pem"])


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in cases]


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except auth_core.AuthError as e:
        return e


@pytest.mark.parametrize("case", ASYM["cases"], ids=_ids(ASYM["cases"]))
def test_asymmetric_token_vector(case: dict[str, Any]) -> None:
    ring = auth_core.KeyRing.from_jwks(ASYM["rings"][case["ring"]])
    result = _outcome(lambda: auth_core.Verifier(ring).verify(case["token"], now=case["now"]))
    if case["expect"] == "valid":
        assert not isinstance(result, auth_core.AuthError), f"{case['name']}: {result!r}"
        assert result.to_dict() == case["claims"]
    else:
        assert isinstance(result, auth_core.AuthError), case["name"]
        assert result.code == case["expect"], f"{case['name']}: {result!r}"


@pytest.mark.parametrize("case", ASYM["jwks"], ids=_ids(ASYM["jwks"]))
def test_jwks_vector(case: dict[str, Any]) -> None:
    result = _outcome(lambda: auth_core.KeyRing.from_jwks(case["jwks"]))
    if case["expect"] == "ok":
        assert isinstance(result, auth_core.KeyRing), f"{case['name']}: {result!r}"
        assert result.kids() == case["kids"]
    else:
        assert isinstance(result, auth_core.AuthError) and result.code == case["expect"], case["name"]
        if case["names"] is not None:
            assert f'"{case["names"]}"' in str(result), str(result)


@pytest.mark.parametrize("case", ASYM["pem"], ids=_ids(ASYM["pem"]))
def test_pem_vector(case: dict[str, Any]) -> None:
    ring = auth_core.KeyRing()
    result = _outcome(lambda: _add_pem(ring, case))
    if case["expect"] == "invalid_key":
        assert isinstance(result, auth_core.InvalidKey), case["name"]
        assert f'"{case["kid"]}"' in str(result), str(result)
        return
    assert result is None, f"{case['name']}: {result!r}"
    assert ring.algorithm(case["kid"]) == case["alg"]
    auth_core.Verifier(ring).verify(case["verifies"], now=NOW)
    minted = _outcome(lambda: auth_core.Issuer(ring).mint_reseller(1, "r", now=NOW))
    if case["expect"] == "private":
        assert isinstance(minted, auth_core.MintedToken)
    else:
        assert isinstance(minted, auth_core.InvalidKey)
