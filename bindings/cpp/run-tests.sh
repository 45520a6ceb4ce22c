#!/usr/bin/env bash
# Runs the C++ suite of auth-core (include/auth_core.hpp) and the install/CMake checks:
#   - builds libauth_core (release) with cargo, honouring CARGO_TARGET_DIR;
#   - checks the shared library's SONAME;
#   - builds tests/test_auth.cpp (with test_http.cpp: the HTTP edge; test_algorithms.cpp:
#     asymmetric keys from PEM) and example.cpp with g++ -std=c++17 -Wall -Wextra -Werror
#     -pedantic, runs the suite (incl. every tokens.json vector through the C API and the
#     wrapper) against the shared library, the static archive, under AddressSanitizer+UBSan
#     and under valgrind, and runs the service example;
#   - `make -C bindings/c install` into a temporary prefix (CARGO_TARGET_DIR honoured, also
#     relative), checks the versioned files and symlinks, builds the C example with
#     `pkg-config` (shared) and `pkg-config --static` (the archive), and configures and
#     builds the CMake consumer project (cmake-consumer/) against auth_core::auth_core and
#     auth_core::auth_core_static, then runs what it built.
# Needs: cargo, g++, make, python3, valgrind, readelf; cmake and pkg-config are installed
# with apt-get when missing. Exits non-zero on any failure; the last line is "C++ suite: N passed, M failed".
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/bindings/c/suite-lib.sh"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/auth-cpp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"

for tool in g++ python3 valgrind make readelf; do
    command -v "$tool" >/dev/null || { echo "$tool is required"; exit 2; }
done
# cmake and pkg-config are not on every fresh machine: install them from apt when missing.
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; }
    for tool in cmake pkg-config; do
        command -v "$tool" >/dev/null || { echo "$tool is required and could not be installed"; exit 2; }
    done
fi

echo "== building libauth_core (release)"
if ! cargo build --release -p auth-ffi --quiet; then echo "cargo build failed"; exit 1; fi
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
MAJOR="${VERSION%%.*}"; MINOR="${VERSION#*.}"; MINOR="${MINOR%%.*}"
if [ "$MAJOR" = 0 ]; then SOVERSION="0.$MINOR"; else SOVERSION="$MAJOR"; fi
SONAME="libauth_core.so.$SOVERSION"
soname_of() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p'; }
needed_of() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'; }
step "libauth_core.so has SONAME $SONAME" test "$(soname_of "$LIBDIR/libauth_core.so")" = "$SONAME"
step "the SONAME link sits beside the built library" test "$(readlink "$LIBDIR/$SONAME")" = libauth_core.so

echo "== building the C++ programs (g++ -std=c++17 -Wall -Wextra -Werror -pedantic)"
CXX="${CXX:-g++}"
CXXFLAGS=(-std=c++17 -O1 -g -Wall -Wextra -Werror -pedantic -I include -pthread)
SHARED=(-L "$LIBDIR" -lauth_core -Wl,-rpath,"$LIBDIR")
STATIC=("$LIBDIR/libauth_core.a" -lpthread -ldl -lm -lrt -lgcc_s)
SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
B="$TMP/build"; mkdir -p "$B"
# The sanitizer build compiles in the background (two cores) while the plain objects are
# compiled once and linked twice: against the shared library and against the archive.
TESTS=(bindings/cpp/tests/test_auth.cpp bindings/cpp/tests/second_tu.cpp bindings/cpp/tests/test_http.cpp
       bindings/cpp/tests/test_algorithms.cpp)
( "$CXX" "${CXXFLAGS[@]}" "${SAN[@]}" -o "$B/test_auth_cpp_asan" "${TESTS[@]}" "${SHARED[@]}" > "$B/asan.log" 2>&1
  echo $? > "$B/asan.rc" ) &
