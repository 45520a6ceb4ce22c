"""Hostile and wrong inputs: TypeError / ValueError or the right AuthError, never a crash,
never a PanicException (pyo3's), never a token accepted."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from typing import Any, Callable

import pytest

import auth_core
from auth_core import Issuer, KeyRing, Verifier
from conftest import NOW, SECRET

BIG = 2**64
WRONG_TYPES: list[Any] = [None, [], ["x"], {}, 1.5, object(), b"bytes", True]


def no_panic(fn: Callable[[], Any]) -> BaseException | Any:
    try:
        return fn()
    except BaseException as e:  # noqa: BLE001 - the point is to see every kind
        assert type(e).__name__ != "PanicException", f"Rust panic escaped: {e!r}"
        assert isinstance(e, (TypeError, ValueError, auth_core.AuthError)), f"unexpected {e!r}"
        return e


@pytest.mark.parametrize("bad", [None, 123, ["a.b.c"], 1.0, object(), bytearray(b"a.b.c")])
def test_token_of_wrong_type(verifier: Verifier, bad: Any) -> None:
    with pytest.raises(TypeError, match="token"):
        verifier.verify(bad, now=NOW)


def test_token_str_with_lone_surrogate(verifier: Verifier) -> None:
    # An AuthError (the core's malformed_token), so `except AuthError` catches it.
    with pytest.raises(auth_core.MalformedToken):
        verifier.verify("a.b\udcff.c", now=NOW)


@pytest.mark.parametrize("token", [
    "", ".", "..", "a.b.c", "a.b.c.d", "=.=.=", "\x00.\x00.\x00", "é.é.é",
    "eyJhbGciOiJub25lIn0.e30.", "eyJ" * 5000, ".".join(["A" * 3000] * 3),
])
def test_garbage_tokens_are_auth_errors(verifier: Verifier, token: str) -> None:
    with pytest.raises(auth_core.AuthError):
        verifier.verify(token, now=NOW)


def test_random_bytes_never_verify(issuer: Issuer, verifier: Verifier) -> None:
    rng = random.Random(7)
    good = issuer.mint_user(1, "a", now=NOW).token.encode()
    for i in range(3000):
        if i % 2:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        else:
            data = bytearray(good)
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            data = bytes(data)
        result = no_panic(lambda: verifier.verify(data, now=NOW))
        assert isinstance(result, auth_core.AuthError), f"accepted mutated token {data!r}"


@pytest.mark.parametrize("bad", WRONG_TYPES)
def test_now_of_wrong_type(issuer: Issuer, verifier: Verifier, bad: Any) -> None:
    token = issuer.mint_user(1, "a", now=NOW).token
    if bad is None:
        return  # None means "the system clock"
    with pytest.raises(TypeError, match="now"):
        verifier.verify(token, now=bad)
    with pytest.raises(TypeError, match="now"):
        issuer.mint_user(1, "a", now=bad)


@pytest.mark.parametrize("bad", [-1, BIG, 10**30, -(10**30)])
def test_now_out_of_range(issuer: Issuer, verifier: Verifier, bad: int) -> None:
    token = issuer.mint_user(1, "a", now=NOW).token
    with pytest.raises(ValueError, match="now"):
        verifier.verify(token, now=bad)
    with pytest.raises(ValueError, match="now"):
        issuer.mint_user(1, "a", now=bad)


def test_dates_and_naive_datetimes(verifier: Verifier, issuer: Issuer) -> None:
    token = issuer.mint_user(1, "a", now=NOW).token
    with pytest.raises(TypeError):
        verifier.verify(token, now=date(2024, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        verifier.verify(token, now=datetime.now())
    with pytest.raises(ValueError, match="naive"):
        issuer.mint_user(1, "a", not_before=datetime.now())
    far = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    with pytest.raises(auth_core.InvalidRequest):  # past 2**53-1 is refused by the core
        issuer.mint_user(1, "a", now=2**60)
    assert isinstance(no_panic(lambda: verifier.verify(token, now=far)), auth_core.TokenExpired)


@pytest.mark.parametrize("bad_id", [-1, BIG, 10**40])
def test_ids_out_of_range(issuer: Issuer, bad_id: int) -> None:
    with pytest.raises(ValueError, match="id"):
        issuer.mint_user(bad_id, "a")
    with pytest.raises(ValueError, match="id"):
        issuer.mint_reseller(bad_id, "a")
    with pytest.raises(ValueError, match="user_group_id"):
        issuer.mint_user(1, "a", user_group_id=bad_id)
    with pytest.raises(ValueError):
        auth_core.Principal("user", bad_id)


def test_largest_id_round_trips_and_larger_ones_are_refused(issuer: Issuer, verifier: Verifier) -> None:
    # docs/keys.md: ids are JSON integers up to 2^53 - 1, the same bound both ways.
    top = 2**53 - 1
    token = issuer.mint_user(top, "a", user_group_id=top, now=NOW).token
    claims = verifier.verify(token, now=NOW)
    assert claims.id == top and claims.user_group_id == top
    for big in (top + 1, BIG - 1):
        with pytest.raises(auth_core.InvalidRequest):
            issuer.mint_user(big, "a", now=NOW)
        with pytest.raises(auth_core.InvalidRequest):
            issuer.mint_user(1, "a", user_group_id=big, now=NOW)


@pytest.mark.parametrize("bad", [None, "1", 1.0, True, [1]])
def test_ids_of_wrong_type(issuer: Issuer, bad: Any) -> None:
    with pytest.raises(TypeError, match="id"):
        issuer.mint_user(bad, "a")


@pytest.mark.parametrize("bad", [None, 5, b"name", ["a"]])
def test_names_of_wrong_type(issuer: Issuer, bad: Any) -> None:
    with pytest.raises(TypeError, match="name"):
        issuer.mint_user(1, bad)
    if bad is not None:  # None means "no token name"
        with pytest.raises(TypeError, match="token_name"):
            issuer.mint_user(1, "a", token_name=bad)


def test_admin_must_be_bool(issuer: Issuer) -> None:
    with pytest.raises(TypeError):
        issuer.mint_user(1, "a", 1)  # type: ignore[arg-type]


def test_strings_with_surrogates(issuer: Issuer) -> None:
    # Bad input of the kind the argument is, never a bare UnicodeEncodeError.
    with pytest.raises(auth_core.InvalidRequest):
        issuer.mint_user(1, "\udcff")
    with pytest.raises(auth_core.InvalidKey):
        KeyRing.single("k", "\ud800" * 40)


def test_token_name_and_id_limits(issuer: Issuer) -> None:
    with pytest.raises(auth_core.InvalidRequest):
        issuer.mint_user(1, "a", token_name="")
    with pytest.raises(auth_core.InvalidRequest):
        issuer.mint_user(1, "a", token_name="x" * 256)
    with pytest.raises(auth_core.InvalidRequest):
        issuer.mint_user(1, "a", token_id="")
    with pytest.raises(auth_core.InvalidRequest):
        issuer.mint_user(1, "a", token_id="x" * 129)


@pytest.mark.parametrize("bad", [BIG * 2**64, -(BIG * 2**64)])
def test_huge_ttl(issuer: Issuer, bad: int) -> None:
    with pytest.raises(auth_core.InvalidTtl):
        issuer.mint_user(1, "a", ttl=bad)


@pytest.mark.parametrize("bad", ["60", 1.5, True, [60]])
def test_ttl_of_wrong_type(issuer: Issuer, bad: Any) -> None:
    with pytest.raises(TypeError, match="ttl"):
        issuer.mint_user(1, "a", ttl=bad)


def test_allowed_ips_inputs(issuer: Issuer) -> None:
    with pytest.raises(TypeError, match="allowed_ips"):
        issuer.mint_user(1, "a", allowed_ips="10.0.0.1")  # a str is not a list of rules
    with pytest.raises(TypeError, match="allowed_ips"):
        issuer.mint_user(1, "a", allowed_ips=[10])
    with pytest.raises(TypeError, match="allowed_ips"):
        issuer.mint_user(1, "a", allowed_ips=5)
    with pytest.raises(auth_core.InvalidIpRule) as e:
        issuer.mint_user(1, "a", allowed_ips=["10.0.0.1", "300.1.1.1"])
    assert "allowed_ips[1]" in e.value.message
    # An empty list means "no restriction": no claim at all.
    assert issuer.mint_user(1, "a", allowed_ips=[]).claims.allowed_ips is None
    listed = issuer.mint_user(1, "a", allowed_ips=auth_core.IpAllowList(["10.0.0.0/8"]))
    assert listed.claims.allowed_ips == ["10.0.0.0/8"]


@pytest.mark.parametrize("bad", [5, ["1.2.3.4"], b"1.2.3.4"])
def test_client_ip_of_wrong_type(issuer: Issuer, verifier: Verifier, bad: Any) -> None:
    token = issuer.mint_user(1, "a", now=NOW).token
    with pytest.raises(TypeError, match="client_ip"):
        verifier.verify(token, now=NOW, client_ip=bad)


@pytest.mark.parametrize("bad", ["", "1.2.3", "010.1.1.1", "::1%eth0", "[::1]", "1.2.3.4:80", " 1.2.3.4"])
def test_malformed_client_ip(issuer: Issuer, verifier: Verifier, bad: str) -> None:
    token = issuer.mint_user(1, "a", now=NOW).token
    with pytest.raises(auth_core.InvalidIpAddress):
        verifier.verify(token, now=NOW, client_ip=bad)


def test_parent_inputs(issuer: Issuer) -> None:
    with pytest.raises(TypeError, match="parent"):
        issuer.mint_user(1, "a", parent="reseller:1")
    with pytest.raises(ValueError, match="reseller"):
        issuer.mint_user(1, "a", parent=("admin", 1))
    with pytest.raises(ValueError):
        issuer.mint_user(1, "a", parent=("user", -1))


def test_revocation_of_wrong_type(ring: KeyRing) -> None:
    with pytest.raises(TypeError, match="revocation"):
        Verifier(ring, revocation="yes")
    with pytest.raises(TypeError):
        Verifier(ring).verify("a.b.c", revocation=42)


def test_verifier_and_issuer_options(ring: KeyRing) -> None:
    with pytest.raises(ValueError, match="leeway"):
        Verifier(ring, leeway=-1)
    with pytest.raises(TypeError, match="max_token_size"):
        Verifier(ring, max_token_size="big")
    with pytest.raises(ValueError, match="max_ttl"):
        Issuer(ring, max_ttl=BIG)
    with pytest.raises(TypeError):
        Verifier("ring")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Issuer(None)  # type: ignore[arg-type]


def test_secrets(ring: KeyRing) -> None:
    with pytest.raises(TypeError, match="secret"):
        ring.add("x", 12345)
    with pytest.raises(TypeError, match="secret"):
        ring.add("y", None)
    with pytest.raises(TypeError):
        ring.add(None, SECRET)
    ring.add("z", bytearray(SECRET))
    assert "z" in ring and 5 not in ring


def test_verify_many_inputs(verifier: Verifier) -> None:
    with pytest.raises(TypeError, match="tokens"):
        verifier.verify_many("a.b.c", now=NOW)
    with pytest.raises(TypeError, match=r"tokens\[1\]"):
        verifier.verify_many(["a.b.c", None], now=NOW)
    with pytest.raises(TypeError):
        verifier.verify_many(5, now=NOW)


def test_wire_inputs(issuer: Issuer) -> None:
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.TokenRequest.from_json(b"\xff\xfe")
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.TokenRequest.from_xml("<!DOCTYPE x [<!ENTITY a 'b'>]><token><name>&a;</name></token>")
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.TokenRequest.from_json("[" * 100_000)
    with pytest.raises(ValueError, match="format"):
        auth_core.TokenRequest.parse("{}", "yaml")
    with pytest.raises(TypeError):
        auth_core.TokenRequest.parse(None)
    with pytest.raises(TypeError, match="AuthError"):
        auth_core.login_error_json(ValueError("x"))
    with pytest.raises(ValueError):
        auth_core.login_error_json(auth_core.InternalError("x"))
    with pytest.raises(TypeError):
        auth_core.login_reseller(issuer, id=1, name="r", user_groups=[object()])
    with pytest.raises(ValueError):
        auth_core.login_reseller(issuer, id=1, name="r", user_groups=[float("nan")])
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.login_reseller(issuer, id=1, name="r", user_balance=float("inf"))
    with pytest.raises(TypeError, match="allowed_regex"):
        auth_core.login_user(issuer, id=1, name="u", allowed_regex=5)


def test_fuzzed_calls_never_panic(issuer: Issuer, verifier: Verifier) -> None:
    rng = random.Random(11)
    values: list[Any] = [None, 0, -1, BIG, 2**53, "", "x" * 300, "1.2.3.4", "::1", b"", b"\xff",
                         [], ["10.0.0.0/8"], ("user", 1), 1.5, True, {}]
    calls: list[Callable[[Any], Any]] = [
        lambda v: issuer.mint_user(v, "a"),
        lambda v: issuer.mint_user(1, v),
        lambda v: issuer.mint_user(1, "a", ttl=v),
        lambda v: issuer.mint_user(1, "a", allowed_ips=v),
        lambda v: issuer.mint_user(1, "a", parent=v),
        lambda v: issuer.mint_user(1, "a", token_id=v),
        lambda v: issuer.mint_reseller(1, "a", not_before=v),
        lambda v: verifier.verify(v),
        lambda v: verifier.verify("a.b.c", now=v),
        lambda v: verifier.verify("a.b.c", client_ip=v),
        lambda v: verifier.verify_many(v),
        lambda v: auth_core.IpAllowList(v),
        lambda v: auth_core.IpRegex(v),
        lambda v: auth_core.canonical_ip(v),
        lambda v: auth_core.inspect_unverified(v),
        lambda v: auth_core.TokenRequest.parse(v),
        lambda v: auth_core.MemoryRevocationStore().revoke(v),
        lambda v: auth_core.MemoryRevocationStore().revoke_principal_before(v, 5),
    ]
    for _ in range(2000):
        call, value = rng.choice(calls), rng.choice(values)
        no_panic(lambda: call(value))
