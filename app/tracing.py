"""Trace context that travels with outbox events, behind one hook the tracing adapter installs.

Imports nothing of OpenTelemetry: the domain (which writes events), the relay (which publishes them) and the
subscriptions (which deliver them) ask `hooks`, which stays None unless traces are on
(`app/infra/tracing.py`). With traces off each of them pays one global lookup and a None check.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.domain.events.envelope import EventEnvelope


class TraceHooks(Protocol):
    def traceparent(self) -> str | None:
        """The W3C `traceparent` of the current span (None without a recording one)."""
        ...

    def publishing(self, events: Sequence[EventEnvelope]) -> AbstractContextManager[list[EventEnvelope]]:
        """Publish spans, one per event, each continuing the trace its event was written in; yields the events
        carrying their publish span's `traceparent` instead. The first span is current inside the block."""
        ...

    def delivering(self, event: EventEnvelope, field: str) -> AbstractContextManager[None]:
        """A current delivery span for one event of one subscription field, continuing its publish span."""
        ...


hooks: TraceHooks | None = None


def install(installed: TraceHooks | None) -> None:
    global hooks
    hooks = installed
