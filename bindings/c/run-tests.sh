#!/usr/bin/env bash
# Runs the whole C suite of auth-core:
#   - builds libauth_core (release) with cargo and checks include/auth_core.h is fresh;
#   - checks the shared library exports only auth_* symbols, each declared in the header;
#   - builds the example and the tests with -Wall -Wextra -Werror;
#   - runs the shared vectors + ownership/error/thread tests against the shared library,
#     the static archive, under AddressSanitizer+UBSan (leak detection on) and under valgrind,
#     and the same four runs of the HTTP edge suite (tests/test_http.c, http_edge.json) and of the
#     scope suite (tests/test_scopes.c, scopes.json), of the registered-profile suite
#     (tests/test_profile.c, profile.json) and of the signature-cache suite
#     (tests/test_signature_cache.c);
#   - runs the libjwt interop test (tests/test_libjwt.c; installs libjwt-dev when missing);
#   - runs the JWKS client's C test (tests/test_jwks.c) against a local HTTPS server;
#   - runs the example, the README quick-start compile line, and `make install` + pkg-config.
# Needs: cargo, a C compiler, make, python3, valgrind, openssl, libjwt-dev (pkg-config optional).
# Exits non-zero on any failure; the last line is "C suite: N passed, M failed".
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$HERE/build"
source "$ROOT/bindings/c/suite-lib.sh"
cd "$ROOT"

command -v python3 >/dev/null || { echo "python3 is required (it flattens tests/vectors/*.json)"; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is required"; exit 2; }
[ -f tests/vectors/tokens.json ] || { echo "tests/vectors/*.json not found"; exit 2; }

echo "== building libauth_core (release)"
if ! cargo build --release -p auth-ffi --quiet; then echo "cargo build failed"; exit 1; fi
step "libauth_core.so and libauth_core.a built" test -f "$LIBDIR/libauth_core.so" -a -f "$LIBDIR/libauth_core.a"

echo "== Rust tests of auth-ffi (incl. header freshness)"
step "cargo test -p auth-ffi (include/auth_core.h is what cbindgen generates)" cargo test -p auth-ffi --quiet

echo "== exported symbols"
nm -D --defined-only "$LIBDIR/libauth_core.so" | awk '{print $3}' | sort -u > "$BUILD.exports" 2>/dev/null || {
    mkdir -p "$BUILD"; nm -D --defined-only "$LIBDIR/libauth_core.so" | awk '{print $3}' | sort -u > "$BUILD.exports"; }
step "every exported symbol starts with auth_ ($(wc -l < "$BUILD.exports") symbols)" \
    bash -c "! grep -v '^auth_' '$BUILD.exports'"
grep -oE '\bauth_[a-z0-9_]+\(' include/auth_core.h | tr -d '(' | sort -u > "$BUILD.declared"
step "exports and header declarations are the same set" diff -u "$BUILD.declared" "$BUILD.exports"
rm -f "$BUILD.exports" "$BUILD.declared"

echo "== building C programs (-Wall -Wextra -Werror)"
rm -rf "$BUILD"
step "make all" make -s -C "$HERE" all BUILD="$BUILD" LIBDIR="$LIBDIR"
python3 "$HERE/tests/flatten_vectors.py" tests/vectors "$BUILD/vectors.txt" && ok "vectors flattened" || bad "vectors flattened"

run_suite() { # name, then the command
    local name="$1"; shift
    local out="$BUILD/$name.out"
    if "$@" "$BUILD/vectors.txt" "$BUILD/$name.json" > "$out" 2>&1; then ok "$name exit status"; else bad "$name exit status"; grep FAIL "$out" | head -n 20; fi
    grep -E '^vectors:' "$out" | sed 's/^/     /'
    tally "$out" "$name"
    if python3 "$HERE/tests/check_json.py" tests/vectors "$BUILD/$name.json" > "$out.json" 2>&1; then :; else grep FAIL "$out.json" | head; fi
    tally "$out.json" "$name claims JSON"
}

echo "== C suite: shared library"
run_suite test_auth "$BUILD/test_auth"
echo "== C suite: static archive"
run_suite test_auth_static "$BUILD/test_auth_static"
echo "== C suite: AddressSanitizer + UBSan (leak detection on)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite test_auth_asan "$BUILD/test_auth_asan"
echo "== C suite: valgrind"
run_suite test_auth_valgrind valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible "$BUILD/test_auth"

# The HTTP edge: every http_edge.json case through auth_authenticate_request + auth_error_answer.
run_http() { # name, then the command
    local name="$1"; shift
    local out="$BUILD/$name.out"
    if "$@" "$BUILD/vectors.txt" > "$out" 2>&1; then ok "$name exit status"; else bad "$name exit status"; grep -E 'FAIL|ERROR|Sanitizer|runtime error' "$out" | head -n 20; fi
    grep -E '^vectors:' "$out" | sed 's/^/     /'
    tally "$out" "$name"
}
echo "== C HTTP edge suite: shared library, static archive, ASan+UBSan, valgrind"
run_http test_http "$BUILD/test_http"
run_http test_http_static "$BUILD/test_http_static"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_http test_http_asan "$BUILD/test_http_asan"
run_http test_http_valgrind valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible "$BUILD/test_http"

# Scopes: every scopes.json list (texts, vocabularies, narrowing, required, tokens, delegation),
# the claims of the valid tokens compared as JSON values, then the scope API's edges.
run_scopes() { # name, then the command
    local name="$1"; shift
    local out="$BUILD/$name.out"
    if "$@" "$BUILD/vectors.txt" "$BUILD/$name.json" > "$out" 2>&1; then ok "$name exit status"; else bad "$name exit status"; grep -E 'FAIL|ERROR|Sanitizer|runtime error' "$out" | head -n 20; fi
    grep -E '^vectors:' "$out" | sed 's/^/     /'
    tally "$out" "$name"
    if python3 "$HERE/tests/check_json.py" tests/vectors "$BUILD/$name.json" --scopes > "$out.json" 2>&1; then :; else grep FAIL "$out.json" | head; fi
    tally "$out.json" "$name claims JSON"
}
echo "== C scope suite: shared library, static archive, ASan+UBSan, valgrind"
run_scopes test_scopes "$BUILD/test_scopes"
run_scopes test_scopes_static "$BUILD/test_scopes_static"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_scopes test_scopes_asan "$BUILD/test_scopes_asan"
run_scopes test_scopes_valgrind valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible "$BUILD/test_scopes"

# The registered claims profile: every profile.json case (verdicts and claims) and the API's edges.
echo "== C registered-profile suite: shared library, static archive, ASan+UBSan, valgrind"
run_http test_profile "$BUILD/test_profile"
run_http test_profile_static "$BUILD/test_profile_static"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_http test_profile_asan "$BUILD/test_profile_asan"
run_http test_profile_valgrind valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible "$BUILD/test_profile"

# The signature cache: hits, every other check on a hit, ring changes, NULLs, threads.
run_plain() { # name, then the command
    local name="$1"; shift
    local out="$BUILD/$name.out"
    if "$@" > "$out" 2>&1; then ok "$name exit status"; else bad "$name exit status"; grep -E 'FAIL|ERROR|Sanitizer|runtime error' "$out" | head -n 20; fi
    tally "$out" "$name"
}
echo "== C signature-cache suite: shared library, static archive, ASan+UBSan, valgrind"
run_plain test_signature_cache "$BUILD/test_signature_cache"
run_plain test_signature_cache_static "$BUILD/test_signature_cache_static"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_plain test_signature_cache_asan "$BUILD/test_signature_cache_asan"
run_plain test_signature_cache_valgrind valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible "$BUILD/test_signature_cache"

# Interop with libjwt (tests/test_libjwt.c): Debian's libjwt-dev (installed here when missing,
# as bench/run.sh does), keys made by `openssl genpkey` in a temporary directory.
echo "== libjwt interop: RS256/384/512 and ES256/384/512, both ways"
if [ ! -f /usr/include/jwt.h ]; then
    apt-get install -y -qq libjwt-dev >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libjwt-dev >/dev/null 2>&1; }
