#!/usr/bin/env bash
# Runs every test of the project: Rust (format, lints, unit, integration, property,
# doc tests, benchmarks compiled), C (under AddressSanitizer+UBSan and valgrind) and
# Python (in its own virtual environment). Works on a fresh machine: whatever it needs
# beyond Rust, Python 3 with pip, gcc and valgrind, it installs itself (apt-get, through
# sudo when not root). Each suite is announced with its name, timed, and listed in a summary
# table at the end — also when one fails, which stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."

names=()
times=()
results=()
summary() {
  local total=0 i
  printf '\n%-72s %8s  %s\n' "suite" "seconds" "result"
  for i in "${!names[@]}"; do
    printf '%-72s %8s  %s\n' "${names[$i]}" "${times[$i]}" "${results[$i]}"
    total=$((total + times[i]))
  done
  printf '%-72s %8s\n' "total" "$total"
}

# suite NAME COMMAND...: runs one suite, timed; a failure prints the table and stops the run.
suite() {
  local name=$1 start rc=0
  shift
  printf '\n==> %s\n' "$name"
  start=$(date +%s)
  "$@" || rc=$?
  names+=("$name")
  times+=("$(($(date +%s) - start))")
  if [ "$rc" -eq 0 ]; then
    results+=("ok")
  else
    results+=("FAILED (exit $rc)")
    summary
    echo "test-all: '$name' failed" >&2
    exit "$rc"
  fi
}

# Servers the suites start themselves: redis-server (crates/auth-redis's
# tests, run by `cargo test --workspace`, and scripts/test-redis.sh), nginx and curl
# (scripts/test-server.sh), Debian's headless Chromium and its driver, with a font to draw
# the screenshots (scripts/test-console.sh). Missing ones are installed with apt-get — as root
# directly, else through sudo; without either the run stops with the exact command to run.
missing=()
for pair in redis-server:redis-server nginx:nginx curl:curl chromium:chromium chromedriver:chromium-driver; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [[ " ${missing[*]} " == *" chromium "* ]]; then missing+=(fonts-dejavu-core); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt=(apt-get)
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt=(sudo apt-get)
  else
    echo "test-all: missing ${missing[*]}; install them first:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  printf '==> installing with %s: %s\n' "${apt[*]}" "${missing[*]}"
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

suite "cargo fmt --check" cargo fmt --all -- --check
suite "source layout (files under about 600 lines, no I/O in the core)" bash scripts/check-layout.sh
suite "cargo clippy (all targets, warnings are errors)" \
  cargo clippy --workspace --all-targets --locked -- -D warnings
suite "cargo test (the first build of the workspace takes several minutes)" \
  cargo test --workspace --locked
suite "cargo doc (warnings are errors: broken links, unclosed tags)" \
  env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
# With the dev profile: this checks that every benchmark builds, reusing what `cargo test` just
# compiled. The optimized bench profile (thin LTO, one codegen unit) would rebuild the whole tree
# for minutes; `cargo bench` and scripts/bench-compare.sh build it when benchmarks are run.
suite "cargo bench --no-run (benchmarks compile)" \
  cargo bench --workspace --locked --no-run --profile dev

if [ -f bindings/c/run-tests.sh ]; then
  suite "C suite (AddressSanitizer+UBSan, valgrind, make install, pkg-config)" bash bindings/c/run-tests.sh
fi
if [ -f bindings/cpp/run-tests.sh ]; then
  suite "C++ suite (auth_core.hpp, make install, pkg-config, CMake package)" bash bindings/cpp/run-tests.sh
fi
if [ -f bindings/python/run-tests.sh ]; then
  suite "Python suite (own venv; the first run downloads the test tools)" bash bindings/python/run-tests.sh
fi
# The code blocks of every Markdown file, as written (the Python blocks use the venv the Python
# suite just made, the C blocks the release library the C suite built).
suite "documentation blocks (README, docs/, bindings' READMEs) run as written" bash scripts/check-docs.sh
if [ -f scripts/test-redis.sh ]; then
  suite "Redis suite (cross-process revocation, faults, load)" bash scripts/test-redis.sh
fi
if [ -f scripts/test-server.sh ]; then
  suite "reference service (authctl serve: API examples, errors, nginx auth_request, restart)" \
    bash scripts/test-server.sh
fi
if [ -f scripts/test-console.sh ]; then
  suite "console in headless Chromium (Selenium: sign-in, tokens, static tokens, revoke, CSRF)" \
    bash scripts/test-console.sh
fi
suite "release checks (rust-version, C ABI symbols, crate/wheel/sdist/C tarball packages)" \
  bash scripts/check-packages.sh

summary
echo "test-all: all suites passed"
