#!/usr/bin/env python3
"""Generates the shared test vectors (tests/vectors/*.json) with the standard library only.

The expected verdicts are written here from the behaviour contract (docs/), independently of auth-core:
tokens are built byte by byte (hmac + hashlib + base64 + json), so a vector can
carry exactly the flaw it tests. Deterministic: fixed keys, times and ids.
"""

import base64
import hashlib
import hmac
import json
import os

import asym2
import claims_profile
import http_edge
import scopes

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = 1_700_000_000
DAY = 86_400

SECRETS = {
    "k1": ("HS256", bytes(range(1, 33))),
    "k2": ("HS384", bytes(range(101, 149))),
    "k3": ("HS512", bytes(range(150, 214))),
    "solo": ("HS256", b"solo-secret-solo-secret-solo-sec"),
    "edge": ("HS256", http_edge.SECRET),
}
HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def secret_text(kid):
    return b64(SECRETS[kid][1])


RINGS = {
    "main": {"keys": [{"kid": k, "alg": SECRETS[k][0], "secret": secret_text(k)} for k in ("k1", "k2", "k3")],
             "default_kid": None},
    "single": {"keys": [{"kid": "solo", "alg": "HS256", "secret": secret_text("solo")}], "default_kid": None},
    "defaulted": {"keys": [{"kid": k, "alg": SECRETS[k][0], "secret": secret_text(k)} for k in ("k1", "k2")],
                  "default_kid": "k2"},
}


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def sign(header_b64: str, payload_b64: str, kid="k1", alg=None) -> str:
    alg_name, secret = SECRETS[kid]
    digest = HASHES[alg or alg_name]
    signing_input = f"{header_b64}.{payload_b64}".encode()
    return b64(hmac.new(secret, signing_input, digest).digest())


def token(claims=None, header=None, kid="k1", raw_claims=None, raw_header=None, alg=None, sig=None):
    """A token over exact bytes: raw_* (bytes) win over the JSON objects."""
    if raw_header is None:
        if header is None:
            header = {"alg": alg or SECRETS[kid][0], "typ": "JWT", "kid": kid}
        raw_header = compact(header)
    if raw_claims is None:
        raw_claims = compact(claims)
    h, p = b64(raw_header), b64(raw_claims)
    s = sign(h, p, kid=kid, alg=alg) if sig is None else sig
    return f"{h}.{p}.{s}"


def user(**over):
    c = {"type": "user", "id": 123, "name": "alice", "admin": False, "sms_from": "ACME",
         "user_group_id": 7, "iat": NOW - 100, "exp": NOW - 100 + DAY, "jti": "tok-user-1"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not DROP}


def reseller(**over):
    c = {"type": "reseller", "id": 1, "name": "reseller_name", "iat": NOW - 100,
         "exp": NOW - 100 + DAY, "jti": "tok-res-1"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not DROP}


DROP = object()


def expected(claims):
    """Claims as Claims::to_json() renders them: users always carry sms_from/user_group_id;
    every claim the library does not own is kept as a custom claim."""
    out = dict(claims)
    # aud comes back as a string when it names one audience, as an array otherwise.
    if isinstance(out.get("aud"), list) and len(out["aud"]) == 1:
        out["aud"] = out["aud"][0]
    if out["type"] == "user":
        out.setdefault("sms_from", None)
        out.setdefault("user_group_id", None)
    else:
        for k in ("admin", "sms_from", "user_group_id"):
            out.pop(k, None)
    return out


cases = []


def case(name, tok, expect, claims=None, ring="main", now=NOW, client_ip=None, options=None, revoked=None):
    c = {"name": name, "ring": ring, "token": tok, "now": now, "client_ip": client_ip}
    if options:
        c["options"] = options
    if revoked:
        c["revoked"] = revoked
    c["expect"] = expect
    if expect == "valid":
        c["claims"] = expected(claims)
    assert not any(x["name"] == name for x in cases), name
    cases.append(c)


def valid(name, claims, **kw):
    kid = kw.pop("kid", "k1")
    header = kw.pop("header", None)
    case(name, token(claims, kid=kid, header=header), "valid", claims=claims, **kw)


# --- valid tokens -------------------------------------------------------------------------
valid("user dynamic token", user())
valid("reseller token", reseller())
valid("user HS384 key", user(), kid="k2")
valid("user HS512 key", user(), kid="k3")
valid("static token (no exp)", user(exp=DROP, jti="static-1"))
valid("sms_from and user_group_id null", user(sms_from=None, user_group_id=None))
valid("sms_from and user_group_id absent", user(sms_from=DROP, user_group_id=DROP))
valid("admin user", user(admin=True))
valid("custom claims kept", user(extra={"nested": [1, 2, {"a": None}]}, sub="x", scope="y"))
valid("reseller with admin claim ignored", reseller(admin=True))
valid("token_name and parent", user(token_name="Best token ever", parent={"type": "reseller", "id": 1}))
valid("typ in lower case", user(), header={"alg": "HS256", "typ": "jwt", "kid": "k1"})
valid("no typ", user(), header={"alg": "HS256", "kid": "k1"})
valid("unknown header parameter ignored", user(), header={"alg": "HS256", "kid": "k1", "x-trace": 1})
valid("no kid with a single-key ring", user(), kid="solo", header={"alg": "HS256", "typ": "JWT"}, ring="single")
valid("no kid with a default kid", user(), kid="k2", header={"alg": "HS384"}, ring="defaulted")
valid("kid written with an escape", user(), header={"alg": "HS256", "kid": "k1"})
cases[-1]["token"] = token(user(), raw_header=b'{"alg":"HS256","kid":"k\\u0031"}')
valid("unicode name", user(name="Zoë 東京 🚀"))
valid("id zero and 2^53 - 1", user(id=0, user_group_id=2**53 - 1))
valid("nbf in the past", user(nbf=NOW - 10))
valid("nbf within leeway", user(nbf=NOW + 5), options={"leeway": 5})
valid("one second before exp", user(exp=NOW + 1))
valid("expired but within leeway", user(exp=NOW - 3), options={"leeway": 5})
valid("iat at the clock-skew limit", user(iat=NOW + 60))
valid("iat within a larger clock skew", user(iat=NOW + 300), options={"max_clock_skew": 300})
valid("allowed_ips v4 rule matches", reseller(allowed_ips=["192.168.2.0/24", "10.0.0.1"]), client_ip="192.168.2.77")
valid("allowed_ips single address", reseller(allowed_ips=["192.168.2.0/24", "10.0.0.1"]), client_ip="10.0.0.1")
valid("allowed_ips v6 rule matches", reseller(allowed_ips=["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"]),
      client_ip="2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae")
valid("allowed_ips mapped client matches v4 rule", reseller(allowed_ips=["192.168.2.0/24"]),
      client_ip="::ffff:192.168.2.5")
valid("allowed_ips mapped rule matches v4 client", reseller(allowed_ips=["::ffff:192.168.2.0/120"]),
      client_ip="192.168.2.5")
cases[-1]["claims"]["allowed_ips"] = ["192.168.2.0/24"]
valid("allowed_ips normalized v6 text", reseller(allowed_ips=["2001:DB8::/32"]), client_ip="2001:db8::1")
cases[-1]["claims"]["allowed_ips"] = ["2001:db8::/32"]
valid("revocation store: other jti revoked", user(), revoked={"jtis": ["someone-else"], "principals": []})
valid("revocation store: cutoff before iat", user(),
      revoked={"jtis": [], "principals": [{"type": "user", "id": 123, "before": NOW - 101}]})
# --- hardening: delegation and revocation ---
# A cutoff revokes iat <= before (whole seconds: a token minted in the cutoff's second may predate
# it, fail closed), and a cutoff on a principal also revokes the tokens it delegated (parent).
case("revocation store: cutoff in the same second as iat", token(user()), "token_revoked",
     revoked={"jtis": [], "principals": [{"type": "user", "id": 123, "before": NOW - 100}]})
case("revocation store: cutoff on the parent revokes a delegated token",
     token(user(parent={"type": "reseller", "id": 1})), "token_revoked",
     revoked={"jtis": [], "principals": [{"type": "reseller", "id": 1, "before": NOW - 100}]})
valid("revocation store: cutoff on the parent before iat", user(parent={"type": "reseller", "id": 1}),
      revoked={"jtis": [], "principals": [{"type": "reseller", "id": 1, "before": NOW - 101}]})
valid("revocation store: cutoff on another parent", user(parent={"type": "reseller", "id": 1}),
      revoked={"jtis": [], "principals": [{"type": "reseller", "id": 2, "before": NOW}]})
# --- end hardening: delegation and revocation ---
valid("revocation store: cutoff for the reseller with the same id", user(),
      revoked={"jtis": [], "principals": [{"type": "reseller", "id": 123, "before": NOW}]})
valid("token at the size limit", user(pad="x" * 100), options={"max_token_size": 0})
cases[-1]["options"]["max_token_size"] = len(cases[-1]["token"])
valid("jti of 128 characters", user(jti="j" * 128))
valid("token_name of 255 characters", user(token_name="n" * 255))

# --- malformed_token ---------------------------------------------------------------------
good = token(user())
h, p, s = good.split(".")
case("two segments", f"{h}.{p}", "malformed_token")
case("four segments", f"{good}.{s}", "malformed_token")
case("empty token", "", "malformed_token")
case("padded signature", f"{good}=", "malformed_token")
case("padded payload", f"{h}.{p}==.{s}", "malformed_token")
case("standard base64 alphabet", good.replace("-", "+").replace("_", "/") if ("-" in good or "_" in good) else good[:-1] + "+",
     "malformed_token")
