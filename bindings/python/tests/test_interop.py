"""Interoperability with PyJWT, both ways (docs/token-format.md)."""

from __future__ import annotations

import jwt
import pytest

import auth_core
from auth_core import Issuer, Verifier
from conftest import NOW, SECRET


def test_pyjwt_token_verifies_in_auth_core(verifier: Verifier) -> None:
    claims = {
        "type": "user", "id": 123, "name": "alice", "admin": False, "sms_from": "ACME",
        "user_group_id": 7, "iat": NOW, "exp": NOW + 3600, "jti": "pyjwt-1",
        "token_name": "integration", "allowed_ips": ["192.168.2.0/24"],
        "parent": {"type": "reseller", "id": 1}, "extra": {"kept": True},
    }
    token = jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": "k1"})
    got = verifier.verify(token, now=NOW + 1, client_ip="192.168.2.9")
    assert isinstance(got, auth_core.UserClaims)
    # Claims the library does not own are custom claims: kept, in `extra` and `to_dict()`.
    assert got.to_dict() == claims
    assert got.extra == {"extra": {"kept": True}}


def test_pyjwt_reseller_token_and_other_algorithms() -> None:
    ring = auth_core.KeyRing()
    ring.add("h384", SECRET + b"x" * 16, "HS384")
    ring.add("h512", SECRET * 2, "HS512")
    verifier = Verifier(ring)
    for kid, key, alg in (("h384", SECRET + b"x" * 16, "HS384"), ("h512", SECRET * 2, "HS512")):
        token = jwt.encode({"type": "reseller", "id": 1, "name": "r", "iat": NOW, "jti": kid}, key,
                           algorithm=alg, headers={"kid": kid})
        assert verifier.verify(token, now=NOW).jti == kid
    # The header never chooses the algorithm: an HS256 token under the HS384 kid is refused.
    forged = jwt.encode({"type": "reseller", "id": 1, "name": "r", "iat": NOW, "jti": "x"},
                        SECRET + b"x" * 16, algorithm="HS256", headers={"kid": "h384"})
    with pytest.raises(auth_core.AlgorithmNotAllowed):
        verifier.verify(forged, now=NOW)


def test_pyjwt_tokens_that_must_fail(verifier: Verifier) -> None:
    base = {"type": "user", "id": 1, "name": "a", "admin": False, "iat": NOW, "jti": "j"}
    cases = [
        (jwt.encode({**base, "exp": NOW}, SECRET, "HS256", headers={"kid": "k1"}), auth_core.TokenExpired),
        (jwt.encode(base, b"another secret of 32 bytes......", "HS256", headers={"kid": "k1"}), auth_core.BadSignature),
        (jwt.encode({**base, "id": "1"}, SECRET, "HS256", headers={"kid": "k1"}), auth_core.InvalidClaims),
        (jwt.encode({**base, "type": "admin"}, SECRET, "HS256", headers={"kid": "k1"}), auth_core.InvalidClaims),
        (jwt.encode(base, SECRET, "HS256", headers={"kid": "nope"}), auth_core.UnknownKey),
        (jwt.encode(base, None, "none", headers={"kid": "k1"}), auth_core.AlgorithmNotAllowed),
        (jwt.encode(base, SECRET, "HS256", headers={"kid": "k1", "crit": ["exp"]}), auth_core.UnsupportedHeader),
    ]
    for token, error in cases:
        with pytest.raises(error):
            verifier.verify(token, now=NOW)


def test_auth_core_tokens_verify_in_pyjwt(issuer: Issuer) -> None:
    minted = issuer.mint_user(
        123, "alice", True, "ACME", 7, ttl=3600, token_name="n", allowed_ips=["10.0.0.0/8"],
        parent=("reseller", 1), now=NOW,
    )
    assert jwt.get_unverified_header(minted.token) == {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    decoded = jwt.decode(minted.token, SECRET, algorithms=["HS256"],
                         options={"verify_exp": False, "verify_iat": False})
    assert decoded == minted.claims.to_dict()
    static = issuer.mint_reseller(1, "r", static=True, now=NOW)
    assert jwt.decode(static.token, SECRET, algorithms=["HS256"])["type"] == "reseller"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(static.token, b"not the key the token was signed with", algorithms=["HS256"])
