"""The shared EdDSA / ES256 vectors (tests/vectors/asymmetric.json): the same tokens, JWK
Sets, PEM keys and verdicts as the Rust and C suites."""

from __future__ import annotations

from typing import Any

import pytest

import auth_core
from conftest import load_vectors

ASYM = load_vectors("asymmetric.json")
NOW = 1_700_000_000


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
    result = _outcome(lambda: ring.add_pem(case["kid"], case["pem"]))
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
