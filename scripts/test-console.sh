#!/usr/bin/env bash
# The console in a real browser (docs/server.md, "The console"): builds `authctl`, starts
# `authctl serve --demo-accounts` on a free loopback port with a temporary SQLite file, serves a
# page of another origin that posts a form to it, and drives Debian's headless Chromium through
# every flow with Selenium (tests/console/test_console.py, in a virtual environment it makes).
# Screenshots of each page go to $CONSOLE_SCREENSHOTS (default target/console-screenshots).
# Every process started here is stopped on exit, also on failure. Needs chromium,
# chromium-driver, curl and python3 (scripts/test-all.sh installs the packages).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

for tool in chromium chromedriver curl python3; do
  command -v "$tool" >/dev/null || { echo "test-console: $tool is required (apt-get install chromium chromium-driver curl)" >&2; exit 1; }
done

cargo build --locked -q -p auth-cli --bin authctl
target="${CARGO_TARGET_DIR:-$root/target}"
authctl="$target/debug/authctl"
shots="${CONSOLE_SCREENSHOTS:-$target/console-screenshots}"
rm -rf "$shots"

work=$(mktemp -d)
server_pid=""
other_pid=""
cleanup() {
  local rc=$?
  # A process ended by SIGTERM reports 143: that is how it should end here, not a failure.
  if [ -n "$other_pid" ]; then kill "$other_pid" 2>/dev/null; wait "$other_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$rc" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- server log (last 30 lines)" >&2
    tail -n 30 "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

venv="${AUTH_CONSOLE_VENV:-$target/test-console-venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "selenium>=4.11"

AUTHCTL_SECRET="$("$authctl" keygen)"
export AUTHCTL_SECRET
port=$(free_port)
base="http://127.0.0.1:$port"
"$authctl" serve --listen "127.0.0.1:$port" --db "$work/accounts.sqlite" --demo-accounts \
  --argon2-memory-kib 64 --argon2-iterations 1 --last-used-interval 1 \
  >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "test-console: the service did not start" >&2; exit 1; }
  sleep 0.1
done

# Another site (localhost, not 127.0.0.1) whose page posts a token form to the console.
other_port=$(free_port)
mkdir -p "$work/other"
cat > "$work/other/attack.html" <<HTML
<!DOCTYPE html><html><body>
<form id="f" method="post" action="$base/console/tokens">
<input name="csrf" value="guessed"><input name="account" value=""><input name="name" value="planted">
</form>
<script>document.getElementById("f").submit();</script>
</body></html>
HTML
python3 -m http.server "$other_port" --bind 127.0.0.1 --directory "$work/other" >/dev/null 2>&1 &
other_pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$other_port/attack.html" && break; sleep 0.1; done

# Debian's driver and browser, given by path: Selenium Manager must not look for (or download) others.
SE_OFFLINE=true "$venv/bin/python" tests/console/test_console.py "$base" "http://localhost:$other_port" "$shots"
if grep -qE 'eyJ[A-Za-z0-9_-]+\.eyJ' "$work/server.log"; then echo "test-console: a token appears in the server log" >&2; exit 1; fi
echo "test-console: screenshots in $shots"
