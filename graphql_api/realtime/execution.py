"""Subscription events executed once per selection: the executor of the schema (`execution_context_class`).

graphql-core executes a subscription's selection set on every event it yields, separately for each subscription.
When the event is an object that `EventMemo.once` built (one owner's event, shared by that owner's
subscriptions), the result of a selection on it depends only on the selection: the same document text,
operation and variable values give the same answer. The first subscription executes it; the others get the
same result (awaiting it when it is still running). A result with errors is not shared (errors are coded and
masked in place, per result): each subscription executes such a selection itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any, cast

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.realtime.memo import EventMemo

_UNSHARED = object()  # the selection's result had errors: every subscription executes its own


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    _shared_selection: Hashable | None = None  # set on a subscription's executor, copied to its per-event ones
    _memo: EventMemo | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if self._memo is None:
            services = getattr(self.context_value, "services", None)
            self._memo = getattr(getattr(services, "realtime", None), "memo", None)
            source = self.operation.loc.source.body if self.operation.loc is not None else None
            if source is not None and self._memo is not None:
                coerced = self.variable_values.coerced
                self._shared_selection = (source, self.operation.name and self.operation.name.value, repr(coerced))
        if self._shared_selection is not None and self._memo is not None:
            known = (self._memo.derived(payload) or {}).get(self._shared_selection)
            if isinstance(known, ExecutionResult):  # executed for another subscription: no executor to build
                return _Executed(known)
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        selection, memo = self._shared_selection, self._memo
        if selection is None or memo is None:
            return super().execute_operation(serially)
        results = memo.derived(self.root_value)
        if results is None:
            return super().execute_operation(serially)
        known = results.get(selection)
        if known is _UNSHARED:
            return super().execute_operation(serially)
        if isinstance(known, asyncio.Future):
            return self._await_shared(known, serially)
        if known is not None:
            return known
        result = super().execute_operation(serially)
        if not self.is_awaitable(result):
            shareable = isinstance(result, ExecutionResult) and not result.errors
            results[selection] = result if shareable else _UNSHARED
            return result
        running = asyncio.ensure_future(cast("Awaitable[ExecutionResult]", result))  # outlives its subscription
        results[selection] = running
        running.add_done_callback(lambda done: _settle(results, selection, done))
        return asyncio.shield(running)

    async def _await_shared(self, running: asyncio.Future[ExecutionResult], serially: bool | None) -> ExecutionResult:
        try:
            result = await asyncio.shield(running)
        except asyncio.CancelledError:
            if not running.cancelled():
                raise
            result = None
        except Exception:
            result = None
        if result is None or result.errors:
            own = super().execute_operation(serially)
            return cast("ExecutionResult", await own if self.is_awaitable(own) else own)
        return result


class _Executed:
    """Stands for a per-event executor whose result is already known."""

    __slots__ = ("result",)

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self.result


def _settle(results: dict[Hashable, Any], selection: Hashable, done: asyncio.Future[ExecutionResult]) -> None:
    if done.cancelled() or done.exception() is not None or done.result().errors:
        results[selection] = _UNSHARED
    else:
        results[selection] = done.result()
