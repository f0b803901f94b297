"""Garage use cases: the owner's vehicles, looked up in the national registry and linked to the owner."""

from __future__ import annotations

import msgspec
from msgspec import UNSET
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.ratelimit import parse_rate
from app.domain.account.commands import AddVehicle, RefreshVehicle, RemoveVehicle, SetPrimaryVehicle, UpdateVehicle
from app.domain.account.images import delete_after_commit, prepare_image, store_image
from app.domain.account.ports import RegistryVehicle
from app.domain.account.results import VehicleChange, VehicleRemoved, VehicleView
from app.domain.media import MEDIA_URL_PREFIX
from app.domain.uow import UnitOfWork
from app.errors import Forbidden, NotFound, ValidationFailed
from app.values import Plate, is_web_url, utc_now
from db.models import OwnerVehicle, Vehicle
from db.repositories import account as account_repo
from db.repositories import vehicles as repo

REFRESH_MAX_AGE_S = 15 * 60  # a refresh reuses a registry answer younger than this
NOT_LINKED = "This vehicle is not linked to your account."


def vehicle_view(link: OwnerVehicle, vehicle: Vehicle, *, details: bool = False) -> VehicleView:
    assert vehicle.id is not None
    return VehicleView(
        id=vehicle.id,
        registration_number=vehicle.registration_number,
        nickname=link.nickname,
        image=link.image,
        is_primary=link.is_primary,
        brand=vehicle.brand,
        model=vehicle.model,
        color=vehicle.color,
        fuel_type=vehicle.fuel_type,
        vehicle_class=vehicle.vehicle_class,
        vin=vehicle.vin,
        first_registration=vehicle.first_registration,
        model_year=vehicle.model_year,
        registration_status=vehicle.registration_status,
        next_eu_control=vehicle.next_eu_control,
        last_eu_control=vehicle.last_eu_control,
        weights=dict(vehicle.weights or {}),
        source=vehicle.source,
        fetched_at=vehicle.fetched_at,
        linked_at=link.created_at,
        updated_at=max(link.updated_at, vehicle.updated_at),
        raw=dict(vehicle.raw or {}) if details else None,
    )


def _registry_values(found: RegistryVehicle) -> dict[str, object]:
    """The stored columns of a registry answer; the key stays the plate we asked for."""
    values = msgspec.structs.asdict(found)
    del values["registration_number"]
    return values


async def _rate_limit(uow: UnitOfWork, owner_id: int) -> None:
    limit, window = parse_rate(uow.settings.vehicle_rate_limit)
    await uow.services.rate_limiter.hit("vehicles", str(owner_id), limit=limit, window_s=window)


def _image_url(value: str | None, current: str | None = None) -> str | None:
    """An image reference sent as text (legacy clients upload elsewhere and send the link).

    Files in our own storage can only be referenced by the link that already holds them, so nobody can
    point at (and later delete) another owner's upload.
    """
    if value is None:
        return None
    link = value.strip()
    if current is not None and link == current:
        return current
    if link.startswith(MEDIA_URL_PREFIX):
        raise ValidationFailed("image refers to a file that is not yours.", fields={"image": "invalid"})
    if not is_web_url(link, max_length=500):
        raise ValidationFailed("image must be an http(s) URL or an uploaded file.", fields={"image": "invalid"})
    return link


async def _linked(uow: UnitOfWork, owner_id: int, plate: Plate) -> tuple[OwnerVehicle, Vehicle]:
    found = await repo.get_link(uow.session, owner_id, plate)
    if found is None:
        raise Forbidden(NOT_LINKED, code="VEHICLE_NOT_LINKED", fields={"registration_number": "not_linked"})
    return found


async def _owned(uow: UnitOfWork, owner_id: int, plate: Plate) -> tuple[OwnerVehicle, Vehicle]:
    """The caller's link to the vehicle: 404 if no such vehicle is known, 403 if it is not theirs."""
    found = await repo.get_link(uow.session, owner_id, plate)
    if found is None:
        if await repo.get_vehicle(uow.session, plate) is None:
            raise NotFound("Vehicle not found.", code="VEHICLE_NOT_FOUND", fields={"registration_number": "unknown"})
        raise Forbidden(NOT_LINKED, code="VEHICLE_NOT_LINKED", fields={"registration_number": "not_linked"})
    return found


async def list_vehicles(uow: UnitOfWork, owner_id: int) -> list[VehicleView]:
    return [vehicle_view(link, vehicle) for link, vehicle in await repo.links_of_owners(uow.session, [owner_id])]


async def vehicle_details(uow: UnitOfWork, owner_id: int, plate: Plate) -> VehicleView:
    """Full details of one of the caller's vehicles: 404 if no such vehicle is known, 403 if not theirs."""
    return vehicle_view(*await _owned(uow, owner_id, plate), details=True)


