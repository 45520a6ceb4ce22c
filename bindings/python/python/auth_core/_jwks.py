"""The native module's JWKS client (docs/jwks.md) under the name of its type stub
(``_jwks.pyi``, kept apart from ``_native.pyi`` so that each stub stays readable;
mypy.stubtest checks the two against this module). Import them from ``auth_core``."""

from ._native import JwksClient

__all__ = ["JwksClient"]
