#!/usr/bin/env bash
# The reference service for real (docs/server.md): builds `authctl`, starts
# `authctl serve --demo-accounts` on a free loopback port with a temporary SQLite file, runs
# every example of docs/api-examples.sh verbatim (host and tokens replaced), then the error
# cases, the OpenAPI description against real answers (tests/server/openapi_check.py, with
# `requests` and `jsonschema` in a virtual environment it makes), nginx's auth_request in front
# of a static backend (with a scope per location), and a restart on the same database. Everything on 127.0.0.1 in one temporary directory; every process started here
# is stopped on exit, also on failure. Needs curl and nginx (scripts/test-all.sh installs
# them); Argon2 is lowered with the documented test options to keep logins fast.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

for tool in curl nginx python3; do
  command -v "$tool" >/dev/null || { echo "test-server: $tool is required" >&2; exit 1; }
done

cargo build --locked -q -p auth-cli --bin authctl
authctl="${CARGO_TARGET_DIR:-$root/target}/debug/authctl"

work=$(mktemp -d)
server_pid=""
nginx_pid=""
cleanup() {
  local rc=$?
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ "$rc" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- server log (last 30 lines)" >&2
    tail -n 30 "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

AUTHCTL_SECRET="$("$authctl" keygen)"
export AUTHCTL_SECRET
# An OAuth client for /oauth/introspect and /oauth/revoke (docs/oauth.md).
"$authctl" oauth-client --id gateway >"$work/client.json"
client_option=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["serve_option"].split(" ", 1)[1])' "$work/client.json")
client_secret=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$work/client.json")
db="$work/accounts.sqlite"
fast=(--argon2-memory-kib 64 --argon2-iterations 1)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fails=0
checks=0
ok() { checks=$((checks + 1)); printf '  ok  %s\n' "$1"; }
bad() { fails=$((fails + 1)); printf '  FAIL %s\n' "$1" >&2; }

start_server() {
  port=$(free_port)
  base="http://127.0.0.1:$port"
  "$authctl" serve --listen "127.0.0.1:$port" --db "$db" --demo-accounts "${fast[@]}" \
    --max-failed-logins-per-account 5 --max-failed-logins-per-address 1000 \
    --oauth-client "$client_option" "$@" \
    >"$work/server.out" 2>>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/server.out" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "test-server: the service did not start" >&2
  exit 1
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || { echo "test-server: the service did not exit cleanly on SIGTERM" >&2; exit 1; }
  server_pid=""
}

# expect NAME STATUS BODY-EXPECTATION -- CURL-ARGS...: one request, its status and body checked.
expect() {
  local name=$1 status=$2 body=$3
  shift 4
  local got
  got=$(curl -s -o "$work/body" -w '%{http_code}' "$@") || got="curl failed"
  if [ "$got" != "$status" ]; then
    bad "$name: status $got, expected $status: $(head -c 300 "$work/body" 2>/dev/null)"
  elif ! python3 tests/server/check_body.py "$body" "$work/body"; then
    bad "$name"
  else
    ok "$name ($status)"
  fi
}

json_field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/body" "$1"; }

login_user() {  # login password → token on stdout
  curl -s -X POST "$base/a/session.json" -d "{\"login\": \"$1\", \"password\": \"$2\"}" -o "$work/body"
  json_field token
}

echo "==> accounts for the error cases (authctl accounts)"
acct() { "$authctl" accounts --db "$db" "${fast[@]}" "$@" >/dev/null; }
echo "your_password" | acct add-user --login blocked@example.com --name Blocked --id 200 --password-stdin
acct block user blocked@example.com
acct add-group office --allowed-regex '192\.168\.1\.\d+'
echo "your_password" | acct add-user --login office@example.com --name Office --id 201 --group office --password-stdin
echo "your_password" | acct add-user --login other@example.com --name Other --id 777 --password-stdin
echo "your_password" | acct add-reseller --name restricted --id 2 --allowed-ip 10.0.0.0/8 --balance 5 --password-stdin
ok "authctl accounts: blocked user, regex group, other user, restricted reseller"

