#!/usr/bin/env bash
# Keeps the source layout readable: no Rust source file under crates/*/src longer than
# about 600 lines (a longer file usually holds two concerns), and the core free of I/O
# and of unsafe code. Prints what is wrong and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=650
status=0
while IFS= read -r f; do
  n=$(wc -l < "$f")
  if [ "$n" -gt "$limit" ]; then
    echo "layout: $f has $n lines (more than $limit): split it by concern" >&2
    status=1
  fi
done < <(find crates -path '*/src/*' -name '*.rs' | sort)
if grep -rnE '\bstd::(fs|net::(TcpStream|TcpListener|UdpSocket)|process)\b|\bunsafe\b' crates/auth-core/src \
    | grep -v 'forbid(unsafe_code)' | grep -v '^\S*:\s*//' ; then
  echo "layout: the core must stay free of I/O and unsafe code (lines above)" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "layout: every source file is at most $limit lines; the core does no I/O"
exit "$status"
