"""One exception class per docs/errors.md code, generated from the core's list."""

from __future__ import annotations

import re

import pytest

import auth_core

SPEC_STATUS = {
    "malformed_token": 401, "token_too_large": 401, "unsupported_header": 401,
    "algorithm_not_allowed": 401, "unknown_key": 401, "bad_signature": 401, "invalid_claims": 401,
    "token_expired": 401, "token_not_yet_valid": 401, "issued_in_future": 401, "token_revoked": 401,
    "ip_not_allowed": 401, "invalid_ttl": 400, "invalid_ip_rule": 400, "invalid_ip_address": 400,
    "invalid_regex": 400, "invalid_request": 400, "static_not_allowed": 400, "weak_key": None,
    "invalid_key": None, "invalid_credentials": 401, "login_ip_denied": 406,
    "reseller_invalid_credentials": 401, "reseller_ip_denied": 401, "not_permitted": 403,
}


def camel(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("_"))


def test_every_spec_code_has_its_class() -> None:
    for code, status in SPEC_STATUS.items():
        cls = getattr(auth_core, camel(code))
        assert cls is auth_core.error_class(code)
        assert issubclass(cls, auth_core.AuthError) and issubclass(cls, Exception)
        assert (cls.code, cls.http_status) == (code, status)


@pytest.mark.parametrize("code", auth_core.ERROR_CODES)
def test_class_per_core_code(code: str) -> None:
    cls = auth_core.error_class(code)
    assert cls.__name__ == camel(code)
    assert cls.__module__ == "auth_core"
    assert cls.code == code
    assert isinstance(cls.number, int) and cls.number == auth_core.ERROR_CODES.index(code) + 1
    assert cls.http_status is None or 400 <= cls.http_status < 600
    assert cls.default_message and cls.__doc__ and code in cls.__doc__
    assert cls.__name__ in auth_core.__all__
    assert getattr(auth_core, cls.__name__) is cls
    err = cls("something specific")
    assert (err.code, err.http_status, str(err)) == (code, cls.http_status, "something specific")
    assert err.message == "something specific"
    assert cls().message == cls.default_message
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code)


# Added after the spec table: revocation, the HTTP edge (docs/http.md), the named-token quota,
# scopes (docs/scopes.md).
ADDED_STATUS = {"revocation_store_full": 503, "revocation_unavailable": 503, "rate_limited": 429,
                "server_error": 500, "missing_token": 401, "token_quota_exceeded": 403,
                "insufficient_scope": 403, "invalid_scope": 400, "jwks_unavailable": 503}


def test_codes_are_the_spec_table_plus_revocation_http_edge_and_scope_codes() -> None:
    assert set(auth_core.ERROR_CODES) == set(SPEC_STATUS) | set(ADDED_STATUS)
    assert len(set(auth_core.ERROR_CODES)) == len(auth_core.ERROR_CODES) == 34
    for code in ("rate_limited", "server_error", "missing_token", "token_quota_exceeded", "insufficient_scope",
                 "invalid_scope", "jwks_unavailable"):
        cls = getattr(auth_core, camel(code))
        assert (cls.code, cls.http_status) == (code, ADDED_STATUS[code])
    assert (auth_core.InsufficientScope.number, auth_core.InvalidScope.number) == (32, 33)
    assert auth_core.JwksUnavailable.number == 34


def test_insufficient_scope_carries_what_the_request_needs() -> None:
    vocabulary = auth_core.ScopeVocabulary({"sms": {"includes": ["sms:send"]}, "sms:send": {}, "account": {}})
    with pytest.raises(auth_core.InsufficientScope) as e:
        vocabulary.require(["sms:send", "account"]).check(["sms"])
    assert e.value.required_scope == "account sms:send" and "`account`" in e.value.message
    answer = auth_core.Answer.refusal(e.value)
    assert (answer.status, answer.challenge) == (403, 'Bearer error="insufficient_scope", scope="account sms:send"')
    # Raised from Python: no requirement until one is set; a text that is not a scope list
    # never reaches the header.
    err = auth_core.InsufficientScope("this view needs more")
    assert err.required_scope is None and auth_core.InsufficientScope.required_scope is None
    assert auth_core.Answer.refusal(err).challenge == 'Bearer error="insufficient_scope"'
    err.required_scope = "sms:send"
    assert auth_core.Answer.refusal(err).challenge == 'Bearer error="insufficient_scope", scope="sms:send"'
    err.required_scope = 'a"\r\nX-Injected: 1'
    assert auth_core.Answer.refusal(err).challenge == 'Bearer error="insufficient_scope"'
    assert not hasattr(auth_core.InvalidScope("x"), "required_scope")


