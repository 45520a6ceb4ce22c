"""The scope vectors (scopes.json): parsing, vocabularies, delegation, requirements — written from
docs/scopes.md with this file's own small reference of the rules, independently of auth-core.

Imported by generate.py, which passes its token builders in. Every list's `expect` is "valid" or an
error code of docs/errors.md.
"""

import json
import re

# The vocabulary every list below uses (docs/scopes.md, the demo service's own).
VOCABULARY = {
    "sms": {"description": "Send and read SMS", "includes": ["sms:send", "sms:read"]},
    "sms:send": {"description": "Send SMS"},
    "sms:read": {"description": "Read sent SMS and their status"},
    "tokens": {"description": "Create, list and revoke API tokens"},
    "account": {"description": "Read the account"},
    "introspect": {"description": "Introspect tokens (RFC 7662)"},
}

NAME = re.compile(r'^[\x21\x23-\x5b\x5d-\x7e]{1,64}$')
MAX_SCOPES = 64


def parse_text(text):
    """docs/scopes.md: names separated by exactly one space, at least one, none twice."""
    if text == "":
        return None
    names = text.split(" ")
    if len(names) > MAX_SCOPES or not all(NAME.match(n) for n in names) or len(set(names)) != len(names):
        return None
    return sorted(names)


def parse_names(names):
    if len(names) > MAX_SCOPES or not all(NAME.match(n) for n in names) or len(set(names)) != len(names):
        return None
    return sorted(names)


def grants(name):
    """Every name that grants `name`: itself and what includes it, transitively."""
    out = {name}
    changed = True
    while changed:
        changed = False
        for n, spec in VOCABULARY.items():
            if n not in out and out & set(spec.get("includes", [])):
                out.add(n)
                changed = True
    return out


def holds(held, name):
    if held is None:
        return name in VOCABULARY
    if name in VOCABULARY:
        return bool(grants(name) & set(held))
    return name in held


