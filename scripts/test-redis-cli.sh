#!/usr/bin/env bash
# `authctl revoke --redis` and `authctl verify --redis` against the Redis at AUTH_REDIS_URL
# (scripts/test-redis.sh starts it): exit codes and the error codes on stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
: "${AUTH_REDIS_URL:?set by scripts/test-redis.sh}"
cargo build -p auth-cli --locked --quiet
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
authctl="$target/debug/authctl"
export AUTHCTL_SECRET="a secret of at least 32 bytes, for the CLI test"
prefix="cli$$:"
failures=0
expect() { # expected exit status, description, command...
  local want="$1" what="$2"; shift 2
  local got=0
  "$@" >/tmp/authctl-redis.out 2>/tmp/authctl-redis.err || got=$?
  if [ "$got" = "$want" ]; then echo "ok   $what"; else
    echo "FAIL $what: exit $got, expected $want"; cat /tmp/authctl-redis.err; failures=$((failures + 1)); fi
}
expect_err() { # error code expected in stderr's JSON
  if grep -q "\"error\":\"$1\"" /tmp/authctl-redis.err; then echo "ok   stderr says $1"; else
    echo "FAIL stderr does not say $1:"; cat /tmp/authctl-redis.err; failures=$((failures + 1)); fi
}

t1="$("$authctl" mint user --id 5 --name five --ttl 1h)"
t2="$("$authctl" mint reseller --id 6 --name six --ttl 1h)"
expect 0 "verify --redis: a valid token" "$authctl" verify --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" "$t1"
expect 0 "revoke --token" "$authctl" revoke --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" --token "$t1"
expect 1 "verify --redis: the revoked token" "$authctl" verify --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" "$t1"
expect_err token_revoked
expect 0 "verify without --redis does not know" "$authctl" verify "$t1"
expect 0 "revoke --principal reseller:6 --before" \
  "$authctl" revoke --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" --principal reseller:6 --before 4000000000
expect 1 "verify --redis: a token of the blocked reseller" "$authctl" verify --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" "$t2"
expect_err token_revoked
expect 0 "revoke --jti --exp" "$authctl" revoke --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" --jti some-id --exp 4000000000
grep -q '"jti":"some-id"' /tmp/authctl-redis.out && echo "ok   prints what it revoked" || { echo "FAIL output"; failures=$((failures + 1)); }
expect 2 "revoke: --principal needs --before" "$authctl" revoke --redis "$AUTH_REDIS_URL" --principal user:1
expect 2 "revoke: nothing to revoke" "$authctl" revoke --redis "$AUTH_REDIS_URL"
expect 2 "revoke: a bad principal" "$authctl" revoke --redis "$AUTH_REDIS_URL" --principal admin:1 --before 5
expect_err invalid_request
expect 2 "revoke: a bad URL" "$authctl" revoke --redis "http://x" --jti a
expect_err invalid_request
# authctl serve --redis: a logout through the reference service reaches every process using the
# store (here: authctl verify --redis, a separate process).
work="$(mktemp -d)"
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
"$authctl" serve --listen 127.0.0.1:0 --db "$work/accounts.sqlite" --demo-accounts \
  --argon2-memory-kib 64 --argon2-iterations 1 --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" \
  >"$work/out" 2>"$work/log" &
serve_pid=$!
for _ in $(seq 200); do grep -q "listening on" "$work/out" 2>/dev/null && break; sleep 0.05; done
base="$(sed -n 's/^listening on //p' "$work/out")"
if [ -z "$base" ]; then echo "FAIL authctl serve --redis did not start"; cat "$work/log"; exit 1; fi
t3="$(curl -s -X POST "$base/a/session.json" -d '{"login":"user@example.com","password":"your_password"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
expect 0 "verify --redis: a token from authctl serve --redis" \
  "$authctl" verify --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" "$t3"
status="$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $t3" "$base/a/session.json")"
[ "$status" = 200 ] && echo "ok   logout through authctl serve --redis" \
  || { echo "FAIL logout answered $status"; failures=$((failures + 1)); }
expect 1 "verify --redis: the token logged out through the service" \
  "$authctl" verify --redis "$AUTH_REDIS_URL" --key-prefix "$prefix" "$t3"
expect_err token_revoked
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t3" "$base/a/some-endpoint")"
[ "$status" = 401 ] && echo "ok   the service refuses it too" \
  || { echo "FAIL the service answered $status"; failures=$((failures + 1)); }
kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=""

rm -f /tmp/authctl-redis.out /tmp/authctl-redis.err
echo "authctl redis: $failures failed"
[ "$failures" = 0 ]
