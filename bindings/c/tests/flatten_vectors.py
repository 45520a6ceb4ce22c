#!/usr/bin/env python3
"""Flattens the shared JSON vectors (tests/vectors/*.json) into a line format the C
suite reads without a JSON library.

Each line is a record name followed by space-separated fields. A text field is "x"
followed by the hex of its UTF-8 (or raw) bytes ("x" alone is the empty string); "-"
is null/absent; numbers are decimal. Standard library only.

http_edge.json becomes HTTPKEY, HTTPREVOKED, HTTPTOKEN, one HTTP record per case (header values
as their bytes, one byte per character) and HTTPCOUNT, read by test_http.c and the C++ suite.

profile.json becomes PROFILEKEY, PROFILEVOCAB, one PROFILE record per case (the required
claims as the AUTH_CLAIM_* mask, the expected claims as the core renders them: compact JSON,
keys sorted) and PROFILECOUNT, read by test_profile.c.

scopes.json becomes SCOPEVOCAB and SCOPERING, then one record per case of each list (SCOPETEXT,
SCOPEVOCABCASE, SCOPENARROW, SCOPEREQ, SCOPETOKEN, SCOPEDELEG) and SCOPECOUNTS, read by
test_scopes.c and the C++ suite. A list of scope names is one text, the names joined by one
space ("x" alone is the empty list, "-" null).

Usage: flatten_vectors.py VECTOR_DIR OUT_FILE
"""
import base64
import json
import sys
from pathlib import Path


def t(s):
    if s is None:
        return "-"
    if isinstance(s, str):
        s = s.encode("utf-8", "surrogatepass")
    return "x" + s.hex()


