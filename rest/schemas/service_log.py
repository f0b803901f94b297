"""Service log and service record wire shapes: `{data, meta}` envelopes around the domain results."""

from __future__ import annotations

import msgspec

from app.domain.service_log.results import (
    ExportToken,
    LogMessages,
    ServiceExport,
    ServiceLogItem,
    ServiceLogLatest,
    ServiceLogPage,
    ServiceLogSummary,
)
from rest.schemas.common import EnvelopeMeta

__all__ = ["ServiceLogItem"]


class ServiceLogPageResponse(msgspec.Struct):
    data: ServiceLogPage
    meta: EnvelopeMeta


class ServiceLogLatestResponse(msgspec.Struct):
    data: ServiceLogLatest
    meta: EnvelopeMeta


class ServiceLogSummaryResponse(msgspec.Struct):
    data: ServiceLogSummary
    meta: EnvelopeMeta


class ExportTokenResponse(msgspec.Struct):
    data: ExportToken
    meta: EnvelopeMeta


class LogMessagesResponse(msgspec.Struct):
    data: LogMessages
    meta: EnvelopeMeta


class ServiceExportResponse(msgspec.Struct):
    data: ServiceExport
    meta: EnvelopeMeta
