#!/usr/bin/env bash
# Throughput of the reference service on loopback, measured with wrk (apt: wrk):
#   - GET /a/some-endpoint with a valid token vs GET /open/some-endpoint (the same claims JSON,
#     no authentication), same server, alternated open/auth/open/auth, the ratio of the sums;
#   - POST /a/session.json (Argon2id with the default m=19 MiB, t=2, p=1).
# Usage: bash crates/auth-server/bench/run.sh [SECONDS per run, default 5]
# Environment: ALG=HS256|EdDSA|ES256 (the service's key, default HS256) and SIGNATURE_CACHE=N
# (the verifier's signature cache, docs/signature-cache.md; default as authctl serve's, 0 = off).
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "bench: wrk is required (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked -q -p auth-server --example bench_server
bin="${CARGO_TARGET_DIR:-target}/release/examples/bench_server"
out=$(mktemp)
"$bin" "${ALG:-HS256}" ${SIGNATURE_CACHE:+"$SIGNATURE_CACHE"} >"$out" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
read -r port token <"$out"
base="http://127.0.0.1:$port"
rps() { wrk -t2 -c32 -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
curl -sf -H "Authorization: Bearer $token" "$base/a/some-endpoint" >/dev/null
open_total=0; auth_total=0
for round in 1 2; do
  o=$(rps "$base/open/some-endpoint")
  a=$(rps -H "Authorization: Bearer $token" "$base/a/some-endpoint")
  echo "round $round: open $o req/s, authenticated $a req/s"
  open_total=$(python3 -c "print($open_total + $o)"); auth_total=$(python3 -c "print($auth_total + $a)")
done
python3 -c "print(f'ratio authenticated/open: {$auth_total / $open_total:.3f}')"
l=$(wrk -t2 -c4 -d"${secs}s" -s crates/auth-server/bench/login.lua "$base/a/session.json" | awk '/Requests\/sec/ {print $2}')
echo "login (Argon2id m=19456 KiB, t=2, p=1): $l req/s"
