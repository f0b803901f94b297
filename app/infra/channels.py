"""The channel layer (`app.domain.events.ports.Channels`): publish bytes on named channels, and fan them out
to local listeners.

`RedisChannels` uses Redis pub/sub, so a message published by any instance reaches the listeners of
every instance. Each process keeps ONE pub/sub connection; channels are subscribed while at least one
local listener wants them. `MemoryChannels` is the in-process twin for embedded mode.

Pub/sub forgets what it could not deliver. Listeners therefore get a `RESYNC` marker whenever the
layer (re)connects after a failure: they catch up from the database (the outbox) and de-duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.domain.events.ports import RESYNC, ChannelUnavailable, Listener
from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class _LocalFanout:
    def __init__(self) -> None:
        self.listeners: dict[str, set[Listener]] = {}

    def add(self, listener: Listener) -> bool:
        """Register; True when it is the channel's first local listener."""
        group = self.listeners.setdefault(listener.channel, set())
        group.add(listener)
        return len(group) == 1

    def remove(self, listener: Listener) -> bool:
        """Unregister; True when the channel has no local listener left."""
        group = self.listeners.get(listener.channel)
        if group is None:
            return False
        group.discard(listener)
        if not group:
            del self.listeners[listener.channel]
            return True
        return False

    def dispatch(self, channel: str, data: bytes) -> None:
        for listener in tuple(self.listeners.get(channel, ())):
            listener.deliver(data)

    def resync_all(self) -> None:
        for group in self.listeners.values():
            for listener in group:
                listener.deliver(RESYNC)


class MemoryChannels:
    """In-process channels (embedded mode, a single instance)."""

    shared = False

    def __init__(self, on_first_listener: Callable[[], None] | None = None) -> None:
        self._fanout = _LocalFanout()
        self._on_first_listener = on_first_listener

    async def publish(self, messages: Iterable[tuple[str, bytes]]) -> None:
        for channel, data in messages:
            self._fanout.dispatch(channel, data)

    async def listen(self, channel: str) -> Listener:
        listener = Listener(channel)
        self._fanout.add(listener)
        if self._on_first_listener is not None:
            callback, self._on_first_listener = self._on_first_listener, None
            callback()
        return listener

    async def unlisten(self, listener: Listener) -> None:
        self._fanout.remove(listener)

    async def close(self) -> None:
        self._fanout.listeners.clear()


