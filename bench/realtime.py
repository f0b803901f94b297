"""Realtime delivery: one event to many subscriptions on one instance, and what an idle WebSocket costs.

Serves the app as `minbil serve` does (uvicorn with `app.cli.server_options`: its WebSocket implementation and
compression settings) in a subprocess on the database of DATABASE_URL and the Redis of REDIS_URL (read through
app.settings; migrations applied), pinned to core 0 while this process runs on core 1 (as `bench/http_load.py`
pins wrk). It asserts nothing. Phases:

1. Idle memory: `--idle-sockets` WebSockets (one owner each) open and get their `connection_ack`; the server's
   resident memory (RSS, from /proc) before and after, divided by the number of sockets, after a warm-up round
   of sockets opened and closed (imports, pools and caches are not counted).
2. Fan-out: one owner's `--connections` sockets x `--per-connection` `messageReceived` subscriptions. A workshop
   message is written through the domain's unit of work in THIS process (the row and its outbox event in one
   transaction; the commit NOTIFYs the server's relay, as `minbil workshop reply` does), `--sends` times; the
   latency of each receipt is from the moment the commit returned to the moment its `next` frame arrived on the
   socket (stamped by the socket's reader, not by the awaiting task). Every subscription must get every event
   exactly once; duplicates, misses (not within 10 s) and out-of-order cursors are counted.
3. The server's log: WARNING and ERROR lines (for example "rate limiter store unavailable") are counted.

With `--sizes 1,100,1000` it also runs the cross-instance phase: subscribers on instance B, sends through
instance A's REST face, latency from the send to the receipt for 1, 100 and 1000 open subscriptions.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/realtime.py [--idle-sockets 200] [--connections 10] [--per-connection 20] [--sends 30]

The output ends with a table of the two goals: p99 after commit and KiB per idle socket, value and goal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import msgspec
import psutil
import websockets
from sqlalchemy import insert
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.auth.tokens import TokenCodec, hash_token, new_refresh_token
from app.cli import server_options
from app.settings import Settings, load_settings
from app.wiring import build_services
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade_head
from db.models import Booking, CarOwner, RefreshToken, Service, Workshop
from tests.realtime.harness import MESSAGE_SUBSCRIPTION, GraphQLSocket, Server
from tests.realtime.produce import workshop_message

P99_GOAL_MS = 100.0
IDLE_GOAL_KIB = 50.0
SERVER_CPU, BENCH_CPU = 0, 1


class StampedSocket(GraphQLSocket):
    """A graphql-transport-ws client whose reader stamps each frame with its arrival time (`_at`)."""

    async def _read(self) -> None:
        ws = self._connection()
        try:
            async for raw in ws:
                at = time.perf_counter()
                message = json.loads(raw)
                message["_at"] = at
                op = message.get("id")
                if op is not None:
                    self._queues.setdefault(op, asyncio.Queue()).put_nowait(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            assert self.closed is not None
            if not self.closed.done():
                self.closed.set_result(None)  # type: ignore[arg-type]
            for queue in self._queues.values():
                queue.put_nowait({"type": "closed"})


def uvicorn_flags(settings: Settings) -> tuple[str, ...]:
    """The WebSocket options of `minbil serve` as uvicorn command-line flags."""
    options = server_options(settings)
    flags: list[str] = []
    if "ws" in options:
        flags += ["--ws", str(options["ws"])]
    if "ws_per_message_deflate" in options:
        flags += ["--ws-per-message-deflate", str(bool(options["ws_per_message_deflate"])).lower()]
    if "ws_max_size" in options:
        flags += ["--ws-max-size", str(options["ws_max_size"])]
    if "ws_max_queue" in options:
        flags += ["--ws-max-queue", str(options["ws_max_queue"])]
    return tuple(flags)


async def seed(settings: Settings, owners: int) -> list[tuple[int, str, int]]:
    """`owners` owners with one booking each: (owner id, owner uid, booking id)."""
    engine = make_engine(settings.database_url or "")
    await upgrade_head(engine)
    run = uuid.uuid4().hex[:8]
    async with make_sessionmaker(engine)() as session:
        org_nr = f"9{random.randint(10_000_000, 99_999_999)}"
        session.add(Workshop(org_nr=org_nr, name=f"Bench {run}"))
        await session.flush()
        service = Service(org_nr=org_nr, title="EU-kontroll", price=Decimal("990"), estimated_time=1.0)
        session.add(service)
        await session.flush()
        rows = [
            {"uid": str(uuid.uuid4()), "email": f"bench-{run}-{i}@minbil.io", "password_hash": "x"}
            for i in range(owners)
        ]
        connection = await session.connection()  # Core inserts of many rows: SQLModel's session warns on them
        result = await connection.execute(insert(CarOwner).returning(col(CarOwner.id), col(CarOwner.uid)), rows)
        created = [(r[0], str(r[1])) for r in result.all() if r[0] is not None]  # RETURNING id: never None
        # one session (refresh-token family) per owner, named after the owner's uid: the tokens' `sid`
        await connection.execute(
            insert(RefreshToken),
            [
                {
                    "owner_id": oid,
                    "family_id": uid,
                    "token_hash": hash_token(new_refresh_token()),
                    "expires_at": datetime.now(UTC) + timedelta(days=1),
                }
                for oid, uid in created
            ],
        )
        start = datetime.now(UTC) + timedelta(days=3)
        bookings = [
            {
                "group_id": str(uuid.uuid4()),
                "owner_id": oid,
                "workshop_org_nr": org_nr,
                "service_id": service.id,
                "service_title": "EU-kontroll",
                "service_price": Decimal("990"),
                "service_estimated_hours": 1.0,
                "service_start_time": start,
                "service_estimated_end_time": start + timedelta(hours=1),
                "status": "REQUESTED",
            }
            for oid, _ in created
        ]
        result = await connection.execute(insert(Booking).returning(col(Booking.id), col(Booking.owner_id)), bookings)
        by_owner = {int(owner_id): bid for bid, owner_id in result.all() if bid is not None}
        await session.commit()
    await engine.dispose()
    return [(oid, uid, by_owner[oid]) for oid, uid in created]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def settle(process: psutil.Process) -> int:
    """The server's RSS once it has stopped changing (sockets opened, frames answered)."""
    last = process.memory_info().rss
    for _ in range(20):
        await asyncio.sleep(0.5)
        now = process.memory_info().rss
        if abs(now - last) < 64 * 1024:
            return now
        last = now
    return last


