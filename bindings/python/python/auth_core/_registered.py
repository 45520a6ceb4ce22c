"""The native module's registered-profile claims class under the name of its type stub
(``_registered.pyi``, kept apart from ``_native.pyi``; mypy.stubtest checks the two against
this module). Import it from ``auth_core``."""

from ._native import RegisteredClaims

__all__ = ["RegisteredClaims"]
