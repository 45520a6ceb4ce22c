#!/usr/bin/env bash
# The fleet benchmark (PERFORMANCE.md, "The fleet"): builds the C and Rust verifiers, starts a
# Redis primary with a replica on free loopback ports (temporary directories, stopped on exit,
# also on failure), and runs crates/auth-redis/bench/fleet.py: 8 verifying processes (3 Python,
# 3 C, 2 Rust) and 2 writers writing N revocations (default 1,000,000) with WAIT 1.
# Usage: bash crates/auth-redis/bench/fleet.sh [N]. Needs the Python suite's venv
# (bindings/python/.venv with auth_core), redis-server and a C compiler.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
n="${1:-1000000}"
py="${AUTH_PY_VENV:-$root/bindings/python/.venv}/bin/python"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release -q -p auth-ffi
cargo build --release -q -p auth-redis --features tls --example fleet_verifier
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -I include bindings/c/tests/test_redis.c \
  -L"$target/release" -Wl,-rpath,"$target/release" -lauth_core -o "$work/test_redis"
free() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
primary=$(free); replica=$(free)
mkdir -p "$work/p" "$work/r"
redis-server --port "$primary" --bind 127.0.0.1 --dir "$work/p" --save "" --appendonly yes \
  --appendfsync everysec --daemonize no --logfile "$work/p/log" &
pids+=($!)
redis-server --port "$replica" --bind 127.0.0.1 --dir "$work/r" --save "" --daemonize no \
  --replicaof 127.0.0.1 "$primary" --logfile "$work/r/log" &
pids+=($!)
for _ in $(seq 200); do
  redis-cli -p "$replica" info replication 2>/dev/null | grep -q master_link_status:up && break
  sleep 0.05
done
"$py" crates/auth-redis/bench/fleet.py --url "redis://127.0.0.1:$primary" --c-bin "$work/test_redis" \
  --rust-bin "$target/release/examples/fleet_verifier" --n "$n"
echo "memory of the primary: $(redis-cli -p "$primary" info memory | grep used_memory_human)"
