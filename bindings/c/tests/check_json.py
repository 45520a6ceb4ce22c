#!/usr/bin/env python3
"""Compares the claims JSON the C suite obtained (auth_claims_to_json) with the vectors'
expected claims as JSON values (not text). Prints "N passed, M failed"; exit 1 on failure.

Usage: check_json.py VECTOR_DIR JSON_OUT_FILE [--scopes]

With --scopes the file is test_scopes.c's: the claims of every valid scopes.json `tokens` case.
"""
import json
import sys
from pathlib import Path


def main(vdir, out, mode=None):
    vdir = Path(vdir)
    if mode == "--scopes":
        scope_cases = json.loads((vdir / "scopes.json").read_text())["tokens"]
        cases = {"scopes": scope_cases}
        expected = sum(1 for c in scope_cases if c["expect"] == "valid")
        return compare(out, cases, expected)
    tokens = json.loads((vdir / "tokens.json").read_text())
    cases = {
        "tokens": tokens["cases"] + tokens.get("cases_audience", []),
        "mint": json.loads((vdir / "mint.json").read_text())["cases"],
        "api": json.loads((vdir / "api.json").read_text())["cases"],
        "asym": [c for f in ("asymmetric.json", "asymmetric2.json")
                 for c in json.loads((vdir / f).read_text())["cases"]],
    }
    expected = sum(1 for k in ("tokens", "mint", "asym") for c in cases[k] if c["expect"] == "valid")
    expected += sum(2 for c in cases["api"] if c["expect"] == "valid" and "claims" in c)
    expected += sum(1 for c in cases["api"] if c["kind"] == "host_error")
    return compare(out, cases, expected)


def compare(out, cases, expected):
    """Compares each line of `out` with its case; `expected` is how many lines there must be."""
    passed = failed = 0
    for line in Path(out).read_text().splitlines():
        file, index, generated, hexjson = line.split(" ")
        got = json.loads(bytes.fromhex(hexjson).decode("utf-8"))
        case = cases[file][int(index)]
        want = case.get("claims")
        if generated == "1":
            got.pop("jti", None)
        elif generated == "resp":
            want = case.get("response", case.get("body"))
            got.pop("token", None)
            got.pop("token_id", None)
        if got == want:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {file} {case['name']}: claims JSON {got!r} != {want!r}", file=sys.stderr)
    if passed + failed != expected:
        failed += 1
        print(f"FAIL: {passed + failed} claims JSON documents, want {expected}", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