async def open_sockets(url: str, tokens: list[str]) -> list[StampedSocket]:
    gate = asyncio.Semaphore(20)

    async def one(token: str) -> StampedSocket:
        async with gate:
            return await StampedSocket(url, token, open_timeout=60).connect()  # type: ignore[return-value]

    return list(await asyncio.gather(*(one(t) for t in tokens)))


async def idle_memory(server: Server, tokens: list[str]) -> dict[str, float]:
    """RSS per idle socket (after `connection_ack`), over `len(tokens)` sockets of as many owners."""
    process = psutil.Process(server.process.pid if server.process else 0)
    warm = await open_sockets(server.ws_url, tokens[:20])  # first sockets load code and fill pools
    await asyncio.gather(*(s.close() for s in warm))
    before = await settle(process)
    sockets = await open_sockets(server.ws_url, tokens)
    after = await settle(process)
    await asyncio.gather(*(s.close() for s in sockets))
    return {"kib_per_socket": (after - before) / 1024 / len(tokens), "sockets": len(tokens)}


async def fan_out(
    server: Server,
    settings: Settings,
    token: str,
    booking_id: int,
    *,
    sends: int,
    connections: int,
    per_connection: int,
) -> dict[str, float]:
    """One owner's event to `connections` x `per_connection` subscriptions: latency from the commit to each frame."""
    process = psutil.Process(server.process.pid if server.process else 0)
    sockets = await open_sockets(server.ws_url, [token] * connections)
    before = await settle(process)
    ops = [f"m{n}" for n in range(per_connection)]
    for socket in sockets:
        for op in ops:
            await socket.subscribe(op, MESSAGE_SUBSCRIPTION, {"after": None})
    subscribed = await settle(process)
    latencies: list[float] = []
    missed = duplicates = disorder = 0
    last_cursor: dict[tuple[int, str], int] = {}
    # the producer: a unit of work in this process; no Redis, so this process runs no relay of its own
    producer_settings = msgspec.structs.replace(settings, redis_url=None)
    async with build_services(producer_settings) as producer:
        # the server's CPU while its subscriptions wait (relay polls, socket watchers): not the events' cost
        idle_before, idle_started = process.cpu_times(), time.perf_counter()
        await asyncio.sleep(3)
        idle_after, idle_s = process.cpu_times(), time.perf_counter() - idle_started
        idle_rate = (idle_after.user + idle_after.system - idle_before.user - idle_before.system) / idle_s
        cpu_before, started = process.cpu_times(), time.perf_counter()
        for i in range(sends + 2):  # the first two are warm-up (and prove every subscription listens)
            message_id = await workshop_message(producer, booking_id, f"fan-out {i}")
            committed = time.perf_counter()

            async def receipt(s: int, op: str, expected: int = message_id, since: float = committed) -> float | None:
                try:
                    frame = await sockets[s].next(op, timeout=10)
                except TimeoutError:
                    return None
                if frame.get("type") != "next" or not (frame["payload"].get("data") or {}).get("messageReceived"):
                    raise AssertionError(f"subscription {s}/{op}: {frame}")
                received = frame["payload"]["data"]["messageReceived"]
                cursor = int(received["cursor"])
                if int(received["message"]["databaseId"]) != expected:
                    raise AssertionError(f"unexpected message {received}")
                nonlocal disorder
                if cursor <= last_cursor.get((s, op), 0):
                    disorder += 1
                last_cursor[(s, op)] = cursor
                return (float(frame["_at"]) - since) * 1000

            waits = await asyncio.gather(*(receipt(s, op) for s in range(connections) for op in ops))
            if i >= 2:
                latencies.extend(w for w in waits if w is not None)
                missed += sum(1 for w in waits if w is None)
            await asyncio.sleep(0.2)
        cpu_after, elapsed = process.cpu_times(), time.perf_counter() - started
    await asyncio.sleep(0.5)
    duplicates = sum(socket.pending(op) for socket in sockets for op in ops)  # nothing more may have come
    await asyncio.gather(*(socket.close() for socket in sockets))
    return {
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies) if latencies else float("nan"),
        "receipts": len(latencies),
        "missed": missed,
        "duplicates": duplicates,
        "disorder": disorder,
        "kib_per_subscription": (subscribed - before) / 1024 / (connections * per_connection),
        # the server's CPU per event (the relay's tick, every subscription's delivery), less its idle CPU
        "cpu_ms_per_event": (
            cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system - idle_rate * elapsed
        )
        * 1000
        / (sends + 2),
    }


