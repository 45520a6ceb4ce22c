# Shared by bindings/c/run-tests.sh and bindings/cpp/run-tests.sh (sourced, not run):
# where cargo puts the library, and the pass/fail tally behind the suites' closing line.
# Expects ROOT (the workspace root) to be set.

# cargo puts the library in $CARGO_TARGET_DIR (default: target/ of the workspace).
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
LIBDIR="$TARGET_DIR/release"

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok   $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL $*"; }
step() { local name="$1"; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# Adds the "N passed, M failed" line of a test program's output to the totals.
tally() {
    local line n m
    line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n1)"
    if [ -z "$line" ]; then bad "$2: no result line"; return; fi
    n="${line%% passed*}"; m="${line#*, }"; m="${m%% failed}"
    passed=$((passed + n)); failed=$((failed + m))
    echo "     $2: $line"
}