asan_job=$!
compile_objects() {
    "$CXX" "${CXXFLAGS[@]}" -c -o "$B/test_auth.o" "${TESTS[0]}" && "$CXX" "${CXXFLAGS[@]}" -c -o "$B/second_tu.o" "${TESTS[1]}" \
        && "$CXX" "${CXXFLAGS[@]}" -c -o "$B/test_http.o" "${TESTS[2]}" \
        && "$CXX" "${CXXFLAGS[@]}" -c -o "$B/test_algorithms.o" "${TESTS[3]}"
}
OBJS=("$B/test_auth.o" "$B/second_tu.o" "$B/test_http.o" "$B/test_algorithms.o")
step "test_auth.cpp, second_tu.cpp, test_http.cpp, test_algorithms.cpp compiled" compile_objects
step "test_auth_cpp linked (shared)" "$CXX" -pthread -o "$B/test_auth_cpp" "${OBJS[@]}" "${SHARED[@]}"
step "test_auth_cpp linked (static)" "$CXX" -pthread -o "$B/test_auth_cpp_static" "${OBJS[@]}" "${STATIC[@]}"
step "test_auth_cpp_static does not need libauth_core" bash -c "! readelf -d '$B/test_auth_cpp_static' | grep -q 'NEEDED.*libauth_core'"
step "example (shared)" "$CXX" "${CXXFLAGS[@]}" -o "$B/example" bindings/cpp/example.cpp "${SHARED[@]}"
printf '#include "auth_core.hpp"\nint main() { return auth::version().empty(); }\n' > "$B/header_only.cpp"
step "auth_core.hpp alone is clean under -Wconversion -Wsign-conversion -Wshadow -Wold-style-cast" \
    "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -Wshadow -Wold-style-cast \
    -I include -fsyntax-only "$B/header_only.cpp"
step "the suite also compiles as C++20" "$CXX" -std=c++20 -Wall -Wextra -Werror -pedantic -I include -fsyntax-only \
    bindings/cpp/tests/test_auth.cpp bindings/cpp/tests/test_http.cpp bindings/cpp/tests/test_algorithms.cpp
out="$(echo '#include "auth_core.hpp"' | "$CXX" -std=c++14 -I include -x c++ -fsyntax-only - 2>&1)"
first_error="$(grep -m1 'error:' <<<"$out")"
step "-std=c++14: the first error is '#error \"auth_core.hpp needs C++17 or later\"'" \
    grep -q '#error "auth_core.hpp needs C++17 or later"$' <<<"$first_error"
step "-std=c++14: no cascade after it (one error)" test "$(grep -c 'error:' <<<"$out")" -eq 1
out="$(echo '#include "auth_core.hpp"' | "$CXX" -std=c++17 -fno-exceptions -I include -x c++ -fsyntax-only - 2>&1)"
step "-fno-exceptions: compile error naming the C API" grep -q 'use auth_core.h directly' <<<"$out"
wait "$asan_job"
step "test_auth_cpp (ASan+UBSan) compiled" bash -c "[ \"\$(cat '$B/asan.rc')\" = 0 ] || { cat '$B/asan.log'; false; }"
python3 bindings/c/tests/flatten_vectors.py tests/vectors "$B/vectors.txt" && ok "vectors flattened" || bad "vectors flattened"

run_suite() { # name, then the command
    local name="$1"; shift
    local out="$B/$name.out"
    if "$@" "$B/vectors.txt" > "$out" 2>&1; then ok "$name exit status"; else bad "$name exit status"; grep -E 'FAIL|ERROR|Sanitizer|runtime error' "$out" | head -n 20; fi
    grep -E '^vectors:' "$out" | sed 's/^/     /'
    tally "$out" "$name"
}
echo "== C++ suite: shared library"
run_suite test_auth_cpp "$B/test_auth_cpp"
echo "== C++ suite: static archive"
run_suite test_auth_cpp_static "$B/test_auth_cpp_static"
echo "== C++ suite: AddressSanitizer + UBSan (leak detection on)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite test_auth_cpp_asan "$B/test_auth_cpp_asan"
echo "== C++ suite: valgrind"
run_suite test_auth_cpp_valgrind valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible "$B/test_auth_cpp"