case("whitespace inside", f"{h}. {p}.{s}", "malformed_token")
case("trailing newline", good + "\n", "malformed_token")
case("embedded NUL", f"{h}.{p}\u0000.{s}", "malformed_token")
case("empty header segment", f".{p}.{s}", "malformed_token")
case("empty payload segment", f"{h}..{s}", "malformed_token")
# non-canonical final bits: the last base64 char of a segment whose length mod 4 is 2 or 3
def noncanonical(seg):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(seg) % 4 in (2, 3)
    i = alphabet.index(seg[-1])
    return seg[:-1] + alphabet[i + 1]
raw = compact(user(jti="pad-x"))
while len(b64(raw)) % 4 not in (2, 3):
    raw = compact(user(jti="pad-" + "x" * (len(raw) % 7 + 1)))
p_nc = noncanonical(b64(raw))
hh = b64(compact({"alg": "HS256", "typ": "JWT", "kid": "k1"}))
case("non-canonical payload bits (signed)", f"{hh}.{p_nc}.{sign(hh, p_nc)}", "malformed_token")
rawh = compact({"alg": "HS256", "kid": "k1"})
while len(b64(rawh)) % 4 not in (2, 3):
    rawh = compact({"alg": "HS256", "kid": "k1", "x": "y" * (len(rawh) % 5 + 1)})
h_nc = noncanonical(b64(rawh))
pp = b64(compact(user()))
case("non-canonical header bits", f"{h_nc}.{pp}.{sign(h_nc, pp)}", "malformed_token")
case("header is not JSON", token(user(), raw_header=b"alg=HS256"), "malformed_token")
case("header is a JSON array", token(user(), raw_header=b'["HS256"]'), "malformed_token")
case("header duplicate alg", token(user(), raw_header=b'{"alg":"HS256","kid":"k1","alg":"HS256"}'),
     "malformed_token")
case("header duplicate kid via escape", token(user(), raw_header=b'{"alg":"HS256","kid":"k1","\\u006bid":"k1"}'),
     "malformed_token")
case("header without alg", token(user(), raw_header=b'{"kid":"k1"}'), "malformed_token")
case("header alg not a string", token(user(), raw_header=b'{"alg":256,"kid":"k1"}'), "malformed_token")
case("header trailing data", token(user(), raw_header=b'{"alg":"HS256","kid":"k1"}{}'), "malformed_token")
case("claims not JSON (signed)", token(raw_claims=b"type=user"), "malformed_token")
case("claims a JSON array (signed)", token(raw_claims=b"[1,2]"), "malformed_token")
case("claims a JSON string (signed)", token(raw_claims=b'"user"'), "malformed_token")
case("claims duplicate id (signed)", token(raw_claims=compact(user())[:-1] + b',"id":124}'), "malformed_token")
case("claims duplicate unknown key (signed)", token(raw_claims=compact(user())[:-1] + b',"x":1,"x":1}'),
     "malformed_token")
case("claims duplicate key inside parent (signed)",
     token(raw_claims=compact(user())[:-1] + b',"parent":{"type":"user","id":1,"id":2}}'), "malformed_token")
case("claims trailing data (signed)", token(raw_claims=compact(user()) + b" {}"), "malformed_token")
case("claims with a comment (signed)", token(raw_claims=b"/*c*/" + compact(user())), "malformed_token")
case("claims with NaN (signed)", token(raw_claims=compact(user())[:-1] + b',"x":NaN}'), "malformed_token")
case("claims not UTF-8 (signed)", token(raw_claims=compact(user(name="X"))
                                        .replace(b'"X"', b'"\xff"')), "malformed_token")
case("claims with a trailing comma (signed)", token(raw_claims=compact(user())[:-1] + b",}"), "malformed_token")
deep = b'{"x":' + b"[" * 200 + b"]" * 200 + b"}"
case("claims nested too deep (signed)", token(raw_claims=compact(user())[:-1] + b"," + deep[1:]), "malformed_token")

# --- token_too_large ---------------------------------------------------------------------
case("over the default 8 KiB", token(user(pad="x" * 9000)), "token_too_large")
case("over a configured size", good, "token_too_large", options={"max_token_size": len(good) - 1})
case("oversized garbage is refused before decoding", "!" * 9000, "token_too_large")

# --- unsupported_header -------------------------------------------------------------------
for param, value in [("crit", ["exp"]), ("b64", False), ("cty", "JWT"), ("jwk", {"kty": "oct", "k": "AAAA"}),
                     ("jku", "https://example.invalid/keys"), ("x5u", "https://example.invalid/x"),
                     ("x5c", ["MIIB"])]:
    case(f"header {param}", token(user(), header={"alg": "HS256", "typ": "JWT", "kid": "k1", param: value}),
         "unsupported_header")
case("header typ JOSE", token(user(), header={"alg": "HS256", "typ": "JOSE", "kid": "k1"}), "unsupported_header")
case("header typ not a string", token(user(), header={"alg": "HS256", "typ": 1, "kid": "k1"}), "unsupported_header")

# --- algorithm_not_allowed ----------------------------------------------------------------
none_h = b64(compact({"alg": "none", "typ": "JWT", "kid": "k1"}))
case("alg none with empty signature", f"{none_h}.{b64(compact(user()))}.", "algorithm_not_allowed")
case("alg None mixed case", f"{b64(compact({'alg': 'None', 'kid': 'k1'}))}.{b64(compact(user()))}.",
     "algorithm_not_allowed")
case("alg none without kid", f"{b64(compact({'alg': 'none'}))}.{b64(compact(user()))}.", "algorithm_not_allowed")
case("HS384 header on an HS256 key", token(user(), kid="k1", alg="HS384",
                                           header={"alg": "HS384", "kid": "k1"}), "algorithm_not_allowed")
case("HS256 header on an HS512 key", token(user(), kid="k3", alg="HS256",
                                           header={"alg": "HS256", "kid": "k3"}), "algorithm_not_allowed")
case("RS256 header", token(user(), header={"alg": "RS256", "kid": "k1"}, sig=b64(b"\x00" * 256)),
     "algorithm_not_allowed")
case("lower-case hs256", token(user(), header={"alg": "hs256", "kid": "k1"}), "algorithm_not_allowed")

# --- unknown_key --------------------------------------------------------------------------
case("kid not in ring", token(user(), header={"alg": "HS256", "kid": "nope"}), "unknown_key")
case("kid is case-sensitive", token(user(), header={"alg": "HS256", "kid": "K1"}), "unknown_key")
case("no kid with several keys", token(user(), header={"alg": "HS256", "typ": "JWT"}), "unknown_key")

# --- bad_signature ------------------------------------------------------------------------
tampered_p = b64(compact(user(admin=True)))
case("payload swapped after signing", f"{h}.{tampered_p}.{s}", "bad_signature")
case("signature of another key", token(user(), kid="k1", header={"alg": "HS256", "kid": "k1"},
                                       sig=sign(h, p, kid="solo")), "bad_signature")
case("signature truncated to a non-base64 length", f"{h}.{p}.{s[:-2]}", "malformed_token")
short_sig = b64(base64.urlsafe_b64decode(s + "=")[:-1])
case("signature one byte short", f"{h}.{p}.{short_sig}", "bad_signature")
case("signature of 64 zero bytes", f"{h}.{p}.{b64(bytes(64))}", "bad_signature")
case("signature empty", f"{h}.{p}.", "bad_signature")
case("signature too long", f"{h}.{p}.{s}AAAA", "bad_signature")
case("signature last char flipped", f"{h}.{p}.{s[:-1]}{'A' if s[-1] != 'A' else 'Q'}", "bad_signature")
case("tampered and expired: signature first", f"{h}.{b64(compact(user(exp=NOW - 1)))}.{s}", "bad_signature")

# --- invalid_claims -----------------------------------------------------------------------
def bad_claims(name, claims):
    case(name, token(claims), "invalid_claims")

bad_claims("type missing", user(type=DROP))
bad_claims("type capitalised", user(type="User"))
bad_claims("type unknown", user(type="admin"))
bad_claims("type not a string", user(type=1))
bad_claims("id missing", user(id=DROP))
bad_claims("id a string", user(id="123"))
bad_claims("id a float", user(id=123.0))
bad_claims("id negative", user(id=-1))
bad_claims("id in exponent form", user(id=1e3))
case("id beyond u64", token(raw_claims=compact(user())[:-1].replace(b'"id":123', b'"id":18446744073709551616') + b"}"),
     "invalid_claims")
bad_claims("name missing", user(name=DROP))
bad_claims("name a number", user(name=5))
bad_claims("admin missing for a user", user(admin=DROP))
bad_claims("admin a string", user(admin="false"))
bad_claims("sms_from a number", user(sms_from=5))
bad_claims("user_group_id a string", user(user_group_id="7"))
bad_claims("user_group_id negative", user(user_group_id=-7))
bad_claims("iat missing", user(iat=DROP))
bad_claims("iat a string", user(iat=str(NOW)))
bad_claims("iat a float", user(iat=NOW + 0.5))
bad_claims("iat negative", user(iat=-1))
bad_claims("exp null", user(exp=None))
bad_claims("exp a string", user(exp=str(NOW + DAY)))
bad_claims("exp a float", user(exp=NOW + DAY + 0.0))
bad_claims("nbf a string", user(nbf="0"))
bad_claims("jti missing", user(jti=DROP))
bad_claims("jti empty", user(jti=""))
bad_claims("jti too long", user(jti="j" * 129))
bad_claims("jti a number", user(jti=5))
bad_claims("token_name empty", user(token_name=""))
bad_claims("token_name too long", user(token_name="n" * 256))
bad_claims("allowed_ips null", reseller(allowed_ips=None))
bad_claims("allowed_ips a string", reseller(allowed_ips="192.168.2.0/24"))
bad_claims("allowed_ips with a number", reseller(allowed_ips=["10.0.0.1", 5]))
bad_claims("allowed_ips with host bits set", reseller(allowed_ips=["192.168.2.5/24"]))
bad_claims("allowed_ips with a leading zero", reseller(allowed_ips=["010.1.1.1"]))
bad_claims("parent a string", user(parent="reseller:1"))
bad_claims("parent with unknown type", user(parent={"type": "admin", "id": 1}))
bad_claims("parent without id", user(parent={"type": "reseller"}))