def n(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "1" if v else "0"
    assert isinstance(v, int), v
    return str(v)


def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def claims_fields(c):
    parent = c.get("parent")
    ips = c.get("allowed_ips")
    fields = [
        t(c["type"]), n(c["id"]), t(c["name"]), n(c.get("admin")), t(c.get("sms_from")),
        n(c.get("user_group_id")), n(c["iat"]), n(c.get("exp")), n(c.get("nbf")), t(c["jti"]),
        t(c.get("token_name")),
        t(parent["type"]) if parent else "-", n(parent["id"]) if parent else "-",
        "-" if ips is None else str(len(ips)),
    ]
    fields += [t(ip) for ip in (ips or [])]
    return fields


def policy_fields(p):
    """The token-creation policy of an api.json case: "-" (the default) or its three flags."""
    if p is None:
        return ["-"]
    return ["1", n(p["allow_named_callers"]), n(p["allow_delegated_callers"]),
            n(p["login_children_may_outlive"])]


def main(vdir, out):
    vdir = Path(vdir)
    lines = []
    emit = lambda *f: lines.append(" ".join(f))

    tokens = json.loads((vdir / "tokens.json").read_text())
    for name, ring in tokens["rings"].items():
        emit("RING", t(name), t(ring.get("default_kid")))
        for k in ring["keys"]:
            emit("KEY", t(name), t(k["kid"]), t(k["alg"]), t(b64(k["secret"])))
    # `cases_audience` continues the numbering of `cases` (check_json.py does the same).
    all_cases = tokens["cases"] + tokens.get("cases_audience", [])
    for i, c in enumerate(all_cases):
        o = c.get("options") or {}
        emit("TOKEN", str(i), t(c["name"]), t(c["ring"]), t(c["token"]), n(c["now"]),
             t(c.get("client_ip")), n(o.get("leeway", 0)), n(o.get("max_clock_skew", 60)),
             n(o.get("max_token_size", 8192)), t(c["expect"]))
        if "audience" in o or "issuer" in o:
            aud = o.get("audience") or []
            emit("AUDOPT", t(o.get("issuer")), str(len(aud)), *[t(a) for a in aud])
        r = c.get("revoked")
        if r is not None:
            emit("REVSTORE")
            for j in r.get("jtis", []):
                emit("REVJ", t(j))
            for p in r.get("principals", []):
                emit("REVP", t(p["type"]), n(p["id"]), n(p["before"]))
        if c["expect"] == "valid":
            emit("CLAIMS", *claims_fields(c["claims"]))
            cl = c["claims"]
            aud = cl.get("aud")
            aud = None if aud is None else [aud] if isinstance(aud, str) else aud
            emit("AUDCLAIMS", t(cl.get("iss")), "-" if aud is None else str(len(aud)), *[t(a) for a in aud or []])
        emit("END")

    ip = json.loads((vdir / "ip_rules.json").read_text())
    for r in ip["rules"]:
        emit("RULE", t(r["rule"]), t(r["expect"]), t(r.get("canonical")))
    for a in ip["addresses"]:
        emit("ADDR", t(a["ip"]), t(a["expect"]), t(a.get("canonical")))
    for m in ip["matches"]:
        emit("MATCH", t(m["ip"]), t(m["expect"]), str(len(m["rules"])), *[t(r) for r in m["rules"]])
    for r in ip["regex"]:
        emit("REGEX", t(r["pattern"]), t(r.get("mode", "full")), t(r["ip"]), t(r["expect"]))

    errors = json.loads((vdir / "errors.json").read_text())
    for e in errors["codes"]:
        emit("ERRCODE", t(e["code"]), n(e["number"]), n(e["http_status"]))

    mint = json.loads((vdir / "mint.json").read_text())
    for k in mint["keys"]:
        emit("MINTKEY", t(k["kid"]), t(k["alg"]), t(b64(k["secret"])), t(k["expect"]))
    for i, c in enumerate(mint["cases"]):
        p, q = c.get("policy") or {}, c["request"]
        lt = q.get("lifetime", "dynamic")
        parent = q.get("parent")
        emit("MINT", str(i), t(c["name"]), t(c["ring"]),
             n(p.get("dynamic_ttl", 86400)), n(p.get("max_ttl", 315360000)),
             n(p.get("allow_static", True)),
             t(q["type"]), n(q["id"]), t(q["name"]), n(q.get("admin", False)),
             t(q.get("sms_from")), n(q.get("user_group_id")), n(q.get("now")),
             t(q.get("token_id")), t(lt) if isinstance(lt, str) else "x" + b"ttl".hex(),
             n(lt) if not isinstance(lt, str) else "-",
             t(q.get("token_name")), n(q.get("not_before")),
             t(parent["type"]) if parent else "-", n(parent["id"]) if parent else "-",
             t(c.get("client_ip")), t(c["expect"]),
             str(len(q.get("allowed_ips") or [])), *[t(r) for r in q.get("allowed_ips") or []])
        if c["expect"] == "valid":
            cl = dict(c["claims"])
            generated = "jti" not in cl
            cl.setdefault("jti", "")
            emit("CLAIMS", *claims_fields(cl))
            emit("JTI_GENERATED", n(generated))
        emit("END")

    req_path = vdir / "requests.json"
    if req_path.exists():
        reqs = json.loads(req_path.read_text())
        for c in reqs["cases"]:
            r = c.get("request") or {}
            emit("REQ", t(c["name"]), t(c["format"]), t(c["body"]), t(c["expect"]),
                 t(r.get("name")), n(r.get("ttl")) if c["expect"] == "valid" else "-",
                 str(len(r.get("allowed_ips") or [])), *[t(x) for x in r.get("allowed_ips") or []])

    api_path = vdir / "api.json"
    if api_path.exists():
        for i, c in enumerate(json.loads(api_path.read_text())["cases"]):
            k, a = c["kind"], c.get("account") or {}
            if k == "user_login":
                rx = a.get("allowed_regex")
                emit("APIUSER", str(i), t(c["name"]), n(a["id"]), t(a["name"]), n(a["admin"]), n(a["blocked"]),
                     t(a.get("sms_from")), n(a.get("user_group_id")), t(rx["pattern"]) if rx else "-",
                     t(rx.get("mode", "full")) if rx else "-", t(c.get("client_ip")), n(c["now"]), t(c["expect"]))
            elif k == "reseller_login":
                ips = a.get("allowed_ips")
                emit("APIRES", str(i), t(c["name"]), n(a["id"]), t(a["name"]), t(json.dumps(a["user_groups"])),
                     t(repr(float(a["user_balance"]))), t(a["version"]), t(c.get("client_ip")), n(c["now"]),
                     t(c["expect"]), "-" if ips is None else str(len(ips)), *[t(r) for r in ips or []])
            elif k == "create_token":
                g, sub = c.get("target"), (c.get("target") or {}).get("subject") or {}
                emit("APICREATE", str(i), t(c["name"]), t(c["caller"]), t(c.get("caller_ip")),
                     t(sub.get("type")) if g else "-", n(sub.get("id")) if g else "-",
                     t(sub.get("name")) if g else "-", n(sub.get("admin", False)) if g else "-",
                     n(g.get("owned")) if g else "-", t(c["format"]), t(c["body"]), n(c["now"]), t(c["expect"]),
                     *policy_fields(c.get("policy")))
            elif k == "host_error":
                emit("APIHOST", str(i), t(c["name"]), t(c["code"]), t(c["expect"]))
            elif k == "revocation_store":
                emit("APISTORE", str(i), t(c["name"]), n(c["capacity"]), n(c["now"]), t(c["expect"]),
                     str(len(c["revoke"])), *[f"{t(r['jti'])} {n(r['exp'])}" for r in c["revoke"]])
            else:
                emit("APIUNKNOWN", str(i), t(c["name"]))

    rot_path = vdir / "rotation.json"
    if rot_path.exists():
        rot = json.loads(rot_path.read_text())
        sub = rot["subject"]
        emit("ROTSUBJECT", n(rot["now"]), t(sub["type"]), n(sub["id"]), t(sub["name"]), n(sub.get("admin", False)))
        for kid, k in rot["keys"].items():
            emit("ROTKEY", t(kid), t(k["alg"]), t(b64(k["secret"])))
        for name, tok in rot["tokens"].items():
            emit("ROTTOKEN", t(name), t(tok))
        for seq in rot["sequences"]:
            emit("ROTSEQ", t(seq["name"]))
            for i, st in enumerate(seq["steps"]):
                emit("ROTSTEP", str(i), t(st["op"]), t(st.get("kid")), t(st.get("save")), t(st.get("token")),
                     t(st["expect"]))
            emit("ROTEND")

    asym_path = vdir / "asymmetric.json"
    if asym_path.exists():
        asym = json.loads(asym_path.read_text())
        for name, jwks in asym["rings"].items():
            emit("ASYMRING", t(name), t(jwks))
        for i, c in enumerate(asym["cases"]):
            emit("ASYMTOKEN", t(str(i)), t(c["name"]), t(c["ring"]), t(c["token"]), n(c["now"]), t(c["expect"]))
        for c in asym["jwks"]:
            kids = c.get("kids") or []
            emit("ASYMJWKS", t(c["name"]), t(c["jwks"]), t(c["expect"]), str(len(kids)), *[t(k) for k in kids],
                 t(c.get("names")))
        for c in asym["pem"]:
            emit("ASYMPEM", t(c["name"]), t(c["kid"]), t(c["pem"]), t(c["expect"]), t(c.get("verifies")))

    http_path = vdir / "http_edge.json"
    if http_path.exists():
        edge = json.loads(http_path.read_text())
        k = edge["key"]
        emit("HTTPKEY", t(k["kid"]), t(k["alg"]), t(b64(k["secret"])))
        for j in edge["revoked_jtis"]:
            emit("HTTPREVOKED", t(j))
        for name, tok in edge["tokens"].items():
            emit("HTTPTOKEN", t(name), t(tok))

        def header(line):
            """A header value: `{name}` replaced by the token, one byte per character."""
            for name, tok in edge["tokens"].items():
                line = line.replace("{" + name + "}", tok)
            return t(line.encode("latin-1"))

        for c in edge["cases"]:
            e = c["expect"]
            emit("HTTP", t(c["name"]), t(c["peer"]), n(c["trust_unix_peers"]), n(e["status"]), t(e["code"]),
                 t(e["challenge"]), n(e["auth_request_status"]), t(e.get("client_ip")),
                 str(len(c["trusted_proxies"])), *[t(r) for r in c["trusted_proxies"]],
                 str(len(c["authorization"])), *[header(v) for v in c["authorization"]],
                 str(len(c["forwarded_for"])), *[header(v) for v in c["forwarded_for"]])
        emit("HTTPCOUNT", str(len(edge["cases"])))

    scopes_path = vdir / "scopes.json"
    if scopes_path.exists():
        sc = json.loads(scopes_path.read_text())

        def names(v):
            """A list of scope names as one text (names never hold a space), or null."""
            if v is None:
                return "-"
            assert all(" " not in x for x in v), v
            return t(" ".join(v))

        def canonical(v):
            """An expected set as its canonical text (sorted), or null."""
            return "-" if v is None else names(sorted(v))

        emit("SCOPEVOCAB", t(json.dumps(sc["vocabulary"])))
        emit("SCOPERING", t(sc["ring"]))
        for c in sc["texts"]:
            emit("SCOPETEXT", t(c["name"]), t(c["text"]), t(c["expect"]), t(c.get("canonical")))
        for c in sc["vocabularies"]:
            emit("SCOPEVOCABCASE", t(c["name"]), t(c["json"]), t(c["expect"]))
        for c in sc["narrowing"]:
            emit("SCOPENARROW", t(c["name"]), names(c["caller"]), names(c["requested"]), t(c["expect"]),
                 canonical(c.get("result")), t(c.get("mentions")))
        for c in sc["required"]:
            emit("SCOPEREQ", t(c["name"]), names(c["held"]), names(c["required"]), t(c["expect"]),
                 t(c.get("mentions")), t(c.get("challenge")))
        for i, c in enumerate(sc["tokens"]):
            emit("SCOPETOKEN", str(i), t(c["name"]), t(c["token"]), n(c["now"]), names(c["required"]),
                 t(c["expect"]), t(c.get("mentions")))
        for c in sc["delegation"]:
            g = c.get("target")
            sub = (g or {}).get("subject") or {}
            want = c.get("scopes")
            # The end of the rendered response (the core writes JSON with ", " and ": ").
            json_tail = None if want is None else ', "scopes": ' + json.dumps(want) + "}"
            xml_tail = None if want is None else "<scopes>" + "".join(f"<scope>{x}</scope>" for x in want) + \
                "</scopes></response>"
            emit("SCOPEDELEG", t(c["name"]), t(c["caller"]), t(c.get("caller_ip")),
                 t(sub.get("type")) if g else "-", n(sub.get("id")) if g else "-",
                 t(sub.get("name")) if g else "-", n(sub.get("admin", False)) if g else "-",
                 n(g.get("owned")) if g else "-", t(c["format"]), t(c["body"]), n(c["now"]), t(c["expect"]),
                 canonical(want), t(json_tail), t(xml_tail), t(c.get("mentions")))
        emit("SCOPECOUNTS", *[str(len(sc[k])) for k in
                              ("texts", "vocabularies", "narrowing", "required", "tokens", "delegation")])

    profile_path = vdir / "profile.json"
    if profile_path.exists():
        pr = json.loads(profile_path.read_text())
        bits = {"iss": 1, "sub": 2, "aud": 4, "exp": 8, "nbf": 16, "iat": 32, "jti": 64}
        k = pr["key"]
        emit("PROFILEKEY", t(k["kid"]), t(k["alg"]), t(b64(k["secret"])))
        emit("PROFILEVOCAB", t(json.dumps(pr["vocabulary"])))
        for i, c in enumerate(pr["cases"]):
            o = c["options"]
            mask = sum(bits[x] for x in o.get("required", ["exp"]))
            aud = o.get("audience", [])
            revoked = c["revoked"]
            # The claims as the core renders them: compact, every object's keys sorted.
            claims = c.get("claims")
            claims = None if claims is None else json.dumps(claims, sort_keys=True, separators=(",", ":"),
                                                            ensure_ascii=False)
            emit("PROFILE", str(i), t(c["name"]), t(c["token"]), n(c["now"]), str(mask), t(o.get("issuer")),
                 n(o.get("require_audience", False)), n(o.get("leeway", 0)),
                 "-" if c["scopes"] is None else t(" ".join(c["scopes"])), t(c["expect"]), t(claims),
                 "-" if revoked is None else str(len(revoked)), *[t(j) for j in (revoked or [])],
                 str(len(aud)), *[t(a) for a in aud])
        emit("PROFILECOUNT", str(len(pr["cases"])))

    Path(out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
