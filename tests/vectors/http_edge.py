"""The HTTP edge's vectors (http_edge.json): the same request, the same answer in every skin.

Written from docs/http.md: the RFC 6750 bearer grammar, the X-Forwarded-For rule behind trusted
proxies, and the status and challenge of each refusal. `optional_expect` is the answer under
optional authentication: a request without bearer credentials passes as anonymous, any other
answer stays the same. Imported by generate.py, which passes
its token builders in.
"""

SECRET = bytes(range(40, 72))
REVOKED_JTI = "edge-revoked"

CHALLENGE_MISSING = "Bearer"
CHALLENGE_INVALID = 'Bearer error="invalid_token"'
CHALLENGE_SCOPE = 'Bearer error="insufficient_scope"'

# Codes whose refusal names the token as invalid (docs/http.md, the challenge).
TOKEN_CODES = {"malformed_token", "token_too_large", "unsupported_header", "algorithm_not_allowed",
               "unknown_key", "bad_signature", "invalid_claims", "token_expired", "token_not_yet_valid",
               "issued_in_future", "token_revoked", "ip_not_allowed"}
STATUS = {"missing_token": 401, "invalid_ip_address": 400, "revocation_unavailable": 503}


def answer(code):
    """(status, challenge, auth_request status) of a refusal with `code`."""
    status = STATUS.get(code, 401)
    if code == "missing_token":
        challenge = CHALLENGE_MISSING
    elif code in TOKEN_CODES:
        challenge = CHALLENGE_INVALID
    elif status == 403:
        challenge = CHALLENGE_SCOPE
    elif status == 401:
        challenge = CHALLENGE_MISSING
    else:
        challenge = None
    if code == "ip_not_allowed" or status == 403:
        nginx = 403
    elif 400 <= status < 500:
        nginx = 401
    else:
        nginx = 500
    return status, challenge, nginx


