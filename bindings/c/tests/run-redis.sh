#!/usr/bin/env bash
# Builds bindings/c/tests/test_redis.c against the release libauth_core.so (building it
# first) into $1 (a directory) and runs its API self test under valgrind against the Redis at
# AUTH_REDIS_URL. scripts/test-redis.sh calls it, then uses the binary as a second process
# of the cross-process test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$1"
: "${AUTH_REDIS_URL:?set by scripts/test-redis.sh}"
cd "$root"
cargo build --release -p auth-ffi --locked --quiet
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
libdir="$target/release"
mkdir -p "$out"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -g -I"$root/include" \
  "$here/test_redis.c" -L"$libdir" -Wl,-rpath,"$libdir" -lauth_core -o "$out/test_redis"
if command -v valgrind >/dev/null; then
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
    "$out/test_redis" self "$AUTH_REDIS_URL" "c$$:"
else
  "$out/test_redis" self "$AUTH_REDIS_URL" "c$$:"
fi
