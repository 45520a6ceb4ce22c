#!/usr/bin/env bash
# Load test of the reference service on loopback: concurrent logins, token creation,
# verification and logouts from many clients, with revocations shared through Redis.
#
#   - its own redis-server (Debian's; appendonly yes, appendfsync always, a free 127.0.0.1
#     port, a temporary directory);
#   - two `authctl serve` processes (release build) on that Redis and one SQLite file, so that
#     a logout through one is checked through the other; default Argon2id parameters
#     (m = 19 MiB, t = 2: every login costs what it costs in production);
#     --max-failed-logins-per-address high, since every client is 127.0.0.1;
#   - two load accounts per client thread, made with `authctl accounts add-user
#     --password-stdin`, so that each stays under the named-token quota (100, counted until
#     expiry) with named tokens of "ttl": 60 (the client also paces itself under it);
#   - the client, load_client.py: Python 3's standard library (threads, http.client). Chosen
#     over a Rust example because it needs no HTTP client crate in the workspace's tree and no
#     build, and it reads like the checks it makes. Its cost: it takes CPU on the same cores
#     as the services, so the req/s it reports are the whole system's, not the service's alone.
#   - RSS (VmRSS) of the three processes, sampled every second by the client.
#
# Every check and the exit status are load_client.py's (see its docstring): non-zero on a
# revoked token accepted after acknowledgement + the staleness bound (2 s, the Redis store's
# default max_staleness), on a valid request refused, on a 429 of the failed-login limiter (a
# 429 with Retry-After: 1 means every password-check slot was taken: retried and counted), or
# when RSS keeps growing. Every process started here is stopped on exit, failure included. Nothing
# but 127.0.0.1 is contacted.
#
# Usage: bash crates/auth-server/bench/load.sh [SECONDS, default 120] [THREADS, default 32]
#   LOAD_JSON=FILE also writes the raw results; LOAD_KEEP=1 keeps the logs (their path is printed).
# Smoke: bash crates/auth-server/bench/load.sh 10 8
set -euo pipefail
cd "$(dirname "$0")/../../.."
secs=${1:-120}
threads=${2:-32}
accounts=$((threads * 2))
command -v redis-server >/dev/null || { echo "load: redis-server is required (apt-get install redis-server)" >&2; exit 1; }
cargo build --release --locked -q -p auth-cli
authctl="${CARGO_TARGET_DIR:-target}/release/authctl"

tmp=$(mktemp -d)
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "load: failed (exit $rc); the service logs' WARN and ERROR lines:" >&2
    for f in "$tmp"/serve-*.log; do
      [ -f "$f" ] || continue
      echo "== $f ($(grep -c 'retry_after=1$' "$f") lines of 429 with Retry-After: 1 left out)" >&2
      grep -E ' (WARN|ERROR) ' "$f" | grep -v 'retry_after=1$' | tail -n 20 >&2 || true
    done
  fi
  if [ -n "${LOAD_KEEP:-}" ]; then echo "load: logs kept in $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Redis: durable writes (an acknowledged logout survives a crash of Redis), loopback only.
rport=$(free_port)
redis-server --bind 127.0.0.1 --port "$rport" --dir "$tmp" --appendonly yes --appendfsync always \
  --save '' --logfile "$tmp/redis.log" --daemonize no &
rpid=$!
pids+=("$rpid")
for _ in $(seq 100); do redis-cli -h 127.0.0.1 -p "$rport" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
redis-cli -h 127.0.0.1 -p "$rport" ping | grep -q PONG

export AUTHCTL_SECRET
AUTHCTL_SECRET=$("$authctl" keygen)
db="$tmp/accounts.sqlite"
account_args=()
for i in $(seq -w 1 "$accounts"); do
  echo "load password $i" | "$authctl" accounts --db "$db" add-user --login "load$i@example.com" \
    --name "Load $i" --password-stdin >/dev/null
  account_args+=(--account "load$i@example.com:load password $i")
done

ports=()
serve() { # $1: name. Started one after the other: the first makes the demo accounts.
  "$authctl" serve --listen 127.0.0.1:0 --redis "redis://127.0.0.1:$rport" --db "$db" \
    --demo-accounts --max-failed-logins-per-address 1000000 >"$tmp/$1.out" 2>"$tmp/serve-$1.log" &
  pids+=("$!")
  for _ in $(seq 200); do grep -q 'listening on' "$tmp/$1.out" 2>/dev/null && break; sleep 0.05; done
  ports+=("$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/$1.out")")
  [ -n "${ports[-1]}" ] || { echo "load: serve $1 did not start" >&2; exit 1; }
}
serve a
apid=${pids[-1]}
serve b
bpid=${pids[-1]}
echo "load: redis 127.0.0.1:$rport (pid $rpid), serve a :${ports[0]} (pid $apid), serve b :${ports[1]} (pid $bpid); $accounts accounts, $threads threads, $secs s"

# In the background, so that a signal reaches the trap at once (bash runs traps only between
# foreground commands); the cleanup stops it first.
python3 crates/auth-server/bench/load_client.py --port "${ports[0]}" --port "${ports[1]}" \
  --threads "$threads" --duration "$secs" "${account_args[@]}" \
  --pid "serve a=$apid" --pid "serve b=$bpid" --pid "redis-server=$rpid" ${LOAD_JSON:+--json "$LOAD_JSON"} &
cpid=$!
pids=("$cpid" "${pids[@]}")
wait "$cpid"
