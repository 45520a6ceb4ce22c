"""tests/vectors/scopes.json: the scope claim's text, vocabularies, delegation,
requirements, scoped tokens and the token API's ``scopes``, with the same verdicts as the
Rust runner (crates/auth-core/tests/scope_vectors.rs) and the C suite."""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest

import auth_core
from auth_core import (
    Answer,
    Authenticator,
    Issuer,
    ScopeVocabulary,
    TokenRequest,
    Verifier,
    create_sub_account_token,
    create_token,
    parse_scope,
)
from conftest import load_vectors, ring_from_vectors

SCOPES = load_vectors("scopes.json")
RING = ring_from_vectors(load_vectors("tokens.json")["rings"][SCOPES["ring"]])
VOCABULARY = ScopeVocabulary.from_json(json.dumps(SCOPES["vocabulary"]))


def _cases(name: str) -> Any:
    cases = SCOPES[name]
    assert len(cases) > 5, f"{name}: too few vectors"
    return pytest.mark.parametrize("case", cases, ids=[c["name"] for c in cases])


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except auth_core.AuthError as e:
        return e


def _expect(case: dict[str, Any], got: Any) -> None:
    """The verdict (``valid`` or the error code) and, for an error, the name it mentions."""
    if case["expect"] == "valid":
        assert not isinstance(got, Exception), f"want valid, got {got!r}"
        return
    assert isinstance(got, auth_core.AuthError), f"want {case['expect']}, got {got!r}"
    assert got.code == case["expect"], f"want {case['expect']}, got {got!r}"
    assert isinstance(got, auth_core.error_class(case["expect"]))
    if "mentions" in case:
        assert f"`{case['mentions']}`" in got.message, got.message


def _names(value: Optional[list[str]]) -> Optional[tuple[str, ...]]:
    return None if value is None else tuple(sorted(value))


@_cases("texts")
def test_text(case: dict[str, Any]) -> None:
    got = _outcome(lambda: parse_scope(case["text"]))
    _expect(case, got)
    if "canonical" in case and not isinstance(got, Exception):
        assert " ".join(got) == case["canonical"]


@_cases("vocabularies")
def test_vocabulary(case: dict[str, Any]) -> None:
    _expect(case, _outcome(lambda: ScopeVocabulary.from_json(case["json"])))
    # The same object as a dict, where a dict can say it (a duplicate key cannot); a value
    # that is not a dict is a TypeError there.
    value = json.loads(case["json"])
    if not isinstance(value, dict):
        with pytest.raises(TypeError):
            ScopeVocabulary(value)
    elif case["name"] != "a duplicate key":
        _expect(case, _outcome(lambda: ScopeVocabulary(value)))


@_cases("narrowing")
def test_narrowing(case: dict[str, Any]) -> None:
    got = _outcome(lambda: VOCABULARY.narrow(case["caller"], case["requested"]))
    _expect(case, got)
    if case["expect"] == "valid":
        assert got == _names(case["result"])


@_cases("required")
def test_requirement(case: dict[str, Any]) -> None:
    got = _outcome(lambda: VOCABULARY.require(case["required"]).check(case["held"]))
    _expect(case, got)
    if "challenge" in case:
        assert got.required_scope == case["challenge"].split('scope="')[1].rstrip('"')
        assert Answer.refusal(got, "plain").challenge == case["challenge"]
        for style in ("login_api", "token_api", "auth_request", "oauth"):
            answer = Answer.refusal(got, style)
            assert (answer.status, answer.challenge) == (403, case["challenge"])


@_cases("tokens")
def test_scoped_token(case: dict[str, Any]) -> None:
    required = case["required"]
    need = None if required is None else VOCABULARY.require(required)
    got = _outcome(lambda: Verifier(RING).verify(case["token"], now=case["now"], scopes=need))
    _expect(case, got)
    if case["expect"] == "valid":
        assert got.to_dict() == case["claims"]
        scope = case["claims"].get("scope")
        assert got.scope == (None if scope is None else tuple(scope.split(" ")))
    # The same verdict with the names resolved through the verifier's vocabulary, in a batch,
    # and through the HTTP edge (where the refusal carries the challenge).
    named = Verifier(RING, vocabulary=VOCABULARY)
    again = _outcome(lambda: named.verify(case["token"], now=case["now"], scopes=required))
    _expect(case, again)
    (batch,) = named.verify_many([case["token"]], now=case["now"], scopes=required)
    _expect(case, batch)
    edge = Authenticator(named)
    header = f"Bearer {case['token']}"
    http = _outcome(lambda: edge.authenticate(header, "203.0.113.9", now=case["now"], scopes=required))
    _expect(case, http)
    if case["expect"] == "insufficient_scope":
        assert http.required_scope == str(need)
        assert Answer.refusal(http).challenge == f'Bearer error="insufficient_scope", scope="{need}"'


@_cases("delegation")
def test_delegation(case: dict[str, Any]) -> None:
    issuer = Issuer(RING, vocabulary=VOCABULARY)
    verifier = Verifier(RING)
    now = case["now"]
    caller = verifier.verify(case["caller"], now=now, client_ip=case["caller_ip"])

    def create() -> Any:
        request = TokenRequest.parse(case["body"], case["format"])
        target = case["target"]
        if target is None:
            return create_token(issuer, caller, request, now=now)
        subject = target["subject"]
        return create_sub_account_token(
            issuer, caller, request, type=subject["type"], id=subject["id"], name=subject["name"],
            admin=subject["admin"], owned_by_caller=target["owned"], now=now,
        )

    got = _outcome(create)
    _expect(case, got)
    if case["expect"] != "valid":
        return
    want = _names(case["scopes"])
    claims = verifier.verify(got.token, now=now)
    assert claims.scope == want == got.scopes
    assert json.loads(got.to_json()).get("scopes") == case["scopes"]
    listed = "" if want is None else "<scopes>" + "".join(f"<scope>{n}</scope>" for n in want) + "</scopes>"
    assert got.to_xml().endswith(f"{listed}</response>")


def test_every_list_is_run() -> None:
    lists = {k for k, v in SCOPES.items() if isinstance(v, list)}
    assert lists == {"texts", "vocabularies", "narrowing", "required", "tokens", "delegation"}
