"""The service log's root query fields: the history (a connection), its summary, one vehicle's history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from strawberry.types import Info

from app.domain.service_log import service as log
from app.domain.service_log.results import ServiceLogSummary as SummaryResult
from app.domain.service_log.results import ServiceLogWindow
from app.domain.uow import UnitOfWork
from app.errors import Forbidden, NotFound
from graphql_api.connections import After, Before, First, Last, Window, offset_connection, offset_window, page_args
from graphql_api.context import GraphQLContext
from graphql_api.service_log.inputs import ServiceLogFilter, filters_of
from graphql_api.service_log.types import (
    ServiceLogConnection,
    ServiceLogEntry,
    ServiceLogSummary,
    VehicleHistoryConnection,
)

Ctx = Info[GraphQLContext, None]

LOG = "serviceLog"
HISTORY = "vehicleHistory"
NO_VEHICLE = frozenset({"VEHICLE_NOT_OWNED", "NO_PRIMARY_VEHICLE"})

FilterArg = Annotated[
    ServiceLogFilter | None, strawberry.argument(description="Which entries to include; null: the whole history.")
]
First = First
After = After
Last = Last
Before = Before


def _placing(
    kind: str, first: int | None, after: str | None, last: int | None, before: str | None
) -> Callable[[int], tuple[int, int]]:
    args = page_args(first, after, last, before)

    def place(total: int) -> tuple[int, int]:
        window = offset_window(kind, args, total)
        return window.offset, window.limit

    return place


async def _history(
    uow: UnitOfWork, owner_id: int, place: Callable[[int], tuple[int, int]], registration_number: str | None
) -> tuple[SummaryResult, ServiceLogWindow]:
    summary = await log.summary(uow, owner_id, default_primary=True, registration_number=registration_number)
    entries = await log.window(uow, owner_id, place, registration_number=summary.filters.registration_number)
    return summary, entries


@strawberry.type
class ServiceLogQuery:
    @strawberry.field(
        description="The caller's completed services, newest first (offset cursors: `last`/`before` page backwards)."
    )
    async def service_log(
        self,
        info: Ctx,
        filter: FilterArg = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ServiceLogConnection:
        place = _placing(LOG, first, after, last, before)
        found = await info.context.read_as_owner(log.window, place, **filters_of(filter))
        return offset_connection(
            ServiceLogConnection,
            LOG,
            found.items,
            window=_window(found),
            total=found.total,
            node=ServiceLogEntry.of,
        )

    @strawberry.field(description="Totals over the caller's completed services that match the filter.")
    async def service_log_summary(self, info: Ctx, filter: FilterArg = None) -> ServiceLogSummary:
        return ServiceLogSummary.of(await info.context.read_as_owner(log.summary, **filters_of(filter)))

    @strawberry.field(
        description="One vehicle's service history (newest first) and totals: the caller's primary vehicle unless "
        "`registrationNumber` is given. Null when the caller has no such vehicle (or none at all)."
    )
    async def vehicle_history(
        self,
        info: Ctx,
        registration_number: Annotated[
            str | None,
            strawberry.argument(description="The vehicle (any spacing or case); null: the primary vehicle."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> VehicleHistoryConnection | None:
        place = _placing(HISTORY, first, after, last, before)
        try:
            summary, found = await info.context.read_as_owner(_history, place, registration_number)
        except (Forbidden, NotFound) as exc:
            if exc.code in NO_VEHICLE:
                return None
            raise
        return offset_connection(
            VehicleHistoryConnection,
            HISTORY,
            found.items,
            window=_window(found),
            total=found.total,
            node=ServiceLogEntry.of,
            registration_number=summary.filters.registration_number or "",
            summary=ServiceLogSummary.of(summary),
        )


def _window(found: ServiceLogWindow) -> Window:
    return Window(offset=found.offset, limit=len(found.items))
