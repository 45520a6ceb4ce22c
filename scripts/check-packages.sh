#!/usr/bin/env bash
# Release checks: what is published builds the way its ecosystem expects.
#
#   1. rust-version is honest (scripts/check-rust-version.sh)
#   2. the C library exports exactly bindings/c/abi/symbols.txt (bindings/c/abi/check.sh)
#   3. crates: `cargo package` of the publishable crates (auth-core, auth-redis, auth-jwks, auth-server, auth-cli), built from
#      the packaged sources
#   4. Python: `maturin build --release` wheel and `maturin sdist`; `auditwheel show`
#      (manylinux tag, abi3), `twine check`, the sdist's contents, and the wheel FILE
#      installed into a fresh venv where a mint/verify round trip runs
#   5. C: the versioned tarball auth-core-<version>/{lib,include,lib/pkgconfig[,lib/cmake]}
#      from `make -C bindings/c install`, its listing checked, and a program compiled with
#      pkg-config against the unpacked tarball
#
# Tools (maturin, twine, auditwheel) go into a venv of their own under
# $CARGO_TARGET_DIR/release-checks (target/release-checks by default), never system-wide.
# Outputs: $CARGO_TARGET_DIR/release-checks/dist. Exit non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
work="$target/release-checks"
dist="$work/dist"
python="${PYTHON:-python3}"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

say() { printf -- '--> %s\n' "$*"; }
fail() { printf 'check-packages: %s\n' "$*" >&2; exit 1; }

rm -rf "$dist"
mkdir -p "$dist"

say "rust-version"
bash scripts/check-rust-version.sh

say "C ABI symbol list"
bash bindings/c/abi/check.sh

say "cargo package (auth-core, auth-redis, auth-jwks, auth-server, auth-cli)"
# auth-cli depends on the unpublished auth-core, auth-redis, auth-jwks and auth-server: cargo (>= 1.90)
# packages them together, resolving auth-cli's dependencies to the packages it just made.
# --allow-dirty: this checks that the sources package and build, not that they are committed.
#
# cargo serves the packages it just made from a temporary local registry under
# $target/package/tmp-registry. Cargo treats a registry's packages as immutable: it reuses a copy
# already unpacked into $CARGO_HOME/registry/src/-<hash of that path>/ without comparing it to the
# new .crate, and a build of it already in $target without looking at its sources. A checkout at
# the same path (a CI machine's, or this one packaged twice) would verify auth-redis against the
# auth-core of an earlier run. None of these crates comes from a real registry, so every unpacked
# copy under a local registry's directory ("-<hash>") is one of ours: remove those and the build
# fingerprints of these crates (the workspace's own builds of them are redone, once).
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
for crate in auth-core auth-redis auth-jwks auth-server auth-cli; do
  rm -rf "$cargo_home"/registry/src/-*/"$crate-$version" "$target"/debug/.fingerprint/"$crate"-*
done
cargo package --locked --allow-dirty -p auth-core -p auth-redis -p auth-jwks -p auth-server -p auth-cli --quiet
for crate in auth-core auth-redis auth-jwks auth-server auth-cli; do
  crate_file="$target/package/$crate-$version.crate"
  [ -f "$crate_file" ] || fail "missing $crate_file"
  listing=$(tar tzf "$crate_file")
  for f in Cargo.toml Cargo.toml.orig README.md src/lib.rs src/main.rs; do
    case "$crate:$f" in auth-core:src/main.rs|auth-redis:src/main.rs|auth-jwks:src/main.rs|auth-server:src/main.rs|auth-cli:src/lib.rs) continue ;; esac
    grep -qx "$crate-$version/$f" <<<"$listing" || fail "$crate_file lacks $f"
  done
done

say "Python tools venv"
tools="$work/tools-venv"
if [ ! -x "$tools/bin/python" ]; then
  "$python" -m venv "$tools"
fi
"$tools/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.7,<2" twine auditwheel

say "maturin build --release / maturin sdist"
(cd bindings/python && "$tools/bin/maturin" build --release --locked --quiet --out "$dist" \
  && "$tools/bin/maturin" sdist --out "$dist") >"$work/maturin.log" 2>&1 || { cat "$work/maturin.log"; fail "maturin failed"; }
shopt -s nullglob
wheels=("$dist"/auth_core-"$version"-*.whl)
sdists=("$dist"/auth_core-"$version".tar.gz)
shopt -u nullglob
[ "${#wheels[@]}" -eq 1 ] || fail "expected one wheel in $dist, found ${#wheels[@]}"
[ "${#sdists[@]}" -eq 1 ] || fail "expected one sdist auth_core-$version.tar.gz in $dist"
wheel="${wheels[0]}"; sdist="${sdists[0]}"
case "$(basename "$wheel")" in
  *-cp39-abi3-manylinux*) ;;
  *) fail "wheel $(basename "$wheel") is not tagged cp39-abi3-manylinux*" ;;
esac
# auditwheel wraps its text: join the lines before matching.
show=$("$tools/bin/auditwheel" show "$wheel" | tr -s '\n ' '  ')
grep -q 'is consistent with the following platform tag: "manylinux_' <<<"$show" || { echo "$show"; fail "auditwheel: not a manylinux wheel"; }
wheel_tags=$("$tools/bin/python" -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
name = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
print(" ".join(l.split(":", 1)[1].strip() for l in z.read(name).decode().splitlines() if l.startswith("Tag:")))' "$wheel")
case " $wheel_tags " in
  *" cp39-abi3-manylinux_"*) ;;
  *) fail "wheel metadata tags '$wheel_tags' lack cp39-abi3-manylinux_*" ;;
