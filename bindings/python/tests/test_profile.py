"""The registered claims profile (docs/profiles.md): tests/vectors/profile.json with the same
verdicts as the Rust runner (crates/auth-core/tests/profile_vectors.rs) and the C suite, and
FastAPI / Flask apps protected by an identity provider's keys — EdDSA and ES256 keys made with
``cryptography``, tokens signed by PyJWT, nothing of this project's."""

# No `from __future__ import annotations`: FastAPI must see the routes' real annotations.

import json
import time
import warnings
from typing import Annotated, Any, Optional

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fastapi import Depends, FastAPI, Security
from flask import Flask
from werkzeug.test import Client

with warnings.catch_warnings():  # recent Starlette prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import auth_core
from auth_core import KeyRing, MemoryRevocationStore, RegisteredClaims, ScopeVocabulary, Verifier
from auth_core.fastapi import BearerToken, install_error_handler
from auth_core.flask import BearerAuthExtension, current_claims
from conftest import b64url_decode, load_vectors

PROFILE = load_vectors("profile.json")
VOCABULARY = ScopeVocabulary.from_json(json.dumps(PROFILE["vocabulary"]))
KEY = PROFILE["key"]
RING = KeyRing.single(KEY["kid"], b64url_decode(KEY["secret"]), KEY["alg"])


def _verifier(case: dict[str, Any]) -> Verifier:
    o = case["options"]
    revocation = None
    if case["revoked"] is not None:
        revocation = MemoryRevocationStore()
        for jti in case["revoked"]:
            revocation.revoke(jti, now=0)
    return Verifier(
        RING,
        leeway=o.get("leeway", 0),
        audience=o.get("audience"),
        issuer=o.get("issuer"),
        revocation=revocation,
        vocabulary=VOCABULARY,
        profile="registered",
        required_claims=o.get("required", ["exp"]),
    )


@pytest.mark.parametrize("case", PROFILE["cases"], ids=[c["name"] for c in PROFILE["cases"]])
def test_profile_vectors(case: dict[str, Any]) -> None:
    v = _verifier(case)
    if case.get("options", {}).get("require_audience"):
        pytest.skip("require_audience is not a Python Verifier option")
    try:
        claims = v.verify(case["token"], now=case["now"], scopes=case["scopes"])
    except auth_core.AuthError as e:
        assert e.code == case["expect"], e
        return
    assert case["expect"] == "valid"
    assert isinstance(claims, RegisteredClaims)
    assert claims.to_dict() == case["claims"]


def test_verifier_options_and_the_wrong_profile_fail_closed() -> None:
    v = Verifier(RING, profile="registered", required_claims=["exp", "sub"])
    assert (v.profile, v.required_claims) == ("registered", ["sub", "exp"])
    seeds = Verifier(RING)
    assert (seeds.profile, seeds.required_claims) == ("seeds", None)
    assert Verifier(RING, profile="registered").required_claims == ["exp"]
    with pytest.raises(ValueError):
        Verifier(RING, profile="other")
    with pytest.raises(ValueError):
        Verifier(RING, required_claims=["exp"])
    with pytest.raises(auth_core.InvalidRequest):
        Verifier(RING, profile="registered", required_claims=["type"])
    valid = next(c for c in PROFILE["cases"] if c["name"].startswith("sub and exp"))
    claims = v.verify(valid["token"], now=valid["now"])
    assert (claims.sub, claims.exp, claims.iss, claims.aud, claims.scope) == ("alice", valid["now"] + 600, None, None, None)
    assert claims.custom == {} and "alice" in repr(claims)
    # A seeds verifier refuses it: no `type`.
    with pytest.raises(auth_core.InvalidClaims, match="type"):
        seeds.verify(valid["token"], now=valid["now"])
    # Scopes: a token without a scope claim holds none.
    need = VOCABULARY.require(["read"])
    with pytest.raises(auth_core.InsufficientScope):
        need.check(claims)
    # A registered token has no `type`: it never meets a type requirement (and says so).
    from auth_core.bearer import require

    with pytest.raises(auth_core.NotPermitted, match="user token"):
        require(claims, type="user")
    assert require(claims) is claims
    # A revocation callable only answers principal queries: it cannot answer, fail closed.
    jti = next(c for c in PROFILE["cases"] if c["name"] == "jti not revoked")
    cb = Verifier(RING, profile="registered", revocation=lambda q: False)
    with pytest.raises(auth_core.RevocationUnavailable):
        cb.verify(jti["token"], now=jti["now"])


# --- an app protected by an identity provider's keys ----------------------------------------

