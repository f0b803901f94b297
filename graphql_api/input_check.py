"""The GraphQL face's input boundary, checked once for every operation:

- the HTTP body may nest at most MAX_DEPTH levels (`reject_deep_body`, a hook of the /graphql controller): 400;
- argument values (literals in the document and variables) are checked after validation and before any
  resolver runs: a NUL character cannot be stored in PostgreSQL text, so an operation carrying one anywhere is
  answered with one error, `extensions.code = "BAD_USER_INPUT"` and the offending field (`input.firstName`,
  `f.q`, `ids[2]`), and executes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    Visitor,
    visit,
)
from litestar import MediaType, Request, Response
from strawberry.extensions import SchemaExtension

from app.json_input import MAX_DEPTH, field_name, leaves, nesting_exceeds

BAD_USER_INPUT = "BAD_USER_INPUT"


def _literal_strings(node: ValueNode, path: str) -> Iterator[tuple[str, str]]:
    """Every string literal inside an argument's value node, with its path."""
    stack: list[tuple[str, ValueNode]] = [(path, node)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, StringValueNode):
            yield where, item.value
        elif isinstance(item, ObjectValueNode):
            stack.extend((f"{where}.{f.name.value}", f.value) for f in item.fields)
        elif isinstance(item, ListValueNode):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item.values))


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.found.extend(_literal_strings(node.value, node.name.value))

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
        if node.default_value is not None:
            self.found.extend(_literal_strings(node.default_value, node.variable.name.value))


def nul_field(document: DocumentNode | None, query: str | None, variables: dict[str, Any] | None) -> str | None:
    """The first field whose value holds a NUL character, or None."""
    for name, value in (variables or {}).items():
        for path, text in leaves(value, name):
            if isinstance(text, str) and "\x00" in text:
                return field_name(path)
    # a NUL can only be written in a document as an escape sequence: skip the walk without one
    if document is not None and (query is None or "\\u" in query):
        literals = _Literals()
        visit(document, literals)
        for path, text in literals.found:
            if "\x00" in text:
                return field_name(path)
    return None


def bad_user_input(message: str, fields: dict[str, str]) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": BAD_USER_INPUT, "fields": [{"field": k, "reason": v} for k, v in fields.items()]}
    )


class RejectNulCharacters(SchemaExtension):
    """Answers an operation whose arguments hold a NUL character with BAD_USER_INPUT, before execution."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        field = nul_field(context.graphql_document, context.query, context.variables)
        if field is not None:  # raised here, it is the operation's only error, for queries and subscriptions alike
            raise bad_user_input(f"{field} must not contain NUL characters.", {field: "nul_character"})
        yield


def _is_json(headers: Any) -> bool:
    """Whether the request says its body is JSON; read from the raw headers, since Litestar's parsed
    `content_type` costs more than the rest of this hook on a cached answer."""
    for name, value in headers:
        if name == b"content-type":
            return bool(value.partition(b";")[0].strip().lower().endswith(b"json"))
    return False


async def reject_deep_body(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """Litestar `before_request` hook: a JSON body nested too deep never reaches the GraphQL parser."""
    if request.method != "POST" or not _is_json(request.scope["headers"]):
        return None
    if nesting_exceeds(await request.body()):
        error = bad_user_input(f"The request body is nested deeper than {MAX_DEPTH} levels.", {"body": "too_deep"})
        return Response({"data": None, "errors": [error.formatted]}, status_code=400, media_type=MediaType.JSON)
    return None
