"""The native HTTP edge: Authenticator's arguments, revocation sources and clock, and Answer."""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta

import pytest

import auth_core
from auth_core import Answer, Authenticator, Issuer, KeyRing, MemoryRevocationStore, Verifier

RING = KeyRing.single("k1", b"0123456789abcdef0123456789abcdef")
ISSUER = Issuer(RING)
NOW = 1_700_000_000


def _token(**kwargs: object) -> str:
    return ISSUER.mint_user(7, "alice", now=NOW, **kwargs).token  # type: ignore[arg-type]


def test_authenticate_at_a_given_time() -> None:
    auth = Authenticator(Verifier(RING))
    header = f"Bearer {_token()}"
    assert auth.authenticate(header, "203.0.113.5", now=NOW + 60).name == "alice"
    with pytest.raises(auth_core.TokenExpired):
        auth.authenticate(header, "203.0.113.5", now=NOW + 10 * 86400)


def test_peer_may_be_an_ipaddress_object() -> None:
    auth = Authenticator(Verifier(RING))
    header = f"Bearer {_token(allowed_ips=['203.0.113.0/24'])}"
    found = auth.authenticate_request(header, ipaddress.ip_address("203.0.113.5"), now=NOW)
    assert found.client_ip == "203.0.113.5" and found.claims.id == 7
    assert "203.0.113.5" in repr(found)


def test_wrong_argument_types_raise_type_error() -> None:
    auth = Authenticator(Verifier(RING))
    with pytest.raises(TypeError):
        auth.authenticate(42, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        auth.authenticate(["Bearer x", 1], None)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        auth.authenticate("Bearer x", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Authenticator("not a verifier")  # type: ignore[arg-type]
    with pytest.raises(auth_core.InvalidIpRule):
        Authenticator(Verifier(RING), trusted_proxies=["10.0.0.1/8"])
    with pytest.raises(TypeError):
        Authenticator(Verifier(RING), trusted_proxies="10.0.0.0/8")  # type: ignore[arg-type]


def test_revocation_sources_are_consulted_in_addition_to_the_verifiers() -> None:
    minted = ISSUER.mint_user(7, "alice", now=NOW)
    header = f"Bearer {minted.token}"
    store = MemoryRevocationStore()
    store.logout(minted.claims, now=NOW)
    auth = Authenticator(Verifier(RING), revocation=store)
    assert auth.revocation is not None and len(auth.revocation) == 1
    with pytest.raises(auth_core.TokenRevoked):
        auth.authenticate(header, None, now=NOW)
    # The verifier's own store still counts.
    auth = Authenticator(Verifier(RING, revocation=store), revocation=lambda q: False)
    with pytest.raises(auth_core.TokenRevoked):
        auth.authenticate(header, None, now=NOW)


def test_a_failing_revocation_callable_fails_closed_with_its_cause() -> None:
    def broken(query: auth_core.RevocationQuery) -> bool:
        raise RuntimeError("database down")

    auth = Authenticator(Verifier(RING), revocation=broken)
    with pytest.raises(auth_core.RevocationUnavailable) as info:
        auth.authenticate(f"Bearer {_token()}", None, now=NOW)
    assert isinstance(info.value.__cause__, RuntimeError)

    def interrupted(query: auth_core.RevocationQuery) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Authenticator(Verifier(RING), revocation=interrupted).authenticate(f"Bearer {_token()}", None, now=NOW)


def test_properties_and_repr() -> None:
    verifier = Verifier(RING)
    auth = Authenticator(verifier, trusted_proxies=[ipaddress.ip_network("10.0.0.0/8"), "::1"], trust_unix_peers=True)
    assert auth.verifier is verifier
    assert auth.trusted_proxies == ["10.0.0.0/8", "::1"]
    assert auth.trust_unix_peers and auth.revocation is None
    assert "trust_unix_peers=True" in repr(auth)


def test_answer_fields_and_headers() -> None:
    answer = Answer.refusal(auth_core.TokenRevoked("gone"))
    assert (answer.status, answer.content_type, answer.challenge, answer.retry_after) == (
        401, "application/json", 'Bearer error="invalid_token"', None)
    assert json.loads(answer.body) == {"error": "token_revoked", "message": "gone"}
    assert answer.text == answer.body.decode()
    assert answer.headers == [("content-type", "application/json"), ("cache-control", "no-store"),
                              ("www-authenticate", 'Bearer error="invalid_token"')]
    assert Answer.rate_limited(timedelta(seconds=30), "token_api", b"application/xml").retry_after == 30
    assert Answer.refusal(auth_core.MissingToken(), "auth_request").headers == [
        ("cache-control", "no-store"), ("www-authenticate", "Bearer")]
    assert "401" in repr(answer)
