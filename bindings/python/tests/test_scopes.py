"""Scopes through the native API (docs/scopes.md): the vocabulary, requirements, minting and
verifying scoped tokens, the HTTP edge, and the OAuth endpoints' helpers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import auth_core
from auth_core import (
    Answer,
    Authenticator,
    Issuer,
    KeyRing,
    RequiredScopes,
    ScopeVocabulary,
    TokenForm,
    TokenRequest,
    Verifier,
)
from conftest import NOW

SPEC: dict[str, Any] = {
    "sms": {"description": "Send and read SMS", "includes": ["sms:send", "sms:read"]},
    "sms:send": {"description": "Send SMS"},
    "sms:read": {},
    "all": {"includes": ["sms", "account"]},
    "account": {},
}


@pytest.fixture
def vocabulary() -> ScopeVocabulary:
    return ScopeVocabulary(SPEC)


@pytest.fixture
def scoped_issuer(ring: KeyRing, vocabulary: ScopeVocabulary) -> Issuer:
    return Issuer(ring, vocabulary=vocabulary)


def test_a_vocabulary_from_a_dict_equals_the_one_from_json(vocabulary: ScopeVocabulary) -> None:
    assert vocabulary == ScopeVocabulary.from_json(json.dumps(SPEC))
    assert vocabulary != ScopeVocabulary({"sms": {}})
    assert vocabulary.names() == ["account", "all", "sms", "sms:read", "sms:send"]
    assert len(vocabulary) == 5 and "sms" in vocabulary and "billing" not in vocabulary and 3 not in vocabulary
    assert vocabulary.description("sms") == "Send and read SMS" and vocabulary.description("account") is None
    assert vocabulary.includes("sms") == ["sms:read", "sms:send"] and vocabulary.includes("billing") == []
    assert repr(vocabulary) == "ScopeVocabulary(['account', 'all', 'sms', 'sms:read', 'sms:send'])"
    assert len(ScopeVocabulary()) == 0 and ScopeVocabulary(None) == ScopeVocabulary({})
    assert auth_core.ScopeVocabulary.__hash__ is None


@pytest.mark.parametrize(
    "spec",
    [{"a": {"includes": ["b"]}}, {"a": {"includes": ["a"]}}, {"a b": {}}, {"a": {"x": 1}},
     {"a": {"description": 1}}, {"a": []}, {"a": None}, {"a": {"includes": "b"}}, {"": {}}],
)
def test_bad_vocabularies_are_invalid_scope(spec: dict[str, Any]) -> None:
    with pytest.raises(auth_core.InvalidScope):
        ScopeVocabulary(spec)


def test_vocabulary_arguments_of_the_wrong_python_type() -> None:
    for bad in ('{"a": {}}', [("a", {})], 1):
        with pytest.raises(TypeError):
            ScopeVocabulary(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ScopeVocabulary({1: {}})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        ScopeVocabulary({"a": {"includes": {"b"}}})
    with pytest.raises(auth_core.InvalidScope):
        ScopeVocabulary.from_json("not json")
    with pytest.raises(auth_core.InvalidScope):
        ScopeVocabulary.from_json("\ud800")


def test_holds_expand_and_narrow_follow_the_hierarchy(vocabulary: ScopeVocabulary) -> None:
    assert vocabulary.holds(["all"], "sms:send") and vocabulary.holds("sms", "sms:read")
    assert not vocabulary.holds(["sms:send"], "sms") and not vocabulary.holds([], "sms")
    assert vocabulary.holds(None, "account") and not vocabulary.holds(None, "billing")
    assert vocabulary.holds(["legacy"], "legacy")
    assert vocabulary.expand("sms") == ("sms", "sms:read", "sms:send")
    assert vocabulary.expand(None) == tuple(vocabulary.names())
    assert vocabulary.narrow(["sms"], ["sms:send"]) == ("sms:send",)
    assert vocabulary.narrow(["sms", "account"], None) == ("account", "sms")
    assert vocabulary.narrow(None, None) is None
    with pytest.raises(auth_core.NotPermitted, match="`account`"):
        vocabulary.narrow("sms", "account")
    with pytest.raises(auth_core.InvalidScope, match="`billing`"):
        vocabulary.narrow(None, ["billing"])
    for bad in ("a  b", "", ["a b"], ["a", "a"]):
        with pytest.raises(auth_core.InvalidScope):
            vocabulary.holds(bad, "sms")
    for wrong in (b"sms", [b"sms"], 5):
        with pytest.raises(TypeError):
            vocabulary.holds(wrong, "sms")  # type: ignore[arg-type]


def test_requirements(vocabulary: ScopeVocabulary) -> None:
    need = vocabulary.require(["sms:send", "account"])
    assert need.names == ("account", "sms:send") and str(need) == "account sms:send" and len(need) == 2
    assert repr(need) == "RequiredScopes(['account', 'sms:send'])"
    assert need == vocabulary.require("sms:send account") and need != vocabulary.require(["account"])
    assert vocabulary.require(need) == need
    need.check(None)
    need.check(["all"])
    need.check("sms account")
    with pytest.raises(auth_core.InsufficientScope) as e:
        need.check(["sms"])
    assert e.value.required_scope == "account sms:send" and e.value.http_status == 403
    with pytest.raises(auth_core.InvalidScope):
        vocabulary.require(["billing"])
    with pytest.raises(auth_core.InvalidScope):
        vocabulary.require(["sms", "sms"])
    assert len(vocabulary.require([])) == 0
    exact = RequiredScopes.exact(["sms:send"])
    exact.check(["sms:send"])
    with pytest.raises(auth_core.InsufficientScope):
        exact.check(["sms"])  # no vocabulary: no hierarchy
    with pytest.raises(TypeError):
        RequiredScopes.exact(b"sms")  # type: ignore[arg-type]


def test_claim_text_and_names() -> None:
    assert auth_core.parse_scope("sms:send account") == ("account", "sms:send")
    for bad in ("", "a  b", " a", "a\tb", "é"):
        with pytest.raises(auth_core.InvalidScope):
            auth_core.parse_scope(bad)
    assert auth_core.valid_scope_name("sms:send") and not auth_core.valid_scope_name("sms send")
    assert not auth_core.valid_scope_name("\ud800") and not auth_core.valid_scope_name("x" * 65)
    with pytest.raises(TypeError):
        auth_core.valid_scope_name(b"sms")  # type: ignore[arg-type]
    assert (auth_core.MAX_SCOPES, auth_core.MAX_SCOPE_CHARS, auth_core.MAX_VOCABULARY_SCOPES) == (64, 64, 256)


def test_minting_scoped_tokens(ring: KeyRing, scoped_issuer: Issuer, vocabulary: ScopeVocabulary) -> None:
    assert scoped_issuer.vocabulary is vocabulary and Issuer(ring).vocabulary is None
    minted = scoped_issuer.mint_user(7, "alice", scopes=["sms:send", "account"], now=NOW)
    assert minted.claims.scope == ("account", "sms:send")
    assert minted.claims.to_dict()["scope"] == "account sms:send"
    assert scoped_issuer.mint_reseller(3, "r", scopes="sms", now=NOW).claims.scope == ("sms",)
    assert scoped_issuer.mint_user(7, "alice", now=NOW).claims.scope is None
    for bad in ([], ["billing"], ["sms", "sms"], "a  b"):
        with pytest.raises(auth_core.InvalidScope):
            scoped_issuer.mint_user(7, "alice", scopes=bad)
    with pytest.raises(auth_core.InvalidScope, match="no scopes are declared"):
        Issuer(ring).mint_user(7, "alice", scopes=["sms"])
    with pytest.raises(TypeError):
        scoped_issuer.mint_user(7, "alice", scopes=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Issuer(ring, vocabulary=SPEC)  # type: ignore[arg-type]


def test_verifying_with_required_scopes(ring: KeyRing, scoped_issuer: Issuer, vocabulary: ScopeVocabulary) -> None:
    token = scoped_issuer.mint_user(7, "alice", scopes=["sms"], now=NOW).token
    unscoped = scoped_issuer.mint_user(7, "alice", now=NOW).token
    named = Verifier(ring, vocabulary=vocabulary)
    assert named.vocabulary is vocabulary and named.require(["sms:send"]) == vocabulary.require(["sms:send"])
    assert named.verify(token, now=NOW, scopes=["sms:send"]).scope == ("sms",)
    assert named.verify(token, now=NOW, scopes=vocabulary.require("sms:read")).name == "alice"
    assert named.verify(unscoped, now=NOW, scopes=["account"]).scope is None
    with pytest.raises(auth_core.InsufficientScope) as e:
        named.verify(token, now=NOW, scopes=["account"])
    assert e.value.required_scope == "account"
    with pytest.raises(auth_core.InvalidScope):
        named.verify(token, now=NOW, scopes=["billing"])  # a typo in the route, not a short token
    # Without a vocabulary names are required exactly.
    exact = Verifier(ring)
    assert exact.vocabulary is None and exact.verify(token, now=NOW, scopes=["sms"]).name == "alice"
    with pytest.raises(auth_core.InsufficientScope):
        exact.verify(token, now=NOW, scopes=["sms:send"])
    # Scopes are checked last: an expired or revoked token says so.
    expired = scoped_issuer.mint_user(7, "alice", scopes=["sms"], ttl=60, now=NOW).token
    with pytest.raises(auth_core.TokenExpired):
        named.verify(expired, now=NOW + 3600, scopes=["account"])
    results = named.verify_many([token, unscoped, "junk"], now=NOW, scopes=["account"])
    assert [type(r).__name__ for r in results] == ["InsufficientScope", "UserClaims", "MalformedToken"]
    assert results[0].required_scope == "account"


def test_the_http_edge_requires_scopes(ring: KeyRing, scoped_issuer: Issuer, vocabulary: ScopeVocabulary) -> None:
    header = "Bearer " + scoped_issuer.mint_user(7, "alice", scopes=["sms:send"], now=NOW).token
    edge = Authenticator(Verifier(ring, vocabulary=vocabulary))
    assert edge.vocabulary is vocabulary
    assert edge.require("sms:send") == vocabulary.require(["sms:send"])
    assert edge.authenticate(header, "203.0.113.9", now=NOW, scopes=["sms:send"]).name == "alice"
    found = edge.authenticate_request(header, "203.0.113.9", now=NOW, scopes=["sms:send"])
    assert found.client_ip == "203.0.113.9"
    assert edge.authenticate_optional(None, "203.0.113.9", now=NOW, scopes=["account"]) is None
    for call in (edge.authenticate, edge.authenticate_optional, edge.authenticate_request):
        with pytest.raises(auth_core.InsufficientScope) as e:
            call(header, "203.0.113.9", now=NOW, scopes=["sms"])
        answer = Answer.refusal(e.value)
        assert answer.status == 403 and answer.challenge == 'Bearer error="insufficient_scope", scope="sms"'
        assert ("www-authenticate", answer.challenge) in answer.headers
        assert "scope=" in repr(answer)
    # An authenticator of its own vocabulary; names exactly without any.
    own = ScopeVocabulary({"sms:send": {}, "x": {}})
    assert Authenticator(Verifier(ring), vocabulary=own).vocabulary is own
    exact = Authenticator(Verifier(ring))
    assert exact.vocabulary is None
    with pytest.raises(auth_core.InsufficientScope):
        exact.authenticate(header, None, now=NOW, scopes=["sms"])


def test_the_token_api_narrows_through_the_issuers_vocabulary(scoped_issuer: Issuer) -> None:
    caller = scoped_issuer.mint_user(7, "alice", scopes=["sms"], now=NOW).claims
    request = TokenRequest.from_json('{"token": {"name": "ci", "ttl": 60, "scopes": ["sms:read"]}}')
    assert request.scopes == ("sms:read",) and "scopes=['sms:read']" in repr(request)
    created = auth_core.create_token(scoped_issuer, caller, request, now=NOW)
    assert created.scopes == ("sms:read",) and created.claims.scope == ("sms:read",)
    assert created.to_xml().endswith("<scopes><scope>sms:read</scope></scopes></response>")
    inherited = auth_core.create_token(scoped_issuer, caller, TokenRequest.from_xml("<token><name>n</name></token>"),
                                       now=NOW)
    assert inherited.scopes == ("sms",) and TokenRequest.from_json('{"token": {"name": "n"}}').scopes is None
    with pytest.raises(auth_core.NotPermitted):
        auth_core.create_token(scoped_issuer, caller, TokenRequest.from_json(
            '{"token": {"name": "ci", "scopes": ["account"]}}'), now=NOW)
    with pytest.raises(auth_core.InvalidScope):
        TokenRequest.from_json('{"token": {"name": "ci", "scopes": []}}')


def test_oauth_endpoint_helpers(ring: KeyRing, scoped_issuer: Issuer, vocabulary: ScopeVocabulary) -> None:
    form = TokenForm.parse(b"token=a.b.c&token_type_hint=access_token&client_ip=203.0.113.9&other=1")
    assert (form.token, form.token_type_hint, form.client_ip) == ("a.b.c", "access_token", "203.0.113.9")
    assert TokenForm.parse("token=x").token_type_hint is None and "client_ip=None" in repr(TokenForm.parse("token=x"))
    for bad in (b"", b"token=", b"token=a&token=b", b"x=1"):
        with pytest.raises(auth_core.InvalidRequest):
            TokenForm.parse(bad)
    with pytest.raises(auth_core.InvalidIpAddress):
        TokenForm.parse(b"token=a&client_ip=nope")
    basic = "Basic " + base64.b64encode(b"gateway:s3cret").decode()
    assert auth_core.client_credentials(basic) == ("gateway", "s3cret")
    assert auth_core.client_credentials([basic.encode()]) == ("gateway", "s3cret")
    assert auth_core.client_credentials(None) is None and auth_core.client_credentials("Bearer x") is None
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.client_credentials("Basic !!!")
    with pytest.raises(auth_core.InvalidRequest):
        auth_core.client_credentials([basic, basic])
    parent = scoped_issuer.mint_reseller(3, "r", now=NOW).claims
    child = scoped_issuer.mint_user(9, "c", parent=("reseller", 3), scopes=["sms"], now=NOW).claims
    assert auth_core.may_revoke(parent, child) and not auth_core.may_revoke(child, parent)
    assert json.loads(auth_core.introspection_json(None)) == {"active": False}
    active = json.loads(auth_core.introspection_json(child, vocabulary))
    assert active["active"] is True and active["scope"] == "sms sms:read sms:send" and active["sub"] == "user:9"
    assert json.loads(auth_core.introspection_json(child))["scope"] == "sms"
    with pytest.raises(TypeError):
        auth_core.introspection_json({"id": 1})  # type: ignore[arg-type]
    oauth = Answer.refusal(auth_core.TokenExpired("gone"), "oauth")
    assert json.loads(oauth.body)["error"] == "invalid_token"
    basic_challenge = Answer.refusal(auth_core.InvalidCredentials(), "oauth").challenge
    assert basic_challenge is not None and basic_challenge.startswith("Basic ")
