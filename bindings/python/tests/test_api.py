"""The Pythonic API: key rings and rotation, minting, verification, claims objects,
revocation, IP policies, inspection and the docs/apis.md wire shapes."""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime, timedelta, timezone

import pytest

import auth_core
from auth_core import (
    Issuer,
    KeyRing,
    MemoryRevocationStore,
    Principal,
    ResellerClaims,
    UserClaims,
    Verifier,
)
from conftest import NOW, SECRET

OTHER = b"fedcba9876543210fedcba9876543210"


def test_user_token_round_trip(issuer: Issuer, verifier: Verifier) -> None:
    minted = issuer.mint_user(123, "alice", True, "ACME", 7, now=NOW, token_id="t-1")
    assert minted.token_id == "t-1"
    assert minted.expires_at == NOW + auth_core.DEFAULT_DYNAMIC_TTL
    claims = verifier.verify(minted.token, now=NOW + 1)
    assert isinstance(claims, UserClaims)
    assert (claims.type, claims.id, claims.name, claims.admin) == ("user", 123, "alice", True)
    assert (claims.sms_from, claims.user_group_id) == ("ACME", 7)
    assert (claims.iat, claims.exp, claims.nbf, claims.jti) == (NOW, NOW + 86400, None, "t-1")
    assert claims.principal == Principal.user(123)
    assert not claims.is_static
    assert claims == minted.claims
    assert claims.to_dict() == {
        "type": "user", "id": 123, "name": "alice", "admin": True, "sms_from": "ACME",
        "user_group_id": 7, "iat": NOW, "exp": NOW + 86400, "jti": "t-1",
    }
    assert json.loads(claims.to_json()) == claims.to_dict()


def test_reseller_token_with_every_option(issuer: Issuer, verifier: Verifier) -> None:
    minted = issuer.mint_reseller(
        1, "reseller_name", ttl=timedelta(days=31), token_name="Best token ever",
        allowed_ips=["192.168.2.0/24", ipaddress.ip_address("2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae")],
        parent=("reseller", 9), not_before=NOW + 10, now=NOW,
    )
    assert minted.expires_at == NOW + 2_678_400
    claims = verifier.verify(minted.token, now=NOW + 10, client_ip="192.168.2.7")
    assert isinstance(claims, ResellerClaims)
    assert claims.type == "reseller" and not hasattr(claims, "admin")
    assert claims.token_name == "Best token ever"
    assert claims.allowed_ips == ["192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"]
    assert claims.parent == Principal("reseller", 9)
    assert claims.nbf == NOW + 10
    with pytest.raises(auth_core.TokenNotYetValid):
        verifier.verify(minted.token, now=NOW + 9, client_ip="192.168.2.7")
    with pytest.raises(auth_core.IpNotAllowed):
        verifier.verify(minted.token, now=NOW + 10, client_ip="192.168.3.7")
    with pytest.raises(auth_core.IpNotAllowed):
        verifier.verify(minted.token, now=NOW + 10)
    ok = verifier.verify(
        minted.token, now=NOW + 10, client_ip=ipaddress.ip_address("::ffff:192.168.2.9")
    )
    assert ok == claims


def test_static_tokens_and_policy(ring: KeyRing) -> None:
    minted = Issuer(ring).mint_user(1, "a", static=True, now=NOW)
    assert minted.expires_at is None and minted.claims.is_static
    assert Verifier(ring).verify(minted.token, now=NOW + 10**8).exp is None
    strict = Issuer(ring, dynamic_ttl=60, max_ttl=3600, allow_static=False)
    assert (strict.dynamic_ttl, strict.max_ttl, strict.allow_static) == (60, 3600, False)
    with pytest.raises(auth_core.StaticNotAllowed):
        strict.mint_user(1, "a", static=True)
    with pytest.raises(auth_core.InvalidTtl):
        strict.mint_user(1, "a", ttl=3601)
    with pytest.raises(auth_core.InvalidTtl):
        strict.mint_user(1, "a", ttl=0)
    with pytest.raises(auth_core.InvalidTtl):
        strict.mint_user(1, "a", ttl=-5)
    with pytest.raises(auth_core.InvalidTtl):
        strict.mint_user(1, "a", ttl=timedelta(seconds=1.5))
    with pytest.raises(auth_core.InvalidRequest):
        strict.mint_user(1, "a", ttl=60, static=True)
    assert strict.mint_user(1, "a", now=NOW).expires_at == NOW + 60
    with pytest.raises(auth_core.InvalidTtl):
        Issuer(ring, dynamic_ttl=0)