# --- time checks --------------------------------------------------------------------------
case("exp equal to now", token(user(exp=NOW)), "token_expired")
case("exp in the past", token(user(exp=NOW - 1)), "token_expired")
case("exp at the leeway edge", token(user(exp=NOW - 5)), "token_expired", options={"leeway": 5})
case("nbf in the future", token(user(nbf=NOW + 1)), "token_not_yet_valid")
case("nbf beyond leeway", token(user(nbf=NOW + 6)), "token_not_yet_valid", options={"leeway": 5})
case("iat past the clock skew", token(user(iat=NOW + 61)), "issued_in_future")
case("expired and revoked: expiry first", token(user(exp=NOW - 1)), "token_expired",
     revoked={"jtis": ["tok-user-1"], "principals": []})

# --- hardening: claims ---
# docs/keys.md: NumericDates and ids are at most 2^53 - 1, the bound minting applies.
MAX_SAFE = 2**53 - 1
bad_claims("exp over 2^53 - 1", user(exp=MAX_SAFE + 1))
bad_claims("exp at u64 max", user(exp=2**64 - 1))
bad_claims("nbf over 2^53 - 1", user(nbf=MAX_SAFE + 1))
bad_claims("iat over 2^53 - 1", user(iat=MAX_SAFE + 1, exp=DROP))
bad_claims("id over 2^53 - 1", user(id=MAX_SAFE + 1))
bad_claims("user_group_id over 2^53 - 1", user(user_group_id=MAX_SAFE + 1))
bad_claims("parent id over 2^53 - 1", user(parent={"type": "reseller", "id": MAX_SAFE + 1}))
valid("times and ids at 2^53 - 1", user(exp=MAX_SAFE, id=MAX_SAFE, user_group_id=MAX_SAFE))
# RFC 7519 §4.1.3: a token naming an audience is refused by a verifier configured with none
# (every case here uses the default options); aud/iss of the wrong type are invalid_claims.
bad_claims("aud string, no audience configured", user(aud="other-service"))
bad_claims("aud array, no audience configured", user(aud=["a", "b"]))
bad_claims("aud empty array", user(aud=[]))
bad_claims("aud a number", user(aud=5))
bad_claims("aud null", user(aud=None))
bad_claims("aud array with a number", user(aud=["a", 5]))
bad_claims("iss a number", user(iss=5))
# Cases that need the new options `audience` (list of strings) and `issuer` (string):
# kept in `cases_audience` until every runner reads those options.
cases_audience = []
def ac_case(name, claims, expect, audience=None, issuer=None):
    opts = {}
    if audience is not None:
        opts["audience"] = audience
    if issuer is not None:
        opts["issuer"] = issuer
    c = {"name": name, "ring": "main", "token": token(claims), "now": NOW, "client_ip": None,
         "options": opts, "expect": expect}
    if expect == "valid":
        c["claims"] = expected(claims)
    cases_audience.append(c)
ac_case("aud string naming the audience", user(aud="api"), "valid", audience=["api"])
ac_case("aud string naming a second audience", user(aud="billing"), "valid", audience=["api", "billing"])
ac_case("aud array naming the audience", user(aud=["other", "api"]), "valid", audience=["api"])
ac_case("aud one-element array", user(aud=["api"]), "valid", audience=["api"])
ac_case("aud naming another audience", user(aud="other-service"), "invalid_claims", audience=["api"])
ac_case("aud compared case-sensitively", user(aud="API"), "invalid_claims", audience=["api"])
ac_case("aud array naming none", user(aud=["x", "y"]), "invalid_claims", audience=["api"])
ac_case("aud empty array with an audience", user(aud=[]), "invalid_claims", audience=["api"])
ac_case("aud a number with an audience", user(aud=1), "invalid_claims", audience=["api"])
ac_case("no aud with an audience configured", user(), "valid", audience=["api"])
ac_case("iss equal", user(iss="https://auth.example"), "valid", issuer="https://auth.example")
ac_case("iss different", user(iss="https://evil.example"), "invalid_claims", issuer="https://auth.example")
ac_case("iss missing", user(), "invalid_claims", issuer="https://auth.example")
ac_case("iss a number", user(iss=1), "invalid_claims", issuer="https://auth.example")
# Valid tokens that carry aud/iss are here too: their claims include `aud`/`iss`.
ac_case("iss returned when no issuer is configured", user(iss="https://auth.example"), "valid")
ac_case("aud and iss both match", user(aud="api", iss="https://auth.example"), "valid",
        audience=["api"], issuer="https://auth.example")
# --- end hardening: claims ---

# --- revocation ---------------------------------------------------------------------------
case("revoked jti", good, "token_revoked", revoked={"jtis": ["tok-user-1"], "principals": []})
case("revoked static token", token(user(exp=DROP, jti="static-9")), "token_revoked",
     revoked={"jtis": ["static-9"], "principals": []})
case("principal revoked after iat", good, "token_revoked",
     revoked={"jtis": [], "principals": [{"type": "user", "id": 123, "before": NOW - 99}]})

# --- ip_not_allowed -----------------------------------------------------------------------
res_ip = token(reseller(allowed_ips=["192.168.2.0/24", "2a01:cb1d:2b9:ef02::/64"]))
case("client outside allowed_ips", res_ip, "ip_not_allowed", client_ip="192.168.3.1")
case("no client address for a restricted token", res_ip, "ip_not_allowed")
case("v6 client outside allowed_ips", res_ip, "ip_not_allowed", client_ip="2a01:cb1d:2b9:ef03::1")
case("IPv4-compatible v6 is not the v4 address", res_ip, "ip_not_allowed", client_ip="::192.168.2.5")
case("empty allowed_ips allows nothing", token(reseller(allowed_ips=[])), "ip_not_allowed", client_ip="192.168.2.5")
case("expired and wrong IP: expiry first", token(reseller(allowed_ips=["10.0.0.0/8"], exp=NOW)), "token_expired",
     client_ip="192.168.3.1")

tokens = {"now_default": NOW, "rings": RINGS, "cases": cases, "cases_audience": cases_audience}

# =========================================================================================
# ip_rules.json
# =========================================================================================
rules = []
for r, canon in [("192.168.2.0/24", "192.168.2.0/24"), ("192.168.2.2", "192.168.2.2"),
                 ("192.168.2.2/32", "192.168.2.2"), ("0.0.0.0/0", "0.0.0.0/0"), ("10.0.0.0/8", "10.0.0.0/8"),
                 ("2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"),
                 ("2001:DB8::/32", "2001:db8::/32"), ("::/0", "::/0"), ("::1", "::1"), ("::1/128", "::1"),
                 ("::ffff:192.168.2.5", "192.168.2.5"), ("::ffff:192.168.2.0/120", "192.168.2.0/24"),
                 ("::ffff:0:0/96", "0.0.0.0/0"), ("::192.168.2.5", "::c0a8:205"),
                 ("64:ff9b::192.0.2.1", "64:ff9b::c000:201")]:
    rules.append({"rule": r, "expect": "valid", "canonical": canon})
for r in ["", " 192.168.2.1", "192.168.2.1 ", "010.1.1.1", "1.1.1", "1.1", "2130706433", "0x7f.0.0.1",
          "192.168.2.256", "192.168.2.5/24", "192.168.2.0/33", "192.168.2.0/", "192.168.2.0/024", "192.168.2.0/+24",
          "192.168.2.0/ 24", "192.168.2.0/-1", "fe80::1%eth0", "[::1]", "[::1]:80", "192.168.2.1:80",
          "2001:db8::/129", "2001:db8::1/64", "::ffff:192.168.2.5/120", "localhost", "1.2.3.4/24/8", "1.2.3.4\n",
          "1.2.3.4/\u0032\u0034\u0000", "１.２.３.４"]:
    rules.append({"rule": r, "expect": "invalid_ip_rule"})

addresses = []
for a, canon in [("192.168.2.5", "192.168.2.5"), ("::ffff:192.168.2.5", "192.168.2.5"),
                 ("::FFFF:C0A8:0205", "192.168.2.5"), ("2A01:CB1D:2B9:EF02:2521:4ED1:109A:8FAE",
                                                       "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"),
                 ("2001:db8:0:0:0:0:0:1", "2001:db8::1"), ("::192.168.2.5", "::c0a8:205"), ("::", "::")]:
    addresses.append({"ip": a, "expect": "valid", "canonical": canon})
for a in ["", "1.2.3", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/32", "fe80::1%1", "[::1]", "1.2.3.4:80",
          "0x01.2.3.4", "256.1.1.1", "::ffff:1.2.3", "abc", "1.2.3.4.5"]:
    addresses.append({"ip": a, "expect": "invalid_ip_address"})

matches = []
def m(rules_, ip, expect):
    matches.append({"rules": rules_, "ip": ip, "expect": expect})
