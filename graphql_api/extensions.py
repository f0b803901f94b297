"""Schema extensions of our own: machine-readable codes on errors raised from resolvers."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from app.errors import DomainError
from app.metrics import GRAPHQL_OPERATIONS


class ErrorCodes(SchemaExtension):
    """`extensions.code` (e.g. UNAUTHORIZED, NOT_FOUND) and the named `fields` on errors that come from domain errors."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            original = error.original_error
            if isinstance(original, DomainError):
                error.extensions = {**(error.extensions or {}), "code": original.code, "status": original.status}
                if original.fields:
                    error.extensions["fields"] = [{"field": k, "reason": v} for k, v in original.fields.items()]


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        operation = self.execution_context.operation_type
        GRAPHQL_OPERATIONS.labels(getattr(operation, "value", str(operation)).lower()).inc()
