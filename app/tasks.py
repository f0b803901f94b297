"""Stopping the background tasks that the adapters, the domain's caches and the realtime runtime start."""

from __future__ import annotations

import asyncio
from typing import Any

RECANCEL_EVERY_S = 1.0


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` and wait until it has ended; how it ends (cancelled or failing on the way out) is its own
    affair, while a cancellation of the caller propagates as usual.

    A cancellation can be lost: on Python 3.11 `asyncio.wait_for` returns the inner result when the inner
    awaitable finishes in the same loop turn as the cancellation, and the task runs on to its next await.
    A task still running after `RECANCEL_EVERY_S` is cancelled again; the pause leaves an ordinary unwind
    (an unsubscribe in a `finally`) time to finish first.
    """
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=RECANCEL_EVERY_S)
    if not task.cancelled():
        task.exception()  # retrieved, so that asyncio does not report it as never retrieved
