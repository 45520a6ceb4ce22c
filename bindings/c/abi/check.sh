#!/usr/bin/env bash
# The C library's exported symbols against the checked-in list bindings/c/abi/symbols.txt
# (sorted `auth_*` names that `nm -D --defined-only` finds in the release libauth_core.so).
#
#   bash bindings/c/abi/check.sh           build the release library, compare; exit 1 on any difference
#   bash bindings/c/abi/check.sh --bless   build, then rewrite symbols.txt from the library
#
# A symbol missing from the library breaks every program linked against it: within a major
# version that is never allowed (CHANGELOG.md, "Versioning"). A new symbol is fine, but it
# must be listed, so that each ABI change is a reviewed line in a diff: regenerate with --bless.
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/../../.."

list=bindings/c/abi/symbols.txt
lib="${CARGO_TARGET_DIR:-target}/release/libauth_core.so"

cargo build --release --locked -p auth-ffi --quiet
current=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtDdBbRrVvWwi]$/ && $3 ~ /^auth_/ {print $3}' | LC_ALL=C sort -u)
if [ -z "$current" ]; then
  echo "no auth_* symbols found in $lib" >&2
  exit 1
fi

if [ "${1:-}" = "--bless" ]; then
  printf '%s\n' "$current" > "$list"
  echo "wrote $list ($(wc -l < "$list") symbols)"
  exit 0
fi

[ -f "$list" ] || { echo "$list is missing: create it with bash bindings/c/abi/check.sh --bless" >&2; exit 1; }
expected=$(LC_ALL=C sort -u "$list")
removed=$(LC_ALL=C comm -23 <(printf '%s\n' "$expected") <(printf '%s\n' "$current"))
added=$(LC_ALL=C comm -13 <(printf '%s\n' "$expected") <(printf '%s\n' "$current"))
status=0
if [ -n "$removed" ]; then
  echo "ABI break: these symbols of $list are no longer exported by $lib:" >&2
  printf '  %s\n' $removed >&2
  echo "Removing or renaming a C function needs a new major version (CHANGELOG.md, Versioning)." >&2
  status=1
fi
if [ -n "$added" ]; then
  echo "New exported symbols not in $list:" >&2
  printf '  %s\n' $added >&2
  echo "If they are meant to be public, list them: bash bindings/c/abi/check.sh --bless (and commit the diff)." >&2
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "C ABI: the $(printf '%s\n' "$current" | wc -l) exported auth_* symbols match $list"
fi
exit "$status"
