"""The type stubs are complete and match the runtime (mypy.stubtest), and the package
type-checks strictly."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import auth_core

PACKAGE = Path(auth_core.__file__).resolve().parent
STUB = PACKAGE / "_native.pyi"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPY_CACHE_DIR=str(Path(__file__).resolve().parent.parent / ".mypy_cache"))
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, cwd=PACKAGE.parent.parent)


def test_stubtest_finds_no_difference() -> None:
    # No allowlist: every runtime name is in the stub with the same signature.
    result = _run("mypy.stubtest", "auth_core")
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_type_checks_strictly() -> None:
    result = _run("mypy", "--strict", "-p", "auth_core")
    assert result.returncode == 0, result.stdout + result.stderr


def test_stub_declares_a_class_for_every_error_code() -> None:
    tree = ast.parse(STUB.read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for code in auth_core.ERROR_CODES:
        name = auth_core.error_class(code).__name__
        assert name in classes, f"{name} missing from _native.pyi"
        base = auth_core.error_class(code).__bases__[0].__name__
        assert [ast.unparse(b) for b in classes[name].bases] == [base]


def test_py_typed_marker_is_shipped() -> None:
    assert (PACKAGE / "py.typed").is_file()
