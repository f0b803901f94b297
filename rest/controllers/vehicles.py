"""Vehicles (6 reference operations): the owner's garage, with data from Statens vegvesen."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.tokens import AccessClaims
from app.domain.account import inputs, vehicles
from app.domain.account.commands import RefreshVehicle, RemoveVehicle
from app.domain.uow import UnitOfWork
from app.values import parse_plate
from rest.boundary import JSON_OR_FORM
from rest.controllers.profile import read_payload
from rest.envelope import envelope_meta
from rest.openapi import problem_responses
from rest.schemas.account import (
    EnvelopeMeta,
    SetPrimary,
    VehicleListResponse,
    VehicleRemovedData,
    VehicleRemovedResponse,
    VehicleResponse,
    json_or_multipart,
    vehicle_list_response,
    vehicle_response,
)


def requested_plate(registration_number: FromQuery[str | None] = None, reg: FromQuery[str | None] = None) -> str | None:
    """The vehicle a query names; `reg` is the short form older clients send."""
    return registration_number if registration_number is not None else reg


class VehiclesController(Controller):
    path = "/vehicles"
    tags = ["Vehicles"]
    opt = {"error_style": "problem"}
    dependencies = {"plate": Provide(requested_plate, sync_to_thread=False)}

    @get(
        "/",
        operation_id="GetVehicles",
        summary="Fetch vehicles linked to the authenticated user",
        responses=problem_responses(403, 404),
    )
    async def get_vehicles(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        plate: NamedDependency[str | None],
    ) -> VehicleListResponse | VehicleResponse:
        base = uow.settings.public_base_url
        if plate is None:
            return vehicle_list_response(await vehicles.list_vehicles(uow, claims.owner_id), base)
        return vehicle_response(await vehicles.vehicle_details(uow, claims.owner_id, parse_plate(plate)), base)

    @post(
        "/",
        operation_id="AddVehicle",
        status_code=HTTP_201_CREATED,
        summary="Create a vehicle (from Vegvesen) if missing and link it to the authenticated user",
        operation_class=json_or_multipart(
            ("registration_number", "nickname", "image"), ("file", "image"), ("registration_number",)
        ),
        responses={
            HTTP_200_OK: ResponseSpec(VehicleResponse, description="Already linked", generate_examples=False),
            **problem_responses(404, 409, 429),
        },
        opt=JSON_OR_FORM,
    )
    async def add_vehicle(
        self, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> Response[VehicleResponse]:
        values, upload = await read_payload(request, ("file", "image"))
        result = await vehicles.add_vehicle(uow, claims.owner_id, inputs.vehicle_addition(values, upload))
        return Response(
            vehicle_response(result.vehicle, uow.settings.public_base_url),
            status_code=HTTP_201_CREATED if result.created else HTTP_200_OK,
        )

    @delete(
        "/",
        operation_id="RemoveVehicle",
        status_code=HTTP_200_OK,
        summary="Unlink a vehicle from the authenticated user (does not delete the vehicle)",
        responses=problem_responses(403, 404),
    )
    async def remove_vehicle(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        plate: NamedDependency[str | None],
    ) -> VehicleRemovedResponse:
        command = RemoveVehicle(registration_number=parse_plate(plate))
        result = await vehicles.remove_vehicle(uow, claims.owner_id, command)
        return VehicleRemovedResponse(
            data=VehicleRemovedData(
                message="Vehicle unlinked.",
                registration_number=result.registration_number,
                primary_registration_number=result.primary.registration_number if result.primary else None,
            ),
            meta=envelope_meta(EnvelopeMeta),
        )

    @post(
        "/refresh/{registration_number:str}",
        operation_id="RefreshVehicle",
        status_code=HTTP_200_OK,
        summary="Refresh stored vehicle data from Vegvesen for a linked vehicle",
        responses=problem_responses(403, 429),
    )
    async def refresh_vehicle(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        registration_number: FromPath[str],
    ) -> VehicleResponse:
        command = RefreshVehicle(registration_number=parse_plate(registration_number))
        view = await vehicles.refresh_vehicle(uow, claims.owner_id, command)
        return vehicle_response(view, uow.settings.public_base_url)

    @post(
        "/set-primary",
        operation_id="SetPrimaryVehicle",
        status_code=HTTP_200_OK,
        summary="Set the primary vehicle for the authenticated user",
        responses=problem_responses(403, 404),
    )
    async def set_primary(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], data: JSONBody[SetPrimary]
    ) -> VehicleResponse:
        view = await vehicles.set_primary(uow, claims.owner_id, data.to_command())
        return vehicle_response(view, uow.settings.public_base_url)

    @put(
        "/{registration_number:str}",
        operation_id="UpdateVehicle",
        status_code=HTTP_200_OK,
        summary="Update nickname or image for a linked vehicle (JSON or multipart)",
        operation_class=json_or_multipart(("nickname", "image"), ("file", "image")),
        responses=problem_responses(403),
        opt=JSON_OR_FORM,
    )
    async def update_vehicle(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        registration_number: FromPath[str],
    ) -> VehicleResponse:
        values, upload = await read_payload(request, ("file", "image"))
        command = inputs.vehicle_update(registration_number, values, upload)
        view = await vehicles.update_vehicle(uow, claims.owner_id, command)
        return vehicle_response(view, uow.settings.public_base_url)


CONTROLLERS = [VehiclesController]