class RedisChannels:
    """Redis pub/sub with one subscriber connection per process and automatic reconnection.

    `sharded`: the subscriber side of one Redis Cluster shard (`SSUBSCRIBE` on the node that owns the channels'
    slots); `app.infra.sharded_channels` routes each channel to its shard's instance and publishes itself.
    """

    shared = True

    def __init__(
        self,
        url: str,
        *,
        publish_timeout_s: float = 2.0,
        subscribe_timeout_s: float = 2.0,
        ping_every_s: float = 10.0,
        sharded: bool = False,
    ) -> None:
        # own clients: the pub/sub connection must not share the short socket timeout of the cache client
        self._publisher = Redis.from_url(url, socket_timeout=publish_timeout_s, socket_connect_timeout=1)
        # no health_check_interval: redis-py's check reads the PING's answer itself, from the socket the read loop
        # is reading ("read() called while another coroutine is already waiting"), when a channel is subscribed
        # while none was; the read loop pings instead and reads the answers itself
        self._subscriber = Redis.from_url(url, socket_connect_timeout=1)
        self._ping_every_s = ping_every_s
        self._sharded = sharded
        self._message_kind, self._subscribe_kind = ("smessage", "ssubscribe") if sharded else ("message", "subscribe")
        self._publish_timeout_s = publish_timeout_s
        self._subscribe_timeout_s = subscribe_timeout_s
        self._fanout = _LocalFanout()
        self._pubsub = self._subscriber.pubsub()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._late: set[str] = set()  # channels whose listeners stopped waiting for the confirmation
        self._connected = False
        self._ready = asyncio.Event()
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._closing = False

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read_loop(), name="redis-channels-reader")

    async def publish(self, messages: Iterable[tuple[str, bytes]]) -> None:
        items = list(messages)
        if not items:
            return
        try:
            async with self._publisher.pipeline(transaction=False) as pipe:
                for channel, data in items:
                    pipe.publish(channel, data)
                await asyncio.wait_for(pipe.execute(), self._publish_timeout_s * 2)
        except (TimeoutError, RedisError, OSError) as exc:
            raise ChannelUnavailable(str(exc) or type(exc).__name__) from exc

    async def listen(self, channel: str, listener: Listener | None = None) -> Listener:
        """Listen on `channel`; `listener`: one made before (a sharded layer routes it here once it can)."""
        listener = listener or Listener(channel)
        if self._fanout.add(listener):
            event = asyncio.Event()
            self._confirmed[channel] = event
            if self._connected:
                try:
                    async with self._lock:
                        await self._subscribe(channel)
                    await asyncio.wait_for(event.wait(), self._subscribe_timeout_s)
                except (TimeoutError, RedisError, OSError):
                    # not confirmed in time: a resync follows the confirmation (or the reconnection)
                    self._late.add(channel)
        else:
            confirmed = self._confirmed.get(channel)
            if confirmed is not None and self._connected:
                try:
                    await asyncio.wait_for(confirmed.wait(), self._subscribe_timeout_s)
                except TimeoutError:
                    self._late.add(channel)
        return listener

    async def unlisten(self, listener: Listener) -> None:
        if self._fanout.remove(listener):
            self._confirmed.pop(listener.channel, None)
            self._late.discard(listener.channel)
            if self._connected:
                try:
                    async with self._lock:
                        if self._sharded:
                            await self._pubsub.sunsubscribe(listener.channel)
                        else:
                            await self._pubsub.unsubscribe(listener.channel)
                except (RedisError, OSError):
                    pass

    async def _read_loop(self) -> None:
        delay = 0.1
        while not self._closing:
            try:
                await self._connect()
                delay = 0.1
                heard = pinged = time.monotonic()
                while not self._closing:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=False, timeout=1.0)
                    now = time.monotonic()
                    if message is not None:
                        heard = now
                        self._handle(message)
                    elif self._pubsub.subscribed and now - heard >= self._ping_every_s:
                        if pinged > heard and now - pinged >= 2 * self._ping_every_s + 1:
                            raise ConnectionError("no answer to a ping on the pub/sub connection")
                        if pinged <= heard:  # nothing heard for a while and no ping out: ask
                            pinged = now
                            async with self._lock:
                                await self._pubsub.ping()  # answered as a "pong" message, read above
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: listeners catch up once we are back
                if self._connected:
                    log.warning("redis pub/sub connection lost: %s", exc)
                self._connected = False
                self._ready.clear()
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                self._pubsub = self._subscriber.pubsub()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def _connect(self) -> None:
        channels = list(self._fanout.listeners)
        for channel in channels:
            self._confirmed[channel] = asyncio.Event()
        async with self._lock:
            await self._pubsub.ping()  # opens the connection; raises when Redis is down
            if channels:
                await self._subscribe(*channels)
            self._connected = True
            self._ready.set()
            # a listener that arrived while the connection was being opened found it not yet connected
            added = [c for c in self._fanout.listeners if c not in channels]
            if added:
                for channel in added:
                    self._confirmed.setdefault(channel, asyncio.Event())
                await self._subscribe(*added)
        was_reconnect = bool(channels)
        if was_reconnect:
            # confirmations arrive through the read loop: confirm in the background, then resync
            task = asyncio.create_task(self._resync_when_confirmed(channels))
            self._background.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._background.discard)

    async def connected(self, timeout_s: float) -> bool:
        """Wait up to `timeout_s` for the subscriber connection; whether it is open."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout_s)
        return self._connected

    async def _subscribe(self, *channels: str) -> None:
        if not self._sharded:
            await self._pubsub.subscribe(*channels)
            return
        for channel in channels:  # one SSUBSCRIBE each: channels of one shard may still lie in different slots
            await self._pubsub.ssubscribe(channel)

    async def _resync_when_confirmed(self, channels: list[str]) -> None:
        events = [self._confirmed[c] for c in channels if c in self._confirmed]
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), self._subscribe_timeout_s * 2)
        self._fanout.resync_all()

    def _handle(self, message: dict[str, object]) -> None:
        kind = message.get("type")
        channel = message.get("channel")
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        if kind == self._message_kind:
            data = message.get("data")
            if isinstance(data, bytes):
                self._fanout.dispatch(name, data)
        elif kind == self._subscribe_kind:
            event = self._confirmed.get(name)
            if event is None:
                return
            if event.is_set() or name in self._late:
                # a re-subscription after a reconnection of the client's own, or a confirmation that came
                # after its listeners stopped waiting: they may have missed messages, so they catch up
                self._late.discard(name)
                for listener in tuple(self._fanout.listeners.get(name, ())):
                    listener.deliver(RESYNC)
            event.set()

    async def close(self) -> None:
        self._closing = True
        await cancel_and_wait(self._reader)
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        await self._subscriber.aclose()
        await self._publisher.aclose()