def test_key_rotation_takes_effect_in_existing_issuers_and_verifiers() -> None:
    ring = KeyRing()
    ring.add("old", SECRET)
    issuer, verifier = Issuer(ring), Verifier(ring)
    old_token = issuer.mint_user(1, "a", now=NOW).token
    ring.rotate("new", OTHER * 2, "HS512")  # HS512 needs 64 bytes
    assert ring.active_kid == "new" and ring.kids() == ["old", "new"] and len(ring) == 2
    new_token = issuer.mint_user(1, "a", now=NOW).token
    assert auth_core.inspect_unverified(new_token)["header"] == {"alg": "HS512", "typ": "JWT", "kid": "new"}
    assert verifier.verify(old_token, now=NOW).id == 1
    assert verifier.verify(new_token, now=NOW).id == 1
    ring.remove("old")
    assert "old" not in ring and "new" in ring
    with pytest.raises(auth_core.UnknownKey):
        verifier.verify(old_token, now=NOW)
    ring.remove("new")
    assert ring.active_kid is None
    with pytest.raises(auth_core.InvalidKey):
        issuer.mint_user(1, "a")


def test_key_ring_configuration_errors() -> None:
    ring = KeyRing()
    with pytest.raises(auth_core.WeakKey) as e:
        ring.add("k", b"short")
    assert e.value.http_status is None and "32" in e.value.message
    with pytest.raises(auth_core.InvalidKey):
        ring.add("bad kid!", SECRET)
    with pytest.raises(auth_core.InvalidKey):
        ring.add("k", SECRET, "RS256")
    ring.add("k", SECRET.decode())  # str secrets are their UTF-8 bytes
    with pytest.raises(auth_core.InvalidKey):
        ring.add("k", OTHER)
    with pytest.raises(auth_core.UnknownKey):
        ring.set_active("nope")
    with pytest.raises(auth_core.UnknownKey):
        ring.default_kid = "nope"
    assert len(ring) == 1 and ring.algorithm("k") == "HS256"
    assert SECRET.decode() not in repr(ring)


def test_default_kid_lets_tokens_without_kid_verify() -> None:
    import jwt

    ring = KeyRing()
    ring.add("a", SECRET)
    ring.add("b", OTHER)
    token = jwt.encode({"type": "reseller", "id": 1, "name": "r", "iat": NOW, "jti": "x"}, OTHER, "HS256")
    verifier = Verifier(ring)
    with pytest.raises(auth_core.UnknownKey):
        verifier.verify(token, now=NOW)
    ring.default_kid = "b"
    assert ring.default_kid == "b"
    assert verifier.verify(token, now=NOW).name == "r"
    ring.default_kid = None
    with pytest.raises(auth_core.UnknownKey):
        verifier.verify(token, now=NOW)


