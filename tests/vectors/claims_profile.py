"""The registered claims profile's vectors (profile.json): tokens of another issuer, read as RFC 7519
registered claims plus custom claims (docs/profiles.md) — written from that page with the standard
library only, independently of auth-core.

Imported by generate.py. Every case's `expect` is "valid" or an error code of docs/errors.md; a valid
case also carries `claims`, the token's claims as RegisteredClaims renders them (every member of the
payload: registered claims and custom claims, `scope` as its canonical text, the names sorted; compare
as JSON objects).

Options: `required` (the required registered claims, default ["exp"]), `audience` (list),
`issuer` (string), `require_audience` (bool), `leeway` (seconds). `revoked` lists revoked jtis (a
store is set only when the key is present); `scopes` lists the scopes the request needs from the
file's `vocabulary` (null: none).
"""

import base64
import hashlib
import hmac
import json

KID = "idp"
SECRET = b"another issuer's secret, 32+ bytes"
VOCABULARY = {
    "read": {"description": "Read"},
    "write": {"description": "Write"},
    "admin": {"description": "Everything", "includes": ["read", "write"]},
}
MAX = 2 ** 53 - 1


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_token(payload: bytes, secret=SECRET) -> str:
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}, separators=(",", ":")).encode())
    p = b64(payload)
    s = b64(hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest())
    return f"{h}.{p}.{s}"


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def vectors(now):
    exp = now + 600
    cases = []

    def case(name, payload, expect, **extra):
        raw = payload if isinstance(payload, bytes) else compact(payload)
        c = {"name": name, "token": raw_token(raw, extra.pop("secret", SECRET)), "now": extra.pop("now", now),
             "options": extra.pop("options", {}), "expect": expect}
        c.update(extra)
        if expect == "valid":
            claims = json.loads(raw)
            if "scope" in claims:  # written back as its canonical text: the names sorted
                claims["scope"] = " ".join(sorted(claims["scope"].split(" ")))
            c.setdefault("claims", claims)
        cases.append(c)

    req = lambda *names: {"required": list(names)}  # noqa: E731

    # What verifies, and what is read.
    case("sub and exp, exp required by default", {"sub": "alice", "exp": exp}, "valid")
    case("every registered claim and custom claims",
         {"iss": "https://idp.example", "sub": "alice", "aud": ["api", "other"], "exp": exp, "nbf": now - 10,
          "iat": now - 10, "jti": "id-1", "scope": "read openid", "roles": ["admin"], "org": {"id": 7, "x": [1.5, None]}},
         "valid", options={"required": ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"], "audience": ["api"],
                           "issuer": "https://idp.example"})
    case("nothing required, empty claims", {}, "valid", options=req())
    case("a seeds-profile token: only its registered claims matter",
         {"type": "user", "id": 123, "name": "alice", "admin": False, "iat": now - 100, "exp": exp, "jti": "tok-user-1"},
         "valid", options=req("exp", "iat", "jti"))
    case("exp at 2^53 - 1", {"exp": MAX}, "valid")
    case("aud as one string", {"exp": exp, "aud": "api"}, "valid", options={"audience": ["x", "api"]})

    # Required claims.
    case("exp missing (required by default)", {"sub": "alice"}, "invalid_claims")
    for name in ["iss", "sub", "aud", "nbf", "iat", "jti"]:
        case(f"{name} required and missing", {"exp": exp}, "invalid_claims", options=req("exp", name))
    case("required exp present but null", {"exp": None}, "invalid_claims")

    # Types and ranges.
    for name, value in [("exp", "1700000600"), ("exp", 1.5), ("exp", float(exp)), ("exp", -1), ("exp", MAX + 1),
                        ("exp", True), ("nbf", None), ("nbf", 1.25), ("iat", -5), ("iat", [now]), ("iat", MAX + 1)]:
        case(f"{name} = {json.dumps(value)}", {"exp": exp, name: value} if name != "exp" else {name: value},
             "invalid_claims")
    case("exp in exponent form", b'{"exp":1.7e9}', "invalid_claims")
    case("exp beyond 64 bits", b'{"exp":18446744073709551616}', "invalid_claims")
    for name, value in [("sub", 7), ("sub", None), ("iss", True), ("iss", ["a"]), ("jti", 1), ("jti", ""),
                        ("jti", "a" * 129), ("aud", []), ("aud", [1]), ("aud", ["a", None]), ("aud", {}), ("aud", 3),
                        ("scope", ["read"]), ("scope", ""), ("scope", "read  write"), ("scope", " read")]:
        case(f"{name} = {json.dumps(value)[:40]}", {"exp": exp, name: value}, "invalid_claims")
    case("jti of 128 characters", {"exp": exp, "jti": "é" * 128}, "valid")

    # Strict JSON.
    case("duplicate sub", b'{"exp":1700000600,"sub":"a","sub":"b"}', "malformed_token")
    case("duplicate through an escape", b'{"exp":1700000600,"\\u0065xp":1700000600}', "malformed_token")
    case("duplicate inside a custom claim", b'{"exp":1700000600,"c":{"a":1,"a":1}}', "malformed_token")
    case("claims are an array", b'[{"exp":1700000600}]', "malformed_token")
    case("claims are not UTF-8", b'{"exp":1700000600,"sub":"\xff"}', "malformed_token")
    case("trailing data", b'{"exp":1700000600} 1', "malformed_token")
    case("custom claim nested 31 levels", b'{"exp":1700000600,"c":' + b"[" * 31 + b"]" * 31 + b"}", "malformed_token")

    # The signature first.
    case("another key's signature over bad claims", b'{"exp":"x","sub":1,"sub":2}', "bad_signature",
         secret=b"not the issuer's secret, 32 bytes!")

    # Audience and issuer.
    case("aud names one of the verifier's", {"exp": exp, "aud": ["other", "api"]}, "valid", options={"audience": ["api"]})
    case("aud names none of the verifier's", {"exp": exp, "aud": ["other"]}, "invalid_claims", options={"audience": ["api"]})
    case("aud and no audience configured", {"exp": exp, "aud": "api"}, "invalid_claims")
    case("aud compared byte for byte", {"exp": exp, "aud": "API"}, "invalid_claims", options={"audience": ["api"]})
    case("require_audience and no aud", {"exp": exp}, "invalid_claims", options={"audience": ["api"], "require_audience": True})
    case("iss expected and equal", {"exp": exp, "iss": "https://idp.example"}, "valid", options={"issuer": "https://idp.example"})
    case("iss expected and different", {"exp": exp, "iss": "https://idp.example/"}, "invalid_claims",
         options={"issuer": "https://idp.example"})
    case("iss expected and missing", {"exp": exp}, "invalid_claims", options={"issuer": "https://idp.example"})

    # Times.
    case("expired", {"exp": now - 1}, "token_expired")
    case("exp equal to now", {"exp": now}, "token_expired")
    case("expired, within the leeway", {"exp": now - 5}, "valid", options={"leeway": 10})
    case("nbf in the future", {"exp": exp, "nbf": now + 1}, "token_not_yet_valid")
    case("nbf in the future, within the leeway", {"exp": exp, "nbf": now + 5}, "valid", options={"leeway": 5})
    case("iat beyond the clock skew", {"exp": exp, "iat": now + 61}, "issued_in_future")
    case("iat within the clock skew", {"exp": exp, "iat": now + 60}, "valid")
    case("no exp and none required: never expires", {"sub": "svc"}, "valid", options=req(), now=MAX)
    case("expired and bad aud: the claim check comes first", {"exp": now - 1, "aud": "x"}, "invalid_claims")

    # Revocation by jti.
    case("jti revoked", {"exp": exp, "jti": "gone"}, "token_revoked", revoked=["gone"])
    case("jti not revoked", {"exp": exp, "jti": "live"}, "valid", revoked=["gone"])
    case("no jti with a store: nothing to ask", {"exp": exp}, "valid", revoked=["gone"])
    case("revoked and expired: expired first", {"exp": now - 1, "jti": "gone"}, "token_expired", revoked=["gone"])

    # Scopes: last, and no claim holds nothing.
    case("scope holds what is needed", {"exp": exp, "scope": "read openid"}, "valid", scopes=["read"])
    case("scope includes what is needed", {"exp": exp, "scope": "admin"}, "valid", scopes=["write"])
    case("scope lacks what is needed", {"exp": exp, "scope": "write"}, "insufficient_scope", scopes=["read"])
    case("no scope claim holds no scope", {"exp": exp}, "insufficient_scope", scopes=["read"])
    case("short of scope and revoked: revoked first", {"exp": exp, "jti": "gone", "scope": "write"}, "token_revoked",
         scopes=["read"], revoked=["gone"])

    for c in cases:
        c.setdefault("revoked", None)
        c.setdefault("scopes", None)
    return {"key": {"kid": KID, "alg": "HS256", "secret": b64(SECRET)}, "vocabulary": VOCABULARY, "cases": cases}
