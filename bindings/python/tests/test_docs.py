"""The README's quick start runs as written, and so does the example."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent


def run_python_blocks(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{readme} has no python block"
    for block in blocks:
        exec(compile(block, str(readme), "exec"), {"__name__": "readme"})


def test_readme_python_blocks_run() -> None:
    run_python_blocks(HERE / "README.md")


def test_top_level_readme_python_quick_start_runs() -> None:
    run_python_blocks(HERE.parent.parent / "README.md")


def test_flask_like_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTHCTL_SECRET", "an example secret of 32+ bytes!!")
    module = runpy.run_path(str(HERE / "examples" / "flask_like.py"))
    issuer, handle, logout = module["ISSUER"], module["handle_request"], module["handle_logout"]
    token = issuer.mint_user(9, "zoe").token
    assert handle(f"Bearer {token}", "203.0.113.1") == (200, {"user": {"id": 9, "name": "zoe", "admin": False}})
    status, body = handle("Bearer x.y.z", "203.0.113.1")
    assert status == 401 and body["error"]["code"] == "malformed_token"
    status, body = handle(f"Bearer {token}", "not an ip")
    assert status == 400 and body["error"]["code"] == "invalid_ip_address"
    assert logout(f"Bearer {token}", "203.0.113.1")[0] == 200
    assert handle(f"Bearer {token}", "203.0.113.1")[1]["error"]["code"] == "token_revoked"
    out = subprocess.run([sys.executable, str(HERE / "examples" / "flask_like.py")],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, AUTHCTL_SECRET="an example secret of 32+ bytes!!")).stdout
    assert "ip_not_allowed" in out and "token_revoked" in out
