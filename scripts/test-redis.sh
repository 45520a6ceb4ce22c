#!/usr/bin/env bash
# The Redis suite (docs/revocation.md, shared store on Redis): starts its own redis-server
# (a free loopback port, a temporary data directory, AOF on; stopped on exit, also on
# failure), then runs the cross-process and fault tests from Python, the C test, and the
# Rust integration tests of crates/auth-redis and auth-server's redis_readiness (which start
# servers of their own).
# Installs redis-server with apt-get when it is missing. Environment: AUTH_PY_VENV (the
# Python suite's virtual environment, default bindings/python/.venv; the auth_core wheel is
# installed into it when it lacks RedisRevocationStore).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v redis-server >/dev/null; then
  apt-get install -y --no-install-recommends redis-server >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends redis-server >/dev/null; }
fi

venv="${AUTH_PY_VENV:-$root/bindings/python/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
export PATH="$venv/bin:$PATH"
if ! "$py" -c "import auth_core, pytest; auth_core.RedisRevocationStore" 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check "maturin>=1.7,<2" "pytest>=7"
  "$py" -m pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps "$root/bindings/python"
fi

dir="$(mktemp -d)"
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync always --save "" \
  --daemonize no --logfile "$dir/redis.log" &
pid=$!
cleanup() {
  kill -CONT "$pid" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.05
done
redis-cli -p "$port" ping >/dev/null

export AUTH_REDIS_URL="redis://127.0.0.1:$port/0" AUTH_REDIS_PORT="$port" AUTH_REDIS_PID="$pid"

echo "==> C: auth_redis_store_new with a verifier (under valgrind)"
bash bindings/c/tests/run-redis.sh "$dir/c"
export AUTH_REDIS_C_BIN="$dir/c/test_redis"

echo "==> Python and C processes: cross-process propagation and faults (redis-server on port $port)"
"$py" -m pytest -p no:cacheprovider -q -s bindings/python/tests_redis

echo "==> authctl revoke --redis / verify --redis"
bash scripts/test-redis-cli.sh

echo "==> Rust: crates/auth-redis (own servers: SIGKILL/AOF, SIGSTOP, trimmed stream)"
cargo test -p auth-redis --locked

echo "==> Rust: auth-server on the shared store (own server SIGKILLed: /readyz, /metrics, the log)"
cargo test -p auth-server --features redis --locked --test redis_readiness