def test_missing_token_is_a_malformed_token() -> None:
    # Code that caught MalformedToken for a request without a token still does.
    assert issubclass(auth_core.MissingToken, auth_core.MalformedToken)
    with pytest.raises(auth_core.MalformedToken) as info:
        auth_core.bearer_token(None)
    assert type(info.value) is auth_core.MissingToken and info.value.code == "missing_token"
    for code in auth_core.ERROR_CODES:
        if code != "missing_token":
            assert auth_core.error_class(code).__bases__ == (auth_core.AuthError,), code


def test_raised_errors_carry_code_status_and_message(verifier: auth_core.Verifier) -> None:
    with pytest.raises(auth_core.MalformedToken) as e:
        verifier.verify("not-a-token", now=0)
    err = e.value
    assert err.code == "malformed_token" and err.http_status == 401
    assert err.message == str(err) and len(err.message) > 5
    assert isinstance(err, auth_core.AuthError)


def test_error_class_rejects_unknown_codes() -> None:
    with pytest.raises(ValueError):
        auth_core.error_class("no_such_code")
    assert auth_core.error_class("internal_error") is auth_core.InternalError
    assert auth_core.InternalError.http_status == 500


def test_base_class_catches_everything(issuer: auth_core.Issuer, verifier: auth_core.Verifier) -> None:
    token = issuer.mint_user(1, "a", ttl=1, now=100).token
    caught = []
    for now in (99 - 61, 101):
        try:
            verifier.verify(token, now=now)
        except auth_core.AuthError as e:
            caught.append(e.code)
    assert caught == ["issued_in_future", "token_expired"]


@pytest.mark.parametrize("scheme", ["Bearer ", "bearer ", "BEARER "])
def test_a_pasted_bearer_prefix_keeps_its_code_and_says_what_to_remove(
    issuer: auth_core.Issuer, verifier: auth_core.Verifier, scheme: str
) -> None:
    token = issuer.mint_user(1, "a", now=100).token
    with pytest.raises(auth_core.MalformedToken) as e:
        verifier.verify(scheme + token, now=101)
    assert e.value.code == "malformed_token"
    assert "remove the `Bearer ` prefix: pass only the token" in e.value.message
    # the same rule in verify_many, and no hint for an ordinary refusal
    (err,) = verifier.verify_many([scheme + token], now=101)
    assert "remove the `Bearer ` prefix" in err.message
    with pytest.raises(auth_core.MalformedToken) as e:
        verifier.verify("not-a-token", now=101)
    assert "hint" not in e.value.message


def test_expired_and_unknown_key_messages_come_from_the_core(issuer: auth_core.Issuer) -> None:
    token = issuer.mint_user(1, "a", ttl=3600, now=1_796_616_000).token  # exp 2026-12-07T05:00:00Z
    other = auth_core.Verifier(auth_core.KeyRing.single("k1", b"0123456789abcdef0123456789abcdef"))
    with pytest.raises(auth_core.TokenExpired) as e:
        other.verify(token, now=1_796_623_200)
    assert e.value.message == (
        "token expired at 2026-12-07T05:00:00Z (exp 1796619600), "
        "now 2026-12-07T06:00:00Z (1796623200): 3600 s ago"
    )
    ring = auth_core.KeyRing.single("k2", b"0123456789abcdef0123456789abcdef")
    with pytest.raises(auth_core.UnknownKey) as e:
        auth_core.Verifier(ring).verify(token, now=1_796_616_001)
    assert e.value.message == 'the token\'s kid "k1" is not in the key ring (kids: "k2")'