async def add_vehicle(uow: UnitOfWork, owner_id: int, command: AddVehicle) -> VehicleChange:
    """Create the vehicle from the registry if it is new and link it; `created` is False when already linked.

    The first linked vehicle becomes the primary one. The plate is checked before any registry call.
    """
    plate = command.registration_number
    picture_url = _image_url(command.image_url)
    # a bad picture must not cost a registry lookup
    prepared = await prepare_image(uow, command.image) if command.image is not None else None
    await _rate_limit(uow, owner_id)
    existing = await repo.get_link(uow.session, owner_id, plate)
    if existing is not None:
        return VehicleChange(vehicle=vehicle_view(*existing, details=True), created=False)
    vehicle = await repo.get_vehicle(uow.session, plate)
    found = None if vehicle is not None else await uow.services.registry.lookup(plate)
    if await account_repo.lock_owner(uow.session, owner_id) is None:
        raise NotFound("User not found.", code="USER_NOT_FOUND")
    existing = await repo.get_link(uow.session, owner_id, plate)  # a concurrent request may have linked it
    if existing is not None:
        return VehicleChange(vehicle=vehicle_view(*existing, details=True), created=False)
    now = utc_now()
    if found is not None:
        vehicle = await repo.upsert_vehicle(uow.session, plate, _registry_values(found), now)
    assert vehicle is not None and vehicle.id is not None
    picture = (await store_image(uow, prepared, "vehicles")).url if prepared is not None else picture_url
    first = await repo.count_links(uow.session, owner_id) == 0
    link = await repo.add_link(
        uow.session,
        OwnerVehicle(
            owner_id=owner_id,
            vehicle_id=vehicle.id,
            nickname=command.nickname,
            image=picture,
            is_primary=first,
            created_at=now,
            updated_at=now,
        ),
    )
    return VehicleChange(vehicle=vehicle_view(link, vehicle, details=True), created=True)


async def remove_vehicle(uow: UnitOfWork, owner_id: int, command: RemoveVehicle) -> VehicleRemoved:
    """Unlink (the vehicle record stays); a removed primary passes to the most recently updated remaining one."""
    plate = command.registration_number
    await account_repo.lock_owner(uow.session, owner_id)
    link, _vehicle = await _owned(uow, owner_id, plate)
    was_primary = link.is_primary
    delete_after_commit(uow, link.image)
    await repo.delete_link(uow.session, link)
    if was_primary:
        await repo.promote_latest(uow.session, owner_id, utc_now())
    primary = next((v for v in await list_vehicles(uow, owner_id) if v.is_primary), None)
    return VehicleRemoved(registration_number=plate, primary=primary)


async def set_primary(uow: UnitOfWork, owner_id: int, command: SetPrimaryVehicle) -> VehicleView:
    await account_repo.lock_owner(uow.session, owner_id)
    link, vehicle = await _linked(uow, owner_id, command.registration_number)
    if not link.is_primary:
        await repo.clear_primary(uow.session, owner_id)
        link.is_primary = True
        uow.session.add(link)
        await uow.session.flush()
    return vehicle_view(link, vehicle, details=True)


async def update_vehicle(uow: UnitOfWork, owner_id: int, command: UpdateVehicle) -> VehicleView:
    """Change the nickname and/or picture of a linked vehicle; only the fields sent change."""
    link, vehicle = await _linked(uow, owner_id, command.registration_number)
    if command.nickname is UNSET and command.image_url is UNSET and command.image is None:
        raise ValidationFailed("No changes.", code="NO_CHANGES")
    if command.nickname is not UNSET:
        link.nickname = command.nickname
    if command.image is not None:
        stored = await store_image(uow, command.image, "vehicles")
        delete_after_commit(uow, link.image)
        link.image = stored.url
    elif command.image_url is not UNSET:
        value = _image_url(command.image_url, link.image)
        if value != link.image:
            delete_after_commit(uow, link.image)
        link.image = value
    link.updated_at = utc_now()
    uow.session.add(link)
    await uow.session.flush()
    return vehicle_view(link, vehicle, details=True)


async def refresh_vehicle(uow: UnitOfWork, owner_id: int, command: RefreshVehicle) -> VehicleView:
    """Fetch the registry data again for a linked vehicle (answers younger than 15 minutes are reused)."""
    plate = command.registration_number
    link, vehicle = await _linked(uow, owner_id, plate)
    await _rate_limit(uow, owner_id)
    found = await uow.services.registry.lookup(plate, max_age_s=REFRESH_MAX_AGE_S, stored=vehicle.raw or None)
    vehicle = await repo.upsert_vehicle(uow.session, plate, _registry_values(found), utc_now())
    return vehicle_view(link, vehicle, details=True)


async def vehicles_by_ids(uow: UnitOfWork, owner_id: int, vehicle_ids: list[int]) -> dict[int, VehicleView]:
    """The caller's vehicles among `vehicle_ids` (one statement), by vehicle id; others' vehicles are absent."""
    links = await repo.links_by_vehicle_ids(uow.session, owner_id, vehicle_ids)
    return {vehicle.id: vehicle_view(link, vehicle, details=True) for link, vehicle in links if vehicle.id is not None}


async def linked_plate(uow: UnitOfWork, owner_id: int, vehicle_id: int, field: str = "vehicle_id") -> Plate:
    """The plate of one of the caller's vehicles named by its id; a vehicle that is not the caller's is
    indistinguishable from one that does not exist (404 naming `field`)."""
    found = await repo.links_by_vehicle_ids(uow.session, owner_id, [vehicle_id])
    if not found:
        raise NotFound("Vehicle not found.", code="VEHICLE_NOT_FOUND", fields={field: "unknown"})
    return Plate(found[0][1].registration_number)


async def vehicles_of_owners(session: AsyncSession, owner_ids: list[int]) -> dict[int, list[VehicleView]]:
    """Every listed owner's vehicles (primary first) with one statement, for batch loaders."""
    grouped: dict[int, list[VehicleView]] = {owner_id: [] for owner_id in owner_ids}
    for link, vehicle in await repo.links_of_owners(session, owner_ids):
        grouped.setdefault(link.owner_id, []).append(vehicle_view(link, vehicle, details=True))
    return grouped