async def cross_instance(
    a: Server, b: Server, codec: TokenCodec, owners: list[tuple[int, str, int]], size: int, sends: int
) -> dict[str, float]:
    """Subscribers (one socket and owner each) on B, sends through A's REST face: send -> receipt on B."""
    chosen = owners[:size]
    tokens = {oid: codec.issue(owner_uid=uid, owner_id=oid, session_id=uid, ttl_s=3600).token for oid, uid, _ in chosen}
    sockets: dict[int, GraphQLSocket] = {}
    gate = asyncio.Semaphore(20)

    async def open_one(oid: int) -> None:
        async with gate:
            socket = await GraphQLSocket(b.ws_url, tokens[oid], open_timeout=120).connect()
            # from cursor 0: a subscription that the loaded server registers late still gets its message
            await socket.subscribe("m", MESSAGE_SUBSCRIPTION, {"after": "0"})
            sockets[oid] = socket

    await asyncio.gather(*(open_one(oid) for oid, _, _ in chosen))
    await asyncio.sleep(1.0 + size / 500)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as client:
        for i in range(sends + 5):
            oid, _, booking_id = random.choice(chosen)
            started = time.perf_counter()
            response = await client.post(
                "/api/co/messages/send",
                headers={"Authorization": f"Bearer {tokens[oid]}"},
                json={"thread_id": str(booking_id), "message": f"bench {i}"},
            )
            response.raise_for_status()
            await sockets[oid].data("m", timeout=30)
            if i >= 5:
                latencies.append((time.perf_counter() - started) * 1000)
    await asyncio.gather(*(s.close() for s in sockets.values()))
    return {"p50": statistics.median(latencies), "p99": percentile(latencies, 0.99)}


