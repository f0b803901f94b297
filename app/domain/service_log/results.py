"""Service log results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class ServiceLogItem(msgspec.Struct):
    id: int
    log_id: int
    booking_id: int
    group_id: str
    registration_number: str | None
    workshop_org_nr: str
    workshop_name: str | None
    service_id: int | None
    service_title: str
    service_description: str | None
    service_price: float
    currency: str
    service_start_time: datetime
    service_actual_end_time: datetime | None
    completed_at: datetime
    service_rating: float | None
    service_rating_message: str | None
    private_service_rating: bool
    attachments: list[Any]


class Filters(msgspec.Struct, frozen=True, omit_defaults=True):
    registration_number: str | None = None
    workshop_org_nr: str | None = None
    date_from: str | None = None
    date_to: str | None = None


class ServiceLogPage(msgspec.Struct):
    items: list[ServiceLogItem]
    total: int
    page: int
    page_size: int
    pages: int
    has_more: bool
    filters: Filters
    export_token: ExportToken | None = None
    vehicle: dict[str, Any] | None = None


class ServiceLogWindow(msgspec.Struct):
    """A window of the history, at any offset (the GraphQL connection's page); `total` counts the whole list."""

    items: list[ServiceLogItem]
    total: int
    offset: int
    filters: Filters


class ServiceLogLatest(msgspec.Struct):
    items: list[ServiceLogItem]
    limit: int
    filters: Filters
    vehicle: dict[str, Any] | None = None


class ServiceLogSummary(msgspec.Struct):
    count: int
    average_rating: float | None
    total_spent: float
    currency: str
    last_service_date: str | None
    last_service_at: datetime | None
    workshops_count: int
    filters: Filters
    vehicle: dict[str, Any] | None = None


class ExportToken(msgspec.Struct):
    token: str
    expires_at: datetime
    expires_in: int
    download_url: str
    filters: Filters


class LogMessages(msgspec.Struct):
    log_id: int
    booking_id: int
    items: list[dict[str, Any]]
    total: int


class VehicleHistory(msgspec.Struct):
    registration_number: str | None
    vehicle: dict[str, Any] | None


class ServiceExport(msgspec.Struct):
    filters: Filters
    total: int
    items: list[ServiceLogItem]


class ExportFile(msgspec.Struct):
    """A CSV file (`content`), or the JSON document (`data`), which the faces wrap in their envelope."""

    filename: str
    media_type: str
    content: bytes = b""
    data: ServiceExport | None = None
