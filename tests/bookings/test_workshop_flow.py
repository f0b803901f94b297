"""The whole lifecycle played with the workshop commands: book -> confirm -> start -> complete -> rate ->
service log -> export; plus the owner's notifications and realtime events, a reply, and a real
`minbil workshop confirm` process."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from app.errors import Conflict
from app.services import Services
from db.models import Booking, DomainEvent, Message, Notification
from tests.bookings.conftest import World, book, stored_booking, workshop
from tests.conftest import SignedIn
from tests.factories import stored_id


async def events_of(services: Services, owner_id: int) -> list[DomainEvent]:
    async with services.sessionmaker() as session:
        result = await session.exec(
            select(DomainEvent).where(col(DomainEvent.owner_id) == owner_id).order_by(col(DomainEvent.id))
        )
        return list(result.all())


async def notifications_of(services: Services, owner_id: int) -> list[Notification]:
    async with services.sessionmaker() as session:
        result = await session.exec(
            select(Notification).where(col(Notification.owner_id) == owner_id).order_by(col(Notification.id))
        )
        return list(result.all())


async def test_book_confirm_complete_rate_log_export(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    group = (await book(client, owner, world, services=[stored_id(world.oil), stored_id(world.brakes)])).json()["data"]
    group_id = group["group_id"]
    # illegal: completing a requested booking
    with pytest.raises(Conflict):
        await workshop(services, "complete", group_id)
    confirmed = await workshop(services, "confirm", group_id, "--org-nr", world.workshop.org_nr)
    assert {line.status for line in confirmed} == {"CONFIRMED"} and all(line.verify_booked for line in confirmed)
    # the booking has moved into the past by the time the car is in the shop
    async with services.sessionmaker() as session:
        for row in await session.exec(select(Booking).where(col(Booking.group_id) == group_id)):
            row.service_start_time = datetime.now(UTC) - timedelta(hours=3)
            session.add(row)
        await session.commit()
    await workshop(services, "start", group_id)
    end = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    completed = await workshop(services, "complete", group_id, "--at", end.isoformat())
    assert {line.status for line in completed} == {"COMPLETED"}
    assert completed[0].service_actual_end_time == end
    listed = (await client.get("/api/co/bookings", headers=owner.headers)).json()
    line = listed[0]["items"][0]
    assert line["status"] == "COMPLETED" and line["status_display"] == "Fullført"
    assert line["verify_service_done"] is True and line["rating_allowed"] is True
    assert line["can_reschedule"] is False and line["can_request_cancel"] is False
    rated = await client.post(f"/api/co/rating/{line['id']}", json={"service_rating": 4.5}, headers=owner.headers)
    assert rated.status_code == 200
    log = (await client.get("/api/co/service-log/list", headers=owner.headers)).json()["data"]
    assert log["total"] == 2
    summary = (await client.get("/api/co/service-log/summary", headers=owner.headers)).json()["data"]
    assert summary["count"] == 2 and summary["average_rating"] == 4.5 and summary["total_spent"] == 3990.5
    token = (await client.get("/api/co/service-log/export-token", headers=owner.headers)).json()["data"]["token"]
    exported = await client.get(f"/api/co/service-records/export?token={token}")
    assert exported.status_code == 200 and len(exported.content.decode("utf-8-sig").strip().splitlines()) == 3

    kinds = [n.type for n in await notifications_of(services, owner.owner_id)]
    assert kinds == ["booking.requested", "booking.accepted", "booking.updated", "booking.completed", "rating.reminder"]
    notes = await notifications_of(services, owner.owner_id)
    assert notes[1].title == "Bestilling bekreftet" and "Bilservice Oslo" in notes[1].body
    updates = [e for e in await events_of(services, owner.owner_id) if e.event_type == "booking.updated"]
    assert [e.payload["status"] for e in updates] == ["REQUESTED"] * 2 + ["CONFIRMED"] * 2 + ["IN_PROGRESS"] * 2 + [
        "COMPLETED"
    ] * 2
    assert set(updates[-1].payload) >= {"booking_id", "group_id", "status", "status_display", "updated_at"}


async def test_decline_and_reply(client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services) -> None:
    line = (await book(client, owner, world)).json()["data"]["items"][0]
    item = await workshop(services, "reply", str(line["id"]), "Vi", "har", "ledig", "kl", "12")
    assert item["message_text"] == "Vi har ledig kl 12" and item["sender_type"] == "workshop"
    got = (await client.get(f"/api/co/bookings/{line['id']}", headers=owner.headers)).json()
    assert got["unread_count"] == 1
    created = [e for e in await events_of(services, owner.owner_id) if e.event_type == "message.created"]
    assert created and created[-1].payload["message_text"] == "Vi har ledig kl 12"
    declined = await workshop(services, "decline", str(line["id"]), "--reason", "Fullt")
    assert declined[0].status == "DECLINED"
    with pytest.raises(Conflict):
        await workshop(services, "confirm", str(line["id"]))
    assert "booking.declined" in [n.type for n in await notifications_of(services, owner.owner_id)]


async def test_workshop_of_another_org_is_refused(world: World, owner: SignedIn, services: Services) -> None:
    from app.errors import Forbidden

    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    with pytest.raises(Forbidden):
        await workshop(services, "confirm", str(row.id), "--org-nr", world.other_workshop.org_nr)


async def test_minbil_workshop_confirm_as_a_process(
    world: World, owner: SignedIn, services: Services, settings: object, tmp_path: Path
) -> None:
    row = await stored_booking(services, owner_id=owner.owner_id, world=world, vehicle=world.car)
    script = Path(sys.executable).with_name("minbil")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINBIL_")}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DATABASE_URL": services.settings.database_url or "",
            "MINBIL_DATA_DIR": str(tmp_path),
            "MINBIL_JWT_SECRET": "process-secret-" + "y" * 40,
            "MINBIL_LOG_LEVEL": "WARNING",
        }
    )

    async def confirm() -> tuple[int | None, str, str]:
        process = await asyncio.create_subprocess_exec(
            *command,
            "workshop",
            "confirm",
            str(row.id),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        return process.returncode, out.decode(), err.decode()

    code, out, err = await confirm()
    assert code == 0, err
    assert '"status": "CONFIRMED"' in out
    async with services.sessionmaker() as session:
        stored = await session.get(Booking, row.id)
        assert stored is not None and stored.status == "CONFIRMED" and stored.verify_booked
    code, _, err = await confirm()
    assert code == 1 and "cannot change from CONFIRMED to CONFIRMED" in err


async def test_messages_written_by_owner_reach_the_thread(
    client: httpx.AsyncClient, owner: SignedIn, world: World, services: Services
) -> None:
    line = (await book(client, owner, world, message="Ring meg")).json()["data"]["items"][0]
    async with services.sessionmaker() as session:
        rows = (await session.exec(select(Message).where(col(Message.booking_id) == line["id"]))).all()
    assert [(m.sender_type, m.message_text) for m in rows] == [("carowner", "Ring meg")]