def test_now_accepts_aware_datetimes_and_refuses_naive_ones(issuer: Issuer, verifier: Verifier) -> None:
    at = datetime.fromtimestamp(NOW, tz=timezone(timedelta(hours=5)))
    minted = issuer.mint_user(5, "bob", now=at)
    assert minted.claims.iat == NOW
    assert verifier.verify(minted.token, now=at + timedelta(seconds=1.9)).iat == NOW
    with pytest.raises(auth_core.TokenExpired):
        verifier.verify(minted.token, now=at + timedelta(days=1))
    with pytest.raises(ValueError, match="naive"):
        verifier.verify(minted.token, now=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        issuer.mint_user(5, "bob", now=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="1970"):
        verifier.verify(minted.token, now=datetime(1969, 12, 31, tzinfo=timezone.utc))


def test_verifier_options(ring: KeyRing, issuer: Issuer) -> None:
    minted = issuer.mint_user(1, "a", ttl=10, now=NOW)
    assert Verifier(ring, leeway=5).verify(minted.token, now=NOW + 14).id == 1
    with pytest.raises(auth_core.TokenExpired):
        Verifier(ring).verify(minted.token, now=NOW + 10)
    with pytest.raises(auth_core.IssuedInFuture):
        Verifier(ring, max_clock_skew=0).verify(minted.token, now=NOW - 1)
    with pytest.raises(auth_core.TokenTooLarge):
        Verifier(ring, max_token_size=len(minted.token) - 1).verify(minted.token, now=NOW)
    v = Verifier(ring, leeway=1, max_clock_skew=2, max_token_size=3)
    assert (v.leeway, v.max_clock_skew, v.max_token_size, v.revocation) == (1, 2, 3, None)


def test_tokens_as_bytes(issuer: Issuer, verifier: Verifier) -> None:
    minted = issuer.mint_user(1, "a", now=NOW)
    assert verifier.verify(minted.token.encode(), now=NOW).id == 1
    with pytest.raises(auth_core.MalformedToken):
        verifier.verify(b"\xff\xfe.\x00.\x80", now=NOW)


def test_memory_revocation_store(issuer: Issuer, ring: KeyRing) -> None:
    store = MemoryRevocationStore()
    verifier = Verifier(ring, revocation=store)
    assert isinstance(verifier.revocation, MemoryRevocationStore)
    a = issuer.mint_user(7, "a", now=NOW)
    b = issuer.mint_user(7, "a", now=NOW + 5)
    c = issuer.mint_reseller(7, "r", now=NOW)
    claims = verifier.verify(a.token, now=NOW)
    store.logout(claims, now=NOW)
    assert len(store) == 1 and store.is_revoked(a.token_id, now=NOW)
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(a.token, now=NOW)
    assert verifier.verify(b.token, now=NOW + 5).jti == b.token_id
    store.revoke_principal_before(Principal.user(7), NOW + 6)
    assert store.principal_cutoff(("user", 7)) == NOW + 6
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(b.token, now=NOW + 5)
    assert verifier.verify(c.token, now=NOW).type == "reseller"  # other principal type
    # A per-call store adds to the verifier's own, never replaces it.
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(b.token, now=NOW + 5, revocation=MemoryRevocationStore())
    # Kept for the default grace (an hour) past exp, then forgotten.
    assert store.purge_expired(now=NOW + 86400) == 0
    assert store.purge_expired(now=NOW + 86400 + 3600) == 1
    assert len(store) == 1  # the principal cutoff is kept
    store.revoke_claims(verifier.verify(c.token, now=NOW), now=NOW)
    full = MemoryRevocationStore(capacity_limit=0)
    with pytest.raises(auth_core.RevocationStoreFull):
        full.revoke("x", now=NOW)


def test_revocation_callable(issuer: Issuer, ring: KeyRing) -> None:
    seen: list[auth_core.RevocationQuery] = []

    def revoked(q: auth_core.RevocationQuery) -> bool:
        seen.append(q)
        return q.jti == "stolen"

    verifier = Verifier(ring, revocation=revoked)
    assert verifier.revocation is revoked
    ok = issuer.mint_user(3, "u", now=NOW, token_id="fine")
    bad = issuer.mint_user(3, "u", now=NOW, token_id="stolen")
    assert verifier.verify(ok.token, now=NOW).jti == "fine"
    with pytest.raises(auth_core.TokenRevoked) as e:
        verifier.verify(bad.token, now=NOW)
    assert e.value.__cause__ is None
    q = seen[0]
    assert (q.jti, q.type, q.id, q.iat, q.exp) == ("fine", "user", 3, NOW, NOW + 86400)
    assert q.principal == Principal.user(3)


def test_revocation_callable_that_raises_is_unavailable_and_reports(issuer: Issuer, ring: KeyRing) -> None:
    def broken(q: auth_core.RevocationQuery) -> bool:
        raise ConnectionError("revocation database unreachable")

    token = issuer.mint_user(3, "u", now=NOW).token
    with pytest.raises(auth_core.RevocationUnavailable) as e:
        Verifier(ring, revocation=broken).verify(token, now=NOW)
    assert not isinstance(e.value, auth_core.TokenRevoked)
    assert e.value.code == "revocation_unavailable" and e.value.http_status == 503
    assert isinstance(e.value.__cause__, ConnectionError)
    assert "revocation status is unknown" in e.value.message
    # A non-bool answer is not a decision either.
    with pytest.raises(auth_core.RevocationUnavailable) as e2:
        Verifier(ring).verify(token, now=NOW, revocation=lambda q: None)
    assert isinstance(e2.value.__cause__, TypeError)
    # A store that knows the token is revoked still wins over the failing callable.
    store = MemoryRevocationStore()
    revoked = issuer.mint_user(3, "u", now=NOW, token_id="gone")
    store.revoke("gone", revoked.expires_at, now=NOW)
    with pytest.raises(auth_core.TokenRevoked):
        Verifier(ring, revocation=store).verify(revoked.token, now=NOW, revocation=broken)
    # In a batch the failure is per token, reported on the returned exception.
    results = Verifier(ring, revocation=broken).verify_many([token, "x"], now=NOW)
    assert isinstance(results[0], auth_core.RevocationUnavailable)
    assert isinstance(results[0].__cause__, ConnectionError)
    assert isinstance(results[1], auth_core.MalformedToken)


def test_verify_many_shape(issuer: Issuer, verifier: Verifier) -> None:
    good = issuer.mint_user(1, "a", now=NOW).token
    reseller = issuer.mint_reseller(2, "r", now=NOW).token
    results = verifier.verify_many([good, "nope", reseller.encode(), good + "x"], now=NOW)
    assert [type(r).__name__ for r in results] == ["UserClaims", "MalformedToken", "ResellerClaims", "BadSignature"]
    assert verifier.verify_many([], now=NOW) == []
    assert len(verifier.verify_many(iter([good] * 3), now=NOW)) == 3


def test_ip_policies() -> None:
    allow = auth_core.IpAllowList(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"])
    assert len(allow) == 3 and allow.rules == ["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]
    assert allow.contains("10.200.0.1") and "::ffff:192.168.1.7" in allow
    assert allow.contains(ipaddress.ip_address("2001:db8::5"))
    assert not allow.contains("192.168.1.8")
    with pytest.raises(auth_core.InvalidIpAddress):
        allow.contains("010.1.1.1")
    with pytest.raises(auth_core.InvalidIpRule) as e:
        auth_core.IpAllowList(["192.168.2.5/24"])
    assert "192.168.2.0/24" in e.value.message
    assert not auth_core.IpAllowList([]).contains("1.1.1.1")
    big = auth_core.IpAllowList(f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}" for i in range(0, 200_000, 2))
    assert len(big) == 100_000
    assert big.contains("10.3.13.62") and not big.contains("10.3.13.63") and not big.contains("11.0.0.1")

    full = auth_core.IpRegex(r"192\.168\.1\.1")
    assert full.matches("192.168.1.1") and not full.matches("192.168.1.10")
    assert full.pattern == r"192\.168\.1\.1" and not full.search
    assert auth_core.IpRegex(r"192\.168\.1\.1", search=True).matches("192.168.1.10")
    with pytest.raises(auth_core.InvalidRegex):
        auth_core.IpRegex("(")
    with pytest.raises(auth_core.InvalidRegex):
        auth_core.IpRegex("")
    with pytest.raises(auth_core.InvalidIpAddress):
        full.matches("192.168.1.1 ")
    assert auth_core.canonical_ip("2001:DB8:0:0:0:0:0:1") == "2001:db8::1"


def test_inspect_unverified(issuer: Issuer) -> None:
    token = issuer.mint_user(1, "a", now=NOW, token_id="j").token
    info = auth_core.inspect_unverified(token)
    assert info["header"] == {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    assert info["claims"]["jti"] == "j"
    forged = token[:-4] + "AAAA"
    assert auth_core.inspect_unverified(forged)["claims"]["id"] == 1  # not verified!
    with pytest.raises(auth_core.TokenTooLarge):
        auth_core.inspect_unverified(token, max_size=10)
    with pytest.raises(auth_core.MalformedToken):
        auth_core.inspect_unverified("a.b")


def test_repr_never_shows_secrets_or_tokens(issuer: Issuer) -> None:
    minted = issuer.mint_user(1, "a", now=NOW, token_id="tid")
    assert minted.token not in repr(minted) and "tid" in repr(minted)
    assert repr(Principal.reseller(4)) == "Principal(type='reseller', id=4)"


def test_user_login_wire(issuer: Issuer, verifier: Verifier) -> None:
    login = auth_core.login_user(
        issuer, id=123, name="alice", sms_from="ACME", user_group_id=7,
        allowed_regex=r"192\.168\.1\.\d+", client_ip="192.168.1.20", now=NOW,
    )
    assert json.loads(login.to_json()) == {"user": {"id": 123, "blocked": False}, "token": login.token}
    assert verifier.verify(login.token, now=NOW).exp == NOW + 86400
    with pytest.raises(auth_core.LoginIpDenied) as e:
        auth_core.login_user(issuer, id=123, name="alice", allowed_regex=auth_core.IpRegex("10\\..*"), client_ip="192.168.1.20")
    assert e.value.http_status == 406
    assert json.loads(auth_core.login_error_json(e.value)) == {
        "error": {"code": "login_ip_denied", "message": "Login denied due to IP restriction", "status": 406}
    }
    with pytest.raises(auth_core.InvalidCredentials):
        auth_core.login_user(issuer, id=1, name="x", blocked=True)


def test_reseller_login_and_logout_wire(issuer: Issuer, ring: KeyRing) -> None:
    login = auth_core.login_reseller(
        issuer, id=1, name="reseller_name", allowed_ips=["192.168.2.0/24"], user_groups=[{"id": 3}],
        user_balance=1000.0, version="1.0.0", client_ip="192.168.2.2", now=NOW,
    )
    body = json.loads(login.to_json())
    assert body == {
        "token": login.token, "reseller": {"id": 1, "name": "reseller_name"},
        "user_groups": [{"id": 3}], "user_balance": 1000.0, "version": "1.0.0",
    }
    assert '"user_balance": 1000.00' in login.to_json()
    assert (login.reseller_id, login.reseller_name, login.user_groups) == (1, "reseller_name", [{"id": 3}])
    with pytest.raises(auth_core.ResellerIpDenied) as e:
        auth_core.login_reseller(issuer, id=1, name="r", allowed_ips=["192.168.2.0/24"], client_ip="10.0.0.1")
    assert e.value.message == "Your IP is not allowed"
    # A blocked reseller gets the answer to a wrong password, even from an allowed address.
    with pytest.raises(auth_core.ResellerInvalidCredentials) as blocked:
        auth_core.login_reseller(
            issuer, id=1, name="r", blocked=True, allowed_ips=["192.168.2.0/24"], client_ip="192.168.2.2"
        )
    assert blocked.value.http_status == 401
    # The version defaults to the core's, whether omitted, None or empty.
    for default in (
        auth_core.login_reseller(issuer, id=1, name="r"),
        auth_core.login_reseller(issuer, id=1, name="r", version=None),
        auth_core.login_reseller(issuer, id=1, name="r", version=""),
    ):
        assert default.version == "1.0.0" and json.loads(default.to_json())["version"] == "1.0.0"
    assert auth_core.login_reseller(issuer, id=1, name="r", version="2.5").version == "2.5"
    store = MemoryRevocationStore()
    verifier = Verifier(ring, revocation=store)
    claims = verifier.verify(login.token, now=NOW, client_ip="192.168.2.2")
    assert claims.allowed_ips == ["192.168.2.0/24"]
    auth_core.logout(store, claims, now=NOW)
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(login.token, now=NOW, client_ip="192.168.2.2")


def test_token_creation_wire(issuer: Issuer, verifier: Verifier) -> None:
    caller = verifier.verify(issuer.mint_reseller(1, "reseller_name", now=NOW).token, now=NOW)
    req = auth_core.TokenRequest.from_json(
        '{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["192.168.2.0/24"]}}'
    )
    assert (req.name, req.ttl, req.allowed_ips) == ("Best token ever", 2678400, ["192.168.2.0/24"])
    created = auth_core.create_token(issuer, caller, req, now=NOW)
    body = json.loads(created.render("json"))
    assert body == {"status": 1, "message": "OK", "token": created.token, "token_id": created.token_id,
                    "allowed_ips": ["192.168.2.0/24"]}
    assert created.to_xml().startswith("<response><status>1</status><message>OK</message><token>")
    assert created.claims.token_name == "Best token ever"
    xml_req = auth_core.TokenRequest.from_xml(b"<token><name>n</name></token>")
    assert xml_req.ttl is None  # unlimited
    sub = auth_core.create_sub_account_token(
        issuer, caller, xml_req, type="user", id=42, name="customer", owned_by_caller=True, now=NOW
    )
    claims = verifier.verify(sub.token, now=NOW)
    assert claims.id == 42 and claims.parent == Principal.reseller(1) and claims.is_static
    with pytest.raises(auth_core.NotPermitted) as e:
        auth_core.create_sub_account_token(issuer, caller, xml_req, type="user", id=43, name="x", owned_by_caller=False)
    assert auth_core.error_status(e.value) == 403
    assert json.loads(auth_core.sms_error_body(e.value)) == {
        "status": 0, "message": e.value.message, "error": "not_permitted"
    }
    assert auth_core.sms_error_body(e.value, "xml").endswith("<error>not_permitted</error></response>")
    # Unknown and blocked accounts: the library decides, with the same answer as "not yours".
    for found, blocked in ((False, False), (True, True), (False, True)):
        with pytest.raises(auth_core.NotPermitted) as refused:
            auth_core.create_sub_account_token(
                issuer, caller, xml_req, type="user", id=42, name="customer", owned_by_caller=True,
                blocked=blocked, found=found, now=NOW,
            )
        assert refused.value.message == e.value.message
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.TokenRequest.parse("<token><ttl>5</ttl></token>", "xml")
    assert auth_core.media_format("application/xml") == "xml"
    assert auth_core.media_format("text/html") is None
    assert auth_core.content_type("json") == "application/json"
    assert auth_core.error_status(auth_core.WeakKey("x")) == 500


def test_per_call_revocation_adds_to_the_verifiers_own(issuer: Issuer, ring: KeyRing) -> None:
    token = issuer.mint_user(3, "u", now=NOW, token_id="t-own").token
    own = MemoryRevocationStore()
    own.revoke("t-own", NOW + 86400, now=NOW)
    verifier = Verifier(ring, revocation=own)
    # Revoked in the verifier's store: a per-call store (memory or callable) cannot un-revoke it.
    for call in (MemoryRevocationStore(), lambda q: False):
        with pytest.raises(auth_core.TokenRevoked):
            verifier.verify(token, now=NOW, revocation=call)
        assert isinstance(verifier.verify_many([token], now=NOW, revocation=call)[0], auth_core.TokenRevoked)
    # Revoked only by the call's source: revoked too.
    fine = issuer.mint_user(3, "u", now=NOW, token_id="t-call").token
    assert verifier.verify(fine, now=NOW).jti == "t-call"
    with pytest.raises(auth_core.TokenRevoked):
        verifier.verify(fine, now=NOW, revocation=lambda q: q.jti == "t-call")

    # The verifier's own callable fails: the token is refused as unavailable and the exception is
    # the cause, whatever store the call adds.
    def broken(q: auth_core.RevocationQuery) -> bool:
        raise ConnectionError("revocation database unreachable")

    with pytest.raises(auth_core.RevocationUnavailable) as e:
        Verifier(ring, revocation=broken).verify(fine, now=NOW, revocation=MemoryRevocationStore())
    assert isinstance(e.value.__cause__, ConnectionError)
    # Both sources are asked when neither revokes.
    asked: list[str] = []
    both = Verifier(ring, revocation=lambda q: asked.append("own") or False)
    assert both.verify(fine, now=NOW, revocation=lambda q: asked.append("call") or False).id == 3
    assert sorted(asked) == ["call", "own"]


def test_audience_and_issuer(ring: KeyRing) -> None:
    from conftest import load_vectors, ring_from_vectors

    tokens = load_vectors("tokens.json")
    case = next(
        c for c in tokens["cases_audience"]
        if c["expect"] == "valid" and isinstance(c["claims"].get("aud"), str) and "issuer" not in c["options"]
    )
    vring = ring_from_vectors(tokens["rings"][case["ring"]])
    aud = case["claims"]["aud"]
    # A single str and a list name the same audience.
    for audience in (aud, [aud], ("other", aud)):
        v = Verifier(vring, audience=audience)
        claims = v.verify(case["token"], now=case["now"])
        assert claims.audience == [aud] and claims.to_dict()["aud"] == aud
    assert Verifier(vring, audience=aud).audience == [aud]
    # No audience configured: a token with aud is refused.
    with pytest.raises(auth_core.InvalidClaims):
        Verifier(vring).verify(case["token"], now=case["now"])
    with pytest.raises(auth_core.InvalidClaims):
        Verifier(vring, audience="someone-else").verify(case["token"], now=case["now"])
    # An expected issuer the token does not name.
    with pytest.raises(auth_core.InvalidClaims):
        Verifier(vring, audience=aud, issuer="https://issuer.example").verify(case["token"], now=case["now"])
    v = Verifier(ring, issuer="https://issuer.example")
    assert v.issuer == "https://issuer.example" and Verifier(ring).issuer is None
    for bad in (5, b"api", [1]):
        with pytest.raises(TypeError):
            Verifier(ring, audience=bad)  # type: ignore[arg-type]


def test_revocation_query_parent_and_cutoff_now(issuer: Issuer, ring: KeyRing) -> None:
    seen: list[auth_core.RevocationQuery] = []
    verifier = Verifier(ring, revocation=lambda q: seen.append(q) or False)
    verifier.verify(issuer.mint_user(4, "sub", parent=("reseller", 9), now=NOW).token, now=NOW)
    verifier.verify(issuer.mint_user(5, "own", now=NOW).token, now=NOW)
    assert seen[0].parent == Principal.reseller(9) and seen[1].parent is None
    assert "parent=" in repr(seen[0])
    # `now` of revoke_principal_before: used to purge expired entries when the store is full.
    store = MemoryRevocationStore(capacity_limit=1, expiry_grace=0)
    store.revoke("j", NOW + 10, now=NOW)
    with pytest.raises(auth_core.RevocationStoreFull):
        store.revoke_principal_before(("user", 1), NOW, now=NOW)
    store.revoke_principal_before(("user", 1), NOW, now=NOW + 11)
    assert store.principal_cutoff(("user", 1)) == NOW


def test_issuer_max_token_size_and_generated_secrets(ring: KeyRing) -> None:
    assert Issuer(ring).max_token_size == 8192
    small = Issuer(ring, max_token_size=64)
    assert small.max_token_size == 64
    with pytest.raises(auth_core.InvalidRequest):
        small.mint_user(1, "u", now=NOW)
    assert len(auth_core.generate_secret()) == 43
    for alg in ("HS256", "HS384", "HS512"):
        secret = auth_core.generate_secret(alg)
        KeyRing.single("g", secret.encode(), alg)  # long enough for its algorithm
    assert len(auth_core.generate_secret("HS512")) == 64
    assert auth_core.generate_secret() != auth_core.generate_secret()
    with pytest.raises(auth_core.InvalidKey):
        auth_core.generate_secret("none")


def test_durations_accept_timedelta_by_the_core_rule(ring: KeyRing) -> None:
    v = Verifier(ring, leeway=timedelta(seconds=30), max_clock_skew=timedelta(minutes=2))
    assert (v.leeway, v.max_clock_skew) == (30, 120)
    issuer = Issuer(ring, dynamic_ttl=timedelta(hours=1), max_ttl=timedelta(days=2))
    assert (issuer.dynamic_ttl, issuer.max_ttl) == (3600, 172800)
    MemoryRevocationStore(expiry_grace=timedelta(seconds=5))
    with pytest.raises(auth_core.InvalidTtl):
        Verifier(ring, leeway=timedelta(milliseconds=1500))
    with pytest.raises(ValueError):
        Verifier(ring, leeway=timedelta(seconds=-1))
    with pytest.raises(TypeError):
        Verifier(ring, leeway="5")  # type: ignore[arg-type]
    with pytest.raises(auth_core.InvalidTtl):
        issuer.mint_user(1, "u", ttl=timedelta(seconds=1, microseconds=1), now=NOW)
    assert issuer.mint_user(1, "u", ttl=timedelta(seconds=90), now=NOW).expires_at == NOW + 90


def test_token_creation_policy(issuer: Issuer, verifier: Verifier) -> None:
    default = auth_core.TokenCreationPolicy()
    custom = auth_core.TokenCreationPolicy(
        allow_named_callers=not default.allow_named_callers,
        allow_delegated_callers=not default.allow_delegated_callers,
        login_children_may_outlive=not default.login_children_may_outlive,
    )
    assert custom.allow_named_callers != default.allow_named_callers
    assert custom.allow_delegated_callers != default.allow_delegated_callers
    assert custom.login_children_may_outlive != default.login_children_may_outlive
    assert "TokenCreationPolicy(" in repr(custom)
    caller = verifier.verify(issuer.mint_reseller(1, "r", now=NOW).token, now=NOW)
    req = auth_core.TokenRequest.from_json('{"token": {"name": "n", "ttl": 60}}')
    created = auth_core.create_token(issuer, caller, req, now=NOW, policy=default)
    assert created.claims.token_name == "n"
    with pytest.raises(TypeError):
        auth_core.create_token(issuer, caller, req, now=NOW, policy={"allow_named_callers": True})  # type: ignore[arg-type]
    # A reseller sub-account has no user-only fields: giving one is refused, not dropped.
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.create_sub_account_token(
            issuer, caller, req, type="reseller", id=2, name="r2", owned_by_caller=True, sms_from="X", now=NOW
        )
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.create_sub_account_token(
            issuer, caller, req, type="reseller", id=2, name="r2", owned_by_caller=True, admin=True, now=NOW
        )