seed = ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]
m(seed, "192.168.2.0", "allow")
m(seed, "192.168.2.255", "allow")
m(seed, "192.168.3.0", "deny")
m(seed, "192.168.1.255", "deny")
m(seed, "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "allow")
m(seed, "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8faf", "deny")
m(seed, "::ffff:192.168.2.9", "allow")
m(seed, "::192.168.2.9", "deny")
m(seed, "64:ff9b::192.168.2.9", "deny")
m(seed, "2002:c0a8:209::1", "deny")
m(["::ffff:192.168.2.0/120"], "192.168.2.200", "allow")
m(["::ffff:0:0/96"], "8.8.8.8", "allow")
m(["0.0.0.0/0"], "::1", "deny")
m(["::/0"], "1.2.3.4", "deny")
m(["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8"], "11.255.255.255", "allow")
m(["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8"], "12.0.0.0", "deny")
m(["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8"], "9.255.255.255", "deny")
m([], "1.2.3.4", "deny")
m(seed, "192.168.2.300", "invalid_ip_address")
m(["192.168.2.5/24"], "192.168.2.5", "invalid_ip_rule")
m(["10.0.0.0/8", "bad"], "10.0.0.1", "invalid_ip_rule")

regex = []
def rx(pattern, ip, expect, mode="full"):
    regex.append({"pattern": pattern, "mode": mode, "ip": ip, "expect": expect})
rx(r"192\.168\.1\.1", "192.168.1.1", "allow")
rx(r"192\.168\.1\.1", "192.168.1.10", "deny")
rx(r"192\.168\.1\.1", "192.168.1.10", "allow", mode="search")
rx(r"192\.168\.1\.1", "10.192.168.1.1".replace("10.", "1.") if False else "8.192.168.1", "deny", mode="search")
rx(r"192\.168\.1\.\d+", "192.168.1.254", "allow")
rx(r"192\.168\.1\.\d+", "::ffff:192.168.1.254", "allow")
rx(r"2001:db8::1", "2001:DB8:0::1", "allow")
rx(r"2001:db8::1", "2001:db8::10", "deny")
rx(r"10\.0\.0\.1|10\.0\.0\.2", "10.0.0.2", "allow")
rx(r"^10\.0\.0\.1$", "10.0.0.1", "allow")
rx(r".*", "1.2.3.4", "allow")
rx(r"(a*)*b", "1.2.3.4", "deny")
rx(r"1\.2\.3\.4", "1.2.3.4 ", "invalid_ip_address")
rx(r"1\.2\.3\.4", "01.2.3.4", "invalid_ip_address")
rx(r".*", "not-an-ip", "invalid_ip_address")
rx("", "1.2.3.4", "invalid_regex")
rx("(", "1.2.3.4", "invalid_regex")
rx("[z-a]", "1.2.3.4", "invalid_regex")
rx("a" * 4097, "1.2.3.4", "invalid_regex")
rx(r"(?:\d{1,3}){1000}{1000}", "1.2.3.4", "invalid_regex")

ip_rules = {"rules": rules, "addresses": addresses, "matches": matches, "regex": regex}

# =========================================================================================
# requests.json
# =========================================================================================
req_cases = []
def rq(name, fmt, body, expect, request=None):
    c = {"name": name, "format": fmt, "body": body, "expect": expect}
    if request is not None:
        c["request"] = request
    req_cases.append(c)

seed_json = json.dumps({"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": seed}})
rq("seed JSON", "json", seed_json, "valid",
   {"name": "Best token ever", "ttl": 2678400, "allowed_ips": seed})
rq("seed XML", "xml", "<token><name>Best token ever</name><ttl>2678400</ttl></token>", "valid",
   {"name": "Best token ever", "ttl": 2678400, "allowed_ips": []})
rq("XML with allowed_ips", "xml",
   "<token><name>n</name><allowed_ips><ip>192.168.2.0/24</ip><ip>2001:DB8::1</ip></allowed_ips></token>", "valid",
   {"name": "n", "ttl": None, "allowed_ips": ["192.168.2.0/24", "2001:db8::1"]})
rq("XML with declaration and escapes", "xml",
   '<?xml version="1.0" encoding="UTF-8"?>\n<token><name>A &amp; B</name></token>', "valid",
   {"name": "A & B", "ttl": None, "allowed_ips": []})
rq("JSON ttl absent is static", "json", '{"token": {"name": "x"}}', "valid", {"name": "x", "ttl": None, "allowed_ips": []})
rq("JSON ttl null is static", "json", '{"token": {"name": "x", "ttl": null}}', "valid",
   {"name": "x", "ttl": None, "allowed_ips": []})
rq("JSON empty allowed_ips", "json", '{"token": {"name": "x", "allowed_ips": []}}', "valid",
   {"name": "x", "ttl": None, "allowed_ips": []})
rq("JSON unknown keys ignored", "json", '{"token": {"name": "x", "colour": "blue"}, "v": 1}', "valid",
   {"name": "x", "ttl": None, "allowed_ips": []})
rq("JSON not JSON", "json", "{token", "invalid_request")
rq("JSON not an object", "json", "[]", "invalid_request")
rq("JSON token not an object", "json", '{"token": "x"}', "invalid_request")
rq("JSON missing token", "json", '{"name": "x"}', "invalid_request")
rq("JSON missing name", "json", '{"token": {"ttl": 60}}', "invalid_request")
rq("JSON empty name", "json", '{"token": {"name": ""}}', "invalid_request")
rq("JSON name too long", "json", json.dumps({"token": {"name": "n" * 256}}), "invalid_request")
rq("JSON name a number", "json", '{"token": {"name": 5}}', "invalid_request")
rq("JSON duplicate name", "json", '{"token": {"name": "a", "name": "b"}}', "invalid_request")
rq("JSON ttl a string", "json", '{"token": {"name": "x", "ttl": "60"}}', "invalid_ttl")
rq("JSON ttl a float", "json", '{"token": {"name": "x", "ttl": 1.5}}', "invalid_ttl")
rq("JSON allowed_ips a string", "json", '{"token": {"name": "x", "allowed_ips": "1.2.3.4"}}', "invalid_request")
rq("JSON allowed_ips with a number", "json", '{"token": {"name": "x", "allowed_ips": [1]}}', "invalid_request")
rq("JSON allowed_ips host bits", "json", '{"token": {"name": "x", "allowed_ips": ["192.168.2.5/24"]}}',
   "invalid_ip_rule")
rq("JSON trailing data", "json", '{"token": {"name": "x"}} x', "invalid_request")
rq("XML missing name", "xml", "<token><ttl>5</ttl></token>", "invalid_request")
rq("XML wrong root", "xml", "<tok><name>x</name></tok>", "invalid_request")
rq("XML mismatched tags", "xml", "<token><name>x</nam></token>", "invalid_request")
rq("XML unclosed", "xml", "<token><name>x</name>", "invalid_request")
rq("XML duplicate name", "xml", "<token><name>a</name><name>b</name></token>", "invalid_request")
rq("XML DOCTYPE refused", "xml", '<!DOCTYPE token [<!ENTITY e "x">]><token><name>&e;</name></token>',
   "invalid_request")
rq("XML unknown entity", "xml", "<token><name>&e;</name></token>", "invalid_request")
rq("XML two roots", "xml", "<token><name>x</name></token><token/>", "invalid_request")
rq("XML ttl text", "xml", "<token><name>x</name><ttl>abc</ttl></token>", "invalid_ttl")
rq("XML bad ip", "xml", "<token><name>x</name><allowed_ips><ip>1.2.3</ip></allowed_ips></token>", "invalid_ip_rule")

# --- hardening: XML ---
# Attributes carry no meaning in these requests: any attribute on any element is refused,
# and so are namespace declarations and prefixed names. A byte-order mark is refused by
# both readers (RFC 8259 §8.1 forbids one in JSON; the readers agree). Only an absent ttl
# (or JSON null) is unlimited: an empty or blank <ttl> is invalid_ttl like JSON "", a
# leading zero is invalid_ttl (JSON refuses 060 as a syntax error), and only XML
# whitespace (space, tab, CR, LF) may surround the digits. XML 1.0 §2.11 line ends: CR LF
# and a lone CR in the text read as LF, so they give the JSON name "a\nb".
rq("XML attribute on root", "xml", '<token version="2"><name>n</name></token>', "invalid_request")
rq("XML attribute on a child", "xml", '<token><name lang="en">n</name></token>', "invalid_request")
rq("XML attribute on ttl", "xml", '<token><name>n</name><ttl unit="s">60</ttl></token>', "invalid_request")
rq("XML attribute on ip", "xml",
   '<token><name>n</name><allowed_ips><ip a="">10.0.0.1</ip></allowed_ips></token>', "invalid_request")
rq("XML attribute in an unknown element", "xml", '<token><name>n</name><x><y a="1"/></x></token>',
   "invalid_request")
rq("XML lt in an attribute value", "xml", '<token a="<"><name>n</name></token>', "invalid_request")
rq("XML many empty attributes", "xml",
   "<token" + "".join(f' a{i}=""' for i in range(2000)) + "><name>n</name></token>", "invalid_request")
rq("XML default namespace declaration", "xml", '<token xmlns="urn:evil"><name>n</name></token>',
   "invalid_request")
rq("XML prefixed namespace declaration", "xml", '<token xmlns:x="urn:evil"><name>n</name></token>',
   "invalid_request")
rq("XML prefixed ttl", "xml", "<token><name>n</name><x:ttl>5</x:ttl></token>", "invalid_request")
rq("XML prefixed unknown element", "xml", "<token><name>n</name><x:y/></token>", "invalid_request")
rq("XML one BOM", "xml", "\ufeff<token><name>n</name></token>", "invalid_request")
rq("XML two BOMs", "xml", "\ufeff\ufeff<token><name>n</name></token>", "invalid_request")
rq("JSON one BOM", "json", '\ufeff{"token": {"name": "n"}}', "invalid_request")
rq("JSON two BOMs", "json", '\ufeff\ufeff{"token": {"name": "n"}}', "invalid_request")
rq("XML empty ttl element", "xml", "<token><name>n</name><ttl/></token>", "invalid_ttl")
rq("XML empty ttl", "xml", "<token><name>n</name><ttl></ttl></token>", "invalid_ttl")
rq("XML blank ttl", "xml", "<token><name>n</name><ttl> \r\n\t</ttl></token>", "invalid_ttl")
rq("JSON empty ttl string", "json", '{"token": {"name": "n", "ttl": ""}}', "invalid_ttl")
rq("XML ttl with leading zeros", "xml", "<token><name>n</name><ttl>00060</ttl></token>", "invalid_ttl")
rq("XML negative ttl with leading zero", "xml", "<token><name>n</name><ttl>-060</ttl></token>", "invalid_ttl")
rq("JSON ttl with leading zero", "json", '{"token": {"name": "n", "ttl": 060}}', "invalid_request")
rq("XML ttl surrounded by XML whitespace", "xml", "<token><name>n</name><ttl> \t\r\n60\r\n </ttl></token>",
   "valid", {"name": "n", "ttl": 60, "allowed_ips": []})
