"""What the web-integration tests share: one key ring, tokens for every case, and the
checks of the error answers (status, body shape, RFC 6750 header)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import auth_core
from auth_core import Issuer, KeyRing, MemoryRevocationStore, ScopeVocabulary, Verifier

SECRET = b"integration tests secret, 32+ b."
CLIENT = "203.0.113.5"  # the address test clients connect from
PROXY = "10.0.0.7"  # inside the trusted range 10.0.0.0/8
SPOOFED = "198.51.100.9"  # what a caller claims in X-Forwarded-For
TRUSTED = ["10.0.0.0/8", "127.0.0.1"]
# The scope names of the tests (docs/scopes.md): `sms` includes `sms:send` and `sms:read`.
VOCABULARY = ScopeVocabulary({
    "sms": {"description": "Send and read SMS", "includes": ["sms:send", "sms:read"]},
    "sms:send": {}, "sms:read": {}, "account": {},
})

# Authorization values of the Bearer scheme that are not "Bearer <token>" (malformed_token).
GARBLED_HEADERS = ["Bearer", "Bearer ", "Bearer a b", "Bearer  x", "Bearer\tabc", "Bearer a, Bearer b"]
# Authorization values that carry no bearer credential (missing_token, docs/http.md).
NOT_BEARER_HEADERS = ["Basic dXNlcjpwYXNz", "Token abc", "abc.def.ghi"]


@dataclass
class World:
    """The ring, issuer, revocation store, verifier (both with the scope vocabulary) and one
    token per case."""

    ring: KeyRing
    issuer: Issuer
    store: MemoryRevocationStore
    verifier: Verifier
    user: str  # a plain user (id 7, "alice")
    admin: str  # an admin user
    reseller: str
    expired: str
    revoked: str
    restricted: str  # a user token valid only from SPOOFED's network (198.51.100.0/24)
    garbled: str  # three segments that are not a token
    sms: str  # a user token scoped to `sms` (which includes `sms:send`, `sms:read`)
    sms_send: str  # a user token scoped to `sms:send` only
    account: str  # a reseller token scoped to `account`


def make_world() -> World:
    ring = KeyRing.single("k1", SECRET)
    issuer = Issuer(ring, vocabulary=VOCABULARY)
    store = MemoryRevocationStore()
    revoked = issuer.mint_user(8, "revoked")
    store.logout(revoked.claims)
    return World(
        ring=ring,
        issuer=issuer,
        store=store,
        verifier=Verifier(ring, revocation=store, vocabulary=VOCABULARY),
        user=issuer.mint_user(7, "alice").token,
        admin=issuer.mint_user(1, "root", admin=True).token,
        reseller=issuer.mint_reseller(3, "reseller_name").token,
        expired=issuer.mint_user(7, "alice", now=int(time.time()) - 200_000).token,
        revoked=revoked.token,
        restricted=issuer.mint_user(9, "bob", allowed_ips=["198.51.100.0/24"]).token,
        garbled="abc.def.ghi",
        sms=issuer.mint_user(7, "alice", scopes=["sms"]).token,
        sms_send=issuer.mint_user(7, "alice", scopes=["sms:send"]).token,
        account=issuer.mint_reseller(3, "reseller_name", scopes=["account"]).token,
    )


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


# The codes whose refusal names the token as invalid (RFC 6750 §3.1, docs/http.md).
TOKEN_CODES = {"malformed_token", "token_too_large", "unsupported_header", "algorithm_not_allowed", "unknown_key",
               "bad_signature", "invalid_claims", "token_expired", "token_not_yet_valid", "issued_in_future",
               "token_revoked", "ip_not_allowed"}


def challenge(code: str) -> str | None:
    """The ``WWW-Authenticate`` answer to a refusal with ``code``."""
    status = auth_core.error_class(code).http_status
    if code in TOKEN_CODES:
        return 'Bearer error="invalid_token"'
    if status == 403:
        return 'Bearer error="insufficient_scope"'
    return "Bearer" if status == 401 else None


def assert_rejected(status: int, headers: Any, body: Any, code: str, http: int = 401) -> None:
    """An error answer: the status, the flat JSON body and the RFC 6750 header."""
    assert status == http, (status, body)
    assert body == {"error": code, "message": body["message"]}, body
    assert isinstance(body["message"], str) and body["message"]
    assert headers["content-type"].startswith("application/json")
    assert headers["cache-control"] == "no-store"
    expected = challenge(code)
    if expected is not None:
        assert headers["www-authenticate"] == expected
    else:
        assert "www-authenticate" not in headers
    assert auth_core.error_class(code).http_status == http


def assert_short_of_scope(status: int, headers: Any, body: Any, scope: str) -> None:
    """The answer to a valid token that lacks a scope: 403 ``insufficient_scope``, the
    challenge naming what the request needs (RFC 6750 §3.1)."""
    assert status == 403, (status, body)
    assert body == {"error": "insufficient_scope", "message": body["message"]}, body
    assert headers["content-type"].startswith("application/json")
    assert headers["cache-control"] == "no-store"
    assert headers["www-authenticate"] == f'Bearer error="insufficient_scope", scope="{scope}"'


def assert_missing(status: int, headers: Any, body: Any) -> None:
    """The answer to a request without a bearer credential: 401 ``missing_token``, a bare
    ``Bearer`` challenge (RFC 6750 §3.1)."""
    assert_rejected(status, headers, body, "missing_token")
