"""ServiceLog (8 reference operations) and CarOwnerServiceRecords (2): completed bookings as service history."""

from __future__ import annotations

from typing import Any, TypedDict

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery

from app.auth.tokens import AccessClaims
from app.domain.service_log import service as log
from app.domain.uow import UnitOfWork
from rest.envelope import envelope_meta
from rest.openapi import csv_or_json, problem_responses
from rest.schemas.service_log import (
    ExportTokenResponse,
    LogMessagesResponse,
    ServiceExportResponse,
    ServiceLogLatestResponse,
    ServiceLogPageResponse,
    ServiceLogSummaryResponse,
)

BEARER: list[dict[str, list[str]]] = [{"BearerAuth": []}]
# a registration number that is not the caller's (or an export token that does not cover the filters) is a 403
FILTER_ERRORS = problem_responses(403)
# the vehicle-history routes default to the primary vehicle: none is a 404
VEHICLE_ERRORS = problem_responses(403, 404)


# The filter and paging query parameters, declared once: each is a dependency whose parameters Litestar
# documents in its place in the handler's signature. The domain parses the raw strings (400 naming the field).
class LatestQuery(TypedDict):
    limit: str | None
    registration_number: str | None
    workshop_org_nr: str | None


class Paging(TypedDict):
    page_no: str | None
    page_size: str | None


class LogFilters(TypedDict):
    registration_number: str | None
    workshop_org_nr: str | None
    date_from: str | None
    date_to: str | None


def latest_query(
    limit: FromQuery[str | None] = None,
    registration_number: FromQuery[str | None] = None,
    workshop_org_nr: FromQuery[str | None] = None,
) -> LatestQuery:
    return LatestQuery(limit=limit, registration_number=registration_number, workshop_org_nr=workshop_org_nr)


def log_filters(
    registration_number: FromQuery[str | None] = None,
    workshop_org_nr: FromQuery[str | None] = None,
    date_from: FromQuery[str | None] = None,
    date_to: FromQuery[str | None] = None,
) -> LogFilters:
    return LogFilters(
        registration_number=registration_number, workshop_org_nr=workshop_org_nr, date_from=date_from, date_to=date_to
    )


def paging(page: FromQuery[str | None] = None, page_size: FromQuery[str | None] = None) -> Paging:
    return Paging(page_no=page, page_size=page_size)


FILTERS = {
    "latest_query": Provide(latest_query, sync_to_thread=False),
    "log_filters": Provide(log_filters, sync_to_thread=False),
    "paging": Provide(paging, sync_to_thread=False),
}


