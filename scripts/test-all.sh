#!/usr/bin/env bash
# Runs every test of the project: Rust (format, lints, unit, integration, property,
# doc tests, benchmarks compiled), C (under AddressSanitizer+UBSan and valgrind) and
# Python (in its own virtual environment). Works on a fresh machine: whatever it needs
# beyond Rust, Python 3 with pip, gcc and valgrind, it installs itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# Servers the suites start themselves: redis-server (crates/auth-redis's tests, run by
# `cargo test --workspace`, and scripts/test-redis.sh), nginx and curl (scripts/test-server.sh).
missing=()
for tool in redis-server nginx curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "source layout (files under about 600 lines, no I/O in the core)"
bash scripts/check-layout.sh

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "cargo doc (warnings are errors: broken links, unclosed tags)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo bench --no-run (benchmarks compile)"
# With the dev profile: this checks that every benchmark builds, reusing what `cargo test` just
# compiled. The optimized bench profile (thin LTO, one codegen unit) would rebuild the whole tree
# for minutes; `cargo bench` and scripts/bench-compare.sh build it when benchmarks are run.
cargo bench --workspace --locked --no-run --profile dev

if [ -f bindings/c/run-tests.sh ]; then
  step "C suite"
  bash bindings/c/run-tests.sh
fi

if [ -f bindings/cpp/run-tests.sh ]; then
  step "C++ suite (auth_core.hpp, make install, pkg-config, CMake package)"
  bash bindings/cpp/run-tests.sh
fi

if [ -f bindings/python/run-tests.sh ]; then
  step "Python suite"
  bash bindings/python/run-tests.sh
fi

if [ -f scripts/test-redis.sh ]; then
  step "Redis suite (cross-process revocation, faults, load)"
  bash scripts/test-redis.sh
fi

if [ -f scripts/test-server.sh ]; then
  step "reference service (authctl serve: the API examples, error cases, nginx auth_request, restart)"
  bash scripts/test-server.sh
fi

step "release checks (rust-version, C ABI symbols, crate/wheel/sdist/C tarball packages)"
bash scripts/check-packages.sh

step "all suites passed"
