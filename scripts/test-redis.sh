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
tls_pid=""
extra_pids=()
cleanup() {
  for p in "${extra_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  kill -CONT "$pid" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$tls_pid" ]; then kill "$tls_pid" 2>/dev/null || true; wait "$tls_pid" 2>/dev/null || true; fi
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

echo "==> TLS: rediss:// from C, Python and authctl against a TLS-only redis-server (certificates made by openssl)"
bash tests/tls/make-certs.sh "$dir/certs"
tls_port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$dir/tls"
redis-server --port 0 --tls-port "$tls_port" --bind 127.0.0.1 --dir "$dir/tls" --save "" --daemonize no \
  --tls-cert-file "$dir/certs/server.pem" --tls-key-file "$dir/certs/server.key" \
  --tls-ca-cert-file "$dir/certs/ca.pem" --tls-auth-clients optional --logfile "$dir/tls/redis.log" &
tls_pid=$!
for _ in $(seq 100); do
  redis-cli --tls --cacert "$dir/certs/ca.pem" -p "$tls_port" ping >/dev/null 2>&1 && break
  sleep 0.05
done
tls_url="rediss://127.0.0.1:$tls_port"
"$dir/c/test_redis" tls "$tls_url" "$dir/certs"
AUTH_TLS_URL="$tls_url" AUTH_TLS_CERTS="$dir/certs" "$py" - <<'PY'
import os
import auth_core
url, certs = os.environ["AUTH_TLS_URL"], os.environ["AUTH_TLS_CERTS"]
store = auth_core.RedisRevocationStore(url, ca_file=f"{certs}/ca.pem", key_prefix="py-tls:")
store.revoke("py-tls-1")
mutual = auth_core.RedisRevocationStore(url, ca_file=f"{certs}/ca.pem", cert_file=f"{certs}/client.pem",
                                        key_file=f"{certs}/client.key", key_prefix="py-tls:")
try:
    auth_core.RedisRevocationStore(url, ca_file=f"{certs}/other-ca.pem", start_timeout=2.0)
except auth_core.RevocationUnavailable as e:
    assert "certificate" in str(e).lower(), e
else:
    raise SystemExit("a wrong CA was accepted")
print("Python redis TLS test: passed")
PY
authctl="${CARGO_TARGET_DIR:-$root/target}/debug/authctl"
cargo build --locked -q -p auth-cli --bin authctl
export AUTHCTL_SECRET="$("$authctl" keygen)"
token=$("$authctl" mint user --id 7 --name tls --ttl 1h)
"$authctl" revoke --redis "$tls_url" --redis-ca-file "$dir/certs/ca.pem" --token "$token" >/dev/null
if "$authctl" verify --redis "$tls_url" --redis-ca-file "$dir/certs/ca.pem" "$token" 2>"$dir/verify.err"; then
  echo "authctl over TLS: the revoked token verified" >&2; exit 1
fi
grep -q token_revoked "$dir/verify.err" || { echo "authctl over TLS: $(cat "$dir/verify.err")" >&2; exit 1; }
if "$authctl" verify --redis "$tls_url" --redis-ca-file "$dir/certs/other-ca.pem" "$token" 2>"$dir/verify.err"; then
  echo "authctl over TLS: a wrong CA was accepted" >&2; exit 1
fi
grep -q revocation_unavailable "$dir/verify.err" || { echo "authctl, wrong CA: $(cat "$dir/verify.err")" >&2; exit 1; }
echo "authctl redis TLS test: passed"

echo "==> Sentinel: a primary, a replica and a sentinel; C, Python and authctl find the primary through it"
free() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
s_primary=$(free); s_replica=$(free); s_sentinel=$(free)
mkdir -p "$dir/s-primary" "$dir/s-replica" "$dir/s-sentinel"
redis-server --port "$s_primary" --bind 127.0.0.1 --dir "$dir/s-primary" --save "" --daemonize no --logfile "$dir/s-primary/log" &
extra_pids+=($!)
redis-server --port "$s_replica" --bind 127.0.0.1 --dir "$dir/s-replica" --save "" --daemonize no \
  --replicaof 127.0.0.1 "$s_primary" --logfile "$dir/s-replica/log" &
extra_pids+=($!)
printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor auth 127.0.0.1 %s 1\n' \
  "$s_sentinel" "$dir/s-sentinel" "$s_primary" > "$dir/s-sentinel/sentinel.conf"