class ServiceLogController(Controller):
    path = "/service-log"
    tags = ["ServiceLog"]
    opt = {"error_style": "problem"}
    security = BEARER
    dependencies = FILTERS

    @get(
        "/export-token",
        operation_id="ServiceLogExportToken",
        summary="A short-lived export token (15 minutes)",
        responses=FILTER_ERRORS,
    )
    async def export_token(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], log_filters: LogFilters
    ) -> ExportTokenResponse:
        token = await log.export_token(uow, claims.owner_id, claims.sid, **log_filters)
        return ExportTokenResponse(data=token, meta=envelope_meta())

    @get(
        "/latest",
        operation_id="ServiceLogLatest",
        summary="The latest booking-based service logs",
        responses=FILTER_ERRORS,
    )
    async def latest(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        latest_query: LatestQuery,
    ) -> ServiceLogLatestResponse:
        result = await log.latest(uow, claims.owner_id, **latest_query)
        return ServiceLogLatestResponse(data=result, meta=envelope_meta())

    @get(
        "/list",
        operation_id="ServiceLogList",
        summary="Paginated list of the owner's service logs",
        responses=FILTER_ERRORS,
    )
    async def list_logs(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        paging: Paging,
        log_filters: LogFilters,
        export_token: FromQuery[str | None] = None,
    ) -> ServiceLogPageResponse:
        result = await log.page(
            uow, claims.owner_id, export_token=export_token, session_id=claims.sid, **paging, **log_filters
        )
        return ServiceLogPageResponse(data=result, meta=envelope_meta())

    @get("/messages/{log_id:int}", operation_id="ServiceLogMessages", summary="Messages of one service log entry")
    async def messages(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], log_id: FromPath[int]
    ) -> LogMessagesResponse:
        return LogMessagesResponse(data=await log.log_messages(uow, claims.owner_id, log_id), meta=envelope_meta())

    @get(
        "/summary",
        operation_id="ServiceLogSummary",
        summary="Count, average rating, total spent, last service date",
        responses=FILTER_ERRORS,
    )
    async def summary(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], log_filters: LogFilters
    ) -> ServiceLogSummaryResponse:
        result = await log.summary(uow, claims.owner_id, **log_filters)
        return ServiceLogSummaryResponse(data=result, meta=envelope_meta())

    @get(
        "/vehicle-history/latest",
        operation_id="VehicleHistoryLatest",
        summary="Latest service history of a vehicle (the primary one by default)",
        responses=VEHICLE_ERRORS,
    )
    async def vehicle_latest(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        latest_query: LatestQuery,
    ) -> ServiceLogLatestResponse:
        result = await log.vehicle_latest(uow, claims.owner_id, **latest_query)
        return ServiceLogLatestResponse(data=result, meta=envelope_meta())

    @get(
        "/vehicle-history/list",
        operation_id="VehicleHistoryList",
        summary="Paginated service history of a vehicle (the primary one by default)",
        responses=VEHICLE_ERRORS,
    )
    async def vehicle_list(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        paging: Paging,
        log_filters: LogFilters,
    ) -> ServiceLogPageResponse:
        result = await log.vehicle_page(uow, claims.owner_id, **paging, **log_filters)
        return ServiceLogPageResponse(data=result, meta=envelope_meta())

    @get(
        "/vehicle-history/summary",
        operation_id="VehicleHistorySummary",
        summary="Aggregate service history of a vehicle (the primary one by default)",
        responses=VEHICLE_ERRORS,
    )
    async def vehicle_summary(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        registration_number: FromQuery[str | None] = None,
    ) -> ServiceLogSummaryResponse:
        result = await log.vehicle_summary(uow, claims.owner_id, registration_number=registration_number)
        return ServiceLogSummaryResponse(data=result, meta=envelope_meta())


class ServiceRecordsController(Controller):
    path = "/service-records"
    tags = ["CarOwnerServiceRecords"]
    opt = {"error_style": "problem"}
    security = BEARER
    dependencies = FILTERS

    @get(
        "/",
        operation_id="ListServiceRecords",
        summary="The owner's service records (completed bookings)",
        responses=FILTER_ERRORS,
    )
    async def records(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        paging: Paging,
        log_filters: LogFilters,
    ) -> ServiceLogPageResponse:
        result = await log.page(uow, claims.owner_id, **paging, **log_filters)
        return ServiceLogPageResponse(data=result, meta=envelope_meta())

    @get(
        "/export",
        operation_id="ExportServiceRecords",
        summary="The service history: CSV, or the `{data, meta}` envelope for `Accept: application/json`",
        description="`format=csv|json` wins over `Accept`; without either (or with `*/*`) the answer is a CSV "
        "download. Authorised by the Bearer token or an export token (`token`).",
        responses={
            **FILTER_ERRORS,
            200: ResponseSpec(
                data_container=ServiceExportResponse, description="The history as CSV or JSON", generate_examples=False
            ),
        },
        operation_class=csv_or_json(),
    )
    async def export(
        self,
        request: Request,
        uow: NamedDependency[UnitOfWork],
        maybe_claims: NamedDependency[AccessClaims | None],
        token: FromQuery[str | None] = None,
        export_token: FromQuery[str | None] = None,
        format: FromQuery[str | None] = None,
        *,
        log_filters: LogFilters,
    ) -> Response[Any]:
        fmt = format if format not in (None, "") else _negotiated_format(request)
        file = await log.export(
            uow,
            owner_id=maybe_claims.owner_id if maybe_claims else None,
            token=token or export_token,
            fmt=fmt,
            **log_filters,
        )
        headers = {"Cache-Control": "no-store", "Vary": "Accept"}
        if file.data is None or format not in (None, ""):  # a file to save: CSV, or JSON asked for by link
            headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        if file.data is not None:
            return Response(ServiceExportResponse(data=file.data, meta=envelope_meta()), headers=headers)
        return Response(file.content, media_type=file.media_type, headers=headers)


def _negotiated_format(request: Request) -> str:
    """CSV unless the client prefers JSON: clients that send no Accept, or `*/*`, keep getting the CSV."""
    best = request.accept.best_match(["text/csv", "application/json"], default="text/csv")
    return "json" if best == "application/json" else "csv"


CONTROLLERS = [ServiceLogController, ServiceRecordsController]
