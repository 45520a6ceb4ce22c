#!/usr/bin/env bash
# The C side of the JWKS client (docs/jwks.md): makes test certificates
# (tests/tls/make-certs.sh) and an Ed25519 and a P-256 key (openssl), starts tests/jwks/server.py
# over HTTPS, builds bindings/c/tests/test_jwks.c and bindings/cpp/tests/test_jwks.cpp (the
# C++ wrapper include/auth_core_jwks.hpp) against the release libauth_core.so in $1 (a
# directory) and runs them, then again under valgrind when it is installed.
# bindings/c/run-tests.sh calls it. Needs python3, openssl, a C compiler; honours CARGO_TARGET_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$1"
cd "$root"
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
libdir="$target/release"
mkdir -p "$out"
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bash tests/tls/make-certs.sh "$work/certs"
openssl genpkey -algorithm ED25519 -out "$work/ed.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ec.pem" 2>/dev/null
mkdir -p "$work/www"
python3 tests/jwks/server.py "$work/www" "$work/certs/server.pem" "$work/certs/server.key" > "$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(head -n1 "$work/port")"
cc -std=c11 -Wall -Wextra -Werror -O1 -g -I"$root/include" \
  "$here/test_jwks.c" -L"$libdir" -Wl,-rpath,"$libdir" -lauth_core -o "$out/test_jwks"
${CXX:-g++} -std=c++17 -Wall -Wextra -Werror -pedantic -O1 -g -I"$root/include" \
  "$root/bindings/cpp/tests/test_jwks.cpp" -L"$libdir" -Wl,-rpath,"$libdir" -lauth_core -o "$out/test_jwks_cpp"
run() { rm -f "$work/www/count"; "$@" "$out/test_jwks" "$port" "$work/www" "$work/certs" "$work/ed.pem" "$work/ec.pem"; }
run_cpp() { "$@" "$out/test_jwks_cpp" "$port" "$work/www" "$work/certs" "$work/ed.pem"; }
run
run_cpp
if command -v valgrind >/dev/null; then
  # ring's assembly confuses memcheck (valgrind-tls.supp says how). A "possible" leak is
  # not an error here: ureq resolves names on a helper thread it does not join.
  vg=(valgrind --quiet --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect --error-exitcode=99
      --suppressions="$here/valgrind-tls.supp")
  run "${vg[@]}"
  run_cpp "${vg[@]}"
fi