def vectors(token, user, b64, now, day):
    def tok(**over):
        over.setdefault("exp", None)
        claims = user(jti=over.pop("jti", "edge-1"), **over)
        claims = {k: v for k, v in claims.items() if v is not None}
        return token(claims, header={"alg": "HS256", "typ": "JWT", "kid": "edge"}, kid="edge")

    tokens = {
        "valid": tok(),
        "ip_limited": tok(jti="edge-ip", allowed_ips=["203.0.113.0/24", "2001:db8::/32"]),
        "expired": tok(jti="edge-old", exp=now - day),
        "revoked": tok(jti=REVOKED_JTI),
    }
    h, p, s = tokens["valid"].split(".")
    tokens["tampered"] = f"{h}.{p}.{s[:-4]}{'AAAA' if s[-4:] != 'AAAA' else 'BBBB'}"
    tokens["oversized"] = "a" * (16 * 1024 - len("Bearer "))

    cases = []

    def case(name, authorization, expect, peer="127.0.0.1", forwarded_for=(), proxies=(), unix=False,
             client_ip=None):
        c = {"name": name, "authorization": list(authorization), "peer": peer,
             "forwarded_for": list(forwarded_for), "trusted_proxies": list(proxies), "trust_unix_peers": unix}
        if expect == "ok":
            c["expect"] = {"status": 200, "code": None, "challenge": None, "auth_request_status": 204,
                           "client_ip": client_ip if client_ip is not None else peer}
        else:
            status, challenge, nginx = answer(expect)
            c["expect"] = {"status": status, "code": expect, "challenge": challenge,
                           "auth_request_status": nginx}
        # Optional authentication (docs/http.md): only a request without bearer credentials
        # passes as anonymous; every other answer is the required one.
        e = c["expect"]
        c["optional_expect"] = {"status": 200 if expect == "missing_token" else e["status"],
                                "code": None if expect == "missing_token" else e["code"],
                                "challenge": None if expect == "missing_token" else e["challenge"],
                                "anonymous": expect == "missing_token"}
        assert not any(x["name"] == name for x in cases), name
        cases.append(c)

    # The bearer grammar (RFC 6750 §2.1, read strictly).
    case("one Bearer header", ["Bearer {valid}"], "ok")
    case("scheme in lower case", ["bearer {valid}"], "ok")
    case("scheme in upper case", ["BEARER {valid}"], "ok")
    case("no Authorization header", [], "missing_token")
    case("empty Authorization header", [""], "missing_token")
    case("another scheme", ["Basic dXNlcjpwYXNzd29yZA=="], "missing_token")
    case("a bare token without the scheme", ["{valid}"], "missing_token")
    case("the scheme alone", ["Bearer"], "malformed_token")
    case("two spaces after the scheme", ["Bearer  {valid}"], "malformed_token")
    case("a tab after the scheme", ["Bearer\t{valid}"], "malformed_token")
    case("trailing space is not part of the value", ["Bearer {valid} "], "ok")
    case("empty credentials", ["Bearer "], "malformed_token")
    case("two Authorization headers", ["Bearer {valid}", "Bearer {valid}"], "malformed_token")
    case("a comma list", ["Bearer {valid}, Basic dXNlcjpwYXNz"], "malformed_token")
    case("two tokens", ["Bearer {valid} {valid}"], "malformed_token")
    case("non-ASCII bytes in the token", ["Bearer {valid}\u00e9"], "malformed_token")
    case("a 16 KiB header", ["Bearer {oversized}"], "token_too_large")
    # What the token says.
    case("expired token", ["Bearer {expired}"], "token_expired")
    case("tampered signature", ["Bearer {tampered}"], "bad_signature")
    case("revoked token", ["Bearer {revoked}"], "token_revoked")
    case("not a JWT", ["Bearer abc.def.ghi"], "malformed_token")
    # The client address: the peer, or X-Forwarded-For behind trusted proxies.
    case("allowed_ips: untrusted peer inside the range", ["Bearer {ip_limited}"], "ok", peer="203.0.113.9")
    case("allowed_ips: untrusted peer outside the range", ["Bearer {ip_limited}"], "ip_not_allowed",
         peer="198.51.100.1")
    case("allowed_ips: a forged X-Forwarded-For from an untrusted peer is ignored", ["Bearer {ip_limited}"],
         "ip_not_allowed", peer="127.0.0.1", forwarded_for=["203.0.113.9"])
    case("allowed_ips: X-Forwarded-For from a trusted peer", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["203.0.113.9"], proxies=["127.0.0.1"], client_ip="203.0.113.9")
    case("right-most untrusted entry wins", ["Bearer {ip_limited}"], "ip_not_allowed",
         forwarded_for=["203.0.113.9, 198.51.100.7"], proxies=["127.0.0.1"])
    case("trusted entries are skipped", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["203.0.113.9, 10.0.0.2"], proxies=["127.0.0.1", "10.0.0.0/8"], client_ip="203.0.113.9")
    case("several X-Forwarded-For lines are one list", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["198.51.100.7, 203.0.113.9", "10.0.0.2"], proxies=["127.0.0.1", "10.0.0.0/8"],
         client_ip="203.0.113.9")
    case("an entry with a port", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["203.0.113.9:51234"], proxies=["127.0.0.1"], client_ip="203.0.113.9")
    case("an IPv6 entry in brackets", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["[2001:db8::5]"], proxies=["127.0.0.1"], client_ip="2001:db8::5")
    case("an IPv6 entry in brackets with a port", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["[2001:db8::5]:443"], proxies=["127.0.0.1"], client_ip="2001:db8::5")
    case("an IPv4-mapped IPv6 entry", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["::ffff:203.0.113.9"], proxies=["127.0.0.1"], client_ip="203.0.113.9")
    case("an IPv4-mapped IPv6 trusted peer", ["Bearer {ip_limited}"], "ok", peer="::ffff:127.0.0.1",
         forwarded_for=["203.0.113.9"], proxies=["127.0.0.1"], client_ip="203.0.113.9")
    case("an entry with a zone id", ["Bearer {valid}"], "invalid_ip_address",
         forwarded_for=["fe80::1%eth0"], proxies=["127.0.0.1"])
    case("an 'unknown' entry", ["Bearer {valid}"], "invalid_ip_address",
         forwarded_for=["unknown"], proxies=["127.0.0.1"])
    case("garbage left of the client is not read", ["Bearer {ip_limited}"], "ok",
         forwarded_for=["unknown, 203.0.113.9"], proxies=["127.0.0.1"], client_ip="203.0.113.9")
    case("empty list elements are skipped", ["Bearer {valid}"], "ok",
         forwarded_for=[" , 203.0.113.9 ,"], proxies=["127.0.0.1"], client_ip="203.0.113.9")
    case("a missing token is answered before the address is read", [], "missing_token",
         forwarded_for=["unknown"], proxies=["127.0.0.1"])
    case("a peer without an IP address: the client is unknown", ["Bearer {valid}"], "ok", peer=None)
    case("a peer without an IP address and allowed_ips", ["Bearer {ip_limited}"], "ip_not_allowed", peer=None)
    case("a trusted Unix-socket peer forwards the client", ["Bearer {ip_limited}"], "ok", peer=None,
         forwarded_for=["203.0.113.9"], unix=True, client_ip="203.0.113.9")

    return {
        "key": {"kid": "edge", "alg": "HS256", "secret": b64(SECRET)},
        "revoked_jtis": [REVOKED_JTI],
        "tokens": tokens,
        "cases": cases,
    }
