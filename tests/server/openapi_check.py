"""Checks the service's OpenAPI description against its real answers, the way a gateway talks to it.

Usage: openapi_check.py BASE_URL CLIENT_ID CLIENT_SECRET   (run by scripts/test-server.sh against
`authctl serve --demo-accounts --oauth-client ...`; needs `requests` and `jsonschema`).

Every request below is made with `requests` (an HTTP client library, as a PHP, Go or Node
service would use its own). For each answer: the route and method must be described, the status
must be one the description lists, and a JSON body must validate against the schema it gives
(JSON Schema 2020-12, as OpenAPI 3.1 says); a response the description gives no content must have
an empty body. At the end every described operation must have been called. Exit 1 on any failure.
"""

import json
import re
import sys

import jsonschema
import requests

base, client_id, client_secret = sys.argv[1], sys.argv[2], sys.argv[3]
spec = requests.get(f"{base}/openapi.json", timeout=10).json()
failures, called, checked = [], set(), 0


def operation(path, method):
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        if re.match(pattern, path) and method in item:
            return template, item[method]
    return None, None


def schema_for(pointer):
    # The whole description as the root resource, so that `#/components/...` references resolve.
    return dict(spec, **{"$ref": pointer, "$schema": "https://json-schema.org/draft/2020-12/schema"})


def check(name, method, path, expect_status=None, **kw):
    global checked
    r = requests.request(method.upper(), f"{base}{path}", timeout=10, **kw)
    checked += 1
    template, op = operation(path.split("?")[0], method)
    if op is None:
        failures.append(f"{name}: {method.upper()} {path} is not described")
        return r
    called.add((template, method))
    if expect_status is not None and r.status_code != expect_status:
        failures.append(f"{name}: status {r.status_code}, expected {expect_status}: {r.text[:200]}")
    responses = op["responses"]
    status = str(r.status_code)
    if status not in responses:
        failures.append(f"{name}: status {status} is not described for {method.upper()} {template}")
        return r
    content = responses[status].get("content")
    media = r.headers.get("content-type", "").split(";")[0].strip()
    if not content:
        if r.content:
            failures.append(f"{name}: described without a body, got {r.text[:100]!r}")
        return r
    if media not in content:
        failures.append(f"{name}: media type {media!r} is not described ({sorted(content)})")
        return r
    if media == "application/json":
        escaped = template.replace("~", "~0").replace("/", "~1")
        pointer = f"#/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema"
        try:
            jsonschema.validate(r.json(), schema_for(pointer))
        except (ValueError, jsonschema.ValidationError) as e:
            failures.append(f"{name}: body does not match the description: {str(e)[:300]}")
    return r


basic = (client_id, client_secret)
form = {"Content-Type": "application/x-www-form-urlencoded"}

# The login API.
user = check("user login", "post", "/a/session.json", 200,
             data='{"login": "user@example.com", "password": "your_password"}').json()["token"]
check("user login, wrong password", "post", "/a/session.json", 401,
      data='{"login": "user@example.com", "password": "nope"}')
check("user login, bad body", "post", "/a/session.json", 400, data="{")
reseller = check("reseller login", "post", "/a/v1/resellers/login.json", 200,
                 data='{"name": "reseller_name", "pass": "your_password"}').json()["token"]
check("reseller login, wrong password", "post", "/a/v1/resellers/login.json", 401,
      data='{"name": "reseller_name", "pass": "nope"}')
check("claims", "get", "/a/some-endpoint", 200, headers={"Authorization": f"Bearer {user}"})
check("claims, no token", "get", "/a/some-endpoint", 401)

# The token API: JSON and XML, sub-accounts, scopes.
bearer = {"Authorization": f"Bearer {user}"}
sms = check("create a scoped token", "post", "/token", 200, headers=bearer,
            data='{"token": {"name": "CI", "ttl": 3600, "scopes": ["sms:send"]}}').json()
if sms.get("scopes") != ["sms:send"]:
    failures.append(f"create a scoped token: scopes {sms.get('scopes')}")
sms = sms["token"]
check("create a token, XML", "post", "/token", 200, headers=dict(bearer, Accept="application/xml"),
      data="<token><name>x</name><ttl>60</ttl></token>")
check("create a token, bad TTL", "post", "/token", 400, headers=bearer, data='{"token": {"name": "x", "ttl": 0}}')
check("create a token, undeclared scope", "post", "/token", 400, headers=bearer,
      data='{"token": {"name": "x", "scopes": ["billing"]}}')
check("create a token without the tokens scope", "post", "/token", 403,
      headers={"Authorization": f"Bearer {sms}"}, data='{"token": {"name": "x"}}')
