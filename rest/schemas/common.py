"""Shapes shared across modules: the Problem document, the envelope meta and the paging fields."""

from __future__ import annotations

from typing import Any

import msgspec


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 7807 problem document as the reference documents it."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = None
    message: str | None = None
    where: dict[str, Any] = msgspec.field(default_factory=dict)
    hint: str | None = None
    request_id: str | None = None


class ProblemWhere(msgspec.Struct):
    layer: str
    component: str
    step: str


class LocatedProblem(msgspec.Struct, omit_defaults=True):
    """The Problem variant of BookingStatus and CarBrands, with `where{layer,component,step}`."""

    type: str
    title: str
    status: int
    where: ProblemWhere
    detail: str | None = None
    instance: str | None = None
    code: str | None = None
    message: str | None = None
    hint: str | None = None
    request_id: str | None = None


class PageFields(msgspec.Struct):
    """The paging fields that open the `meta` of every paged list."""

    page: int
    page_size: int
    total: int
    total_pages: int
    has_next: bool
    has_prev: bool


class EnvelopeMeta(msgspec.Struct):
    request_id: str
    generated_at: str


class ErrorField(msgspec.Struct):
    field: str
    reason: str


class StructuredErrorBody(msgspec.Struct):
    code: str
    message: str
    fields: list[ErrorField]
    request_id: str
    retryable: bool


class StructuredError(msgspec.Struct):
    error: StructuredErrorBody


class BookingStatusProblem(LocatedProblem):
    """The BookingStatus module's Problem."""


class CarBrandProblem(LocatedProblem):
    """The CarBrands module's Problem."""