rq("XML ttl after ideographic space", "xml", "<token><name>n</name><ttl>\u300060</ttl></token>", "invalid_ttl")
rq("XML ttl before line separator", "xml", "<token><name>n</name><ttl>60\u2028</ttl></token>", "invalid_ttl")
rq("XML ttl after no-break space reference", "xml", "<token><name>n</name><ttl>&#xA0;60</ttl></token>",
   "invalid_ttl")
rq("XML name with CR LF", "xml", "<token><name>a\r\nb</name></token>", "valid",
   {"name": "a\nb", "ttl": None, "allowed_ips": []})
rq("XML name with lone CR", "xml", "<token><name>a\rb</name></token>", "valid",
   {"name": "a\nb", "ttl": None, "allowed_ips": []})
rq("XML name with CR LF in CDATA", "xml", "<token><name><![CDATA[a\r\nb]]></name></token>", "valid",
   {"name": "a\nb", "ttl": None, "allowed_ips": []})
rq("JSON name with LF", "json", '{"token": {"name": "a\\nb"}}', "valid",
   {"name": "a\nb", "ttl": None, "allowed_ips": []})
rq("XML name with CR reference", "xml", "<token><name>a&#13;&#10;b</name></token>", "valid",
   {"name": "a\r\nb", "ttl": None, "allowed_ips": []})
rq("JSON name with CR LF escapes", "json", '{"token": {"name": "a\\r\\nb"}}', "valid",
   {"name": "a\r\nb", "ttl": None, "allowed_ips": []})

requests = {"cases": req_cases}

# =========================================================================================
# mint.json: minting rules (TTL, static, names, ids) — claims checked after a verify.
# =========================================================================================
mint_cases = []
def mc(name, request, expect, policy=None, claims=None, client_ip=None):
    c = {"name": name, "ring": "main", "policy": policy or {}, "request": request, "client_ip": client_ip,
         "expect": expect}
    if claims is not None:
        c["claims"] = claims
    mint_cases.append(c)

base_user = {"type": "user", "id": 5, "name": "bob", "admin": True, "sms_from": None, "user_group_id": 3,
             "now": NOW, "token_id": "mint-1"}
def req(**over):
    r = dict(base_user)
    r.update(over)
    return r

ucl = {"type": "user", "id": 5, "name": "bob", "admin": True, "sms_from": None, "user_group_id": 3,
       "iat": NOW, "jti": "mint-1"}
mc("dynamic default", req(lifetime="dynamic"), "valid", claims=dict(ucl, exp=NOW + DAY))
mc("dynamic configured", req(lifetime="dynamic"), "valid", policy={"dynamic_ttl": 3600}, claims=dict(ucl, exp=NOW + 3600))
mc("static", req(lifetime="static"), "valid", claims=dict(ucl))
mc("ttl seed", req(lifetime=2678400), "valid", claims=dict(ucl, exp=NOW + 2678400))
mc("ttl one second", req(lifetime=1), "valid", claims=dict(ucl, exp=NOW + 1))
mc("ttl at max", req(lifetime=3600), "valid", policy={"max_ttl": 3600}, claims=dict(ucl, exp=NOW + 3600))
mc("ttl zero", req(lifetime=0), "invalid_ttl")
mc("ttl negative", req(lifetime=-1), "invalid_ttl")
mc("ttl over max", req(lifetime=3601), "invalid_ttl", policy={"max_ttl": 3600})
mc("ttl over default max (10 years)", req(lifetime=315360001), "invalid_ttl")
mc("static forbidden", req(lifetime="static"), "static_not_allowed", policy={"allow_static": False})
mc("name, ips, parent", req(lifetime="dynamic", token_name="Best token ever",
                            allowed_ips=["192.168.2.0/24", "2001:DB8::1"], parent={"type": "reseller", "id": 1}),
   "valid", claims=dict(ucl, exp=NOW + DAY, token_name="Best token ever",
                        allowed_ips=["192.168.2.0/24", "2001:db8::1"], parent={"type": "reseller", "id": 1}),
   client_ip="2001:db8::1")
mc("empty allowed_ips omits the claim", req(lifetime="dynamic", allowed_ips=[]), "valid", claims=dict(ucl, exp=NOW + DAY))
mc("bad allowed ip", req(lifetime="dynamic", allowed_ips=["192.168.2.5/24"]), "invalid_ip_rule")
mc("token name empty", req(lifetime="dynamic", token_name=""), "invalid_request")
mc("token name too long", req(lifetime="dynamic", token_name="n" * 256), "invalid_request")
mc("token id empty", req(lifetime="dynamic", token_id=""), "invalid_request")
mc("token id too long", req(lifetime="dynamic", token_id="j" * 129), "invalid_request")
# --- hardening: claims range ---
# docs/keys.md: ids, like NumericDates, are at most 2^53 - 1 both ways.
MAX_SAFE = 2**53 - 1
mc("id over 2^53 - 1", req(lifetime="dynamic", id=MAX_SAFE + 1), "invalid_request")
mc("user_group_id over 2^53 - 1", req(lifetime="dynamic", user_group_id=MAX_SAFE + 1), "invalid_request")
mc("parent id over 2^53 - 1", req(lifetime="dynamic", parent={"type": "reseller", "id": MAX_SAFE + 1}),
   "invalid_request")
mc("now over 2^53 - 1", req(lifetime="static", now=MAX_SAFE + 1), "invalid_request")
mc("ids at 2^53 - 1", req(lifetime="static", id=MAX_SAFE, user_group_id=MAX_SAFE), "valid",
   claims=dict(ucl, id=MAX_SAFE, user_group_id=MAX_SAFE))
# --- end hardening: claims range ---
mc("reseller", {"type": "reseller", "id": 9, "name": "r", "now": NOW, "token_id": "mint-r", "lifetime": "dynamic"},
   "valid", claims={"type": "reseller", "id": 9, "name": "r", "iat": NOW, "exp": NOW + DAY, "jti": "mint-r"})
mc("generated token id", {"type": "reseller", "id": 9, "name": "r", "now": NOW, "lifetime": "dynamic"}, "valid",
   claims={"type": "reseller", "id": 9, "name": "r", "iat": NOW, "exp": NOW + DAY})

keys = []
def kc(kid, alg, secret, expect):
    keys.append({"kid": kid, "alg": alg, "secret": b64(secret), "expect": expect})
GOOD = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"  # 64 distinct bytes
kc("a", "HS256", GOOD[:32], "valid")
kc("a", "HS512", GOOD, "valid")
kc("a", "HS256", GOOD[:31], "weak_key")
kc("a", "HS256", b"", "weak_key")
kc("", "HS256", GOOD[:32], "invalid_key")
kc("with space", "HS256", GOOD[:32], "invalid_key")
kc("a", "RS256", GOOD[:32], "invalid_key")
kc("a", "none", GOOD[:32], "invalid_key")
kc("a", "hs256", GOOD[:32], "invalid_key")
# --- hardening: claims and keys ---
# RFC 7518 §3.2: an HMAC key at least as long as the hash output (32/48/64 bytes); a secret
# of one repeated byte value is a placeholder, not a key.
kc("a", "HS384", GOOD[:48], "valid")
kc("a", "HS384", GOOD[:32], "weak_key")
kc("a", "HS384", GOOD[:47], "weak_key")
kc("a", "HS512", GOOD[:32], "weak_key")
kc("a", "HS512", GOOD[:63], "weak_key")
kc("a", "HS256", b"x" * 32, "weak_key")
kc("a", "HS256", bytes(64), "weak_key")
kc("a", "HS512", b"\x07" * 64, "weak_key")
# --- end hardening: claims and keys ---

mint = {"cases": mint_cases, "keys": keys}

# =========================================================================================
# errors.json: the code table of docs/errors.md every binding must expose identically.
# =========================================================================================
codes = [
    ("malformed_token", 401), ("token_too_large", 401), ("unsupported_header", 401),
    ("algorithm_not_allowed", 401), ("unknown_key", 401), ("bad_signature", 401), ("invalid_claims", 401),
    ("token_expired", 401), ("token_not_yet_valid", 401), ("issued_in_future", 401), ("token_revoked", 401),
    ("ip_not_allowed", 401), ("invalid_ttl", 400), ("invalid_ip_rule", 400), ("invalid_ip_address", 400),
    ("invalid_regex", 400), ("invalid_request", 400), ("static_not_allowed", 400), ("weak_key", None),
    ("invalid_key", None), ("invalid_credentials", 401), ("login_ip_denied", 406),
    ("reseller_invalid_credentials", 401), ("reseller_ip_denied", 401), ("not_permitted", 403),
    ("revocation_store_full", 503), ("revocation_unavailable", 503), ("rate_limited", 429),
    ("server_error", 500), ("missing_token", 401), ("token_quota_exceeded", 403),
    ("insufficient_scope", 403), ("invalid_scope", 400), ("jwks_unavailable", 503),
]
messages = {"invalid_credentials": "Invalid login credentials", "login_ip_denied": "Login denied due to IP restriction",
            "reseller_invalid_credentials": "Invalid ID or Password", "reseller_ip_denied": "Your IP is not allowed"}
errors = {"codes": [dict({"code": c, "number": i + 1, "http_status": st},
                         **({"message": messages[c]} if c in messages else {}))
                    for i, (c, st) in enumerate(codes)]}


# =========================================================================================
# api.json: the two APIs' decisions (docs/apis.md, §5 login rules, §6 store bound).
# =========================================================================================
api = []
def ac(kind, name, expect, **fields):
    c = {"kind": kind, "name": name}
    c.update(fields)
    c["expect"] = expect
    api.append(c)

