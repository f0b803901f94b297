"""The GraphQL face's input boundary: argument values (literals in the document and variables) are checked once,
after validation and before any resolver runs.

A NUL character cannot be stored in PostgreSQL text; an operation carrying one anywhere is answered with one
error, `extensions.code = "BAD_USER_INPUT"` and the offending field (`input.firstName`, `f.q`, `ids[2]`), and
executes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
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
from strawberry.extensions import SchemaExtension

BAD_USER_INPUT = "BAD_USER_INPUT"


def _name(path: str) -> str:
    return path.replace("\x00", "\\u0000")[:100]


def _value_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string (and object key) in a variable's value, with its path."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                yield f"{where}.{key}", str(key)
                stack.append((f"{where}.{key}", child))
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}[{i}]", child) for i, child in enumerate(item))


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
        for path, text in _value_strings(value, name):
            if "\x00" in text:
                return _name(path)
    # a NUL can only be written in a document as an escape sequence: skip the walk without one
    if document is not None and (query is None or "\\u" in query):
        literals = _Literals()
        visit(document, literals)
        for path, text in literals.found:
            if "\x00" in text:
                return _name(path)
    return None


def bad_user_input(message: str, fields: dict[str, str]) -> GraphQLError:
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT,
                                             "fields": [{"field": k, "reason": v} for k, v in fields.items()]})


class RejectNulCharacters(SchemaExtension):
    """Answers an operation whose arguments hold a NUL character with BAD_USER_INPUT, before execution."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if not context.result:
            field = nul_field(context.graphql_document, context.query, context.variables)
            if field is not None:  # a result set here is returned instead of executing the operation
                context.result = GraphQLExecutionResult(data=None, errors=[bad_user_input(
                    f"{field} must not contain NUL characters.", {field: "nul_character"})])
        yield
