#!/bin/sh
# The performance targets of PERFORMANCE.md as one table of ratios measured side by side:
# every operation timed in interleaved rounds, each ratio computed per round, the median
# and the p25-p75 spread of the rounds printed (benches/examples/targets.rs).
#
#   scripts/bench-compare.sh [--quick] [--c] [--python] [--skip-revocation]
#
#   --quick            7 rounds of ~40 ms per operation (about a minute with the build
#                      already done) instead of 21 rounds of ~150 ms
#   --c                also bindings/c/bench/run.sh (libjwt vs the C API vs Rust; installs
#                      libjwt-dev with apt-get when missing)
#   --python           also bindings/python/bench/compare.py with $PYTHON (default python3;
#                      needs auth_core and PyJWT importable)
#   --skip-revocation  leave out the 1,000,000-id revocation store (saves ~1 GB and 5 s)
#
# Uses $CARGO_TARGET_DIR like cargo does. Absolute times on a shared machine are noisy;
# read the ratios and their spread.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
ROUNDS=21
MS=150
C_ITER=100000
C_ROUNDS=11
PY_NUMBER=20000
PY_REPEAT=15
WITH_C=0
WITH_PY=0
EXTRA=""
for arg in "$@"; do
    case "$arg" in
        --quick) ROUNDS=7; MS=40; C_ITER=20000; C_ROUNDS=7; PY_NUMBER=3000; PY_REPEAT=5 ;;
        --c) WITH_C=1 ;;
        --python) WITH_PY=1 ;;
        --skip-revocation) EXTRA="--skip-revocation" ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

cd "$ROOT"
cargo build --release --locked -p auth-benches --example targets
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Two processes: the revocation store's ≈ 120 MB and its cache-thrashing baselines perturb the
# other operations' rounds (benches/examples/targets.rs); every ratio is still within one run.
"$TARGET/release/examples/targets" --rounds "$ROUNDS" --ms "$MS" --skip-revocation
if [ -z "$EXTRA" ]; then
    echo
    "$TARGET/release/examples/targets" --rounds "$ROUNDS" --ms "$MS" --only-revocation
fi

if [ "$WITH_C" = 1 ]; then
    echo
    sh bindings/c/bench/run.sh "$C_ITER" "$C_ROUNDS"
fi
if [ "$WITH_PY" = 1 ]; then
    echo
    "${PYTHON:-python3}" bindings/python/bench/compare.py --number "$PY_NUMBER" --repeat "$PY_REPEAT"
fi