def ua(**over):
    a = {"id": 123, "name": "alice", "admin": False, "blocked": False, "sms_from": None, "user_group_id": 7,
         "allowed_regex": None}
    a.update(over)
    return a

ac("user_login", "user without regex", "valid", account=ua(), client_ip=None, now=NOW,
   response={"user": {"id": 123, "blocked": False}},
   claims={"type": "user", "id": 123, "name": "alice", "admin": False, "sms_from": None, "user_group_id": 7,
           "iat": NOW, "exp": NOW + DAY})
ac("user_login", "user regex admits the client", "valid",
   account=ua(allowed_regex={"pattern": r"192\.168\.1\.\d+", "mode": "full"}), client_ip="192.168.1.20", now=NOW,
   response={"user": {"id": 123, "blocked": False}},
   claims={"type": "user", "id": 123, "name": "alice", "admin": False, "sms_from": None, "user_group_id": 7,
           "iat": NOW, "exp": NOW + DAY})
ac("user_login", "user regex is a full match", "login_ip_denied",
   account=ua(allowed_regex={"pattern": r"192\.168\.1\.1", "mode": "full"}), client_ip="192.168.1.10", now=NOW)
ac("user_login", "user regex in search mode", "valid",
   account=ua(allowed_regex={"pattern": r"192\.168\.1\.1", "mode": "search"}), client_ip="192.168.1.10", now=NOW,
   response={"user": {"id": 123, "blocked": False}},
   claims={"type": "user", "id": 123, "name": "alice", "admin": False, "sms_from": None, "user_group_id": 7,
           "iat": NOW, "exp": NOW + DAY})
ac("user_login", "user regex without a client address", "login_ip_denied",
   account=ua(allowed_regex={"pattern": r".*", "mode": "full"}), client_ip=None, now=NOW)
ac("user_login", "blocked user gets no token", "invalid_credentials", account=ua(blocked=True), client_ip=None, now=NOW)

def ra(**over):
    a = {"id": 1, "name": "reseller_name", "allowed_ips": None, "user_groups": [], "user_balance": 1000.0,
         "version": "1.0.0"}
    a.update(over)
    return a

ac("reseller_login", "reseller without allow-list", "valid", account=ra(), client_ip="203.0.113.9", now=NOW,
   response={"reseller": {"id": 1, "name": "reseller_name"}, "user_groups": [], "user_balance": 1000.0,
             "version": "1.0.0"},
   claims={"type": "reseller", "id": 1, "name": "reseller_name", "iat": NOW, "exp": NOW + DAY})
ac("reseller_login", "reseller inside allow-list gets it in the token", "valid",
   account=ra(allowed_ips=["192.168.2.0/24", "2001:DB8::1"]), client_ip="192.168.2.50", now=NOW,
   response={"reseller": {"id": 1, "name": "reseller_name"}, "user_groups": [], "user_balance": 1000.0,
             "version": "1.0.0"},
   claims={"type": "reseller", "id": 1, "name": "reseller_name", "iat": NOW, "exp": NOW + DAY,
           "allowed_ips": ["192.168.2.0/24", "2001:db8::1"]})
ac("reseller_login", "reseller outside allow-list", "reseller_ip_denied",
   account=ra(allowed_ips=["192.168.2.0/24"]), client_ip="192.168.3.1", now=NOW)
ac("reseller_login", "reseller allow-list without a client address", "reseller_ip_denied",
   account=ra(allowed_ips=["192.168.2.0/24"]), client_ip=None, now=NOW)

