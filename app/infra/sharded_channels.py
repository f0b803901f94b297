"""The channel layer on a Redis Cluster: sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis 7).

Ordinary pub/sub on a cluster sends every message over the cluster bus to every node, so fan-out does not grow
with the shards. A sharded channel lives on the shard that owns its slot: a message crosses the bus to nothing,
and the per-owner channels spread over the shards by their names. Broadcast channels (the marketplace's
invalidations and favourites) are sharded too: each lives on the one shard its name hashes to, which is enough
for their few messages and keeps the cluster bus free of them.

Each shard this process listens on has its own subscriber (`RedisChannels(sharded=True)` on the node's
address: one connection, reconnection, resyncs); publications go through the cluster client, which groups them
per node in one pipeline. A listener that arrives while the cluster cannot tell which shard owns its channel
waits aside and is routed (with a `RESYNC`) once it can, so `listen` never fails, as on one Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from app.domain.events.ports import RESYNC, ChannelUnavailable, Listener
from app.infra.channels import RedisChannels
from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)


def node_url(url: str, host: str, port: int) -> str:
    """`url` (credentials, scheme, options) pointed at one node of the cluster."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, "", parts.query, ""))


class ShardedRedisChannels:
    shared = True

    def __init__(
        self, url: str, *, publish_timeout_s: float = 2.0, subscribe_timeout_s: float = 2.0, ping_every_s: float = 10.0
    ) -> None:
        self._url = url
        self._cluster = RedisCluster.from_url(url, socket_timeout=publish_timeout_s, socket_connect_timeout=1)
        self._publish_timeout_s = publish_timeout_s
        self._subscribe_timeout_s = subscribe_timeout_s
        self._ping_every_s = ping_every_s
        self._shards: dict[str, RedisChannels] = {}  # node name -> the subscriber on that node
        self._holder: dict[Listener, RedisChannels] = {}
        self._lock = asyncio.Lock()
        self._parked: set[Listener] = set()  # not routed yet: the cluster did not answer
        self._router: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Shards are joined on their first listener."""

    async def publish(self, messages: Iterable[tuple[str, bytes]]) -> None:
        items = list(messages)
        if not items:
            return
        try:
            async with self._cluster.pipeline(transaction=False) as pipe:
                for channel, data in items:
                    pipe.spublish(channel, data)
                await asyncio.wait_for(pipe.execute(), self._publish_timeout_s * 2)
        except (TimeoutError, RedisError, RedisClusterException, OSError) as exc:
            raise ChannelUnavailable(str(exc) or type(exc).__name__) from exc

    async def listen(self, channel: str) -> Listener:
        listener = Listener(channel)
        try:
            shard = await self._shard(channel)
        except ChannelUnavailable as exc:
            log.warning("redis cluster: %s; channel %s routed once it answers", exc, channel)
            self._parked.add(listener)
            if self._router is None or self._router.done():
                self._router = asyncio.create_task(self._route_parked(), name="redis-cluster-router")
            return listener
        await shard.listen(channel, listener)
        self._holder[listener] = shard
        return listener

    async def unlisten(self, listener: Listener) -> None:
        self._parked.discard(listener)
        shard = self._holder.pop(listener, None)
        if shard is not None:
            await shard.unlisten(listener)

    async def _route_parked(self) -> None:
        delay = 0.1
        while self._parked:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
            for listener in list(self._parked):
                try:
                    shard = await self._shard(listener.channel)
                except ChannelUnavailable:
                    break
                if listener in self._parked:  # not given up meanwhile
                    self._parked.discard(listener)
                    await shard.listen(listener.channel, listener)
                    self._holder[listener] = shard
                    listener.deliver(RESYNC)  # it may have missed messages while parked

    async def _shard(self, channel: str) -> RedisChannels:
        async with self._lock:
            try:
                await asyncio.wait_for(self._cluster.initialize(), self._subscribe_timeout_s)
                node = self._cluster.get_node_from_key(channel)
            except (TimeoutError, RedisError, RedisClusterException, OSError) as exc:
                raise ChannelUnavailable(str(exc) or type(exc).__name__) from exc
            if node is None:
                raise ChannelUnavailable(f"no node serves the slot of {channel}")
            shard = self._shards.get(node.name)
            if shard is None:
                shard = RedisChannels(
                    node_url(self._url, node.host, int(node.port)),
                    publish_timeout_s=self._publish_timeout_s,
                    subscribe_timeout_s=self._subscribe_timeout_s,
                    ping_every_s=self._ping_every_s,
                    sharded=True,
                )
                shard.start()
                self._shards[node.name] = shard
                await shard.connected(self._subscribe_timeout_s)
            return shard

    async def close(self) -> None:
        await cancel_and_wait(self._router)
        self._parked.clear()
        for shard in self._shards.values():
            await shard.close()
        self._shards.clear()
        self._holder.clear()
        await self._cluster.aclose()