check("create a token, no token", "post", "/token", 401, data='{"token": {"name": "x"}}')
check("sub-account token", "post", "/token/account/12542", 200, headers={"Authorization": f"Bearer {reseller}"},
      data='{"token": {"name": "sub", "ttl": 60}}')
check("sub-account not owned", "post", "/token/account/777", 403, headers={"Authorization": f"Bearer {reseller}"},
      data='{"token": {"name": "sub"}}')

# The token API's management.
mine = check("list tokens", "get", "/token", 200, headers=bearer).json()["tokens"]
if not any(t["token_id"] and t["kind"] == "login" for t in mine):
    failures.append(f"list tokens: no login token in {mine}")
check("list tokens, XML", "get", "/token", 200, headers=dict(bearer, Accept="application/xml"))
check("list a sub-account's tokens", "get", "/token/account/12542", 200, headers={"Authorization": f"Bearer {reseller}"})
check("list a foreign account's tokens", "get", "/token/account/777", 403, headers={"Authorization": f"Bearer {reseller}"})
check("list with a malformed account id", "get", "/token/account/x1", 400, headers={"Authorization": f"Bearer {reseller}"})
check("list tokens, no token", "get", "/token", 401)
doomed = check("a token to revoke", "post", "/token", 200, headers=bearer, data='{"token": {"name": "doomed", "ttl": 60}}').json()
check("revoke a token by id", "delete", f"/token/{doomed['token_id']}", 200, headers=bearer)
check("revoke an unknown id", "delete", "/token/no-such-token", 403, headers=bearer)
check("revoke by id, no token", "delete", f"/token/{doomed['token_id']}", 401)

# nginx's auth_request.
check("auth_request", "get", "/a/auth?scope=sms:send", 204, headers={"Authorization": f"Bearer {sms}"})
r = check("auth_request, scope missing", "get", "/a/auth?scope=account", 403, headers={"Authorization": f"Bearer {sms}"})
if r.headers.get("www-authenticate") != 'Bearer error="insufficient_scope", scope="account"':
    failures.append(f"auth_request challenge: {r.headers.get('www-authenticate')!r}")
check("auth_request, no token", "get", "/a/auth", 401)
check("auth_request, undeclared scope", "get", "/a/auth?scope=typo", 500, headers={"Authorization": f"Bearer {sms}"})

# RFC 7662 and RFC 7009, as a gateway calls them.
active = check("introspect", "post", "/oauth/introspect", 200, auth=basic, data={"token": sms}).json()
if active.get("active") is not True or active.get("scope") != "sms:send":
    failures.append(f"introspect: {active}")
check("introspect with a bearer token", "post", "/oauth/introspect", 200, headers=bearer, data={"token": sms})
check("introspect, no credentials", "post", "/oauth/introspect", 401, data={"token": sms})
check("introspect, wrong secret", "post", "/oauth/introspect", 401, auth=(client_id, "wrong"), data={"token": sms})
check("introspect without the introspect scope", "post", "/oauth/introspect", 403,
      headers={"Authorization": f"Bearer {sms}"}, data={"token": sms})
check("introspect, no token parameter", "post", "/oauth/introspect", 400, auth=basic, data={"x": "1"})
check("revoke", "post", "/oauth/revoke", 200, auth=basic, data={"token": sms})
check("revoke garbage", "post", "/oauth/revoke", 200, headers=bearer, data={"token": "garbage"})
check("revoke, no credentials", "post", "/oauth/revoke", 401, data={"token": sms})
check("revoke, not a form", "post", "/oauth/revoke", 400, auth=basic, data=json.dumps({"token": sms}),
      headers={"Content-Type": "application/json"})
inactive = check("introspect a revoked token", "post", "/oauth/introspect", 200, auth=basic, data={"token": sms})
if inactive.text != '{"active":false}':
    failures.append(f"inactive answer: {inactive.text!r}")

# Logouts and the operator's routes.
check("reseller logout", "get", "/a/v1/resellers/user/logout.json", 200, headers={"Authorization": f"Bearer {reseller}"})
check("reseller logout again", "get", "/a/v1/resellers/user/logout.json", 401,
      headers={"Authorization": f"Bearer {reseller}"})
check("user logout", "delete", "/a/session.json", 200, headers=bearer)
check("healthz", "get", "/healthz", 200)
check("readyz", "get", "/readyz", 200)
check("metrics", "get", "/metrics", 200)
check("openapi", "get", "/openapi.json", 200)

described = {(t, m) for t, item in spec["paths"].items() for m in item if m in {"get", "post", "put", "delete", "patch"}}
for t, m in sorted(described - called):
    failures.append(f"{m.upper()} {t} is described but was never called")

for f in failures:
    print(f"  FAIL openapi: {f}", file=sys.stderr)
print(f"openapi: {checked} answers checked against the description, {len(failures)} failures")
sys.exit(1 if failures else 0)
