"""A producer in its own process: workshop messages on a booking, each with its `message.created` event,
written through the domain's unit of work (the row and the outbox event in one transaction).

    python -m tests.realtime.produce --booking 12 --count 5 [--text hi] [--concurrency 4] [--interval 0.1]
    python -m tests.realtime.produce --booking 12 --event booking.updated --status CONFIRMED

Prints the ids of the stored messages. Settings come from the environment (DATABASE_URL, REDIS_URL, MINBIL_*).
"""

from __future__ import annotations

import argparse
import asyncio

from app.domain.events.envelope import MESSAGE_CREATED
from app.domain.messages.results import MessageView, message_item, thread_message
from app.services import Services
from app.settings import load_settings
from app.wiring import build_services
from db.models import Booking


async def workshop_message(services: Services, booking_id: int, text: str) -> int:
    async with services.uow() as uow:
        booking = await uow.session.get(Booking, booking_id)
        assert booking is not None and booking.id is not None
        message = thread_message(booking, "workshop", text, [])
        uow.session.add(message)
        await uow.session.flush()
        uow.emit(booking.owner_id, MESSAGE_CREATED, message_item(MessageView.from_row(message)))
    assert message.id is not None
    return message.id


async def booking_updated(services: Services, booking_id: int, status: str) -> int:
    async with services.uow() as uow:
        booking = await uow.session.get(Booking, booking_id)
        assert booking is not None
        booking.status = status
        uow.session.add(booking)
        event = uow.emit(
            booking.owner_id,
            "booking.updated",
            {
                "booking_id": booking.id,
                "group_id": booking.group_id,
                "status": status,
                "status_display": status.title(),
                "updated_at": None,
            },
        )
        await uow.session.flush()
    return int(event.id or 0)


async def main(args: argparse.Namespace) -> None:
    async with build_services(load_settings()) as services:
        if args.event == "booking.updated":
            print(await booking_updated(services, args.booking, args.status))
            return
        gate = asyncio.Semaphore(args.concurrency)
        loop = asyncio.get_running_loop()
        start = loop.time()

        async def one(i: int) -> int:
            # message i is due at start + i * interval: the pace does not depend on how long each write takes,
            # and no task sleeps while it holds a slot
            await asyncio.sleep(max(0.0, start + args.interval * i - loop.time()))
            async with gate:
                return await workshop_message(services, args.booking, f"{args.text} {i}")

        ids = await asyncio.gather(*(one(i) for i in range(args.count)))
    print(" ".join(str(i) for i in ids))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--booking", type=int, required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--text", default="msg")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between sends")
    parser.add_argument("--event", default=MESSAGE_CREATED)
    parser.add_argument("--status", default="CONFIRMED")
    asyncio.run(main(parser.parse_args()))
