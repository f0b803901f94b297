"""The service log over GraphQL: the owner's completed services (filters, a page, a summary), one vehicle's
history, and a short-lived token for the PDF/CSV export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from app.domain.service_log import service as log
from app.domain.service_log.results import ServiceLogItem
from app.mapping import same_named
from graphql_api.context import GraphQLContext
from graphql_api.errors import AnyUserError
from graphql_api.mutations import as_caller

Ctx = Info[GraphQLContext, None]


@strawberry.input
class ServiceLogFilter:
    registration_number: str | None = None
    workshop_org_nr: str | None = None
    date_from: str | None = None
    date_to: str | None = None


@strawberry.type
class ServiceLogEntry:
    id: int
    booking_id: int
    group_id: str
    registration_number: str | None
    workshop_org_nr: str
    workshop_name: str | None
    service_title: str
    service_price: float
    completed_at: datetime
    rating: float | None
    rating_message: str | None

    @classmethod
    def of(cls, i: ServiceLogItem) -> ServiceLogEntry:
        return same_named(cls, i, rating=i.service_rating, rating_message=i.service_rating_message)


@strawberry.type
class ServiceLogPage:
    items: list[ServiceLogEntry]
    total: int
    page: int
    page_size: int
    has_more: bool


@strawberry.type
class ServiceLogSummary:
    count: int
    average_rating: float | None
    total_spent: float
    currency: str
    last_service_date: str | None
    workshops_count: int


@strawberry.type
class VehicleHistory:
    registration_number: str | None
    summary: ServiceLogSummary
    items: list[ServiceLogEntry]


@strawberry.type
class ServiceLogExportToken:
    token: str
    expires_at: datetime
    expires_in: int
    download_url: str


@strawberry.type
class ExportTokenSuccess:
    export_token: ServiceLogExportToken


ExportTokenPayload: TypeAlias = Annotated[
    ExportTokenSuccess | AnyUserError, strawberry.union("ServiceLogExportTokenPayload")
]


def _log_filter(f: ServiceLogFilter | None) -> dict[str, Any]:
    f = f or ServiceLogFilter()
    return {
        "registration_number": f.registration_number,
        "workshop_org_nr": f.workshop_org_nr,
        "date_from": f.date_from,
        "date_to": f.date_to,
    }


@strawberry.type
class ServiceLogQuery:
    @strawberry.field
    async def service_log(
        self, info: Ctx, filter: ServiceLogFilter | None = None, page: int = 1, page_size: int = 20
    ) -> ServiceLogPage:
        p = await info.context.read_as_owner(log.page, page_no=page, page_size=page_size, **_log_filter(filter))
        return same_named(ServiceLogPage, p, items=[ServiceLogEntry.of(i) for i in p.items])

    @strawberry.field
    async def service_log_summary(self, info: Ctx, filter: ServiceLogFilter | None = None) -> ServiceLogSummary:
        return same_named(ServiceLogSummary, await info.context.read_as_owner(log.summary, **_log_filter(filter)))

    @strawberry.field(description="One vehicle's service history; the primary vehicle unless given.")
    async def vehicle_history(
        self, info: Ctx, registration_number: str | None = None, limit: int = 5
    ) -> VehicleHistory:
        owner_id = await info.context.owner_id()
        async with info.context.transaction() as uow:
            summary = await log.vehicle_summary(uow, owner_id, registration_number=registration_number)
            latest = await log.vehicle_latest(uow, owner_id, limit=limit, registration_number=registration_number)
        return VehicleHistory(
            registration_number=summary.filters.registration_number,
            summary=same_named(ServiceLogSummary, summary),
            items=[ServiceLogEntry.of(i) for i in latest.items],
        )


@strawberry.type
class ServiceLogMutation:
    @strawberry.mutation
    async def create_service_log_export_token(
        self, info: Ctx, filter: ServiceLogFilter | None = None
    ) -> ExportTokenPayload:
        return await as_caller(
            info,
            lambda uow, claims: log.export_token(uow, claims.owner_id, claims.sid, **_log_filter(filter)),
            lambda t: ExportTokenSuccess(export_token=same_named(ServiceLogExportToken, t)),
        )


QUERIES = (ServiceLogQuery,)
MUTATIONS = (ServiceLogMutation,)
