#!/bin/sh
# auth-core (C API and Rust) against libjwt 1.10 on the same user token.
#
#   bindings/c/bench/run.sh [ITERATIONS [ROUNDS]]
#
# Installs Debian's libjwt-dev if it is missing (needs root), builds the release
# libauth_core and the Rust timing loop, and prints a table of medians and ratios.
set -eu

ITERATIONS=${1:-100000}
ROUNDS=${2:-11}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

if [ ! -f /usr/include/jwt.h ]; then
    apt-get install -y libjwt-dev || { apt-get update && apt-get install -y libjwt-dev; }
fi

cd "$ROOT"
cargo build --release -p auth-ffi
cargo build --release -p auth-benches --example verify_rounds
mkdir -p "$TARGET/c-bench"
cc -std=c11 -O2 -Wall -Wextra -Werror -I include bindings/c/bench/compare_libjwt.c \
    -L "$TARGET/release" -lauth_core -ljwt -Wl,-rpath,"$TARGET/release" \
    -o "$TARGET/c-bench/compare_libjwt"

OUT="$TARGET/c-bench/results.txt"
"$TARGET/c-bench/compare_libjwt" "$ITERATIONS" "$ROUNDS" > "$OUT"
TOKEN=$(awk '$1 == "token" {print $2}' "$OUT")
NOW=$(awk '$1 == "now" {print $2}' "$OUT")
"$TARGET/release/examples/verify_rounds" "$TOKEN" "$NOW" "$ITERATIONS" "$ROUNDS" >> "$OUT"

awk -v rounds="$ROUNDS" -v iterations="$ITERATIONS" '
    { v[$1] = $2 }
    END {
        printf "user token of %d bytes, HS256; medians of %d rounds of %d calls\n\n", v["token_bytes"], rounds, iterations
        printf "%-52s %10s\n", "path", "ns/call"
        printf "%-52s %10.1f\n", "libjwt 1.10: jwt_decode + the same claim checks", v["libjwt_ns"]
        printf "%-52s %10.1f\n", "auth-core C API: auth_verifier_verify + free", v["auth_c_ns"]
        printf "%-52s %10.1f\n", "auth-core Rust: Verifier::verify_with", v["auth_rust_ns"]
        printf "\n%-52s %10.2f\n", "auth-core C API / libjwt", v["auth_c_ns"] / v["libjwt_ns"]
        printf "%-52s %10.2f\n", "libjwt / auth-core C API (speed-up)", v["libjwt_ns"] / v["auth_c_ns"]
        printf "%-52s %10.2f\n", "C API / Rust (binding overhead)", v["auth_c_ns"] / v["auth_rust_ns"]
        printf "%-52s %10.1f\n", "C API - Rust, ns", v["auth_c_ns"] - v["auth_rust_ns"]
    }' "$OUT"