ISS = "https://idp.example"
AUD = "api://orders"


def _pem(private: Any) -> str:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture(scope="module")
def idp() -> dict[str, Any]:
    """Two keys of an identity provider, and a verifier that trusts only their public halves."""
    keys = {"ed": (ed25519.Ed25519PrivateKey.generate(), "EdDSA"), "ec": (ec.generate_private_key(ec.SECP256R1()), "ES256")}
    ring = KeyRing()
    for kid, (private, _) in keys.items():
        ring.add_pem(kid, _pem(private))
    verifier = Verifier(ring, audience=AUD, issuer=ISS, profile="registered", required_claims=["exp", "sub"])
    return {"keys": keys, "verifier": verifier}


def _token(idp: dict[str, Any], kid: str = "ed", **over: Any) -> str:
    private, alg = idp["keys"][kid]
    claims = {"sub": "user-42", "iss": ISS, "aud": AUD, "exp": int(time.time()) + 300, "scope": "read", "tenant": "acme"}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})


def _fastapi(idp: dict[str, Any]) -> TestClient:
    app = FastAPI()
    install_error_handler(app)
    bearer = BearerToken(idp["verifier"])

    @app.get("/me")
    def me(claims: Annotated[RegisteredClaims, Depends(bearer)]) -> dict:
        return {"sub": claims.sub, "tenant": claims.custom["tenant"], "aud": claims.aud}

    @app.get("/orders")
    def orders(claims: Annotated[RegisteredClaims, Security(bearer, scopes=["read"])]) -> dict:
        return {"sub": claims.sub}

    @app.post("/orders")
    def create(claims: Annotated[RegisteredClaims, Security(bearer, scopes=["write"])]) -> dict:
        return {"sub": claims.sub}

    return TestClient(app)


def _flask(idp: dict[str, Any]) -> Client:
    app = Flask(__name__)
    auth = BearerAuthExtension(app, idp["verifier"])

    @app.get("/me")
    @auth.required()
    def me() -> dict:
        claims = current_claims()
        assert isinstance(claims, RegisteredClaims)
        return {"sub": claims.sub, "tenant": claims.custom["tenant"], "aud": claims.aud}

    @app.get("/orders")
    @auth.required(scopes=["read"])
    def orders() -> dict:
        return {"sub": current_claims().sub}

    @app.post("/orders")
    @auth.required(scopes=["write"])
    def create() -> dict:
        return {"sub": current_claims().sub}

    return Client(app)


def _get(client: Any, method: str, path: str, token: Optional[str]) -> tuple[int, Any, str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    r = client.open(path, method=method, headers=headers) if isinstance(client, Client) else client.request(method, path, headers=headers)
    status = r.status_code
    body = r.get_json() if isinstance(client, Client) else r.json()
    return status, body, r.headers.get("www-authenticate", "")


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_an_app_protected_by_an_idps_keys(idp: dict[str, Any], framework: str) -> None:
    client = _fastapi(idp) if framework == "fastapi" else _flask(idp)
    for kid in ["ed", "ec"]:
        status, body, _ = _get(client, "GET", "/me", _token(idp, kid))
        assert (status, body) == (200, {"sub": "user-42", "tenant": "acme", "aud": [AUD]}), (kid, body)
    assert _get(client, "GET", "/orders", _token(idp))[0] == 200
    # Short of scope: 403 with the challenge naming it; no scope claim holds nothing.
    for token in [_token(idp), _token(idp, scope=None)]:
        status, body, challenge = _get(client, "POST", "/orders", token)
        assert status == 403 and body["error"] == "insufficient_scope", body
        assert 'scope="write"' in challenge
    refusals = {
        "missing_token": None,
        "token_expired": _token(idp, exp=int(time.time()) - 10),
        "invalid_claims": _token(idp, aud="api://other"),
        "bad_signature": _token(idp)[:-4] + ("AAAA" if not _token(idp).endswith("AAAA") else "BBBB"),
    }
    refusals["invalid_claims (sub required)"] = _token(idp, sub=None)
    refusals["invalid_claims (iss)"] = _token(idp, iss="https://evil.example")
    # A key of nobody this app trusts.
    stranger = jwt.encode({"sub": "x", "iss": ISS, "aud": AUD, "exp": int(time.time()) + 60},
                          ed25519.Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "ed"})
    refusals["bad_signature (another key)"] = stranger
    for want, token in refusals.items():
        status, body, _ = _get(client, "GET", "/me", token)
        assert status == 401, (want, status, body)
        assert body["error"] == want.split(" ")[0], (want, body)