echo "== C++ service example"
out="$("$B/example")"; rc=$?
step "example demo exits 0" test "$rc" -eq 0
step "example: accepted request answers 200 with the user" grep -q '^200 {"user": 123, "claims": {"type":"user"' <<<"$out"
step "example: tampered token answers 401 bad_signature" grep -q '^401 .*"error": "bad_signature"' <<<"$out"
step "example: logout revokes" grep -q '^401 .*"error": "token_revoked"' <<<"$out"
header="$(sed -n 's/^Authorization: //p' <<<"$out")"
out="$(AUTHCTL_SECRET="demo secret: at least 32 bytes long!" "$B/example" "$header" 192.168.2.5)"; rc=$?
step "example HEADER IP with the demo's \$AUTHCTL_SECRET: accepted (exit 0)" bash -c "[ $rc -eq 0 ] && grep -q '^200 ' <<<'$out'"
out="$(env -u AUTHCTL_SECRET "$B/example" "$header" 192.168.2.5 2>&1)"; rc=$?
step "example HEADER IP without \$AUTHCTL_SECRET: exit 2 naming the variable" \
    bash -c "[ $rc -eq 2 ] && grep -q 'set AUTHCTL_SECRET' <<<'$out'"
out="$(AUTHCTL_SECRET="another secret that is long enough!!" "$B/example" "$header" 192.168.2.5)"; rc=$?
step "example HEADER IP with another \$AUTHCTL_SECRET: 401 bad_signature, exit 1" \
    bash -c "[ $rc -eq 1 ] && grep -q '^401 .*bad_signature' <<<'$out'"

echo "== make install (CARGO_TARGET_DIR honoured)"
PREFIX="$TMP/prefix"
step "CARGO_TARGET_DIR=<absolute> make -C bindings/c install PREFIX=..." \
    env CARGO_TARGET_DIR="$TARGET_DIR" make -s -C bindings/c install PREFIX="$PREFIX"
REL_TARGET="$(realpath --relative-to="$ROOT" "$TARGET_DIR")"
step "CARGO_TARGET_DIR=$REL_TARGET (relative to the workspace, as cargo reads it) installs too" \
    env CARGO_TARGET_DIR="$REL_TARGET" make -s -C bindings/c install PREFIX="$TMP/prefix-rel"
step "the relative install is the same library" cmp "$PREFIX/lib/libauth_core.a" "$TMP/prefix-rel/lib/libauth_core.a"
out="$(env CARGO_TARGET_DIR="$TMP/nothing" make -s -C bindings/c install PREFIX="$TMP/p2" 2>&1)"; rc=$?
step "install without a built library: non-zero exit naming cargo build" bash -c "[ $rc -ne 0 ] && grep -q 'cargo build --release -p auth-ffi' <<<'$out'"
L="$PREFIX/lib"
for f in "lib/libauth_core.so.$VERSION" lib/libauth_core.a include/auth_core.h include/auth_core.hpp \
         lib/pkgconfig/auth_core.pc lib/pkgconfig/auth_core-static.pc \
         lib/cmake/auth_core/auth_coreConfig.cmake lib/cmake/auth_core/auth_coreConfigVersion.cmake; do
    step "installed $f" test -f "$PREFIX/$f" -a ! -L "$PREFIX/$f"
done
step "lib/$SONAME -> libauth_core.so.$VERSION" test "$(readlink "$L/$SONAME")" = "libauth_core.so.$VERSION"
step "lib/libauth_core.so -> $SONAME" test "$(readlink "$L/libauth_core.so")" = "$SONAME"
step "installed library's SONAME is $SONAME" test "$(soname_of "$L/libauth_core.so.$VERSION")" = "$SONAME"
step "installed headers are the repository's" bash -c "cmp include/auth_core.h '$PREFIX/include/auth_core.h' && cmp include/auth_core.hpp '$PREFIX/include/auth_core.hpp'"

echo "== pkg-config"
export PKG_CONFIG_PATH="$L/pkgconfig"
step "pkg-config --modversion is $VERSION" test "$(pkg-config --modversion auth_core)" = "$VERSION"
static_libs="$(pkg-config --static --libs auth_core)"
for l in -lpthread -ldl -lm; do step "pkg-config --static --libs auth_core lists $l" grep -qw -- "$l" <<<"$static_libs"; done
step "pkg-config --libs auth_core (shared) does not list them" bash -c "! pkg-config --libs auth_core | grep -qw -- -ldl"
step "C example via pkg-config (shared)" \
    cc bindings/c/example.c $(pkg-config --cflags --libs auth_core) -o "$B/pc_shared"
