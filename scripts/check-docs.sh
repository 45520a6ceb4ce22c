#!/usr/bin/env bash
# Runs the documentation's code blocks (scripts/check-docs.py explains which and how): every
# shell, Python, C and C++ block of the Markdown files, the check that Markdown with Rust
# blocks is a doc test, and that JSON blocks parse. Prints one line per block and
# `docs: N passed, M failed`; exits non-zero on any failure.
#
# Builds what the blocks need: `authctl` (debug) and the release C library (the build the C
# suite already made). Python blocks run in the Python suite's virtual environment
# (bindings/python/.venv, or $AUTH_PY_VENV) with auth_core and the web frameworks installed:
# scripts/test-all.sh runs bindings/python/run-tests.sh before this script. When that
# environment is missing or has no auth_core, this script stops with a message saying to
# run it (`bash bindings/python/run-tests.sh`); it does not build a wheel itself.
#
# Usage: bash scripts/check-docs.sh [FILE.md ...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac

cargo build --locked -q -p auth-cli --bin authctl
cargo build --release --locked -q -p auth-ffi

venv="${AUTH_PY_VENV:-$root/bindings/python/.venv}"
if ! "$venv/bin/python" -c 'import auth_core, fastapi, flask, httpx' 2>/dev/null; then
  echo "check-docs: $venv has no auth_core (or no fastapi, flask, httpx): run" >&2
  echo "  bash bindings/python/run-tests.sh" >&2
  echo "first (scripts/test-all.sh does, before this check)" >&2
  echo "docs: 0 passed, 1 failed"
  exit 1
fi

export DOCS_AUTHCTL="$target/debug/authctl"
export DOCS_LIBDIR="$target/release"
export DOCS_PYTHON="$venv/bin/python"
exec python3 scripts/check-docs.py "$@"