def vectors(token, user, reseller, expected, now, day):
    out = {"vocabulary": VOCABULARY, "ring": "main"}

    # --- the claim's text -------------------------------------------------------------
    texts = []
    for name, text in [
        ("one name", "sms"),
        ("two names come back sorted", "sms:send account"),
        ("every printable character the RFC allows", "!#$%&'()*+,-./:;<=>?@[]^_`{|}~"),
        ("64 characters", "x" * 64),
        ("65 characters", "x" * 65),
        ("empty", ""),
        ("leading space", " sms"),
        ("trailing space", "sms "),
        ("two spaces", "sms  account"),
        ("a tab", "sms\taccount"),
        ("a newline", "sms\naccount"),
        ("a quote", 'sm"s'),
        ("a backslash", "sm\\s"),
        ("non-ASCII", "smsé"),
        ("a name twice", "sms account sms"),
        ("64 names", " ".join(f"s{i}" for i in range(64))),
        ("65 names", " ".join(f"s{i}" for i in range(65))),
    ]:
        parsed = parse_text(text)
        c = {"name": name, "text": text, "expect": "valid" if parsed else "invalid_scope"}
        if parsed:
            c["canonical"] = " ".join(parsed)
        texts.append(c)
    out["texts"] = texts

    # --- vocabularies -----------------------------------------------------------------
    vocabularies = [
        {"name": "the demo vocabulary", "json": json.dumps(VOCABULARY), "expect": "valid"},
        {"name": "empty object", "json": "{}", "expect": "valid"},
        {"name": "includes an undeclared name", "json": '{"a": {"includes": ["b"]}}', "expect": "invalid_scope"},
        {"name": "a cycle", "json": '{"a": {"includes": ["b"]}, "b": {"includes": ["a"]}}',
         "expect": "invalid_scope"},
        {"name": "includes itself", "json": '{"a": {"includes": ["a"]}}', "expect": "invalid_scope"},
        {"name": "a bad name", "json": '{"a b": {}}', "expect": "invalid_scope"},
        {"name": "an unknown member", "json": '{"a": {"scopes": []}}', "expect": "invalid_scope"},
        {"name": "a description that is not a string", "json": '{"a": {"description": 1}}',
         "expect": "invalid_scope"},
        {"name": "a duplicate key", "json": '{"a": {}, "a": {}}', "expect": "invalid_scope"},
        {"name": "not an object", "json": '["a"]', "expect": "invalid_scope"},
        {"name": "a name that is not an object", "json": '{"a": []}', "expect": "invalid_scope"},
        {"name": "257 names", "json": json.dumps({f"s{i}": {} for i in range(257)}), "expect": "invalid_scope"},
        {"name": "a three-level hierarchy", "json": '{"a": {"includes": ["b"]}, "b": {"includes": ["c"]}, "c": {}}',
         "expect": "valid"},
    ]
    out["vocabularies"] = vocabularies

    # --- delegation: what a caller holding `caller` may give a child ------------------
    narrowing = []
    for name, caller, requested in [
        ("unscoped caller, nothing asked: the child is unscoped", None, None),
        ("unscoped caller may give any declared scope", None, ["sms:send", "account"]),
        ("scoped caller, nothing asked: the child inherits", ["sms", "tokens"], None),
        ("a parent scope hands down what it includes", ["sms"], ["sms:send"]),
        ("a child scope cannot hand down its parent", ["sms:send"], ["sms"]),
        ("a scope the caller does not hold", ["sms"], ["account"]),
        ("the same scopes", ["sms", "tokens"], ["tokens", "sms"]),
        ("an undeclared scope", None, ["billing"]),
        ("an undeclared scope from a scoped caller", ["sms"], ["billing"]),
    ]:
        c = {"name": name, "caller": caller, "requested": requested}
        if requested is None:
            c["expect"], c["result"] = "valid", (sorted(caller) if caller is not None else None)
        elif any(n not in VOCABULARY for n in requested):
            c["expect"] = "invalid_scope"
            c["mentions"] = next(n for n in requested if n not in VOCABULARY)
        elif not all(holds(caller, n) for n in requested):
            c["expect"] = "not_permitted"
            c["mentions"] = next(n for n in sorted(requested) if not holds(caller, n))
        else:
            c["expect"], c["result"] = "valid", sorted(requested)
        narrowing.append(c)
    out["narrowing"] = narrowing

    # --- a route's requirement against what a token holds ------------------------------
    required = []
    for name, held, need in [
        ("no claim holds everything", None, ["sms:send", "account"]),
        ("exactly the scope", ["sms:send"], ["sms:send"]),
        ("a parent scope", ["sms"], ["sms:send"]),
        ("a parent scope covers both children", ["sms"], ["sms:send", "sms:read"]),
        ("a child does not cover its parent", ["sms:send"], ["sms"]),
        ("one of two missing", ["sms"], ["sms:send", "account"]),
        ("nothing required", ["sms"], []),
        ("an undeclared requirement", ["sms"], ["billing"]),
        ("an undeclared name in the token grants nothing declared", ["legacy"], ["account"]),
    ]:
        c = {"name": name, "held": held, "required": need}
        if any(n not in VOCABULARY for n in need):
            c["expect"] = "invalid_scope"
        else:
            missing = [n for n in sorted(need) if not holds(held, n)]
            if missing:
                c["expect"] = "insufficient_scope"
                c["mentions"] = missing[0]
                c["challenge"] = f'Bearer error="insufficient_scope", scope="{" ".join(sorted(need))}"'
            else:
                c["expect"] = "valid"
        required.append(c)
    out["required"] = required

    # --- tokens: the claim read strictly, then the requirement -------------------------
    tokens = []

    def tok_case(name, claims, need, expect, raw=None):
        t = token(claims, raw_claims=raw)
        c = {"name": name, "token": t, "now": now, "required": need, "expect": expect}
        if expect == "valid":
            c["claims"] = expected(claims)
        tokens.append(c)

    tok_case("scoped token, scope held", user(jti="sc-1", scope="sms account"), ["sms:send"], "valid")
    tok_case("scoped token, scope missing", user(jti="sc-2", scope="sms:read"), ["sms:send"], "insufficient_scope")
    tok_case("unscoped token holds everything", user(jti="sc-3"), ["account", "tokens"], "valid")
    tok_case("scoped token, nothing required", reseller(jti="sc-4", scope="tokens"), None, "valid")
    tok_case("scope claim with two spaces", user(jti="sc-5", scope="sms  account"), None, "invalid_claims")
    tok_case("scope claim empty", user(jti="sc-6", scope=""), None, "invalid_claims")
    tok_case("scope claim as an array", user(jti="sc-7", scope=["sms"]), None, "invalid_claims")
    tok_case("scope claim with a name twice", user(jti="sc-8", scope="sms sms"), None, "invalid_claims")
    tok_case("scope claim null", user(jti="sc-9", scope=None), None, "invalid_claims")
    expired = user(jti="sc-10", scope="account", exp=now - 10)
    tok_case("an expired token is expired, not short of scope", expired, ["sms"], "token_expired")
    for c in tokens:
        if c["expect"] == "valid" and "scope" in c["claims"]:
            # The claim comes back in canonical order.
            c["claims"]["scope"] = " ".join(parse_text(c["claims"]["scope"]))
    out["tokens"] = tokens

    # --- the token API with scopes: JSON and XML bodies, delegation ---------------------
    caller_plain = token(reseller(jti="sc-caller"))
    caller_sms = token(reseller(jti="sc-caller-sms", scope="sms tokens"))
    sub = {"subject": {"type": "user", "id": 55, "name": "sub", "admin": False}, "owned": True}
    delegation = []

    def dc(name, caller, target, fmt, body, expect, scopes=None, subject=None):
        c = {"name": name, "caller": caller, "caller_ip": None, "target": target, "format": fmt, "body": body,
             "now": now, "expect": expect}
        if expect == "valid":
            c["scopes"] = scopes
        delegation.append(c)

    dc("JSON scopes for oneself", caller_plain, None, "json",
       '{"token": {"name": "ci", "ttl": 3600, "scopes": ["sms:send"]}}', "valid", ["sms:send"])
    dc("XML scopes for oneself", caller_plain, None, "xml",
       "<token><name>ci</name><ttl>3600</ttl><scopes><scope>sms:send</scope><scope>account</scope></scopes></token>",
       "valid", ["account", "sms:send"])
    dc("no scopes from an unscoped caller: unscoped", caller_plain, None, "json",
       '{"token": {"name": "ci", "ttl": 3600}}', "valid", None)
    dc("no scopes from a scoped caller: inherited", caller_sms, sub, "json",
       '{"token": {"name": "ci", "ttl": 3600}}', "valid", ["sms", "tokens"])
    dc("a sub-account gets what the caller holds", caller_sms, sub, "xml",
       "<token><name>ci</name><ttl>60</ttl><scopes><scope>sms:read</scope></scopes></token>", "valid", ["sms:read"])
    dc("a sub-account cannot get more than the caller holds", caller_sms, sub, "json",
       '{"token": {"name": "ci", "ttl": 60, "scopes": ["account"]}}', "not_permitted")
    dc("oneself cannot get more than the caller holds", caller_sms, None, "xml",
       "<token><name>ci</name><ttl>60</ttl><scopes><scope>introspect</scope></scopes></token>", "not_permitted")
    dc("an undeclared scope", caller_plain, None, "json",
       '{"token": {"name": "ci", "ttl": 60, "scopes": ["billing"]}}', "invalid_scope")
    dc("an empty JSON list", caller_plain, None, "json", '{"token": {"name": "ci", "scopes": []}}', "invalid_scope")
    dc("an empty XML list", caller_plain, None, "xml", "<token><name>ci</name><scopes></scopes></token>",
       "invalid_scope")
    dc("a name twice", caller_plain, None, "json", '{"token": {"name": "ci", "scopes": ["sms", "sms"]}}',
       "invalid_scope")
    dc("a bad name", caller_plain, None, "json", '{"token": {"name": "ci", "scopes": ["sms send"]}}',
       "invalid_scope")
    dc("XML text is taken exactly", caller_plain, None, "xml",
       "<token><name>ci</name><scopes><scope> sms</scope></scopes></token>", "invalid_scope")
    dc("scopes not an array", caller_plain, None, "json", '{"token": {"name": "ci", "scopes": "sms"}}',
       "invalid_request")
    dc("a scope that is not a string", caller_plain, None, "json", '{"token": {"name": "ci", "scopes": [1]}}',
       "invalid_request")
    dc("something else inside <scopes>", caller_plain, None, "xml",
       "<token><name>ci</name><scopes><ip>sms</ip></scopes></token>", "invalid_request")
    out["delegation"] = delegation
    return out