caller_res = token(reseller(jti="caller-res"))
caller_res_ip = token(reseller(jti="caller-res-ip", allowed_ips=["192.168.2.0/24"]))
ac("create_token", "seed request for oneself (JSON)", "valid", caller=caller_res, caller_ip=None, target=None,
   format="json", body=seed_json, now=NOW,
   response={"status": 1, "message": "OK", "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae",
                                                             "192.168.2.0/24", "192.168.2.2"]},
   claims={"type": "reseller", "id": 1, "name": "reseller_name", "iat": NOW, "exp": NOW + 2678400,
           "token_name": "Best token ever",
           "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]})
ac("create_token", "seed request for oneself (XML), static", "valid", caller=caller_res, caller_ip=None, target=None,
   format="xml", body="<token><name>Best token ever</name></token>", now=NOW,
   response={"status": 1, "message": "OK", "allowed_ips": []},
   claims={"type": "reseller", "id": 1, "name": "reseller_name", "iat": NOW, "token_name": "Best token ever"})
ac("create_token", "sub-account the caller owns", "valid", caller=caller_res, caller_ip=None,
   target={"subject": {"type": "user", "id": 55, "name": "sub", "admin": False}, "owned": True},
   format="json", body='{"token": {"name": "sub token", "ttl": 3600}}', now=NOW,
   response={"status": 1, "message": "OK", "allowed_ips": []},
   claims={"type": "user", "id": 55, "name": "sub", "admin": False, "sms_from": None, "user_group_id": None,
           "iat": NOW, "exp": NOW + 3600, "token_name": "sub token", "parent": {"type": "reseller", "id": 1}})
ac("create_token", "sub-account the caller does not own", "not_permitted", caller=caller_res, caller_ip=None,
   target={"subject": {"type": "user", "id": 56, "name": "other", "admin": False}, "owned": False},
   format="json", body='{"token": {"name": "x"}}', now=NOW)
ac("create_token", "restricted caller cannot widen its own restriction", "not_permitted", caller=caller_res_ip,
   caller_ip="192.168.2.9", target=None, format="json",
   body='{"token": {"name": "x", "allowed_ips": ["0.0.0.0/0"]}}', now=NOW)
ac("create_token", "ttl zero", "invalid_ttl", caller=caller_res, caller_ip=None, target=None, format="json",
   body='{"token": {"name": "x", "ttl": 0}}', now=NOW)
ac("create_token", "ttl negative", "invalid_ttl", caller=caller_res, caller_ip=None, target=None, format="json",
   body='{"token": {"name": "x", "ttl": -60}}', now=NOW)
# --- hardening: delegation ---
# A caller's allow-list bounds every token it mints, whatever the target; only login tokens (no
# token_name, no parent) create tokens by default; a user never mints for a reseller. `policy`
# (optional) is the TokenCreationPolicy; absent means the default.
SELF_RES = {"subject": {"type": "reseller", "id": 1, "name": "reseller_name"}, "owned": True}
ac("create_token", "sub-account target that is the caller keeps its allow-list", "valid",
   caller=caller_res_ip, caller_ip="192.168.2.9", target=SELF_RES, format="json",
   body='{"token": {"name": "self via account"}}', now=NOW,
   response={"status": 1, "message": "OK", "allowed_ips": ["192.168.2.0/24"]},
   claims={"type": "reseller", "id": 1, "name": "reseller_name", "iat": NOW, "token_name": "self via account",
           "allowed_ips": ["192.168.2.0/24"]})
ac("create_token", "sub-account target that is the caller cannot widen its allow-list", "not_permitted",
   caller=caller_res_ip, caller_ip="192.168.2.9", target=SELF_RES, format="json",
   body='{"token": {"name": "x", "allowed_ips": ["0.0.0.0/0"]}}', now=NOW)
ac("create_token", "restricted reseller's sub-account token inherits its allow-list", "valid",
   caller=caller_res_ip, caller_ip="192.168.2.9",
   target={"subject": {"type": "user", "id": 55, "name": "sub", "admin": False}, "owned": True},
   format="json", body='{"token": {"name": "sub token", "ttl": 3600}}', now=NOW,
   response={"status": 1, "message": "OK", "allowed_ips": ["192.168.2.0/24"]},
   claims={"type": "user", "id": 55, "name": "sub", "admin": False, "sms_from": None, "user_group_id": None,
           "iat": NOW, "exp": NOW + 3600, "token_name": "sub token", "allowed_ips": ["192.168.2.0/24"],
           "parent": {"type": "reseller", "id": 1}})
ac("create_token", "restricted reseller cannot widen the allow-list for a sub-account", "not_permitted",
   caller=caller_res_ip, caller_ip="192.168.2.9",
   target={"subject": {"type": "user", "id": 55, "name": "sub", "admin": False}, "owned": True},
   format="json", body='{"token": {"name": "x", "allowed_ips": ["192.168.0.0/16"]}}', now=NOW)
caller_named = token(user(jti="caller-named", token_name="api token"))
caller_deleg = token(user(jti="caller-deleg", parent={"type": "reseller", "id": 1}))
caller_user = token(user(jti="caller-user"))
ac("create_token", "named token cannot create tokens", "not_permitted", caller=caller_named, caller_ip=None,
   target=None, format="json", body='{"token": {"name": "forever"}}', now=NOW)
ac("create_token", "delegated token cannot create tokens", "not_permitted", caller=caller_deleg, caller_ip=None,
   target=None, format="json", body='{"token": {"name": "x", "ttl": 60}}', now=NOW)
ac("create_token", "user cannot mint a reseller token", "not_permitted", caller=caller_user, caller_ip=None,
   target={"subject": {"type": "reseller", "id": 9, "name": "shop"}, "owned": True},
   format="json", body='{"token": {"name": "x", "ttl": 60}}', now=NOW)
NAMED_OK = {"allow_named_callers": True, "allow_delegated_callers": False, "login_children_may_outlive": True}
ac("create_token", "named caller allowed by policy: static child refused", "not_permitted",
   caller=caller_named, caller_ip=None, target=None, format="json", policy=NAMED_OK,
   body='{"token": {"name": "forever"}}', now=NOW)
ac("create_token", "named caller allowed by policy: child within its lifetime", "valid",
   caller=caller_named, caller_ip=None, target=None, format="json", policy=NAMED_OK,
   body='{"token": {"name": "short", "ttl": 3600}}', now=NOW,
   response={"status": 1, "message": "OK", "allowed_ips": []},
   claims={"type": "user", "id": 123, "name": "alice", "admin": False, "sms_from": "ACME", "user_group_id": 7,
           "iat": NOW, "exp": NOW + 3600, "token_name": "short"})
ac("create_token", "login child may not outlive when the host says so", "not_permitted",
   caller=caller_user, caller_ip=None, target=None, format="json",
   policy={"allow_named_callers": False, "allow_delegated_callers": False, "login_children_may_outlive": False},
   body='{"token": {"name": "forever"}}', now=NOW)
# --- end hardening: delegation ---

for code, status, message in [("invalid_credentials", 401, "Invalid login credentials"),
                              ("reseller_invalid_credentials", 401, "Invalid ID or Password"),
                              ("login_ip_denied", 406, "Login denied due to IP restriction"),
                              ("reseller_ip_denied", 401, "Your IP is not allowed")]:
    ac("host_error", f"host reports {code}", code, code=code,
       body={"error": {"code": code, "message": message, "status": status}})

ac("revocation_store", "store full of live revocations", "revocation_store_full", capacity=2, now=NOW,
   revoke=[{"jti": "a", "exp": None}, {"jti": "b", "exp": NOW + DAY}, {"jti": "c", "exp": None}])
# A revocation is never dropped, even of a token already expired at `now` (the clock may be ahead,
# or step back): it is kept the store's grace, and at least one second, past `now`, so it takes a slot
# whatever the grace.
ac("revocation_store", "revocation of an expired token is kept, not dropped", "revocation_store_full",
   capacity=2, now=NOW,
   revoke=[{"jti": "a", "exp": NOW - DAY}, {"jti": "b", "exp": None}, {"jti": "c", "exp": None}])

# rotation.json: one shared key ring changed step by step; the issuer and the verifier are
# built on it before the first key exists and must follow every change on their next call.
ROT_KEYS = {k: {"alg": SECRETS[k][0], "secret": secret_text(k)} for k in ("k1", "k2", "k3")}
rot_tokens = {
    # Made here, not by a mint step: a token without kid (the default-kid rule) and a k3 token.
    "k2-no-kid": token(user(id=8, jti="rot-ext-1"), header={"alg": "HS384", "typ": "JWT"}, kid="k2"),
    "k3-token": token(user(id=8, jti="rot-ext-2"), kid="k3"),
}
rotation_seqs = []
def r_seq(name, *steps):
    rotation_seqs.append({"name": name, "steps": list(steps)})
def r_add(kid, expect="ok"): return {"op": "add", "kid": kid, "expect": expect}
def r_activate(kid, expect="ok"): return {"op": "set_active", "kid": kid, "expect": expect}
def r_remove(kid, expect="ok"): return {"op": "remove", "kid": kid, "expect": expect}
def r_default(kid, expect="ok"): return {"op": "set_default_kid", "kid": kid, "expect": expect}
def r_mint(save, expect="ok", kid=None):
    return {"op": "mint", "save": save, "expect": expect, "kid": kid}
def r_verify(tok, expect="valid"): return {"op": "verify", "token": tok, "expect": expect}

r_seq("rotate, then retire the old key",
    r_mint("none", expect="invalid_key"),
    r_add("k1"), r_mint("t1", kid="k1"), r_verify("t1"),
    r_add("k2"), r_mint("t2", kid="k1"),
    r_activate("k2"), r_mint("t3", kid="k2"),
    r_verify("t1"), r_verify("t2"), r_verify("t3"),
    r_remove("k1"), r_verify("t1", "unknown_key"), r_verify("t3"), r_mint("t4", kid="k2"))
r_seq("removing the active key stops minting until another is activated",
    r_add("k1"), r_add("k2"), r_remove("k1"), r_mint("x", expect="invalid_key"),
    r_activate("k1", expect="unknown_key"), r_activate("k2"), r_mint("t1", kid="k2"), r_verify("t1"))
r_seq("a token without kid needs one key or a default kid",
    r_add("k2"), r_verify("k2-no-kid"),
    r_add("k1"), r_verify("k2-no-kid", "unknown_key"),
    r_default("k2"), r_verify("k2-no-kid"),
    r_default("k3", expect="unknown_key"), r_verify("k2-no-kid"),
    # With k2 gone the only key (k1, HS256) is the one a kid-less token names: wrong algorithm.
    r_remove("k2"), r_verify("k2-no-kid", "algorithm_not_allowed"))
r_seq("a key added later verifies tokens minted elsewhere; a duplicate kid is refused",
    r_add("k1"), r_verify("k3-token", "unknown_key"), r_add("k3"), r_verify("k3-token"),
    r_add("k3", expect="invalid_key"), r_remove("k3"), r_remove("k3", expect="unknown_key"),
    r_verify("k3-token", "unknown_key"))

rotation = {"now": NOW, "subject": {"type": "user", "id": 7, "name": "rita", "admin": False},
            "keys": ROT_KEYS, "tokens": rot_tokens, "sequences": rotation_seqs}


# --- asymmetric.json: EdDSA and ES256 keys, JWK Sets, PEM -------------------------------
# Signatures come from jose_curves.py (Ed25519 and RFC 6979 ECDSA written from the RFCs,
# standard library only), so they are deterministic.
import jose_curves as jc  # noqa: E402

ED_SEED = bytes(range(1, 33))
ED_OTHER_SEED = bytes(range(33, 65))
EC_D = hashlib.sha256(b"auth-core vectors P-256 key").digest()
EC_X, EC_Y = jc.p256_public(EC_D)
ED_X = jc.ed25519_public(ED_SEED)


def jwk_ed(kid="ed1", **over):
    k = {"kty": "OKP", "crv": "Ed25519", "x": b64(ED_X), "kid": kid, "alg": "EdDSA", "use": "sig"}
    k.update(over)
    return {a: v for a, v in k.items() if v is not DROP}


def jwk_ec(kid="ec1", **over):
    k = {"kty": "EC", "crv": "P-256", "x": b64(EC_X), "y": b64(EC_Y), "kid": kid, "alg": "ES256", "use": "sig"}
    k.update(over)
    return {a: v for a, v in k.items() if v is not DROP}


ASYM_JWKS = json.dumps({"keys": [jwk_ed(), jwk_ec()]}, separators=(",", ":"))


def asym_token(claims, alg, kid, signer=None, header=None, raw_claims=None, mangle=None):
    """A token signed by `signer(signing_input) -> raw signature` (default: the key of `alg`)."""
    h = b64(compact(header if header is not None else {"alg": alg, "typ": "JWT", "kid": kid}))
    p = b64(raw_claims if raw_claims is not None else compact(claims))
    msg = f"{h}.{p}".encode()
    if signer is None:
        signer = {"EdDSA": lambda m: jc.ed25519_sign(ED_SEED, m),
                  "ES256": lambda m: jc.p256_sign(EC_D, m)}[alg]
    sig = signer(msg)
    if mangle is not None:
        sig = mangle(sig)
    return f"{h}.{p}.{b64(sig)}"


asym_cases = []


def asym_case(name, tok, expect, claims=None, now=NOW):
    c = {"name": name, "ring": "published", "token": tok, "now": now, "expect": expect}
    if expect == "valid":
        c["claims"] = expected(claims)
    assert not any(x["name"] == name for x in asym_cases), name
    asym_cases.append(c)


def flip_bit(sig, bit=77):
    b = bytearray(sig)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


def add_l(sig):
    s = int.from_bytes(sig[32:], "little") + jc.L25519
    return sig[:32] + s.to_bytes(32, "little")


def hs256_with(secret):
    return lambda m: hmac.new(secret, m, hashlib.sha256).digest()


ed_claims = user(jti="tok-ed-1", roles=["admin", "billing"], tenant={"id": 42, "eu": True})
ec_claims = reseller(jti="tok-ec-1", scope="sms:send")
asym_case("EdDSA token with custom claims", asym_token(ed_claims, "EdDSA", "ed1"), "valid", ed_claims)
asym_case("ES256 token", asym_token(ec_claims, "ES256", "ec1"), "valid", ec_claims)
asym_case("ES256 high-S signature (as OpenSSL signers make) accepted",
          asym_token(ec_claims, "ES256", "ec1", signer=lambda m: jc.p256_sign(EC_D, m, high_s=True)),
          "valid", ec_claims)
asym_case("EdDSA header without typ",
          asym_token(ed_claims, "EdDSA", "ed1", header={"alg": "EdDSA", "kid": "ed1"}), "valid", ed_claims)
other_ed = b64(compact(user(jti="tok-ed-1", admin=True)))
good_ed = asym_token(ed_claims, "EdDSA", "ed1")
good_ec = asym_token(ec_claims, "ES256", "ec1")
asym_case("EdDSA payload swapped", ".".join((good_ed.split(".")[0], other_ed, good_ed.split(".")[2])),
          "bad_signature")
asym_case("ES256 payload swapped", ".".join((good_ec.split(".")[0], other_ed, good_ec.split(".")[2])),
          "bad_signature")
asym_case("EdDSA signature bit flipped", asym_token(ed_claims, "EdDSA", "ed1", mangle=flip_bit), "bad_signature")
asym_case("ES256 signature bit flipped", asym_token(ec_claims, "ES256", "ec1", mangle=flip_bit), "bad_signature")
asym_case("ES256 DER signature refused", asym_token(ec_claims, "ES256", "ec1", mangle=jc.der_signature),
          "bad_signature")
asym_case("ES256 signature of 65 bytes", asym_token(ec_claims, "ES256", "ec1", mangle=lambda s: s + b"\0"),
          "bad_signature")
asym_case("ES256 signature of 63 bytes", asym_token(ec_claims, "ES256", "ec1", mangle=lambda s: s[:63]),
          "bad_signature")
asym_case("ES256 signature with r = 0", asym_token(ec_claims, "ES256", "ec1", mangle=lambda s: bytes(32) + s[32:]),
          "bad_signature")
asym_case("ES256 signature with s = n",
          asym_token(ec_claims, "ES256", "ec1", mangle=lambda s: s[:32] + jc.P256_N.to_bytes(32, "big")),
          "bad_signature")
asym_case("EdDSA non-canonical S (S + L) refused", asym_token(ed_claims, "EdDSA", "ed1", mangle=add_l),
          "bad_signature")
asym_case("EdDSA signed by another key",
          asym_token(ed_claims, "EdDSA", "ed1", signer=lambda m: jc.ed25519_sign(ED_OTHER_SEED, m)),
          "bad_signature")
asym_case("empty EdDSA signature", asym_token(ed_claims, "EdDSA", "ed1", mangle=lambda s: b""), "bad_signature")
asym_case("HS256 keyed with the ES256 public key PEM (confusion)",
          asym_token(ec_claims, "HS256", "ec1", signer=hs256_with(jc.p256_public_pem(EC_D).encode())),
          "algorithm_not_allowed")
asym_case("HS256 keyed with the Ed25519 public key bytes (confusion)",
          asym_token(ed_claims, "HS256", "ed1", signer=hs256_with(ED_X)), "algorithm_not_allowed")
asym_case("EdDSA header on the ES256 key",
          asym_token(ec_claims, "EdDSA", "ec1", signer=lambda m: jc.ed25519_sign(ED_SEED, m)),
          "algorithm_not_allowed")
asym_case("ES256 header on the EdDSA key",
          asym_token(ed_claims, "ES256", "ed1", signer=lambda m: jc.p256_sign(EC_D, m)), "algorithm_not_allowed")
asym_case("ES384 header", asym_token(ec_claims, "ES384", "ec1", signer=lambda m: jc.p256_sign(EC_D, m)),
          "algorithm_not_allowed")
asym_case("alg none on the EdDSA key", asym_token(ed_claims, "none", "ed1", signer=lambda m: b""),
          "algorithm_not_allowed")
asym_case("unknown kid", asym_token(ed_claims, "EdDSA", "ed9"), "unknown_key")
asym_case("custom claim with a duplicate nested key",
          asym_token(None, "EdDSA", "ed1", raw_claims=compact(reseller())[:-1] + b',"x":{"a":1,"a":2}}'),
          "malformed_token")
asym_case("expired EdDSA token", asym_token(ed_claims, "EdDSA", "ed1"), "token_expired", now=NOW - 100 + DAY)

# JWK Sets: the published set and every refusal (invalid_key naming the key).
jwks_cases = [{"name": "published set", "jwks": ASYM_JWKS, "expect": "ok", "kids": ["ed1", "ec1"]},
              {"name": "empty set", "jwks": '{"keys":[]}', "expect": "ok", "kids": []},
              {"name": "no alg and no use", "expect": "ok", "kids": ["ed1", "ec1"],
               "jwks": json.dumps({"keys": [jwk_ed(alg=DROP, use=DROP), jwk_ec(alg=DROP, use=DROP)]})},
              {"name": "key_ops verify", "expect": "ok", "kids": ["ed1", "ec1"],
               "jwks": json.dumps({"keys": [jwk_ed(key_ops=["verify"]), jwk_ec(key_ops=["sign", "verify"])]})},
              {"name": "unknown members ignored", "expect": "ok", "kids": ["ed1"],
               "jwks": json.dumps({"keys": [jwk_ed(x5t="abc", ext=True)], "extra": 1})}]


def bad_jwks(name, *keys, raw=None, names=None):
    text = raw if raw is not None else json.dumps({"keys": list(keys)})
    jwks_cases.append({"name": name, "jwks": text, "expect": "invalid_key", "names": names})


bad_jwks("duplicate kid", jwk_ed(), jwk_ec(kid="ed1"), names="ed1")
bad_jwks("kty EC with crv Ed25519", jwk_ed(kty="EC"), names="ed1")
bad_jwks("crv X25519", jwk_ed(crv="X25519"), names="ed1")
bad_jwks("alg ES256 on an OKP key", jwk_ed(alg="ES256"), names="ed1")
bad_jwks("alg EdDSA on an EC key", jwk_ec(alg="EdDSA"), names="ec1")
bad_jwks("crv P-384", jwk_ec(crv="P-384"), names="ec1")
bad_jwks("RSA key of 24 bits", {"kty": "RSA", "kid": "r1", "n": "AQAB", "e": "AQAB"}, names="r1")
bad_jwks("kty oct (a secret)", {"kty": "oct", "kid": "o1", "k": "c2VjcmV0"}, names="o1")
# A key for another use (RFC 7517 §4.2, §4.3) is left out of a set, never used to verify.
for name, key in [("use enc", jwk_ed(use="enc")), ("key_ops encrypt", jwk_ec(key_ops=["encrypt"])),
                  ("key_ops sign only on a public key", jwk_ec(key_ops=["sign"])),
                  ("key_ops empty on a public key", jwk_ed(key_ops=[])),
                  ("alg RSA-OAEP (an encryption key)", jwk_ec(alg="RSA-OAEP"))]:
    other = jwk_ec() if key["kid"] == "ed1" else jwk_ed()
    jwks_cases.append({"name": name + " is left out", "expect": "ok", "kids": [other["kid"]],
                       "jwks": json.dumps({"keys": [key, other]})})
bad_jwks("key_ops verify twice", jwk_ed(key_ops=["verify", "verify"]), names="ed1")
bad_jwks("private d in a public set", jwk_ed(d=b64(ED_SEED)), names="ed1")
bad_jwks("private d on an EC key", jwk_ec(d=b64(EC_D)), names="ec1")
bad_jwks("x of 31 bytes", jwk_ed(x=b64(ED_X[:31])), names="ed1")
bad_jwks("y of 33 bytes", jwk_ec(y=b64(b"\0" + EC_Y)), names="ec1")
bad_jwks("x padded base64", jwk_ed(x=b64(ED_X) + "="), names="ed1")
bad_jwks("x in standard base64", jwk_ed(x=base64.b64encode(ED_X).decode().rstrip("=")
                                        .replace("-", "+").replace("_", "/") + "+/"), names="ed1")
bad_jwks("P-256 point not on the curve",
         jwk_ec(y=b64(((int.from_bytes(EC_Y, "big") + 1) % jc.P256_P).to_bytes(32, "big"))), names="ec1")
bad_jwks("Ed25519 key of small order (identity)", jwk_ed(x=b64(b"\x01" + bytes(31))), names="ed1")
bad_jwks("missing y", jwk_ec(y=DROP), names="ec1")
bad_jwks("missing kid", jwk_ed(kid=DROP))
bad_jwks("x not a string", jwk_ed(x=1), names="ed1")
bad_jwks("keys not an array", raw='{"keys":{}}')
bad_jwks("duplicate member in a key", raw='{"keys":[{"kid":"ed1","kid":"ed1"}]}')
bad_jwks("not JSON", raw="{")
assert not jc.p256_on_curve(int.from_bytes(EC_X, "big"), (int.from_bytes(EC_Y, "big") + 1) % jc.P256_P)

# PEM: private keys mint and verify, public keys only verify.
pem_cases = [
    {"name": "Ed25519 PKCS#8", "kid": "ed1", "pem": jc.ed25519_private_pem(ED_SEED), "expect": "private",
     "alg": "EdDSA", "verifies": good_ed},
    {"name": "Ed25519 SPKI", "kid": "ed1", "pem": jc.ed25519_public_pem(ED_SEED), "expect": "public",
     "alg": "EdDSA", "verifies": good_ed},
    {"name": "P-256 PKCS#8", "kid": "ec1", "pem": jc.p256_private_pem(EC_D), "expect": "private",
     "alg": "ES256", "verifies": good_ec},
    {"name": "P-256 SPKI", "kid": "ec1", "pem": jc.p256_public_pem(EC_D), "expect": "public",
     "alg": "ES256", "verifies": good_ec},
]
for name, text in [
    ("not PEM", "hello"),
    ("SEC1 EC PRIVATE KEY label", jc.p256_private_pem(EC_D).replace("PRIVATE KEY", "EC PRIVATE KEY")),
    ("certificate label", jc.ed25519_public_pem(ED_SEED).replace("PUBLIC KEY", "CERTIFICATE")),
    ("truncated DER", jc.pem("PUBLIC KEY", bytes.fromhex("302a300506032b6570032100") + ED_X[:20])),
    ("RSA SPKI without a key", jc.pem("PUBLIC KEY", bytes.fromhex("300d06092a864886f70d0101010500"))),
    ("P-256 point not on the curve", jc.pem("PUBLIC KEY", bytes.fromhex(
        "3059301306072a8648ce3d020106082a8648ce3d030107034200") + b"\x04" + EC_X + bytes(32))),
]:
    pem_cases.append({"name": name, "kid": "bad1", "pem": text, "expect": "invalid_key"})

asymmetric = {"rings": {"published": ASYM_JWKS}, "cases": asym_cases, "jwks": jwks_cases, "pem": pem_cases}


def write(name, obj):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


write("tokens.json", tokens)
write("ip_rules.json", ip_rules)
write("requests.json", requests)
write("mint.json", mint)
write("errors.json", errors)
write("api.json", {"cases": api})
write("rotation.json", rotation)
write("asymmetric.json", asymmetric)
write("asymmetric2.json", asym2.vectors(user, reseller, expected))
write("http_edge.json", http_edge.vectors(token, user, b64, NOW, DAY))
write("scopes.json", scopes.vectors(token, user, reseller, expected, NOW, DAY))
write("profile.json", claims_profile.vectors(NOW))
print(f"tokens: {len(cases)}, ip rules: {len(rules)}, addresses: {len(addresses)}, matches: {len(matches)}, "
      f"regex: {len(regex)}, requests: {len(req_cases)}, mint: {len(mint_cases)}, keys: {len(keys)}, codes: {len(codes)}")
