"""Shared fixtures of the auth_core test suite."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import auth_core

REPO_ROOT = Path(__file__).resolve().parents[3]
VECTORS = REPO_ROOT / "tests" / "vectors"
SECRET = b"0123456789abcdef0123456789abcdef"
NOW = 1_700_000_000


def load_vectors(name: str) -> Any:
    path = VECTORS / name
    assert path.is_file(), f"shared test vectors missing: {path}"
    return json.loads(path.read_text(encoding="utf-8"))


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ring_from_vectors(spec: dict[str, Any]) -> auth_core.KeyRing:
    ring = auth_core.KeyRing()
    for key in spec["keys"]:
        ring.add(key["kid"], b64url_decode(key["secret"]), key["alg"])
    if spec.get("default_kid") is not None:
        ring.default_kid = spec["default_kid"]
    return ring


@pytest.fixture
def ring() -> auth_core.KeyRing:
    return auth_core.KeyRing.single("k1", SECRET)


@pytest.fixture
def issuer(ring: auth_core.KeyRing) -> auth_core.Issuer:
    return auth_core.Issuer(ring)


@pytest.fixture
def verifier(ring: auth_core.KeyRing) -> auth_core.Verifier:
    return auth_core.Verifier(ring)