start_server
echo "==> the API examples (docs/api-examples.sh), verbatim against $base"
user_token=$(login_user user@example.com your_password)
reseller_token=$(curl -s -X POST "$base/a/v1/resellers/login.json" -d '{"name": "reseller_name", "pass": "your_password"}' -o "$work/body"; json_field token)
api_token=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $user_token" -d '{"token": {"name": "sms only", "ttl": 3600, "scopes": ["sms:send"]}}' -o "$work/body"; json_field token)
examples=0
while IFS= read -r line; do
  case "$line" in
    "## "*) read -r _ name status body <<<"$line"; continue ;;
    curl\ *) ;;
    *) continue ;;
  esac
  cmd=${line//http:\/\/127.0.0.1:8080/$base}
  cmd=${cmd//your.reseller.token/$reseller_token}
  cmd=${cmd//your.api.token/$api_token}
  cmd=${cmd//your.token/$user_token}
  got=$(eval "$cmd -s -o '$work/body' -w '%{http_code}'") || got="curl failed"
  examples=$((examples + 1))
  if [ "$got" != "$status" ]; then
    bad "example $name: status $got, expected $status: $(head -c 300 "$work/body")"
  elif ! python3 tests/server/check_body.py "$body" "$work/body"; then
    bad "example $name"
  else
    ok "example $name ($status)"
  fi
done < docs/api-examples.sh
[ "$examples" -ge 10 ] || bad "only $examples examples found in docs/api-examples.sh"

echo "==> error cases"
expect "wrong password" 401 error:invalid_credentials -- -X POST "$base/a/session.json" -d '{"login": "user@example.com", "password": "wrong"}'
expect "unknown user" 401 error:invalid_credentials -- -X POST "$base/a/session.json" -d '{"login": "nobody@example.com", "password": "your_password"}'
expect "blocked user" 401 error:invalid_credentials -- -X POST "$base/a/session.json" -d '{"login": "blocked@example.com", "password": "your_password"}'
expect "user outside its group's regex" 406 error:login_ip_denied -- -X POST "$base/a/session.json" -d '{"login": "office@example.com", "password": "your_password"}'
expect "reseller wrong password" 401 error:reseller_invalid_credentials -- -X POST "$base/a/v1/resellers/login.json" -d '{"name": "reseller_name", "pass": "nope"}'
expect "reseller outside its allow-list" 401 error:reseller_ip_denied -- -X POST "$base/a/v1/resellers/login.json" -d '{"name": "restricted", "pass": "your_password"}'
expect "spoofed X-Forwarded-For from an untrusted peer" 401 error:reseller_ip_denied -- -X POST "$base/a/v1/resellers/login.json" -H "X-Forwarded-For: 10.1.2.3" -d '{"name": "restricted", "pass": "your_password"}'
expect "bad login body" 400 error:invalid_request -- -X POST "$base/a/session.json" -d '{"login": "user@example.com"'

token=$(login_user user@example.com your_password)
expect "bad JSON token body" 400 error:invalid_request -- -X POST "$base/token" -H "Authorization: Bearer $token" -d '{"token": {"ttl": 60}}'
expect "bad XML token body" 400 error:invalid_request -- -X POST "$base/token" -H "Authorization: Bearer $token" -d '<token name="x"><name>a</name></token>'
expect "empty XML ttl" 400 error:invalid_ttl -- -X POST "$base/token" -H "Authorization: Bearer $token" -d '<token><name>a</name><ttl></ttl></token>'
curl -s -X POST "$base/token" -H "Authorization: Bearer $token" -H "Accept: application/xml" -d '<token/>' -o "$work/body"
if grep -q '^<response><status>0</status><message>.*</message><error>invalid_request</error></response>$' "$work/body"; then ok "XML error body per Accept"; else bad "XML error body: $(cat "$work/body")"; fi
expect "sub-account not owned" 403 error:not_permitted -- -X POST "$base/token/account/777" -H "Authorization: Bearer $token" -d '{"token": {"name": "x"}}'
expect "no token" 401 error:missing_token -- "$base/a/some-endpoint"
# The edge's strict bearer grammar over real HTTP (docs/http.md; every case: tests/vectors/http_edge.json).
expect "another scheme" 401 error:missing_token -- "$base/a/some-endpoint" -H "Authorization: Basic dXNlcjpwYXNz"
expect "two spaces after Bearer" 401 error:malformed_token -- "$base/a/some-endpoint" -H "Authorization: Bearer  $token"
expect "two Authorization headers" 401 error:malformed_token -- "$base/a/some-endpoint" -H "Authorization: Bearer $token" -H "Authorization: Bearer $token"
challenge=$(curl -s -D - -o /dev/null "$base/a/some-endpoint" -H "Authorization: Bearer ${token%???}AAA" | tr -d '\r' | sed -n 's/^www-authenticate: //Ip')
if [ "$challenge" = 'Bearer error="invalid_token"' ]; then ok "RFC 6750 challenge: $challenge"; else bad "challenge: '$challenge'"; fi
expect "tampered token" 401 error:bad_signature -- "$base/a/some-endpoint" -H "Authorization: Bearer ${token%???}AAA"
expired=$("$authctl" mint user --id 123 --name "John Doe" --ttl 1s)
restricted=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $token" -d '{"token": {"name": "office only", "allowed_ips": ["192.168.2.0/24"]}}' -o "$work/body"; json_field token)
expect "token from a disallowed address" 401 error:ip_not_allowed -- "$base/a/some-endpoint" -H "Authorization: Bearer $restricted"
expect "nginx check, disallowed address" 403 empty -- "$base/a/auth" -H "Authorization: Bearer $restricted"
revoked=$(login_user user@example.com your_password)
curl -s -o /dev/null -X DELETE "$base/a/session.json" -H "Authorization: Bearer $revoked"
expect "revoked token" 401 error:token_revoked -- "$base/a/some-endpoint" -H "Authorization: Bearer $revoked"
sleep 2
expect "expired token" 401 error:token_expired -- "$base/a/some-endpoint" -H "Authorization: Bearer $expired"
for _ in 1 2 3 4 5; do
  curl -s -o /dev/null -X POST "$base/a/session.json" -d '{"login": "other@example.com", "password": "guess"}'
done
expect "brute force: locked even with the right password" 429 error:rate_limited -- -X POST "$base/a/session.json" -d '{"login": "other@example.com", "password": "your_password"}'
retry=$(curl -s -D - -o /dev/null -X POST "$base/a/session.json" -d '{"login": "other@example.com", "password": "your_password"}' | tr -d '\r' | sed -n 's/^retry-after: //Ip')
if [ -n "$retry" ] && [ "$retry" -ge 1 ]; then ok "Retry-After: $retry"; else bad "no Retry-After header"; fi

echo "==> the OpenAPI description against real answers (requests + jsonschema)"
venv="${AUTH_SERVER_VENV:-${CARGO_TARGET_DIR:-$root/target}/test-server-venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "requests>=2.28" "jsonschema>=4.18"
if "$venv/bin/python" tests/server/openapi_check.py "$base" gateway "$client_secret"; then ok "every answer matches /openapi.json"; else bad "answers that do not match /openapi.json"; fi

echo "==> the operator's routes (docs/server.md, Operating it)"
expect "liveness" 200 json:status -- "$base/healthz"
expect "readiness" 200 json:status,checks -- "$base/readyz"
curl -s "$base/metrics" >"$work/metrics"
for line in 'auth_logins_total{api="user",outcome="rate_limited"}' 'auth_verifications_total{result="token_revoked"}' 'auth_revocation_store_ready 1' '# EOF'; do
  if grep -qF "$line" "$work/metrics"; then ok "metrics: $line"; else bad "metrics: no $line"; fi
done

echo "==> account changes made by another process reach the running service"
# eventually NAME CODE TOKEN: /a/some-endpoint with TOKEN answers 401 CODE within 3 s (the
# service reads the database's revocation log every 500 ms).
eventually() {
  local name=$1 code=$2 tok=$3 got=""
  for _ in $(seq 30); do
    got=$(curl -s -o "$work/body" -w '%{http_code}' "$base/a/some-endpoint" -H "Authorization: Bearer $tok")
    if [ "$got" = 401 ] && python3 tests/server/check_body.py "error:$code" "$work/body"; then ok "$name"; return; fi
    sleep 0.1
  done
  bad "$name: still $got $(head -c 200 "$work/body")"
}
sub=$(login_user sub-account@example.com your_password)
curl -s -X POST "$base/token" -H "Authorization: Bearer $sub" -d '{"token": {"name": "ci"}}' -o "$work/body"
sub_named=$(json_field token); sub_named_id=$(json_field token_id)
expect "a named token works" 200 json:token_name -- "$base/a/some-endpoint" -H "Authorization: Bearer $sub_named"
acct revoke-token "$sub_named_id"
eventually "authctl accounts revoke-token: the token is refused" token_revoked "$sub_named"
expect "the account's other tokens still work" 200 json:type -- "$base/a/some-endpoint" -H "Authorization: Bearer $sub"
acct block user sub-account@example.com
eventually "authctl accounts block: the login token is refused" token_revoked "$sub"
expect "a blocked account cannot log in" 401 error:invalid_credentials -- -X POST "$base/a/session.json" -d '{"login": "sub-account@example.com", "password": "your_password"}'
acct unblock user sub-account@example.com
sleep 1  # a cutoff covers the second it was made in
sub=$(login_user sub-account@example.com your_password)
expect "unblocked: a new login works" 200 json:type -- "$base/a/some-endpoint" -H "Authorization: Bearer $sub"
acct revoke user sub-account@example.com
eventually "authctl accounts revoke user: every token is refused" token_revoked "$sub"
if "$authctl" accounts --db "$db" revoke-token no-such-id >/dev/null 2>&1; then bad "revoke-token of an unknown id succeeded"; else ok "revoke-token of an unknown id fails"; fi

echo "==> nginx auth_request in front of a static backend"
nginx_port=$(free_port)
mkdir -p "$work/static" "$work/nginx"
echo "backend says hello" > "$work/static/hello.txt"
chmod -R a+rX "$work"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /_auth {
      internal;
      proxy_pass $base/a/auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
    # A scope per location (docs/scopes.md): the location sets it, one internal location
    # passes it on (nginx would escape a '?' written in auth_request itself).
    location = /_auth_scoped {
      internal;
      proxy_pass $base/a/auth?scope=\$auth_scope;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
    }
    location /sms/ {
      set \$auth_scope sms:send;
      auth_request /_auth_scoped;
      alias $work/static/;
    }
    location /account/ {
      set \$auth_scope account;
      auth_request /_auth_scoped;
      alias $work/static/;
    }
    location /backend/ {
      auth_request /_auth;
      auth_request_set \$auth_name \$upstream_http_x_auth_name;
      add_header X-Backend-User \$auth_name always;
      alias $work/static/;
    }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>>"$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break
  sleep 0.1
done
front="http://127.0.0.1:$nginx_port/backend/hello.txt"
got=$(curl -s -D "$work/headers" -H "Authorization: Bearer $token" "$front" || true)
if [ "$got" = "backend says hello" ] && grep -qi '^x-backend-user: John Doe' "$work/headers"; then ok "nginx: a valid token passes (X-Auth-Name forwarded)"; else bad "nginx: valid token: $got $(cat "$work/nginx/error.log")"; fi
expect "nginx: no token" 401 any -- "$front"
expect "nginx: revoked token" 401 any -- "$front" -H "Authorization: Bearer $revoked"
expect "nginx: tampered token" 401 any -- "$front" -H "Authorization: Bearer ${token%???}AAA"
sms_only=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $token" -d '{"token": {"name": "sms", "ttl": 600, "scopes": ["sms:send"]}}' -o "$work/body"; json_field token)
expect "nginx: a token holding the location's scope passes" 200 any -- "http://127.0.0.1:$nginx_port/sms/hello.txt" -H "Authorization: Bearer $sms_only"
expect "nginx: a token without the location's scope is 403" 403 any -- "http://127.0.0.1:$nginx_port/account/hello.txt" -H "Authorization: Bearer $sms_only"
expect "nginx: an unscoped login token holds every scope" 200 any -- "http://127.0.0.1:$nginx_port/account/hello.txt" -H "Authorization: Bearer $token"
kill "$nginx_pid" && wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

echo "==> restart on the same database"
reseller=$(curl -s -X POST "$base/a/v1/resellers/login.json" -d '{"name": "reseller_name", "pass": "your_password"}' -o "$work/body"; json_field token)
kept=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $reseller" -d '{"token": {"name": "kept static"}}' -o "$work/body"; json_field token)
user_named=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $token" -d '{"token": {"name": "before the password change"}}' -o "$work/body"; json_field token)
gone=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $token" -d '{"token": {"name": "revoked static"}}' -o "$work/body"; json_field token)
curl -s -o /dev/null -X DELETE "$base/a/session.json" -H "Authorization: Bearer $gone"
oauth_gone=$(curl -s -X POST "$base/token" -H "Authorization: Bearer $reseller" -d '{"token": {"name": "revoked by a gateway"}}' -o "$work/body"; json_field token)
expect "RFC 7009: a client revokes a static token" 200 empty -- -X POST "$base/oauth/revoke" -u "gateway:$client_secret" -d "token=$oauth_gone"
echo "changed password" | acct set-password user user@example.com --password-stdin
stop_server
ok "SIGTERM: graceful exit"
start_server --trust-proxy 127.0.0.1/32 --max-password-checks 4
expect "after restart: a static named token still works" 200 json:type,id,token_name -- "$base/a/some-endpoint" -H "Authorization: Bearer $kept"
expect "after restart: a revoked static token stays revoked" 401 error:token_revoked -- "$base/a/some-endpoint" -H "Authorization: Bearer $gone"
expect "after restart: a token revoked through /oauth/revoke stays revoked" 401 error:token_revoked -- "$base/a/some-endpoint" -H "Authorization: Bearer $oauth_gone"
expect "after restart: a logged-out login token stays revoked" 401 error:token_revoked -- "$base/a/some-endpoint" -H "Authorization: Bearer $revoked"
expect "after restart: the password change revoked the user's tokens" 401 error:token_revoked -- "$base/a/some-endpoint" -H "Authorization: Bearer $user_named"
expect "after restart: the changed password is kept" 200 json:user,token -- -X POST "$base/a/session.json" -d '{"login": "user@example.com", "password": "changed password"}'
expect "after restart: the blocked user is still blocked" 401 error:invalid_credentials -- -X POST "$base/a/session.json" -d '{"login": "blocked@example.com", "password": "your_password"}'
expect "trusted proxy: X-Forwarded-For is believed" 200 json:token,reseller -- -X POST "$base/a/v1/resellers/login.json" -H "X-Forwarded-For: 10.1.2.3" -d '{"name": "restricted", "pass": "your_password"}'
expect "trusted proxy: only the right-most untrusted entry counts" 401 error:reseller_ip_denied -- -X POST "$base/a/v1/resellers/login.json" -H "X-Forwarded-For: 10.1.2.3, 203.0.113.9" -d '{"name": "restricted", "pass": "your_password"}'
stop_server

if grep -qF -- "$token" "$work/server.log"; then bad "a token appears in the server log"; else ok "no token in the server log"; fi
if grep -qF -- "$AUTHCTL_SECRET" "$work/server.log"; then bad "the secret appears in the server log"; else ok "no secret in the server log"; fi

echo "test-server: $checks passed, $fails failed"
[ "$fails" -eq 0 ]
