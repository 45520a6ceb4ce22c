"""Checks an HTTP answer body against an expectation of docs/api-examples.sh or
scripts/test-server.sh: `json:k1,k2` (a JSON object holding these keys), `xml:PREFIX` (the
body starts with PREFIX), `empty`, `any`, or `error:CODE` (either API's error body with this code).
Usage: check_body.py EXPECTATION BODY_FILE. Exit 1 with a message when it does not hold."""
import json
import sys

expect, path = sys.argv[1], sys.argv[2]
body = open(path, encoding="utf-8").read()


def fail(why):
    sys.exit(f"body check {expect!r} failed: {why}; body: {body[:400]!r}")


if expect == "any":
    pass
elif expect == "empty":
    if body:
        fail("not empty")
elif expect.startswith("json:"):
    try:
        doc = json.loads(body)
    except ValueError as e:
        fail(f"not JSON ({e})")
    missing = [k for k in expect[5:].split(",") if k not in doc]
    if missing:
        fail(f"missing {missing}")
elif expect.startswith("xml:"):
    if not body.startswith(expect[4:]):
        fail("wrong start")
elif expect.startswith("error:"):
    try:
        doc = json.loads(body)
    except ValueError as e:
        fail(f"not JSON ({e})")
    code = doc["error"]["code"] if isinstance(doc.get("error"), dict) else doc.get("error")
    if code != expect[6:]:
        fail(f"code {code!r}")
else:
    fail("unknown expectation")