def log_lines(path: Path) -> tuple[int, list[str]]:
    lines = [line for line in path.read_text(errors="replace").splitlines() if "WARNING" in line or "ERROR" in line]
    return len(lines), lines[:5]


async def main(args: argparse.Namespace) -> None:
    base = load_settings()
    settings = msgspec.structs.replace(
        base, redis_prefix=f"bench:rt:{uuid.uuid4().hex[:8]}:", log_level="WARNING", log_json=False
    )
    if not settings.database_url or not settings.redis_url:
        raise SystemExit("set DATABASE_URL and REDIS_URL")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    owners = await seed(settings, max([args.idle_sockets, *sizes]) + 1)
    codec = TokenCodec(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_s=3600
    )
    tokens = [codec.issue(owner_uid=uid, owner_id=oid, session_id=uid, ttl_s=3600).token for oid, uid, _ in owners]
    logs = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    flags = uvicorn_flags(settings)
    server = Server(settings, MINBIL_GRAPHQL_MAX_CONNECTIONS_PER_USER=str(max(10, args.connections)))
    server.options = flags
    server.stderr_path = logs / "server.log"
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {BENCH_CPU})
    await server.start()
    assert server.process is not None
    with contextlib.suppress(OSError):
        os.sched_setaffinity(server.process.pid, {SERVER_CPU})
    cross: dict[int, dict[str, float]] = {}
    try:
        idle = await idle_memory(server, tokens[: args.idle_sockets])
        gc.collect()
        fan = await fan_out(
            server,
            settings,
            tokens[-1],
            owners[-1][2],
            sends=args.sends,
            connections=args.connections,
            per_connection=args.per_connection,
        )
        if sizes:
            other = Server(settings)
            await other.start()
            try:
                for size in sizes:
                    cross[size] = await cross_instance(server, other, codec, owners, size, args.sends)
            finally:
                other.stop()
    finally:
        server.stop()
    warnings, sample = log_lines(server.stderr_path)

    subscriptions = args.connections * args.per_connection
    print(f"server: uvicorn {' '.join(flags)} on core {SERVER_CPU}; log {server.stderr_path}")
    if cross:
        print("\ncross-instance (send on A's REST face -> receipt on B), ms")
        print(f"{'subscribers':>11} {'p50':>8} {'p99':>8}")
        for size, r in cross.items():
            print(f"{size:>11} {r['p50']:>8.1f} {r['p99']:>8.1f}")
    print(
        f"\none event to {subscriptions} subscriptions ({args.connections} sockets x {args.per_connection}, one owner), "
        f"{args.sends} events, latency from the commit to the frame's arrival:"
    )
    print(
        f"  p50 {fan['p50']:.1f} ms, p90 {fan['p90']:.1f} ms, p99 {fan['p99']:.1f} ms, max {fan['max']:.1f} ms; "
        f"{fan['receipts']:.0f} receipts, {fan['missed']:.0f} missed, {fan['duplicates']:.0f} extra, "
        f"{fan['disorder']:.0f} out of order; {fan['kib_per_subscription']:.1f} KiB RSS per subscription; "
        f"server CPU {fan['cpu_ms_per_event']:.1f} ms per event"
    )
    print(f"  idle sockets: {idle['sockets']:.0f} (one owner each), RSS delta after connection_ack")
    print(f"  server log: {warnings} WARNING/ERROR lines")
    for line in sample:
        print(f"    {line[:160]}")
    print(f"\n{'goal':<44} {'value':>10} {'goal':>10}")
    print(
        f"{'p99 after commit, ' + str(subscriptions) + ' subscriptions':<44} {fan['p99']:>7.1f} ms {'<= ' + str(int(P99_GOAL_MS)) + ' ms':>10}"
    )
    print(
        f"{'memory per idle WebSocket (RSS)':<44} {idle['kib_per_socket']:>6.1f} KiB {'<= ' + str(int(IDLE_GOAL_KIB)) + ' KiB':>10}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle-sockets", type=int, default=200)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--per-connection", type=int, default=20)
    parser.add_argument("--sends", type=int, default=30)
    parser.add_argument("--sizes", default="", help="cross-instance phase, e.g. 1,100,1000 (off by default)")
    asyncio.run(main(parser.parse_args()))
