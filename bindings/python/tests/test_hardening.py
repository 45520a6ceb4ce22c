"""Hardening of the Python binding: interrupts are never swallowed, text with no UTF-8
form is the right AuthError, long batches can be interrupted, nested callable failures
keep a bounded message."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any, Callable

import pytest

import auth_core
from auth_core import Issuer, KeyRing, Verifier
from conftest import NOW, SECRET

LONE = "\ud800"


# --- revocation callables: Exception fails closed, other BaseExceptions pass through ---


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_revocation_callable_interrupt_is_raised_unchanged(
    issuer: Issuer, ring: KeyRing, exc: type[BaseException]
) -> None:
    raised = exc("stop")

    def interrupted(q: auth_core.RevocationQuery) -> bool:
        raise raised

    token = issuer.mint_user(3, "u", now=NOW).token
    with pytest.raises(exc) as e:
        Verifier(ring, revocation=interrupted).verify(token, now=NOW)
    assert e.value is raised


def test_verify_many_stops_at_an_interrupt_from_the_callable(issuer: Issuer, ring: KeyRing) -> None:
    calls = 0

    def interrupted(q: auth_core.RevocationQuery) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return False

    token = issuer.mint_user(3, "u", now=NOW).token
    with pytest.raises(KeyboardInterrupt):
        Verifier(ring, revocation=interrupted).verify_many([token] * 1000, now=NOW)
    assert calls == 3, "no token after the interrupt reaches the callable"


def test_sigint_inside_a_revocation_callable_interrupts(issuer: Issuer, ring: KeyRing) -> None:
    def sends_sigint(q: auth_core.RevocationQuery) -> bool:
        signal.raise_signal(signal.SIGINT)
        return False

    token = issuer.mint_user(3, "u", now=NOW).token
    with pytest.raises(KeyboardInterrupt):
        Verifier(ring, revocation=sends_sigint).verify(token, now=NOW)


# --- verify_many checks for signals between tokens ---


class _Stop(Exception):
    pass


def test_verify_many_checks_signals_during_a_long_batch(issuer: Issuer, verifier: Verifier) -> None:
    token = issuer.mint_user(1, "a", now=NOW).token
    start = time.perf_counter()
    verifier.verify_many([token] * 2000, now=NOW)
    per_token = (time.perf_counter() - start) / 2000
    n = max(500_000, int(10.0 / max(per_token, 1e-7)))  # a batch of about 10 s or more
    batch = [token] * n

    def handler(signum: int, frame: Any) -> None:
        raise _Stop

    old = signal.signal(signal.SIGUSR1, handler)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1))
    try:
        start = time.perf_counter()
        timer.start()
        with pytest.raises(_Stop):
            verifier.verify_many(batch, now=NOW)
        elapsed = time.perf_counter() - start
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, old)
    full = per_token * n
    assert elapsed < 0.2 + full / 2, f"the batch was not interrupted: {elapsed:.2f}s of ~{full:.2f}s"


# --- nested callable failures: the cause chain, not the text, grows ---


def test_nested_callable_failures_keep_a_bounded_message(issuer: Issuer, ring: KeyRing) -> None:
    token = issuer.mint_user(3, "u", now=NOW).token

    def failing(q: auth_core.RevocationQuery) -> bool:
        raise ConnectionError("database unreachable " + "x" * 300)

    def nest(inner: Callable[[auth_core.RevocationQuery], bool]) -> Callable[[auth_core.RevocationQuery], bool]:
        v = Verifier(ring, revocation=inner)

        def outer(q: auth_core.RevocationQuery) -> bool:
            v.verify(token, now=NOW)
            return False

        return outer

    lengths = []
    fn = failing
    for depth in range(1, 9):
        fn = nest(fn)
        with pytest.raises(auth_core.RevocationUnavailable) as e:
            Verifier(ring, revocation=fn).verify(token, now=NOW)
        lengths.append(len(e.value.message))
        chain, c = 0, e.value.__cause__
        while c is not None:
            chain += 1
            last = c
            c = c.__cause__
        assert chain == depth + 1 and isinstance(last, ConnectionError), "the whole chain is kept in __cause__"
    assert max(lengths) < 400, lengths
    assert lengths[-1] == lengths[1], f"the message grows with the depth: {lengths}"


# --- str inputs with no UTF-8 form are AuthErrors with the core's code ---


def test_token_with_a_lone_surrogate_is_malformed(verifier: Verifier) -> None:
    with pytest.raises(auth_core.MalformedToken) as e:
        verifier.verify("a.b.c" + LONE, now=NOW)
    assert e.value.code == "malformed_token"
    results = verifier.verify_many(["x" + LONE], now=NOW)
    assert isinstance(results[0], auth_core.MalformedToken)
    with pytest.raises(auth_core.MalformedToken):
        auth_core.inspect_unverified("a" + LONE)


def test_request_body_with_a_lone_surrogate_is_invalid_request() -> None:
    body = '{"token": {"name": "' + LONE + '"}}'
    for parse in (auth_core.TokenRequest.from_json, auth_core.TokenRequest.from_xml, auth_core.TokenRequest.parse):
        with pytest.raises(auth_core.InvalidRequest):
            parse(body)


@pytest.mark.parametrize(
    "call,error",
    [
        (lambda v, i, r: v.verify("a.b.c", now=NOW, client_ip="1.2.3.4" + LONE), auth_core.InvalidIpAddress),
        (lambda v, i, r: auth_core.IpAllowList(["10.0.0.0/8", LONE]), auth_core.InvalidIpRule),
        (lambda v, i, r: auth_core.IpRegex(LONE), auth_core.InvalidRegex),
        (lambda v, i, r: i.mint_user(1, "n" + LONE, now=NOW), auth_core.InvalidRequest),
        (lambda v, i, r: i.mint_user(1, "n", now=NOW, token_id=LONE), auth_core.InvalidRequest),
        (lambda v, i, r: i.mint_user(1, "n", now=NOW, token_name=LONE), auth_core.InvalidRequest),
        (lambda v, i, r: i.mint_user(1, "n", now=NOW, allowed_ips=[LONE]), auth_core.InvalidIpRule),
        (lambda v, i, r: i.mint_reseller(1, LONE, now=NOW), auth_core.InvalidRequest),
        (lambda v, i, r: r.add(LONE, SECRET), auth_core.InvalidKey),
        (lambda v, i, r: r.add("k2", "s" * 40 + LONE), auth_core.InvalidKey),
        (lambda v, i, r: KeyRing.single(LONE, SECRET), auth_core.InvalidKey),
        (lambda v, i, r: r.add("k2", SECRET, LONE), auth_core.InvalidKey),
        (lambda v, i, r: r.rotate("k2", SECRET, alg=LONE), auth_core.InvalidKey),
        (lambda v, i, r: auth_core.login_reseller(i, id=1, name="r", version=LONE), auth_core.InvalidRequest),
        (lambda v, i, r: r.remove(LONE), auth_core.UnknownKey),
        (lambda v, i, r: r.set_active(LONE), auth_core.UnknownKey),
        (lambda v, i, r: r.algorithm(LONE), auth_core.UnknownKey),
        (lambda v, i, r: setattr(r, "default_kid", LONE), auth_core.UnknownKey),
        (lambda v, i, r: auth_core.MemoryRevocationStore().revoke(LONE), auth_core.InvalidRequest),
        (lambda v, i, r: auth_core.MemoryRevocationStore().is_revoked(LONE), auth_core.InvalidRequest),
    ],
)
def test_str_inputs_with_a_lone_surrogate_raise_the_matching_auth_error(
    verifier: Verifier, issuer: Issuer, ring: KeyRing, call: Callable[..., Any], error: type[Exception]
) -> None:
    with pytest.raises(error) as e:
        call(verifier, issuer, ring)
    assert isinstance(e.value, auth_core.AuthError)
    assert "surrogate" in str(e.value)  # the message says why


def test_media_format_with_a_lone_surrogate_names_no_format() -> None:
    assert auth_core.media_format("application/json" + LONE) is None
    assert auth_core.media_format("application/json") == "json"