fi
if [ -f /usr/include/jwt.h ] && command -v openssl >/dev/null; then
    keys="$(mktemp -d)"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa.pem" 2>/dev/null
    for c in p256:P-256 p384:P-384 p521:P-521; do
        openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${c#*:}" -out "$keys/${c%%:*}.pem"
    done
    for k in rsa p256 p384 p521; do openssl pkey -in "$keys/$k.pem" -pubout -out "$keys/$k.pub"; done
    step "test_libjwt built (-Wall -Wextra -Werror, -ljwt)" cc -std=c11 -O1 -g -Wall -Wextra -Werror -I include \
        "$HERE/tests/test_libjwt.c" -L "$LIBDIR" -lauth_core -ljwt -Wl,-rpath,"$LIBDIR" -o "$BUILD/test_libjwt"
    out="$BUILD/test_libjwt.out"
    if "$BUILD/test_libjwt" "$keys" > "$out" 2>&1; then ok "test_libjwt exit status"; else bad "test_libjwt exit status"; grep FAIL "$out" | head -n 20; fi
    grep -E '^libjwt interop:' "$out" | sed 's/^/     /'
    tally "$out" "test_libjwt"
    out="$BUILD/test_libjwt_valgrind.out"
    if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        "$BUILD/test_libjwt" "$keys" > "$out" 2>&1; then ok "test_libjwt under valgrind"; else bad "test_libjwt under valgrind"; grep -E 'FAIL|==[0-9]+==' "$out" | head -n 20; fi
    tally "$out" "test_libjwt_valgrind"
    rm -rf "$keys"
else
    bad "libjwt-dev (and openssl) needed for the libjwt interop test"
fi

echo "== C JWKS client (tests/jwks/server.py over HTTPS; bindings/c/tests/run-jwks.sh)"
step "test_jwks.c against a local HTTPS JWKS endpoint, plain and under valgrind" \
    bash "$HERE/tests/run-jwks.sh" "$BUILD/jwks"

echo "== example"
out="$("$BUILD/example")"; rc=$?
step "example demo exits 0" test "$rc" -eq 0
step "example demo prints the claims" grep -q '^user 123 from 192.168.2.5: {"type":"user"' <<<"$out"
step "example demo refuses the other address" grep -q '^ip_not_allowed 401' <<<"$out"
header="$(sed -n 's/^Authorization: //p' <<<"$out")"
DEMO_SECRET="demo secret: at least 32 bytes long!"
out="$(AUTHCTL_SECRET="$DEMO_SECRET" "$BUILD/example" "$header" 192.168.2.5)"; rc=$?
step "example HEADER IP with \$AUTHCTL_SECRET: accepted (exit 0)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^user 123 from 192.168.2.5' <<<'$out'"
out="$(AUTHCTL_SECRET="$DEMO_SECRET" "$BUILD/example" "${header}x" 192.168.2.5)"; rc=$?
step "example: tampered token exits 1 with the error name and status" \
    bash -c "[ $rc -eq 1 ] && grep -q '^bad_signature 401' <<<'$out'"
out="$(AUTHCTL_SECRET="$DEMO_SECRET" "$BUILD/example" "Basic abc" 192.168.2.5)"; rc=$?
step "example: no bearer token exits 1" test "$rc" -eq 1
out="$(env -u AUTHCTL_SECRET "$BUILD/example" "$header" 192.168.2.5 2>&1)"; rc=$?
step "example HEADER IP without \$AUTHCTL_SECRET: exit 2 naming the variable" \
    bash -c "[ $rc -eq 2 ] && grep -q 'set AUTHCTL_SECRET' <<<'$out'"

echo "== README quick start"
step "quick-start compile line" cc bindings/c/example.c -I include -L "$LIBDIR" -lauth_core \
    -Wl,-rpath,"$LIBDIR" -o "$BUILD/quickstart"
step "quick-start program runs" bash -c "\"$BUILD/quickstart\" >/dev/null"
step "static quick-start compile line" cc bindings/c/example.c -I include "$LIBDIR/libauth_core.a" \
    -lpthread -ldl -lm -lrt -lgcc_s -o "$BUILD/quickstart_static"
step "static quick-start program runs" bash -c "\"$BUILD/quickstart_static\" >/dev/null"

echo "== make install"
PREFIX="$BUILD/prefix"
step "make install PREFIX=..." make -s -C "$HERE" install PREFIX="$PREFIX" LIBDIR="$LIBDIR"
for f in lib/libauth_core.so lib/libauth_core.a include/auth_core.h lib/pkgconfig/auth_core.pc; do
    step "installed $f" test -f "$PREFIX/$f"
done
step "installed .pc has the prefix and version" grep -q "^prefix=$PREFIX\$" "$PREFIX/lib/pkgconfig/auth_core.pc"
step "a non-system prefix: the .pc file's Libs carry -Wl,-rpath,\${libdir}" \
    grep -q '^Libs: -L${libdir} -lauth_core -Wl,-rpath,${libdir}$' "$PREFIX/lib/pkgconfig/auth_core.pc"
out="$(make -s -C "$HERE" install PREFIX=/usr/local DESTDIR="$BUILD/stage" LIBDIR="$LIBDIR" 2>&1)"; rc=$?
step "DESTDIR staging for /usr/local: installs, says ldconfig is not run" \
    bash -c "[ $rc -eq 0 ] && grep -q 'not running ldconfig' <<<'$out' && test -f '$BUILD/stage/usr/local/lib/libauth_core.so'"
step "a system prefix: no rpath in the .pc file (ldconfig's job)" \
    grep -q '^Libs: -L${libdir} -lauth_core$' "$BUILD/stage/usr/local/lib/pkgconfig/auth_core.pc"
rm -rf "$BUILD/stage"
if command -v pkg-config >/dev/null; then
    flags="$(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" pkg-config --cflags --libs auth_core)"
    step "pkg-config build against the installed copy (nothing but pkg-config's flags)" \
        cc bindings/c/example.c $flags -o "$BUILD/pc_example"
    step "it needs the installed library" bash -c "readelf -d '$BUILD/pc_example' | grep -q 'R.*PATH.*\[$PREFIX/lib\]'"
    step "pkg-config build runs without LD_LIBRARY_PATH (the demo and a checked header)" \
        bash -c "env -u LD_LIBRARY_PATH '$BUILD/pc_example' >/dev/null && env -u LD_LIBRARY_PATH AUTHCTL_SECRET='$DEMO_SECRET' '$BUILD/pc_example' '$header' 192.168.2.5 >/dev/null"
else
    echo "     (pkg-config not installed: building with the .pc file's flags by hand)"
    step "build against the installed copy" cc bindings/c/example.c -I"$PREFIX/include" -L"$PREFIX/lib" \
        -lauth_core -Wl,-rpath,"$PREFIX/lib" -o "$BUILD/pc_example"
    step "installed build runs" bash -c "\"$BUILD/pc_example\" >/dev/null"
fi

echo "C suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
