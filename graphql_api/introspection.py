"""Introspection only for developers (production): a validation rule added per operation unless the caller
sends a developer key. `__typename` stays allowed; clients need it to read unions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.extensions import SchemaExtension

from app.auth.developer import DEVELOPER_KEY_HEADER, is_developer
from app.settings import Settings

INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
# every introspection type is reached through one of these two meta-fields
_ENTRY_FIELDS = frozenset({"__schema", "__type"})


class NoIntrospection(ValidationRule):
    """graphql-core's `NoSchemaIntrospectionCustomRule` reports every field below `__schema` too; one error per
    entry field, with a code, says it once."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.name.value in _ENTRY_FIELDS:
            self.report_error(
                GraphQLError(
                    f"GraphQL introspection is disabled; the document asks for '{node.name.value}'.",
                    node,
                    extensions={"code": INTROSPECTION_DISABLED},
                )
            )


class DeveloperOnlyIntrospection(SchemaExtension):
    """Adds `NoIntrospection` to the operation's validation rules unless the request (or the WebSocket
    handshake) carries a developer key. The validation cache keys on the rules, so both answers are cached apart."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def on_operation(self) -> Iterator[None]:
        if not is_developer(self._settings, _header(self.execution_context.context, DEVELOPER_KEY_HEADER)):
            self.execution_context.validation_rules = (*self.execution_context.validation_rules, NoIntrospection)
        yield


def _header(context: Any, name: str) -> str | None:
    connection = getattr(context, "request", None) or getattr(context, "websocket", None)
    return connection.headers.get(name) if connection is not None else None