redis-server "$dir/s-sentinel/sentinel.conf" --sentinel --daemonize no --logfile "$dir/s-sentinel/log" &
extra_pids+=($!)
for _ in $(seq 200); do
  redis-cli -p "$s_replica" info replication 2>/dev/null | grep -q master_link_status:up \
    && redis-cli -p "$s_sentinel" sentinel replicas auth 2>/dev/null | grep -q "$s_replica" && break
  sleep 0.05
done
"$dir/c/test_redis" sentinel "127.0.0.1:$s_sentinel" auth
AUTH_SENTINEL="127.0.0.1:$s_sentinel" "$py" - <<'PY'
import os
import auth_core
addr = os.environ["AUTH_SENTINEL"]
writer = auth_core.RedisRevocationStore("redis://unused", sentinels=[addr], master="auth", min_replicas=1)
writer.revoke("py-sentinel-1")
try:
    auth_core.RedisRevocationStore("redis://unused", sentinels=[addr])
except ValueError:
    pass
else:
    raise SystemExit("sentinels without master was accepted")
print("Python redis Sentinel test: passed")
PY
token=$("$authctl" mint user --id 8 --name sentinel --ttl 1h)
"$authctl" revoke --redis redis://unused --redis-sentinel "127.0.0.1:$s_sentinel" --redis-master auth --token "$token" >/dev/null
if "$authctl" verify --redis redis://unused --redis-sentinel "127.0.0.1:$s_sentinel" --redis-master auth "$token" 2>"$dir/verify.err"; then
  echo "authctl through Sentinel: the revoked token verified" >&2; exit 1
fi
grep -q token_revoked "$dir/verify.err" || { echo "authctl through Sentinel: $(cat "$dir/verify.err")" >&2; exit 1; }
echo "authctl redis Sentinel test: passed"

echo "==> Cluster: three primaries (redis-cli --cluster create); C, Python and authctl find the store's slot"
seeds=()
# A cluster node also listens on its port + 10000 (the cluster bus): ports up to 55535, with
# the bus port free too.
cluster_port() {
  "$py" -c '
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p <= 55535:
        try:
            b = socket.socket(); b.bind(("127.0.0.1", p + 10000)); b.close(); print(p); break
        except OSError:
            pass'
}
for _ in 1 2 3; do
  p=$(cluster_port); mkdir -p "$dir/cluster-$p"
  redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/cluster-$p" --save "" --daemonize no \
    --cluster-enabled yes --cluster-node-timeout 1000 --logfile "$dir/cluster-$p/log" &
  extra_pids+=($!)
  seeds+=("127.0.0.1:$p")
done
for s in "${seeds[@]}"; do
  for _ in $(seq 100); do redis-cli -p "${s##*:}" ping >/dev/null 2>&1 && break; sleep 0.05; done
done
redis-cli --cluster create "${seeds[@]}" --cluster-yes >/dev/null
for s in "${seeds[@]}"; do
  for _ in $(seq 200); do redis-cli -p "${s##*:}" cluster info | grep -q cluster_state:ok && break; sleep 0.05; done
done
seed_list=$(IFS=,; echo "${seeds[*]}")
"$dir/c/test_redis" cluster "$seed_list"
AUTH_SEEDS="$seed_list" "$py" - <<'PY'
import os
import auth_core
seeds = os.environ["AUTH_SEEDS"].split(",")
store = auth_core.RedisRevocationStore("redis://unused", cluster=seeds, key_prefix="py-cluster:")
store.revoke("py-cluster-1")
print("Python redis Cluster test: passed")
PY
token=$("$authctl" mint user --id 9 --name cluster --ttl 1h)
"$authctl" revoke --redis redis://unused --redis-cluster "$seed_list" --token "$token" >/dev/null
if "$authctl" verify --redis redis://unused --redis-cluster "$seed_list" "$token" 2>"$dir/verify.err"; then
  echo "authctl on a cluster: the revoked token verified" >&2; exit 1
fi
grep -q token_revoked "$dir/verify.err" || { echo "authctl on a cluster: $(cat "$dir/verify.err")" >&2; exit 1; }
echo "authctl redis Cluster test: passed"

echo "==> Rust: crates/auth-redis (own servers: SIGKILL/AOF, SIGSTOP, trimmed stream, TLS, a Sentinel failover, a cluster resharding and failover)"
cargo test -p auth-redis --features tls --locked

echo "==> Rust: auth-server on the shared store (own server SIGKILLed: /readyz, /metrics, the log)"
cargo test -p auth-server --features redis --locked --test redis_readiness
