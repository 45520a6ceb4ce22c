"""Interoperability with PyJWT + cryptography (OpenSSL) for every asymmetric algorithm both
support: RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA. Both ways — PyJWT's tokens
verify here (through our PEM reader and through PyJWT's own JWKs), ours verify in PyJWT
(through our PEM and our JWK Set) — and what must fail fails on both sides. Also an independent
check of tests/vectors/asymmetric2.json: every token of the `mixed` ring verified with
cryptography directly agrees with the vector's verdict."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

import auth_core
from auth_core import Issuer, KeyRing, Verifier
from conftest import NOW, load_vectors

ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CURVES = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}
_KEYS: dict[str, Any] = {}


def private_key(alg: str) -> Any:
    """One cryptography key per algorithm for the module (RSA: 2048 bits, shared by RS and PS)."""
    family = "RSA" if alg[:2] in ("RS", "PS") else alg
    if family not in _KEYS:
        if family == "RSA":
            _KEYS[family] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif family == "EdDSA":
            _KEYS[family] = ed25519.Ed25519PrivateKey.generate()
        else:
            _KEYS[family] = ec.generate_private_key(CURVES[family])
    return _KEYS[family]


def private_pem(alg: str) -> str:
    return private_key(alg).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(alg: str) -> str:
    return private_key(alg).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def add_pem(ring: KeyRing, kid: str, pem: str, alg: str) -> None:
    """An RSA PEM says nothing of RS or PS: it is pinned to `alg`; other keys name theirs."""
    if alg[:2] in ("RS", "PS"):
        ring.add_pem(kid, pem, alg=alg)
    else:
        ring.add_pem(kid, pem)
    assert ring.algorithm(kid) == alg


def tampered(token: str) -> str:
    head, body, sig = token.split(".")
    return ".".join((head, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"), sig))


PYJWT_OPTIONS = {"verify_exp": False, "verify_iat": False}


@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_tokens_verify_here(alg: str) -> None:
    key = private_key(alg)
    claims = {"type": "reseller", "id": 5, "name": "r", "iat": NOW, "exp": NOW + 60, "jti": f"pyjwt-{alg}",
              "tenant": "t"}
    token = jwt.encode(claims, key, algorithm=alg, headers={"kid": "theirs"})
    # Our PEM reader on cryptography's SPKI.
    ring = KeyRing()
    add_pem(ring, "theirs", public_pem(alg), alg)
    got = Verifier(ring).verify(token, now=NOW)
    assert got.to_dict() == claims
    with pytest.raises((auth_core.BadSignature, auth_core.MalformedToken)):
        Verifier(ring).verify(tampered(token), now=NOW)
    # PyJWT's own JWK of the key, with `alg` (which pins an RSA key) and `kid`.
    jwk = jwt.get_algorithm_by_name(alg).to_jwk(key.public_key(), as_dict=True)
    jwk.update(kid="theirs", alg=alg)
    from_jwks = KeyRing.from_jwks(json.dumps({"keys": [jwk]}))
    assert from_jwks.algorithm("theirs") == alg
    assert Verifier(from_jwks).verify(token, now=NOW).jti == f"pyjwt-{alg}"


@pytest.mark.parametrize("alg", ALGS)
def test_our_tokens_verify_in_pyjwt(alg: str) -> None:
    ring = KeyRing()
    add_pem(ring, "ours", private_pem(alg), alg)
    minted = Issuer(ring).mint_user(9, "bob", now=NOW, extra={"roles": ["a"]})
    assert jwt.get_unverified_header(minted.token) == {"alg": alg, "typ": "JWT", "kid": "ours"}
    # cryptography's reader on our SPKI PEM.
    public = serialization.load_pem_public_key(ring.public_key_pem("ours").encode())
    got = jwt.decode(minted.token, public, algorithms=[alg], options=PYJWT_OPTIONS)
    assert got == minted.claims.to_dict()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered(minted.token), public, algorithms=[alg], options=PYJWT_OPTIONS)
    # PyJWT's JWK Set reader on ours.
    signing_key = jwt.PyJWKSet.from_json(ring.to_jwks())["ours"]
    assert jwt.decode(minted.token, signing_key.key, algorithms=[alg], options=PYJWT_OPTIONS) == got


@pytest.mark.parametrize("pinned, other", [("RS256", "PS256"), ("PS256", "RS256"), ("RS384", "RS512")])
def test_the_header_never_picks_the_rsa_algorithm(pinned: str, other: str) -> None:
    key = private_key(pinned)
    ring = KeyRing()
    add_pem(ring, "r", public_pem(pinned), pinned)
    claims = {"type": "reseller", "id": 1, "name": "r", "iat": NOW, "jti": "j"}
    assert Verifier(ring).verify(jwt.encode(claims, key, algorithm=pinned, headers={"kid": "r"}), now=NOW)
    with pytest.raises(auth_core.AlgorithmNotAllowed):
        Verifier(ring).verify(jwt.encode(claims, key, algorithm=other, headers={"kid": "r"}), now=NOW)


@pytest.mark.parametrize("alg", ["ES384", "ES512"])
def test_pyjwt_high_s_accepted_and_der_refused(alg: str) -> None:
    key = private_key(alg)
    n = {"ES384": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
         "ES512": (1 << 521) - 0x5AE79787C40D069948033FEB708F65A2FC44A36477663B851449048E16EC79BF7}[alg]  # the order n
    size = 48 if alg == "ES384" else 66
    jwk = jwt.get_algorithm_by_name(alg).to_jwk(key.public_key(), as_dict=True)
    jwk["kid"] = "k"
    verifier = Verifier(KeyRing.from_jwks(json.dumps({"keys": [jwk]})))
    token = jwt.encode({"type": "reseller", "id": 1, "name": "r", "iat": NOW, "jti": "j"}, key, algorithm=alg,
                       headers={"kid": "k"})
    head, body, sig = token.split(".")
    raw = jwt.utils.base64url_decode(sig)
    assert len(raw) == 2 * size
    r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    for variant in (raw, r.to_bytes(size, "big") + (n - s).to_bytes(size, "big")):
        assert verifier.verify(".".join((head, body, jwt.utils.base64url_encode(variant).decode())), now=NOW)
    der = utils.encode_dss_signature(r, s)
    with pytest.raises(auth_core.BadSignature):
        verifier.verify(".".join((head, body, jwt.utils.base64url_encode(der).decode())), now=NOW)


# --- tests/vectors/asymmetric2.json checked by cryptography (OpenSSL), not by auth-core ----------

VECTORS = load_vectors("asymmetric2.json")
HASHES = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_keys() -> dict[str, tuple[str, Any]]:
    out: dict[str, tuple[str, Any]] = {}
    for k in json.loads(VECTORS["rings"]["mixed"])["keys"]:
        if k["kty"] == "RSA":
            pub: Any = rsa.RSAPublicNumbers(int.from_bytes(_b64(k["e"]), "big"),
                                            int.from_bytes(_b64(k["n"]), "big")).public_key()
        elif k["kty"] == "EC":
            pub = ec.EllipticCurvePublicNumbers(int.from_bytes(_b64(k["x"]), "big"),
                                                int.from_bytes(_b64(k["y"]), "big"),
                                                CURVES[k["alg"]]).public_key()
        else:
            pub = ed25519.Ed25519PublicKey.from_public_bytes(_b64(k["x"]))
        out[k["kid"]] = (k["alg"], pub)
    return out


def _openssl_verdict(token: str, keys: dict[str, tuple[str, Any]]) -> str:
    """The kid / alg-pin / signature part of the verdict, with OpenSSL doing the signatures."""
    h, p, s = token.split(".")
    header, msg, sig = json.loads(_b64(h)), f"{h}.{p}".encode(), _b64(s)
    if header.get("kid") not in keys:
        return "unknown_key"
    alg, pub = keys[header["kid"]]
    if header["alg"] != alg:
        return "algorithm_not_allowed"
    digest = HASHES.get(alg[2:])
    try:
        if alg.startswith("RS"):
            pub.verify(sig, msg, padding.PKCS1v15(), digest)
        elif alg.startswith("PS"):
            pub.verify(sig, msg, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
        elif alg.startswith("ES"):
            size = (pub.curve.key_size + 7) // 8
            if len(sig) != 2 * size:
                return "bad_signature"
            r, s_ = int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big")
            pub.verify(utils.encode_dss_signature(r, s_), msg, ec.ECDSA(digest))
        else:
            pub.verify(sig, msg)
    except (InvalidSignature, ValueError):
        return "bad_signature"
    return "valid"


def test_asymmetric2_signatures_agree_with_openssl() -> None:
    keys = _public_keys()
    cases = [c for c in VECTORS["cases"] if c["ring"] == "mixed"]
    assert len(cases) > 120
    differ = []
    for c in cases:
        want = "valid" if c["expect"] == "token_expired" else c["expect"]
        got = _openssl_verdict(c["token"], keys)
        if got != want:
            differ.append((c["name"], got, c["expect"]))
    assert differ == []