esac
"$tools/bin/twine" check --strict "$wheel" "$sdist"
sdist_listing=$(tar tzf "$sdist")
for f in pyproject.toml PKG-INFO python/auth_core/__init__.py python/auth_core/_native.pyi \
         python/auth_core/py.typed crates/auth-core/Cargo.toml crates/auth-py/Cargo.toml Cargo.lock; do
  grep -q "^auth_core-$version/\(.*/\)\?$f\$" <<<"$sdist_listing" || fail "sdist lacks $f"
done

# The sdist is a workspace of its own (auth-core + auth-py): it must resolve from its
# Cargo.lock without the network and without any new or changed package (pip builds it
# without --locked; the lock file may only lose the packages of the left-out crates).
# Building it fully takes as long as the wheel; done by hand before a release:
#   tar xzf dist/auth_core-<v>.tar.gz && cd auth_core-<v> && maturin build --release --offline
unpacked_sdist="$work/sdist-unpacked"
rm -rf "$unpacked_sdist"; mkdir -p "$unpacked_sdist"
tar -C "$unpacked_sdist" -xzf "$sdist"
sroot="$unpacked_sdist/auth_core-$version"
cp "$sroot/Cargo.lock" "$work/sdist-Cargo.lock.orig"
cargo metadata --format-version 1 --offline --manifest-path "$sroot/Cargo.toml" >/dev/null
"$python" - "$work/sdist-Cargo.lock.orig" "$sroot/Cargo.lock" <<'PY'
import re, sys
def pkgs(path):
    text = open(path).read()
    return set(re.findall(r'^name = "([^"]+)"\nversion = "([^"]+)"', text, re.M))
before, after = pkgs(sys.argv[1]), pkgs(sys.argv[2])
new = sorted(after - before)
if new:
    sys.exit(f"the sdist's Cargo.lock resolves to packages the repository's lock does not pin: {new}")
print(f"sdist resolves offline: {len(after)} locked packages, none new")
PY

say "install the wheel file into a fresh venv"
fresh="$work/fresh-venv"
rm -rf "$fresh"
"$python" -m venv "$fresh"
"$fresh/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
(cd "$work" && "$fresh/bin/python" - <<'PY'
import auth_core
from auth_core import Issuer, KeyRing, Verifier

ring = KeyRing.single("k1", bytes(range(32)))
minted = Issuer(ring).mint_user(7, "rita", allowed_ips=["192.168.2.0/24"], now=1_700_000_000)
claims = Verifier(ring).verify(minted.token, now=1_700_000_060, client_ip="192.168.2.7")
assert (claims.id, claims.name, claims.jti) == (7, "rita", minted.token_id)
try:
    Verifier(ring).verify(minted.token, now=1_700_000_060, client_ip="10.0.0.1")
except auth_core.IpNotAllowed:
    pass
else:
    raise AssertionError("a token restricted to 192.168.2.0/24 verified from 10.0.0.1")
assert auth_core.__file__.startswith(__import__("sys").prefix), auth_core.__file__
print("wheel round trip ok:", auth_core.__file__)
PY
)

say "C tarball auth-core-$version"
stage="$work/c-stage"
rm -rf "$stage"
make -C bindings/c --no-print-directory install PREFIX="$stage/auth-core-$version" >/dev/null
pc="$stage/auth-core-$version/lib/pkgconfig/auth_core.pc"
[ -f "$pc" ] || fail "make install wrote no $pc"
# Relocatable: the tarball can be unpacked anywhere, so the prefix is the .pc file's place.
sed -i 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$pc"
tarball="$dist/auth-core-$version-linux-$(uname -m).tar.gz"
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$tarball" "auth-core-$version"
listing=$(tar tzf "$tarball" | sed 's|/$||' | LC_ALL=C sort)
for f in lib lib/libauth_core.so lib/libauth_core.a include include/auth_core.h lib/pkgconfig lib/pkgconfig/auth_core.pc; do
  grep -qx "auth-core-$version/$f" <<<"$listing" || fail "$tarball lacks $f"
done
if [ -d bindings/c/cmake ] || grep -q cmake bindings/c/Makefile; then
  grep -q "^auth-core-$version/lib/cmake/" <<<"$listing" || fail "$tarball lacks lib/cmake/"
fi
unexpected=$(grep -v "^auth-core-$version\(/\(lib\|include\)\(/.*\)\?\)\?$" <<<"$listing" || true)
[ -z "$unexpected" ] || fail "unexpected entries in $tarball: $unexpected"
# Unpack elsewhere and build a program from it with pkg-config alone.
unpack="$work/c-unpack"
rm -rf "$unpack"; mkdir -p "$unpack"
tar -C "$unpack" -xzf "$tarball"
cat > "$unpack/version.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "auth_core.h"
int main(void) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", AUTH_CORE_VERSION_MAJOR, AUTH_CORE_VERSION_MINOR, AUTH_CORE_VERSION_PATCH);
    const char *got = auth_version();
    printf("libauth_core %s\n", got);
    return strcmp(got, want) == 0 ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$unpack/auth-core-$version/lib/pkgconfig"
if command -v pkg-config >/dev/null; then
  flags=$(pkg-config --cflags --libs auth_core)
else
  flags="-I$unpack/auth-core-$version/include -L$unpack/auth-core-$version/lib -lauth_core"
fi
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror "$unpack/version.c" $flags -Wl,-rpath,"$unpack/auth-core-$version/lib" -o "$unpack/version"
"$unpack/version"

say "packages ok: $(cd "$dist" && ls | tr '\n' ' ')"
