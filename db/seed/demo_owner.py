"""The demo owner: vehicles, favourites, bookings, messages and notifications laid out around the seeding day.

Bookings are placed relative to `today` (in Europe/Oslo time) so that "upcoming" stays upcoming; nothing
lies after `now`. Content and order are fixed for a given seed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec
from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.infra.vegvesen import map_document
from db.models import Booking, CarOwner, Favourite, Message, Notification, OwnerVehicle, Vehicle, Workshop
from db.seed.common import CDN, OSLO, random_uuid, table
from db.seed.demo_data import (
    DEMO_BOOKINGS,
    DEMO_EMAIL,
    DEMO_MESSAGES,
    DEMO_USERNAME,
    GOLF,
    TESLA,
    DemoBooking,
    registry_document,
)
from db.seed.marketplace import WorkshopFactory


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


async def seed_demo_owner(
    conn: AsyncConnection, factory: WorkshopFactory, *, seed: int, password_hash: str, now: datetime
) -> tuple[int, int, int]:
    """The demo owner with vehicles, favourites, bookings, messages and notifications; returns row counts."""
    today = now.astimezone(OSLO).date()
    rng = random.Random(f"minbil-seed:{seed}:demo")
    joined = _local(today - timedelta(days=400), 19, 12)
    owner_id = (
        await conn.execute(
            insert(table(CarOwner))
            .values(
                uid=random_uuid(rng),
                email=DEMO_EMAIL,
                username=DEMO_USERNAME,
                password_hash=password_hash,
                first_name="Kari",
                last_name="Nordmann",
                phone_number="+4791234567",
                address="Karl Johans gate 22, 0159 Oslo",
                profile_image=f"{CDN}/avatars/demo.png",
                verify_vehicles=True,
                is_active=True,
                created_at=joined,
                updated_at=joined,
            )
            .returning(table(CarOwner).c.id)
        )
    ).scalar_one()

    eu_done = today + timedelta(days=DEMO_BOOKINGS[0].day)
    vehicle_ids: dict[str, int] = {}
    for v in (TESLA, GOLF):
        last_eu = eu_done if v is GOLF else None
        next_eu = (
            (eu_done + timedelta(days=730))
            if v is GOLF
            else date(v.first_registration.year + 4, v.first_registration.month, v.first_registration.day)
        )
        found = map_document(
            registry_document(v, last_eu, next_eu), v.registration_number, source="offline", fetched_at=joined
        )
        # every registry field is a column of `vehicles`
        values = {
            **msgspec.structs.asdict(found),
            "weights": dict(found.weights),
            "created_at": joined,
            "updated_at": joined,
        }
        vehicles = table(Vehicle)
        statement = pg_insert(vehicles).values(**values)
        upsert = statement.on_conflict_do_update(
            index_elements=[vehicles.c.registration_number],
            set_={k: statement.excluded[k] for k in values if k not in {"registration_number", "created_at"}},
        ).returning(vehicles.c.id)
        vehicle_ids[v.registration_number] = (await conn.execute(upsert)).scalar_one()
        await conn.execute(
            insert(table(OwnerVehicle)).values(
                owner_id=owner_id,
                vehicle_id=vehicle_ids[v.registration_number],
                nickname=v.nickname,
                image=f"{CDN}/vehicles/demo/{v.registration_number.lower()}.jpg",
                is_primary=v.is_primary,
                created_at=joined,
                updated_at=joined,
            )
        )

    workshops = [factory.flagships[i] for i in sorted(factory.flagships)]
    favourites = [workshops[i][0] for i in (0, 1, 3) if i < len(workshops)]
    for n, org_nr in enumerate(dict.fromkeys(favourites)):
        await conn.execute(
            insert(table(Favourite)).values(
                owner_id=owner_id, org_nr=org_nr, created_at=joined + timedelta(days=30 + n * 11)
            )
        )

    # bookings: one row per line, lines of one booking share a group id
    now = now.replace(second=0, microsecond=0)
    booking_rows: list[dict[str, Any]] = []
    plan_of_row: list[DemoBooking] = []
    for plan in DEMO_BOOKINGS:
        org_nr, _workshop_name, offered = workshops[plan.flagship % len(workshops)]
        group_id = random_uuid(rng)
        day = today + timedelta(days=plan.day)
        start = _local(day, plan.hour)
        booked_on = (
            day - timedelta(days=rng.randrange(3, 10)) if plan.day < 0 else today - timedelta(days=rng.randrange(1, 3))
        )
        created = min(_local(booked_on, rng.randrange(8, 22), rng.choice((0, 15, 30, 45))), now - timedelta(hours=2))
        for leaf in plan.leaves:
            service = next((s for s in offered if s.leaf_slug == leaf), offered[0])
            end = start + timedelta(hours=service.hours)
            completed = plan.status == "COMPLETED"
            actual_end = end + timedelta(minutes=15) if completed else None
            rated_at = (
                actual_end + timedelta(hours=20) if completed and plan.rating is not None and actual_end else None
            )
            booking_rows.append(
                dict(
                    group_id=group_id,
                    owner_id=owner_id,
                    workshop_org_nr=org_nr,
                    service_id=service.id,
                    vehicle_id=vehicle_ids[plan.vehicle.registration_number],
                    registration_number=plan.vehicle.registration_number,
                    service_title=service.title,
                    service_description=service.description,
                    service_price=service.price,
                    service_estimated_hours=service.hours,
                    service_start_time=start,
                    service_estimated_end_time=end,
                    service_actual_end_time=actual_end,
                    attachments=list(plan.attachments),
                    status=plan.status,
                    verify_booked=plan.status in {"CONFIRMED", "IN_PROGRESS", "COMPLETED"},
                    verify_canceled=plan.status == "CANCELLED",
                    verify_service_done=completed,
                    cancel_request=False,
                    cancellation_reason=plan.cancellation_reason,
                    service_rating=plan.rating,
                    service_rating_message=plan.rating_message,
                    private_service_rating=False,
                    rated_at=rated_at,
                    messages=[],
                    paid_at=actual_end,
                    created_at=created,
                    updated_at=max(created, rated_at or actual_end or created),
                )
            )
            plan_of_row.append(plan)
            start = end  # the next line of the group follows this one
    ids = (
        (
            await conn.execute(
                insert(table(Booking)).returning(table(Booking).c.id, sort_by_parameter_order=True), booking_rows
            )
        )
        .scalars()
        .all()
    )
    first_line: dict[str, tuple[int, dict[str, Any]]] = {}
    for booking_id, row, plan in zip(ids, booking_rows, plan_of_row, strict=True):
        first_line.setdefault(plan.key, (booking_id, row))

    # message threads
    message_rows: list[dict[str, Any]] = []
    for key, sender, body, read, minutes in DEMO_MESSAGES:
        booking_id, row = first_line[key]
        plan = next(p for p in DEMO_BOOKINGS if p.key == key)
        anchor = (
            row["created_at"] + timedelta(hours=1)
            if plan.status in {"REQUESTED", "CONFIRMED", "CANCELLED"}
            else (row["service_actual_end_time"] or row["service_start_time"] + timedelta(minutes=40))
        )
        at = min(anchor + timedelta(minutes=minutes), now - timedelta(minutes=5))
        message_rows.append(
            dict(
                booking_id=booking_id,
                owner_id=owner_id,
                workshop_org_nr=row["workshop_org_nr"],
                sender_type=sender,
                message_text=body,
                attachments=list(plan.attachments) if sender == "carowner" else [],
                client_message_id=None,
                is_read=read,
                read_at=at + timedelta(minutes=3) if read else None,
                created_at=at,
            )
        )
    message_ids = (
        (
            await conn.execute(
                insert(table(Message)).returning(table(Message).c.id, sort_by_parameter_order=True), message_rows
            )
        )
        .scalars()
        .all()
    )
    unread_message = {
        row["booking_id"]: mid
        for mid, row in zip(message_ids, message_rows, strict=True)
        if row["sender_type"] == "workshop" and not row["is_read"]
    }

    # notifications
    def data_for(key: str, **extra: Any) -> dict[str, Any]:
        booking_id, row = first_line[key]
        name = next(w[1] for w in workshops if w[0] == row["workshop_org_nr"])
        return {
            "booking_id": booking_id,
            "group_id": row["group_id"],
            "workshop_org_nr": row["workshop_org_nr"],
            "workshop_name": name,
            "status": row["status"],
            **extra,
        }

    notes: list[tuple[str, str, str, dict[str, Any], bool, datetime]] = []

    def note(event: str, key: str, title: str, body: str, read: bool, at: datetime, **extra: Any) -> None:
        notes.append((event, title, body, data_for(key, **extra), read, min(at, now - timedelta(minutes=1))))

    def fmt(key: str) -> str:
        start = first_line[key][1]["service_start_time"].astimezone(OSLO)
        return start.strftime("%d.%m.%Y kl. %H:%M")

    def name_of(key: str) -> str:
        return data_for(key)["workshop_name"]

    eu, tyre, oil, declined = (first_line[k][1] for k in ("eu-control", "tyre-change", "oil-change", "windscreen"))
    note(
        "booking.completed",
        "eu-control",
        "EU-kontrollen er godkjent",
        f"{name_of('eu-control')} har fullført EU-kontrollen av BT57225.",
        True,
        eu["service_actual_end_time"],
    )
    note(
        "booking.completed",
        "tyre-change",
        "Bilen din er klar",
        f"{name_of('tyre-change')} er ferdig med dekkskiftet på EK39085.",
        True,
        tyre["service_actual_end_time"],
    )
    note(
        "booking.completed",
        "oil-change",
        "Bilen din er klar",
        f"{name_of('oil-change')} er ferdig med oljeskiftet på BT57225.",
        True,
        oil["service_actual_end_time"],
    )
    note(
        "rating.reminder",
        "oil-change",
        "Hvordan gikk oljeskiftet?",
        f"Gi {name_of('oil-change')} en vurdering – det hjelper andre bileiere.",
        False,
        oil["service_actual_end_time"] + timedelta(days=1),
    )
    note(
        "booking.declined",
        "windscreen",
        "Bookingen ble avslått",
        f"{name_of('windscreen')} kunne ikke ta imot bookingen: {declined['cancellation_reason']}",
        True,
        declined["created_at"] + timedelta(hours=5),
    )
    note(
        "booking.updated",
        "battery-test",
        "Arbeidet er i gang",
        f"{name_of('battery-test')} har startet på batteritesten av EK39085.",
        False,
        first_line["battery-test"][1]["service_start_time"] + timedelta(minutes=10),
    )
    note(
        "booking.accepted",
        "big-service",
        "Bookingen er bekreftet",
        f"{name_of('big-service')} har bekreftet stor service og bremseklosser {fmt('big-service')}.",
        False,
        first_line["big-service"][1]["created_at"] + timedelta(minutes=50),
    )
    note(
        "booking.requested",
        "stone-chip",
        "Forespørselen er sendt",
        f"Vi har sendt forespørselen om steinsprutreparasjon {fmt('stone-chip')} til {name_of('stone-chip')}.",
        True,
        first_line["stone-chip"][1]["created_at"] + timedelta(minutes=1),
    )
    for key in ("battery-test", "big-service"):
        booking_id = first_line[key][0]
        message = next(
            r
            for r in message_rows
            if r["booking_id"] == booking_id and r["sender_type"] == "workshop" and not r["is_read"]
        )
        note(
            "message.new",
            key,
            f"Ny melding fra {name_of(key)}",
            message["message_text"],
            False,
            message["created_at"],
            message_id=unread_message[booking_id],
        )
    notes.sort(key=lambda n: n[5])
    await conn.execute(
        insert(table(Notification)),
        [
            dict(
                owner_id=owner_id,
                type=event,
                title=title,
                body=body,
                data=data,
                is_read=read,
                read_at=at + timedelta(minutes=20) if read else None,
                created_at=at,
            )
            for event, title, body, data, read, at in notes
        ],
    )

    # fold the demo ratings into the workshops' aggregates
    rated: dict[str, list[float]] = {}
    for row in booking_rows:
        if row["service_rating"] is not None:
            rated.setdefault(row["workshop_org_nr"], []).append(row["service_rating"])
    shops = table(Workshop)
    for org_nr, ratings in sorted(rated.items()):
        average, total = factory.ratings[org_nr]
        new_total = total + len(ratings)
        new_average = round((average * total + sum(ratings)) / new_total, 2)
        await conn.execute(
            update(shops).where(shops.c.org_nr == org_nr).values(average_rating=new_average, total_reviews=new_total)
        )
    return len(booking_rows), len(message_rows), len(notes)
