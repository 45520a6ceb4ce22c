"""EdDSA and ES256 keys, JWK Sets and custom claims; interoperability with PyJWT + cryptography
both ways, JWK Sets included (docs/keys.md, docs/token-format.md)."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

import auth_core
from auth_core import Issuer, KeyRing, Verifier
from conftest import NOW

ALGS = ("EdDSA", "ES256")


def private_pem(alg: str) -> str:
    return auth_core.generate_private_key_pem(alg)


def test_private_keys_mint_public_keys_only_verify() -> None:
    for alg in ALGS:
        ring = KeyRing()
        ring.add_pem("k1", private_pem(alg))
        assert ring.algorithm("k1") == alg
        minted = Issuer(ring).mint_user(7, "alice", now=NOW, extra={"roles": ["admin"], "tenant": {"id": 4}})
        verify_only = KeyRing.from_jwks(ring.to_jwks())
        claims = Verifier(verify_only).verify(minted.token, now=NOW)
        assert claims.extra == {"roles": ["admin"], "tenant": {"id": 4}}
        assert claims.to_dict()["roles"] == ["admin"]
        with pytest.raises(auth_core.InvalidKey, match="k1"):
            Issuer(verify_only).mint_reseller(1, "r", now=NOW)
        # A public PEM is verify-only too.
        public = KeyRing()
        public.add_pem("k1", ring.public_key_pem("k1"))
        assert Verifier(public).verify(minted.token, now=NOW).jti == minted.token_id
        with pytest.raises(auth_core.InvalidKey):
            Issuer(public).mint_reseller(1, "r", now=NOW)


def test_custom_claims_are_checked_when_minting() -> None:
    ring = KeyRing()
    ring.add_pem("k", private_pem("EdDSA"))
    issuer = Issuer(ring)
    assert issuer.mint_reseller(1, "r", now=NOW, extra='{"tenant":"read"}').claims.extra == {"tenant": "read"}
    # `scope` is the library's claim now (docs/scopes.md): minted with `scopes=`, not as extra.
    for bad in ({"exp": 1}, {"allowed_ips": []}, {"scope": "read"}, '{"a":1,"a":2}', "[1]", "{"):
        with pytest.raises(auth_core.InvalidRequest):
            issuer.mint_reseller(1, "r", now=NOW, extra=bad)
    with pytest.raises(TypeError):
        issuer.mint_reseller(1, "r", now=NOW, extra=[1])  # type: ignore[arg-type]


def test_bad_jwks_and_pem_are_invalid_key_naming_the_key() -> None:
    ring = KeyRing()
    ring.add_pem("ed", private_pem("EdDSA"))
    good = json.loads(ring.to_jwks())
    # A key for another use is left out of a set (docs/keys.md), and refused alone.
    enc = {"keys": [{**good["keys"][0], "use": "enc"}]}
    assert KeyRing.from_jwks(json.dumps(enc)).kids() == []
    with pytest.raises(auth_core.InvalidKey, match="use"):
        KeyRing().add_jwk(json.dumps(enc["keys"][0]))
    for edit in (
        {"alg": "ES256"},
        {"crv": "P-256"},
        {"x": "AA"},
        {"x": "not base64"},
        {"d": good["keys"][0]["x"]},
    ):
        doc = {"keys": [{**good["keys"][0], **edit}]}
        with pytest.raises(auth_core.InvalidKey, match='"ed"'):
            KeyRing.from_jwks(json.dumps(doc))
    with pytest.raises(auth_core.InvalidKey, match="duplicate"):
        KeyRing.from_jwks(json.dumps({"keys": good["keys"] * 2}))
    with pytest.raises(auth_core.InvalidKey, match='"bad"'):
        KeyRing().add_pem("bad", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    # A refresh from a bad set changes nothing.
    shared = KeyRing.from_jwks(ring.to_jwks())
    with pytest.raises(auth_core.InvalidKey):
        shared.replace_from_jwks('{"keys":[{"kty":"RSA","kid":"r"}]}')
    assert shared.kids() == ["ed"]


def pyjwt_key(alg: str):  # type: ignore[no-untyped-def]
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def test_pyjwt_tokens_and_jwks_verify_here() -> None:
    for alg in ALGS:
        key = pyjwt_key(alg)
        claims = {"type": "reseller", "id": 5, "name": "r", "iat": NOW, "jti": "from-pyjwt", "scope": "x sms",
                  "tenant": "t"}
        token = jwt.encode(claims, key, algorithm=alg, headers={"kid": "theirs"})
        # Their JWK Set (PyJWT's own JWK writer) as our verify-only ring.
        algo = jwt.get_algorithm_by_name(alg)
        jwk = json.loads(algo.to_jwk(key.public_key()))
        jwk["kid"] = "theirs"
        ring = KeyRing.from_jwks(json.dumps({"keys": [jwk]}))
        got = Verifier(ring).verify(token, now=NOW)
        assert got.jti == "from-pyjwt" and got.extra == {"tenant": "t"} and got.scope == ("sms", "x")
        # Their PEM (cryptography's PKCS#8 / SPKI) as our keys.
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        mine = KeyRing()
        mine.add_pem("theirs", pem)
        assert Verifier(mine).verify(token, now=NOW).jti == "from-pyjwt"
        # Tampering is refused.
        head, body, sig = token.split(".")
        forged = ".".join((head, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"), sig))
        with pytest.raises((auth_core.BadSignature, auth_core.MalformedToken)):
            Verifier(ring).verify(forged, now=NOW)


def test_our_tokens_and_jwks_verify_in_pyjwt() -> None:
    for alg in ALGS:
        ring = KeyRing()
        ring.add_pem("ours", private_pem(alg))
        minted = Issuer(ring).mint_user(9, "bob", now=NOW, extra={"roles": ["a"]})
        jwks = jwt.PyJWKSet.from_json(ring.to_jwks())
        signing_key = jwks["ours"]
        got = jwt.decode(minted.token, signing_key.key, algorithms=[alg],
                         options={"verify_exp": False, "verify_iat": False})
        assert got == minted.claims.to_dict()
        # And from our SPKI PEM, loaded by cryptography.
        public = serialization.load_pem_public_key(ring.public_key_pem("ours").encode())
        assert jwt.decode(minted.token, public, algorithms=[alg],
                          options={"verify_exp": False, "verify_iat": False})["roles"] == ["a"]


def test_pyjwt_es256_high_s_is_accepted_and_der_refused() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    key = ec.generate_private_key(ec.SECP256R1())
    algo = jwt.get_algorithm_by_name("ES256")
    jwk = json.loads(algo.to_jwk(key.public_key()))
    jwk["kid"] = "k"
    verifier = Verifier(KeyRing.from_jwks(json.dumps({"keys": [jwk]})))
    token = jwt.encode({"type": "reseller", "id": 1, "name": "r", "iat": NOW, "jti": "j"}, key,
                       algorithm="ES256", headers={"kid": "k"})
    head, body, sig = token.split(".")
    raw = jwt.utils.base64url_decode(sig)
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    flipped = r.to_bytes(32, "big") + (n - s).to_bytes(32, "big")
    for variant in (raw, flipped):
        t = ".".join((head, body, jwt.utils.base64url_encode(variant).decode()))
        assert verifier.verify(t, now=NOW).jti == "j"
    der = key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    assert decode_dss_signature(der)
    t = ".".join((head, body, jwt.utils.base64url_encode(der).decode()))
    with pytest.raises(auth_core.BadSignature):
        verifier.verify(t, now=NOW)
