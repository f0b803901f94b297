"""ServiceLog (8 reference operations) and CarOwnerServiceRecords (2): completed bookings as service history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery

from app.auth.tokens import AccessClaims
from app.domain.service_log import service as log
from app.domain.uow import UnitOfWork
from rest.envelope import envelope_meta
from rest.handlers import named_like_methods
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

# The query parameters, declared once each: every operation reads them through a dependency, whose parameters
# Litestar documents in its place in the handler's signature. The domain parses the raw strings (a 400
# naming the field), so they stay strings here.
Query = Mapping[str, object]
Read = Callable[..., Awaitable[Any]]


def log_filters(
    registration_number: FromQuery[str | None] = None,
    workshop_org_nr: FromQuery[str | None] = None,
    date_from: FromQuery[str | None] = None,
    date_to: FromQuery[str | None] = None,
) -> Query:
    return {
        "registration_number": registration_number,
        "workshop_org_nr": workshop_org_nr,
        "date_from": date_from,
        "date_to": date_to,
    }


def latest_query(
    limit: FromQuery[str | None] = None,
    registration_number: FromQuery[str | None] = None,
    workshop_org_nr: FromQuery[str | None] = None,
) -> Query:
    return {"limit": limit, "registration_number": registration_number, "workshop_org_nr": workshop_org_nr}


def page_query(
    page: FromQuery[str | None] = None, page_size: FromQuery[str | None] = None, *, log_filters: NamedDependency[Query]
) -> Query:
    return {"page_no": page, "page_size": page_size, **log_filters}


def own_page_query(
    claims: NamedDependency[AccessClaims],
    page_query: NamedDependency[Query],
    export_token: FromQuery[str | None] = None,
) -> Query:
    """An export token may stand for the filters, when it was issued to this session."""
    return {**page_query, "export_token": export_token, "session_id": claims.sid}


def token_query(claims: NamedDependency[AccessClaims], log_filters: NamedDependency[Query]) -> Query:
    return {"session_id": claims.sid, **log_filters}


def plate_query(registration_number: FromQuery[str | None] = None) -> Query:
    return {"registration_number": registration_number}


# the parameter groups that other groups build on
SHARED_QUERIES = {
    "log_filters": Provide(log_filters, sync_to_thread=False),
    "page_query": Provide(page_query, sync_to_thread=False),
}


def _log_route(
    path: str,
    operation_id: str,
    summary: str,
    errors: dict[int, ResponseSpec],
    query: Callable[..., Query],
    read: Read,
    envelope: type[Any],
) -> HTTPRouteHandler:
    """A service-log read: the parameters `query` declares, one use case, its result in `envelope`."""

    async def read_log(
        self: Controller,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        params: NamedDependency[Query],
    ) -> Any:
        return envelope(data=await read(uow, claims.owner_id, **params), meta=envelope_meta())

    read_log.__annotations__["return"] = envelope  # the documented response
    return get(
        path,
        operation_id=operation_id,
        summary=summary,
        responses=errors,
        # a shared group serves here under another name: Litestar refuses one provider under two keys
        dependencies={"params": Provide(partial(query), sync_to_thread=False)},
    )(read_log)


class ServiceHistoryController(Controller):
    """What both service-history areas share: Problem errors, a Bearer token, the query parameter groups."""

    opt = {"error_style": "problem"}
    security = BEARER
    dependencies = SHARED_QUERIES


@named_like_methods
class ServiceLogController(ServiceHistoryController):
    path = "/service-log"
    tags = ["ServiceLog"]

    export_token = _log_route(
        "/export-token",
        "ServiceLogExportToken",
        "A short-lived export token (15 minutes)",
        FILTER_ERRORS,
        token_query,
        log.export_token,
        ExportTokenResponse,
    )
    latest = _log_route(
        "/latest",
        "ServiceLogLatest",
        "The latest booking-based service logs",
        FILTER_ERRORS,
        latest_query,
        log.latest,
        ServiceLogLatestResponse,
    )
    list_logs = _log_route(
        "/list",
        "ServiceLogList",
        "Paginated list of the owner's service logs",
        FILTER_ERRORS,
        own_page_query,
        log.page,
        ServiceLogPageResponse,
    )
    summary = _log_route(
        "/summary",
        "ServiceLogSummary",
        "Count, average rating, total spent, last service date",
        FILTER_ERRORS,
        log_filters,
        log.summary,
        ServiceLogSummaryResponse,
    )
    vehicle_latest = _log_route(
        "/vehicle-history/latest",
        "VehicleHistoryLatest",
        "Latest service history of a vehicle (the primary one by default)",
        VEHICLE_ERRORS,
        latest_query,
        log.vehicle_latest,
        ServiceLogLatestResponse,
    )
    vehicle_list = _log_route(
        "/vehicle-history/list",
        "VehicleHistoryList",
        "Paginated service history of a vehicle (the primary one by default)",
        VEHICLE_ERRORS,
        page_query,
        log.vehicle_page,
        ServiceLogPageResponse,
    )
    vehicle_summary = _log_route(
        "/vehicle-history/summary",
        "VehicleHistorySummary",
        "Aggregate service history of a vehicle (the primary one by default)",
        VEHICLE_ERRORS,
        plate_query,
        log.vehicle_summary,
        ServiceLogSummaryResponse,
    )

    @get("/messages/{log_id:int}", operation_id="ServiceLogMessages", summary="Messages of one service log entry")
    async def messages(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], log_id: FromPath[int]
    ) -> LogMessagesResponse:
        return LogMessagesResponse(data=await log.log_messages(uow, claims.owner_id, log_id), meta=envelope_meta())


@named_like_methods
class ServiceRecordsController(ServiceHistoryController):
    path = "/service-records"
    tags = ["CarOwnerServiceRecords"]

    records = _log_route(
        "/",
        "ListServiceRecords",
        "The owner's service records (completed bookings)",
        FILTER_ERRORS,
        page_query,
        log.page,
        ServiceLogPageResponse,
    )

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
        log_filters: NamedDependency[Query],
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
