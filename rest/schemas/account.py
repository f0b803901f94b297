"""Wire shapes of Profile, Vehicles and Settings (names as in the reference where it names them).

The profile itself is `CarOwnerUserResponse` (rest/schemas/auth.py). Vehicle answers use the
`{data, meta{request_id, generated_at}}` envelope the reference documents for the module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType

from app.domain.account.commands import SetPrimaryVehicle
from app.domain.account.results import UsernameAvailability as UsernameResult
from app.domain.account.results import VehicleView
from app.request_context import current_request_id
from app.values import absolute_url, parse_plate
from rest.envelope import envelope_meta, iso, now_iso
from rest.schemas.common import EnvelopeMeta as CommonEnvelopeMeta


class CarOwnerUserUpdate(msgspec.Struct, omit_defaults=True):
    """Documented request of PUT /profile (JSON); multipart sends the same fields plus `file`/`profile_image`."""

    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    address: str | None = None


class UsernameAvailability(msgspec.Struct):
    username: str
    available: bool
    message: str


# The same fields as the shared meta, under its own name: the published OpenAPI document calls it
# `account_EnvelopeMeta` (beside `common_EnvelopeMeta`), and clients may have generated code from that.
class EnvelopeMeta(CommonEnvelopeMeta):
    pass


class ListMeta(msgspec.Struct):
    request_id: str
    generated_at: str
    count: int


class MessageData(msgspec.Struct):
    message: str


class MessageEnvelope(msgspec.Struct):
    data: MessageData
    meta: EnvelopeMeta


class VehicleCreate(msgspec.Struct):
    registration_number: str
    nickname: str | None = None
    image: str | None = None


class VehicleUpdate(msgspec.Struct):
    nickname: str | None = None
    image: str | None = None


class SetPrimary(msgspec.Struct):
    registration_number: str | None = None
    reg: str | None = None  # the legacy name

    def to_command(self) -> SetPrimaryVehicle:
        plate = self.registration_number if self.registration_number is not None else self.reg
        return SetPrimaryVehicle(registration_number=parse_plate(plate))


class Vehicle(msgspec.Struct):
    id: int
    registration_number: str
    nickname: str | None
    image: str | None
    is_primary: bool
    brand: str | None
    model: str | None
    color: str | None
    fuel_type: str | None
    vehicle_class: str | None
    vin: str | None
    first_registration: str | None
    model_year: int | None
    registration_status: str | None
    next_eu_control: str | None
    last_eu_control: str | None
    weights: dict[str, Any]
    source: str
    fetched_at: str | None
    linked_at: str | None
    updated_at: str | None


class VehicleDetails(Vehicle):
    """A vehicle with the registry's own document (`registry_data`, Norwegian field names)."""

    registry_data: dict[str, Any] = msgspec.field(default_factory=dict)


class VehicleListResponse(msgspec.Struct):
    data: list[Vehicle]
    meta: ListMeta


class VehicleResponse(msgspec.Struct):
    data: VehicleDetails
    meta: EnvelopeMeta


class VehicleRemovedData(msgspec.Struct):
    message: str
    registration_number: str
    primary_registration_number: str | None


class VehicleRemovedResponse(msgspec.Struct):
    data: VehicleRemovedData
    meta: EnvelopeMeta


class NotificationSettingsResponse(msgspec.Struct):
    preferences: dict[str, dict[str, bool]]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def vehicle_item(view: VehicleView, base_url: str, *, details: bool = False) -> Vehicle:
    """The view under the same names; dates and times as ISO text, the picture as an absolute URL."""
    values = msgspec.structs.asdict(view)
    raw = values.pop("raw")
    values.update(
        image=absolute_url(base_url, view.image),
        first_registration=_day(view.first_registration),
        next_eu_control=_day(view.next_eu_control),
        last_eu_control=_day(view.last_eu_control),
        fetched_at=iso(view.fetched_at),
        linked_at=iso(view.linked_at),
        updated_at=iso(view.updated_at),
    )
    if details:
        return VehicleDetails(**values, registry_data=raw or {})
    return Vehicle(**values)


def vehicle_response(view: VehicleView, base_url: str) -> VehicleResponse:
    item = vehicle_item(view, base_url, details=True)
    assert isinstance(item, VehicleDetails)
    return VehicleResponse(data=item, meta=envelope_meta(EnvelopeMeta))


def vehicle_list_response(views: list[VehicleView], base_url: str) -> VehicleListResponse:
    items = [vehicle_item(v, base_url) for v in views]
    return VehicleListResponse(
        data=items, meta=ListMeta(request_id=current_request_id(), generated_at=now_iso(), count=len(items))
    )


def username_response(result: UsernameResult) -> UsernameAvailability:
    return UsernameAvailability(username=result.username, available=result.available, message=result.message)


def _form_schema(text_fields: tuple[str, ...], file_fields: tuple[str, ...], required: tuple[str, ...] = ()) -> Schema:
    properties: dict[str, Any] = {name: Schema(type=OpenAPIType.STRING) for name in text_fields}
    properties.update({name: Schema(type=OpenAPIType.STRING, format="binary") for name in file_fields})  # type: ignore[arg-type]
    return Schema(type=OpenAPIType.OBJECT, properties=properties, required=list(required) or None)


def json_or_multipart(
    text_fields: tuple[str, ...], file_fields: tuple[str, ...], required: tuple[str, ...] = ()
) -> type[Operation]:
    """An operation class documenting a body that is JSON or multipart/form-data (the handler reads either)."""
    json_schema = _form_schema(text_fields, (), required)
    form_schema = _form_schema(text_fields, file_fields, required)

    @dataclass
    class JsonOrMultipart(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                required=bool(required),
                content={
                    "application/json": OpenAPIMediaType(schema=json_schema),
                    "multipart/form-data": OpenAPIMediaType(schema=form_schema),
                },
            )

    return JsonOrMultipart
