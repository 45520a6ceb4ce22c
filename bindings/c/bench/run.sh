#!/bin/sh
# auth-core (C API and Rust) against libjwt 1.10 on the same user token.
#
#   bindings/c/bench/run.sh [ITERATIONS [ROUNDS]]
#
# ITERATIONS is the HS256 calls per round; an ES256 check costs a few hundred times an HMAC,
# so the ES256 rounds make ITERATIONS / 200 calls (at least 50).
#
# Installs Debian's libjwt-dev if it is missing (needs root), builds the release
# libauth_core and the Rust timing loop, and prints two tables of medians and ratios:
#  1. HS256 (compare_libjwt.c and the Rust verify_rounds example): libjwt, the auth-core
#     C API and auth-core Rust verifying the same HS256 user token;
#  2. ES256 (compare_libjwt_es256.c): libjwt (jwt_decode with the SPKI public PEM, via
#     OpenSSL) and the auth-core C API (a key ring holding only the public key, via the
#     pure-Rust p256 crate) verifying the same ES256 user token, with the same claim
#     checks. libjwt has no EdDSA, so EdDSA is not compared.
#  3. every asymmetric algorithm (compare_openssl.c): OpenSSL's EVP verify with a key parsed
#     once, the same plus the claim checks (the fair baseline: libjwt re-reads its PEM on
#     every call), and the auth-core C API, for EdDSA, ES256, ES384, ES512, RS256 and PS256.
# Each C program alternates rounds between the sides and prints medians.
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
cc -std=c11 -O2 -Wall -Wextra -Werror -I include bindings/c/bench/compare_libjwt_es256.c \
    -L "$TARGET/release" -lauth_core -ljwt -lcrypto -Wl,-rpath,"$TARGET/release" \
    -o "$TARGET/c-bench/compare_libjwt_es256"
cc -std=c11 -O2 -Wall -Wextra -Werror -I include bindings/c/bench/compare_openssl.c \
    -L "$TARGET/release" -lauth_core -ljwt -lcrypto -Wl,-rpath,"$TARGET/release" \
    -o "$TARGET/c-bench/compare_openssl"

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

ES_ITERATIONS=$((ITERATIONS / 200))
[ "$ES_ITERATIONS" -ge 50 ] || ES_ITERATIONS=50
ES_OUT="$TARGET/c-bench/results_es256.txt"
"$TARGET/c-bench/compare_libjwt_es256" "$ES_ITERATIONS" "$ROUNDS" > "$ES_OUT"

awk -v rounds="$ROUNDS" -v iterations="$ES_ITERATIONS" '
    { v[$1] = $2 }
    END {
        printf "\nuser token of %d bytes, ES256 (P-256); medians of %d rounds of %d calls\n\n", v["es256_token_bytes"], rounds, iterations
        printf "%-52s %10s\n", "path", "ns/call"
        printf "%-52s %10.1f\n", "libjwt 1.10 (OpenSSL): jwt_decode + claim checks", v["es256_libjwt_ns"]
        printf "%-52s %10.1f\n", "auth-core C API (aws-lc-rs): auth_verifier_verify + free", v["es256_auth_c_ns"]
        printf "\n%-52s %10.2f\n", "libjwt / auth-core C API (speed-up)", v["es256_libjwt_ns"] / v["es256_auth_c_ns"]
    }' "$ES_OUT"

OS_OUT="$TARGET/c-bench/results_openssl.txt"
"$TARGET/c-bench/compare_openssl" "$ES_ITERATIONS" "$ROUNDS" > "$OS_OUT"
awk -v rounds="$ROUNDS" -v iterations="$ES_ITERATIONS" '
    { v[$1] = $2 }
    END {
        printf "\nuser token, every asymmetric algorithm (RSA 2048 bits); medians of %d rounds of %d calls, ns/call\n\n", rounds, iterations
        printf "%-6s %14s %16s %12s %14s %16s\n", "alg", "OpenSSL bare", "OpenSSL+claims", "auth-core C", "C / OpenSSL", "C / (+claims)"
        n = split("EdDSA ES256 ES384 ES512 RS256 PS256", algs, " ")
        for (i = 1; i <= n; i++) {
            a = algs[i]
            b = v[a "_openssl_bare_ns"]; c = v[a "_openssl_claims_ns"]; o = v[a "_auth_c_ns"]
            printf "%-6s %14.1f %16.1f %12.1f %14.2f %16.2f\n", a, b, c, o, o / b, o / c
        }
    }' "$OS_OUT"

# OpenSSL's own figure for the same operations on this machine, in the same run.
if command -v openssl >/dev/null; then
    printf '\nopenssl speed (verify of a parsed key, same machine, same run):\n'
    openssl speed -seconds 2 ed25519 ecdsap256 ecdsap384 ecdsap521 rsa2048 2>/dev/null \
        | awk '/verify\/s/ || /^ *[0-9]+ bits ecdsa/ || /^rsa 2048/ || /^ *253 bits EdDSA/ || /^ *sign *verify/'
fi
