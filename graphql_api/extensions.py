"""Schema extensions of our own: every error leaves with `extensions.code`, server faults masked; metrics."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension

from app.errors import DomainError, RateLimited
from app.metrics import GRAPHQL_OPERATIONS
from graphql_api.cost import operation_cost
from graphql_api.errors import QUERY_TOO_COMPLEX, mark_validation_failed, present


class ErrorPolicy(SchemaExtension):
    """Codes and masking for every error (rules in `graphql_api.errors.classify`), over HTTP and WebSocket.

    Replaces strawberry's `MaskErrors`, which would also mask client mistakes (bad variables, permission
    messages). Logging happens earlier, in `Schema.process_errors`, on the errors as raised.
    """

    def __init__(self) -> None:
        self._streamed = False

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or ():
            mark_validation_failed(error)

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:  # subscription results were handled one by one as they were sent
            present_all(self.execution_context.result, hide_suggestions=self._hide_suggestions())

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._streamed = True
        present_all(result, hide_suggestions=self._hide_suggestions())
        yield

    def _hide_suggestions(self) -> bool:
        return bool(getattr(self.execution_context.schema, "hide_suggestions", False))


class ForgivingParserCache(ParserCache):
    """Strawberry's parser cache, except that a document that does not parse is left to strawberry's own parse.

    The cache raises the syntax error from its hook, which skips every operation hook (so the error would
    leave without its code); strawberry's own parse turns it into a result like any other error.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        # a bad document is parsed again (and reported) by strawberry: bounded by the token limit
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


def present_all(result: Any, *, hide_suggestions: bool = False) -> None:
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [present(error, hide_suggestions=hide_suggestions) for error in errors]


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        if getattr(self.execution_context.context, "shared", None) is not None:
            return  # an execution for the response cache: it counts each request it answers
        if self.execution_context.graphql_document is None:  # the document did not parse
            GRAPHQL_OPERATIONS.labels("invalid").inc()
            return
        operation = self.execution_context.operation_type
        GRAPHQL_OPERATIONS.labels(getattr(operation, "value", str(operation)).lower()).inc()


@dataclass(frozen=True)
class CostRules:
    """The cost limit's figures and its charge, shared by `CostLimit` and the response cache."""

    max_cost: int
    budget: int
    window_s: int

    BUCKET = "graphql-cost"

    async def charge(self, context: Any, cost: int) -> None:
        """Spend `cost` from the caller's budget (the owner when signed in, else the client address); raises
        RATE_LIMITED when it does not fit."""
        try:
            claims = await context.socket_claims()
        except DomainError:  # a bad token: the operation fails with that error; it is counted by address meanwhile
            claims = None
        caller = f"owner:{claims.owner_id}" if claims is not None else f"ip:{context.client_ip()}"
        try:
            await context.services.rate_limiter.spend(
                self.BUCKET, caller, cost, limit=self.budget, window_s=self.window_s
            )
        except RateLimited as exc:
            raise GraphQLError(
                f"The cost budget of {self.budget} per {self.window_s} s is spent; try again in {exc.retry_after} s.",
                original_error=exc,
                extensions={"cost": cost, "budget": self.budget},
            ) from None


class CostLimit(SchemaExtension):
    """Prices every operation before it executes (rules in `graphql_api.cost`): one above `max_cost` is refused
    with QUERY_TOO_COMPLEX; the rest is spent from the caller's `budget` per `window_s` (the owner when signed
    in, else the client address), refused with RATE_LIMITED when it does not fit. Each subscribe is one
    operation. Either limit is off at 0. The budget is counted by the shared rate limiter: Redis, its fail mode.
    An execution for every caller (the response cache's) is not charged: each caller is, by the cache."""

    def __init__(self, rules: CostRules) -> None:
        self.rules = rules

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        rules = self.rules
        if context.graphql_document is not None and (rules.max_cost or rules.budget):
            cost = operation_cost(
                context.schema._schema, context.graphql_document, context.operation_name, context.variables
            )
            if rules.max_cost and cost > rules.max_cost:
                raise GraphQLError(
                    f"The operation costs {cost}, more than the maximum of {rules.max_cost}: ask for "
                    "smaller pages or fewer nested lists.",
                    extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "maxCost": rules.max_cost},
                )
            caller = context.context
            charged = getattr(caller, "cost_charged", False) or getattr(caller, "shared", None) is not None
            if rules.budget and cost and not charged:
                await rules.charge(caller, cost)
        yield


class CloseReads(SchemaExtension):
    """Ends the request's read session (graphql_api.reading) once the operation has executed."""

    async def on_execute(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            if "reader" in getattr(context, "__dict__", {}):  # only when a resolver opened it
                await context.reader.close()
