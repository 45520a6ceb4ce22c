"""The shared test vectors (tests/vectors/*.json at the repository root): the same tokens
and verdicts as the Rust and C suites."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

import pytest

import auth_core
from conftest import VECTORS, b64url_decode, load_vectors, ring_from_vectors

TOKENS = load_vectors("tokens.json")
IP_RULES = load_vectors("ip_rules.json")
REQUESTS = load_vectors("requests.json")
MINT = load_vectors("mint.json")
ERRORS = load_vectors("errors.json")
API = load_vectors("api.json")
ROTATION = load_vectors("rotation.json")


def test_every_vector_file_is_run() -> None:
    files = {p.name for p in VECTORS.glob("*.json")}
    assert files == {
        "tokens.json", "ip_rules.json", "requests.json", "mint.json", "errors.json", "api.json",
        "rotation.json", "asymmetric.json",
        "http_edge.json",  # test_vectors_http_edge.py, through every web skin
        "scopes.json",  # test_vectors_scopes.py
        "profile.json",  # test_profile.py
    }


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c.get("name", str(i)) for i, c in enumerate(cases)]


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except auth_core.AuthError as e:
        return e


# `cases_audience` is run like `cases`; its options also carry `audience` and `issuer`,
# which are the Verifier's keyword arguments of the same names.
TOKEN_CASES = TOKENS["cases"] + TOKENS["cases_audience"]


def test_audience_cases_are_present() -> None:
    assert TOKENS["cases_audience"]
    assert any(c["expect"] == "valid" for c in TOKENS["cases_audience"])


@pytest.mark.parametrize("case", TOKEN_CASES, ids=_ids(TOKEN_CASES))
def test_token_vector(case: dict[str, Any]) -> None:
    ring = ring_from_vectors(TOKENS["rings"][case["ring"]])
    options = case.get("options", {})
    store = None
    if "revoked" in case:
        store = auth_core.MemoryRevocationStore()
        unverified = None
        for jti in case["revoked"]["jtis"]:
            if unverified is None:
                unverified = auth_core.inspect_unverified(case["token"])["claims"]
            store.revoke(jti, unverified.get("exp"), now=case["now"])
        for p in case["revoked"]["principals"]:
            store.revoke_principal_before((p["type"], p["id"]), p["before"])
    verifier = auth_core.Verifier(ring, revocation=store, **options)
    result = _outcome(
        lambda: verifier.verify(case["token"], now=case["now"], client_ip=case["client_ip"])
    )
    if case["expect"] == "valid":
        assert not isinstance(result, Exception), f"{case['name']}: {result!r}"
        assert result.to_dict() == case["claims"]
        assert json.loads(result.to_json()) == case["claims"]
        aud = case["claims"].get("aud")
        assert result.audience == ([aud] if isinstance(aud, str) else aud)
        assert result.issuer == case["claims"].get("iss")
    else:
        assert isinstance(result, auth_core.AuthError), f"{case['name']}: accepted {result!r}"
        assert result.code == case["expect"], f"{case['name']}: {result!r}"
        assert isinstance(result, auth_core.error_class(case["expect"]))


def test_token_vectors_through_verify_many() -> None:
    """The batch API gives the same verdicts as one call per token."""
    by_ring: dict[str, list[dict[str, Any]]] = {}
    for case in TOKENS["cases"]:
        if "options" in case or "revoked" in case:
            continue
        by_ring.setdefault(f"{case['ring']}|{case['now']}|{case['client_ip']}", []).append(case)
    checked = 0
    for key, cases in by_ring.items():
        ring_name, now, ip = key.split("|")
        verifier = auth_core.Verifier(ring_from_vectors(TOKENS["rings"][ring_name]))
        results = verifier.verify_many(
            [c["token"] for c in cases], now=int(now), client_ip=None if ip == "None" else ip
        )
        assert len(results) == len(cases)
        for case, result in zip(cases, results):
            if case["expect"] == "valid":
                assert not isinstance(result, Exception)
                assert result.to_dict() == case["claims"]
            else:
                assert isinstance(result, auth_core.AuthError)
                assert result.code == case["expect"]
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("case", IP_RULES["rules"], ids=[c["rule"] for c in IP_RULES["rules"]])
def test_ip_rule_vector(case: dict[str, Any]) -> None:
    result = _outcome(lambda: auth_core.IpAllowList([case["rule"]]))
    if case["expect"] == "valid":
        assert result.rules == [case["canonical"]]
    else:
        assert isinstance(result, auth_core.AuthError) and result.code == case["expect"]


@pytest.mark.parametrize("case", IP_RULES["addresses"], ids=[c["ip"] for c in IP_RULES["addresses"]])
def test_ip_address_vector(case: dict[str, Any]) -> None:
    result = _outcome(lambda: auth_core.canonical_ip(case["ip"]))
    if case["expect"] == "valid":
        assert result == case["canonical"]
    else:
        assert isinstance(result, auth_core.AuthError) and result.code == case["expect"]


@pytest.mark.parametrize("case", IP_RULES["matches"], ids=_ids(IP_RULES["matches"]))
def test_ip_match_vector(case: dict[str, Any]) -> None:
    def check() -> str:
        allowed = auth_core.IpAllowList(case["rules"]).contains(case["ip"])
        return "allow" if allowed else "deny"

    result = _outcome(check)
    if isinstance(result, auth_core.AuthError):
        assert result.code == case["expect"]
    else:
        assert result == case["expect"]


@pytest.mark.parametrize("case", IP_RULES["regex"], ids=_ids(IP_RULES["regex"]))
def test_ip_regex_vector(case: dict[str, Any]) -> None:
    def check() -> str:
        regex = auth_core.IpRegex(case["pattern"], search=case.get("mode", "full") == "search")
        return "allow" if regex.matches(case["ip"]) else "deny"

    result = _outcome(check)
    if isinstance(result, auth_core.AuthError):
        assert result.code == case["expect"]
    else:
        assert result == case["expect"]


@pytest.mark.parametrize("case", REQUESTS["cases"], ids=_ids(REQUESTS["cases"]))
def test_request_vector(case: dict[str, Any]) -> None:
    result = _outcome(lambda: auth_core.TokenRequest.parse(case["body"], case["format"]))
    if case["expect"] == "valid":
        assert not isinstance(result, Exception), result
        assert {"name": result.name, "ttl": result.ttl, "allowed_ips": result.allowed_ips} == case["request"]
    else:
        assert isinstance(result, auth_core.AuthError), f"accepted {result!r}"
        assert result.code == case["expect"]


@pytest.mark.parametrize("case", MINT["cases"], ids=_ids(MINT["cases"]))
def test_mint_vector(case: dict[str, Any]) -> None:
    ring = ring_from_vectors(TOKENS["rings"][case["ring"]])
    req = dict(case["request"])
    kind = req.pop("type")
    lifetime = req.pop("lifetime", "dynamic")
    kwargs: dict[str, Any] = {}
    if lifetime == "static":
        kwargs["static"] = True
    elif lifetime != "dynamic":
        kwargs["ttl"] = lifetime
    for name in ("token_name", "allowed_ips", "token_id", "now"):
        if name in req:
            kwargs[name] = req.pop(name)
    if "parent" in req:
        parent = req.pop("parent")
        kwargs["parent"] = auth_core.Principal(parent["type"], parent["id"])

    def mint() -> auth_core.MintedToken:
        issuer = auth_core.Issuer(ring, **case.get("policy", {}))
        if kind == "user":
            return issuer.mint_user(
                req.pop("id"), req.pop("name"), req.pop("admin", False),
                req.pop("sms_from", None), req.pop("user_group_id", None), **kwargs,
            )
        return issuer.mint_reseller(req.pop("id"), req.pop("name"), **kwargs)

    result = _outcome(mint)
    if case["expect"] != "valid":
        assert isinstance(result, auth_core.AuthError), f"minted {result!r}"
        assert result.code == case["expect"]
        return
    assert not isinstance(result, Exception), result
    assert not req, f"unused request fields {req}"
    verified = auth_core.Verifier(ring).verify(
        result.token, now=case["request"]["now"], client_ip=case.get("client_ip")
    )
    claims = verified.to_dict()
    expected = dict(case["claims"])
    if "jti" not in expected:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", claims.pop("jti"))
    assert claims == expected
    assert result.claims == verified
    assert result.token_id == verified.jti and result.expires_at == verified.exp


@pytest.mark.parametrize("case", MINT["keys"], ids=_ids(MINT["keys"]))
def test_key_vector(case: dict[str, Any]) -> None:
    result = _outcome(
        lambda: auth_core.KeyRing.single(case["kid"], b64url_decode(case["secret"]), case["alg"])
    )
    if case["expect"] == "valid":
        assert isinstance(result, auth_core.KeyRing)
        assert result.algorithm(case["kid"]) == case["alg"]
    else:
        assert isinstance(result, auth_core.AuthError) and result.code == case["expect"]


def test_error_code_table() -> None:
    codes = ERRORS["codes"]
    assert list(auth_core.ERROR_CODES) == [c["code"] for c in codes]
    for c in codes:
        cls = auth_core.error_class(c["code"])
        assert cls.code == c["code"]
        assert cls.number == c["number"]
        assert cls.http_status == c["http_status"]
        if "message" in c:
            assert cls.default_message == c["message"]


def _check_minted(ring: auth_core.KeyRing, token: str, now: int, ip: Any, expected: dict[str, Any]) -> str:
    claims = auth_core.Verifier(ring).verify(token, now=now, client_ip=ip).to_dict()
    jti = claims.pop("jti")
    assert claims == {k: v for k, v in expected.items() if k != "jti"}
    return str(jti)


@pytest.mark.parametrize("case", API["cases"], ids=_ids(API["cases"]))
def test_api_vector(case: dict[str, Any]) -> None:
    ring = ring_from_vectors(TOKENS["rings"]["main"])
    issuer = auth_core.Issuer(ring)
    kind = case["kind"]
    if kind == "host_error":
        err = auth_core.error_class(case["code"])()
        assert json.loads(auth_core.login_error_json(err)) == case["body"]
        assert err.code == case["expect"]
        return
    if kind == "revocation_store":
        store = auth_core.MemoryRevocationStore(capacity_limit=case["capacity"])
        outcome: Any = None
        for r in case["revoke"]:
            outcome = _outcome(lambda: store.revoke(r["jti"], r["exp"], now=case["now"]))
        if case["expect"] == "valid":
            assert outcome is None
        else:
            assert isinstance(outcome, auth_core.AuthError) and outcome.code == case["expect"]
        return

    def run() -> Any:
        if kind == "user_login":
            acc = dict(case["account"])
            regex = acc.pop("allowed_regex")
            if regex is not None:
                regex = auth_core.IpRegex(regex["pattern"], search=regex["mode"] == "search")
            return auth_core.login_user(issuer, allowed_regex=regex, client_ip=case["client_ip"],
                                        now=case["now"], **acc)
        if kind == "reseller_login":
            return auth_core.login_reseller(issuer, client_ip=case["client_ip"], now=case["now"],
                                            **case["account"])
        assert kind == "create_token", kind
        caller = auth_core.Verifier(ring).verify(case["caller"], now=case["now"], client_ip=case["caller_ip"])
        request = auth_core.TokenRequest.parse(case["body"], case["format"])
        target = case["target"]
        # `policy`: absent or null is the default policy; otherwise all three flags.
        p = case.get("policy")
        policy = None if p is None else auth_core.TokenCreationPolicy(
            allow_named_callers=p["allow_named_callers"],
            allow_delegated_callers=p["allow_delegated_callers"],
            login_children_may_outlive=p["login_children_may_outlive"],
        )
        if target is None:
            return auth_core.create_token(issuer, caller, request, now=case["now"], policy=policy)
        subject = target["subject"]
        return auth_core.create_sub_account_token(
            issuer, caller, request, type=subject["type"], id=subject["id"], name=subject["name"],
            admin=subject.get("admin", False), owned_by_caller=target["owned"], now=case["now"],
            policy=policy,
        )

    result = _outcome(run)
    if case["expect"] != "valid":
        assert isinstance(result, auth_core.AuthError), f"accepted: {result!r}"
        assert result.code == case["expect"], repr(result)
        return
    assert not isinstance(result, Exception), repr(result)
    body = json.loads(result.to_json())
    assert body.pop("token") == result.token
    if kind == "create_token":
        assert body.pop("token_id") == result.token_id
        if case["format"] == "xml":
            assert result.render("xml").startswith("<response><status>1</status>")
    assert body == case["response"]
    ip = case.get("client_ip")
    if kind == "create_token" and result.allowed_ips:  # verify from inside the first rule
        ip = str(ipaddress.ip_network(result.allowed_ips[0]).network_address)
    jti = _check_minted(ring, result.token, case["now"], ip, case["claims"])
    if kind == "create_token":
        assert jti == result.token_id


@pytest.mark.parametrize("sequence", ROTATION["sequences"], ids=_ids(ROTATION["sequences"]))
def test_rotation_vector(sequence: dict[str, Any]) -> None:
    """One ring changed step by step; the issuer and verifier, built on the empty ring before
    any key exists, are never rebuilt and must follow every change (as in Rust and C)."""
    now = ROTATION["now"]
    subject = ROTATION["subject"]
    assert subject["type"] == "user"
    ring = auth_core.KeyRing()
    issuer = auth_core.Issuer(ring)
    verifier = auth_core.Verifier(ring)
    saved: dict[str, str] = dict(ROTATION["tokens"])
    failures: list[str] = []
    for i, step in enumerate(sequence["steps"]):
        op, kid = step["op"], step.get("kid")
        minted_kid: Any = None

        def run() -> Any:
            nonlocal minted_kid
            if op == "add":
                key = ROTATION["keys"][kid]
                return ring.add(kid, b64url_decode(key["secret"]), key["alg"])
            if op == "remove":
                return ring.remove(kid)
            if op == "set_active":
                return ring.set_active(kid)
            if op == "set_default_kid":
                ring.default_kid = kid
                return None
            if op == "mint":
                minted = issuer.mint_user(
                    subject["id"], subject["name"], subject["admin"], token_id=f"rot-{i}", now=now
                )
                minted_kid = auth_core.inspect_unverified(minted.token)["header"].get("kid")
                saved[step["save"]] = minted.token
                return None
            assert op == "verify", f"unknown op {op}"
            return verifier.verify(saved[step["token"]], now=now)

        result = _outcome(run)
        if isinstance(result, auth_core.AuthError):
            got = result.code
        else:
            got = "valid" if op == "verify" else "ok"
        if got != step["expect"]:
            failures.append(f"step {i} ({op} {kid or step.get('token')}): expected {step['expect']}, got {got}")
        if op == "mint" and got == "ok" and minted_kid != kid:
            failures.append(f"step {i}: minted with kid {minted_kid!r}, expected {kid!r}")
    assert not failures, "\n".join(failures)
