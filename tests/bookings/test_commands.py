"""Booking commands: both faces parse the same input into the same command (and the same error), and the
idempotency hash follows the command, not the JSON layout."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from strawberry import relay

from app.domain.bookings.commands import CreateBooking, LineRequest
from app.domain.bookings.create import request_hash
from app.errors import ValidationFailed
from app.values import OrgNr, Plate
from graphql_api.attachments import AttachmentInput
from graphql_api.bookings.inputs import SERVICE_NODE, BookingServiceInput, CreateBookingInput
from graphql_api.node import global_id
from rest.schemas.bookings import BookingCreateInput

ORG_NR = "921460929"


def service(number: int) -> relay.GlobalID:
    return relay.GlobalID.from_id(global_id(SERVICE_NODE, number))


def rest_command(body: dict[str, Any]) -> CreateBooking:
    return msgspec.convert(body, BookingCreateInput).to_command()


def test_both_faces_give_the_same_command_and_hash() -> None:
    rest = rest_command(
        {
            "org_nr": ORG_NR,
            "service_start_time": "2031-03-04 10:00",
            "registration_number": "bt 57-225",
            "message": "Bråk fra motoren",
            "services": [
                {
                    "service_id": 7,
                    "attachments": [{"url": "https://example.com/a.jpg", "content_type": "image/jpeg"}],
                },
                {"service_id": 8},
            ],
        }
    )
    graphql = CreateBookingInput(
        org_nr=ORG_NR,
        service_start_time=datetime(2031, 3, 4, 9, 0, tzinfo=UTC),
        registration_number="BT57225",
        message="Bråk fra motoren",
        services=[
            BookingServiceInput(
                service_id=service(7),
                attachments=[AttachmentInput(url="https://example.com/a.jpg", content_type="image/jpeg")],
            ),
            BookingServiceInput(service_id=service(8)),
        ],
    ).to_command()
    assert (
        rest
        == graphql
        == CreateBooking(
            org_nr=OrgNr(ORG_NR),
            start=datetime(2031, 3, 4, 9, 0, tzinfo=UTC),
            plate=Plate("BT57225"),
            lines=[
                LineRequest(
                    service_id=7,
                    message="Bråk fra motoren",
                    attachments=[{"url": "https://example.com/a.jpg", "content_type": "image/jpeg"}],
                    field="services[0].service_id",
                ),
                LineRequest(service_id=8, message=None, attachments=[], field="services[1].service_id"),
            ],
        )
    )
    assert request_hash(rest) == request_hash(graphql)
    later = rest_command({"org_nr": ORG_NR, "service_start_time": "2031-03-04 11:00", "service_id": 7})
    assert request_hash(later) != request_hash(rest)


@pytest.mark.parametrize(
    ("rest", "graphql", "code", "fields"),
    [
        (
            {"org_nr": "921460928"},
            {"org_nr": "921460928"},
            "INVALID_ORG_NR",
            {"org_nr": "invalid_checksum"},
        ),
        (
            {"services": [{"service_id": 0}]},
            {"services": [BookingServiceInput(service_id=service(0))]},
            "VALIDATION_ERROR",
            {"services[0].service_id": "invalid"},
        ),
        (
            {"services": [{"service_id": 7, "message": "x" * 4001}]},
            {"services": [BookingServiceInput(service_id=service(7), message="x" * 4001)]},
            "VALIDATION_ERROR",
            {"services[0].message": "too_long"},
        ),
        (
            {"services": [{"service_id": 7}] * 21},
            {"services": [BookingServiceInput(service_id=service(7))] * 21},
            "VALIDATION_ERROR",
            {"services": "too_many"},
        ),
        (
            {"service_start_time": "tomorrow"},
            {"service_start_time": "tomorrow"},
            "INVALID_DATETIME",
            {"service_start_time": "invalid_datetime"},
        ),
        (
            {"registration_number": "NOT A PLATE"},
            {"registration_number": "NOT A PLATE"},
            "INVALID_REGISTRATION_NUMBER",
            {"registration_number": "invalid"},
        ),
    ],
    ids=["check-digit", "service-id", "line-message", "too-many-lines", "start", "plate"],
)
def test_both_faces_refuse_alike(
    rest: dict[str, Any], graphql: dict[str, Any], code: str, fields: dict[str, str]
) -> None:
    base = {"org_nr": ORG_NR, "service_start_time": "2031-03-04 10:00", "service_id": 7}
    with pytest.raises(ValidationFailed) as from_rest:
        rest_command({**base, **rest})
    typed = {"org_nr": ORG_NR, "service_start_time": datetime(2031, 3, 4, 9, 0, tzinfo=UTC), "service_id": service(7)}
    with pytest.raises(ValidationFailed) as from_graphql:
        CreateBookingInput(**{**typed, **graphql}).to_command()
    for error in (from_rest.value, from_graphql.value):
        assert (error.code, error.fields) == (code, fields)
    assert from_rest.value.message == from_graphql.value.message
