"""The native module's scope classes and OAuth endpoint helpers under the name of their type
stub (``_scopes.pyi``, kept apart from ``_native.pyi`` so that each stub stays readable;
mypy.stubtest checks the two against this module). Import them from ``auth_core``."""

from ._native import (
    MAX_SCOPE_CHARS,
    MAX_SCOPES,
    MAX_VOCABULARY_SCOPES,
    RequiredScopes,
    ScopeVocabulary,
    TokenForm,
    client_credentials,
    introspection_json,
    may_revoke,
    parse_scope,
    valid_scope_name,
)

__all__ = [
    "MAX_SCOPE_CHARS",
    "MAX_SCOPES",
    "MAX_VOCABULARY_SCOPES",
    "RequiredScopes",
    "ScopeVocabulary",
    "TokenForm",
    "client_credentials",
    "introspection_json",
    "may_revoke",
    "parse_scope",
    "valid_scope_name",
]