step "it needs $SONAME at run time" bash -c "readelf -d '$B/pc_shared' | grep -q 'NEEDED.*\[$SONAME\]'"
step "it runs without LD_LIBRARY_PATH (the .pc file's rpath)" bash -c "env -u LD_LIBRARY_PATH '$B/pc_shared' >/dev/null"
step "C example via pkg-config --static auth_core-static (the archive)" \
    cc bindings/c/example.c $(pkg-config --static --cflags --libs auth_core-static) -o "$B/pc_static"
step "it does not need libauth_core at run time" bash -c "! readelf -d '$B/pc_static' | grep -q 'NEEDED.*libauth_core'"
step "it runs" bash -c "'$B/pc_static' >/dev/null"
step "C++ example via pkg-config --static auth_core-static" \
    "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic bindings/cpp/example.cpp $(pkg-config --static --cflags --libs auth_core-static) -o "$B/pc_static_cpp"
step "it runs" bash -c "'$B/pc_static_cpp' >/dev/null"
unset PKG_CONFIG_PATH

echo "== CMake package (find_package(auth_core CONFIG))"
cmake_build() { # name, extra configure args...
    local name="$1"; shift
    local dir="$TMP/cmake-$name"
    cmake -S bindings/cpp/cmake-consumer -B "$dir" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release "$@" \
        > "$TMP/cmake-$name.configure" 2>&1 && cmake --build "$dir" > "$TMP/cmake-$name.build" 2>&1 \
        || { cat "$TMP/cmake-$name.configure" "$TMP/cmake-$name.build" 2>/dev/null | tail -n 30; return 1; }
}
step "configure + build against auth_core::auth_core (shared)" cmake_build shared
step "shared: service_example needs $SONAME" bash -c "readelf -d '$TMP/cmake-shared/service_example' | grep -q 'NEEDED.*\[$SONAME\]'"
step "shared: service_example runs" bash -c "'$TMP/cmake-shared/service_example' >/dev/null"
step "shared: c_example runs" bash -c "'$TMP/cmake-shared/c_example' >/dev/null"
step "configure + build against auth_core::auth_core_static" cmake_build static -DAUTH_CORE_LINK_STATIC=ON
step "static: service_example does not need libauth_core" bash -c "! readelf -d '$TMP/cmake-static/service_example' | grep -q 'NEEDED.*libauth_core'"
step "static: service_example runs" bash -c "'$TMP/cmake-static/service_example' >/dev/null"
step "static: c_example runs" bash -c "'$TMP/cmake-static/c_example' >/dev/null"
cmake_libs="$(sed -n 's/^-- auth_core static link libraries: //p' "$TMP/cmake-static.configure" | tr ';' ' ')"
pc_libs="$(PKG_CONFIG_PATH="$L/pkgconfig" pkg-config --static --libs-only-l auth_core | sed 's/-lauth_core//; s/-l//g' | xargs)"
step "CMake static INTERFACE_LINK_LIBRARIES ($cmake_libs) = pkg-config --static ($pc_libs)" test "$(xargs <<<"$cmake_libs")" = "$pc_libs"
step "find_package(auth_core 0.1) accepted" grep -q "auth_core $VERSION found" "$TMP/cmake-shared.configure"
mkdir -p "$TMP/vcheck"
cat > "$TMP/vcheck/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(vcheck NONE)
find_package(auth_core 99.0 CONFIG QUIET)
if(auth_core_FOUND)
  message(FATAL_ERROR "a newer major version was accepted")
endif()
EOF
step "find_package(auth_core 99.0) is refused by the version file" \
    bash -c "cmake -S '$TMP/vcheck' -B '$TMP/vcheck/b' -DCMAKE_PREFIX_PATH='$PREFIX' >/dev/null 2>&1"
step "relocated prefix still works (paths come from the config file's location)" \
    bash -c "cp -a '$PREFIX' '$TMP/moved' && cmake -S bindings/cpp/cmake-consumer -B '$TMP/cmake-moved' -DCMAKE_PREFIX_PATH='$TMP/moved' -DAUTH_CORE_LINK_STATIC=ON >/dev/null 2>&1 && cmake --build '$TMP/cmake-moved' >/dev/null 2>&1 && '$TMP/cmake-moved/service_example' >/dev/null"

echo "C++ suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
