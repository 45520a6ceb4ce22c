#!/usr/bin/env bash
# Checks that the workspace's declared `rust-version` is honest: no locked dependency
# (normal, build or dev, any platform) declares a `rust-version` newer than ours.
# Reads `cargo metadata --locked`, so it sees exactly the versions in Cargo.lock.
# Exit 0: every dependency builds with our declared minimum; 1: one or more need newer Rust.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo metadata --format-version 1 --locked | python3 -c '
import json, sys

def key(v):
    parts = [int(p) for p in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
ours = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
if len(ours) != 1 or None in ours:
    sys.exit(f"workspace members must declare one rust-version (found {sorted(map(str, ours))})")
declared = ours.pop()
too_new = sorted(
    (p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p["id"] not in members and p.get("rust_version") and key(p["rust_version"]) > key(declared)
)
checked = sum(1 for p in meta["packages"] if p["id"] not in members)
if too_new:
    print(f"rust-version {declared} is declared, but these locked dependencies need newer Rust:")
    for name, version, rv in too_new:
        print(f"  {name} {version}: rust-version {rv}")
    print("Raise workspace.package.rust-version in Cargo.toml, or lock older versions (cargo update -p NAME --precise VERSION).")
    sys.exit(1)
print(f"rust-version {declared}: all {checked} locked dependencies declare {declared} or older (or nothing)")
'
