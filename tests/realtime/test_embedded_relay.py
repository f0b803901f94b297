"""Without Redis the outbox relay runs only in a process that has subscribers.

In-process channels reach only this process: a process that merely writes events (`minbil workshop ...`, a
worker) must leave them in the outbox for the server whose subscribers can receive them. A relay there would
mark them published into channels nobody listens to, and the server's subscribers would never see them."""

from __future__ import annotations

import asyncio

import msgspec

from app.domain.events.envelope import owner_channel
from app.settings import Settings
from app.wiring import build_services


def _relays() -> list[asyncio.Task[object]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == "outbox-relay" and not task.done()]


async def test_a_process_without_subscribers_runs_no_relay(settings: Settings) -> None:
    embedded = msgspec.structs.replace(settings, redis_url=None)
    before = len(_relays())
    async with build_services(embedded) as services:
        await asyncio.sleep(0.2)  # the cache followers have started
        assert len(_relays()) == before
        listener = await services.realtime.channels.listen(owner_channel(embedded.redis_prefix, 1))
        assert len(_relays()) == before + 1  # the first subscriber starts it
        await services.realtime.channels.unlisten(listener)
