#!/usr/bin/env bash
# The Python suite: creates (or reuses) a virtual environment, installs the test tools,
# builds and installs the auth_core wheel the way users do (`pip install ./bindings/python`,
# maturin backend), and runs pytest (which includes mypy.stubtest). Needs python3 (>= 3.9)
# with pip and venv, and a Rust toolchain. Exits non-zero on any failure.
#
# Environment: PYTHON (default python3), AUTH_PY_VENV (default bindings/python/.venv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
venv="${AUTH_PY_VENV:-$here/.venv}"

if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating $venv"
  "$python" -m venv "$venv"
fi
py="$venv/bin/python"
export PATH="$venv/bin:$PATH"  # the maturin build backend runs the `maturin` executable
echo "==> installing the Python test tools into $venv (pip; a minute or two the first time)"
"$py" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$py" -m pip install --quiet --disable-pip-version-check "maturin>=1.7,<2" "pytest>=7" "pyjwt[crypto]>=2.8" "cryptography>=42" "mypy>=1.10"
# Test-only: the frameworks the integrations (auth_core.asgi/wsgi/fastapi/flask) are tested
# with. The package itself depends on none of them (extras `fastapi`, `flask`).
"$py" -m pip install --quiet --disable-pip-version-check "flask>=2.3" "fastapi>=0.100" "httpx>=0.24" "uvicorn>=0.22" "gunicorn>=22"

echo "==> building and installing auth_core (pip install ./bindings/python)"
# Build isolation is off only to reuse the maturin just installed (no second download);
# the build itself is the one `pip install ./bindings/python` runs.
"$py" -m pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps "$root/bindings/python"

echo "==> pytest"
cd "$here"
# Run against the installed wheel, not the source tree (python/auth_core has no _native).
exec "$py" -m pytest -p no:cacheprovider -q tests "$@"
