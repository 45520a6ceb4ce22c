"""Type stubs of auth_core._native's JWKS client (docs/jwks.md), re-exported by _native.pyi
(kept apart so that each stub stays readable). The runtime objects live in auth_core._native;
auth_core._jwks re-exports them for mypy.stubtest."""

import os
from datetime import timedelta
from typing import Any, Literal, Optional, Union, final

from ._native import (
    AuthError,
    KeyRing,
    ScopeVocabulary,
    Verifier,
    _Claims,
    _Ip,
    _Required,
    _Revocation,
    _Seconds,
    _Time,
    _Token,
)

__all__ = ["JwksClient"]

@final
class JwksClient:
    def __new__(
        cls,
        url: str,
        *,
        cache_seconds: Optional[_Seconds] = None,
        cooldown_seconds: Optional[_Seconds] = None,
        timeout: Optional[_Seconds] = None,
        deadline: Optional[_Seconds] = None,
        max_bytes: Optional[int] = None,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        allow_http: bool = False,
        honour_cache_control: bool = True,
    ) -> JwksClient: ...
    @property
    def url(self) -> str: ...
    @property
    def ring(self) -> KeyRing: ...
    def verifier(
        self,
        *,
        leeway: Optional[Union[int, timedelta]] = None,
        max_clock_skew: Optional[Union[int, timedelta]] = None,
        max_token_size: Optional[int] = None,
        revocation: Optional[_Revocation] = None,
        audience: Union[str, list[str], None] = None,
        issuer: Optional[str] = None,
        vocabulary: Optional[ScopeVocabulary] = None,
        profile: Optional[Literal["seeds", "registered"]] = None,
        required_claims: Optional[list[str]] = None,
    ) -> Verifier: ...
    def verify(
        self,
        token: _Token,
        *,
        now: Optional[_Time] = None,
        client_ip: Optional[_Ip] = None,
        revocation: Optional[_Revocation] = None,
        scopes: _Required = None,
    ) -> _Claims: ...
    def refresh(self) -> None: ...
    @property
    def last_error(self) -> Optional[AuthError]: ...
    @property
    def status(self) -> dict[str, Any]: ...
