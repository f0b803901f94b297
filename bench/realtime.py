"""Realtime delivery across instances: latency and memory as the number of open subscriptions grows.

Starts two app instances (uvicorn subprocesses) on the database of DATABASE_URL and the Redis of REDIS_URL
(read through app.settings; migrations applied). Subscribers (`messageReceived`, one socket and one owner
each) connect to instance B; the publisher sends messages through instance A's REST face
(`POST /api/co/messages/send`), so every delivery goes A -> outbox -> relay -> Redis -> B -> socket.

For 1, 100 and 1000 open subscriptions (`--sizes`) it measures the latency from the send to the receipt
on B for `--sends` messages to randomly chosen subscribers (sequential, so it is latency, not throughput),
and B's resident memory per idle subscription. Prints p50/p99 and memory, and each as a ratio to the
single-subscriber case. Then one owner's event to 200 subscriptions (10 sockets x 20) on instance A: the
time from the send's commit to each receipt, and A's memory per idle socket. Asserts nothing.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/realtime.py [--sizes 1,100,1000] [--sends 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import msgspec
import psutil
from sqlalchemy import insert
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.auth.tokens import TokenCodec, hash_token, new_refresh_token
from app.settings import Settings, load_settings
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade_head
from db.models import Booking, CarOwner, RefreshToken, Service, Workshop
from tests.realtime.harness import MESSAGE_SUBSCRIPTION, GraphQLSocket, Server


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
        result = await session.execute(insert(CarOwner).returning(col(CarOwner.id), col(CarOwner.uid)), rows)
        created = [(int(r[0]), str(r[1])) for r in result.all()]
        # one session (refresh-token family) per owner, named after the owner's uid: the tokens' `sid`
        await session.execute(
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
        result = await session.execute(insert(Booking).returning(col(Booking.id), col(Booking.owner_id)), bookings)
        by_owner = {int(owner_id): int(bid) for bid, owner_id in result.all()}
        await session.commit()
    await engine.dispose()
    return [(oid, uid, by_owner[oid]) for oid, uid in created]


async def measure(
    a: Server, b: Server, codec: TokenCodec, owners: list[tuple[int, str, int]], size: int, sends: int
) -> dict[str, float]:
    process = psutil.Process(b.process.pid if b.process else 0)
    await asyncio.sleep(0.5)
    rss_before = process.memory_info().rss
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
    await asyncio.sleep(1.0 + size / 500)  # every subscription is listening
    rss_after = process.memory_info().rss

    latencies: list[float] = []
    send_times: list[float] = []
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
            answered = time.perf_counter()
            await sockets[oid].data("m", timeout=30)
            if i >= 5:  # warm-up excluded
                latencies.append((time.perf_counter() - started) * 1000)
                send_times.append((answered - started) * 1000)
    await asyncio.gather(*(s.close() for s in sockets.values()))
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        "mem_kib": max(0.0, (rss_after - rss_before) / 1024 / size),
        "send_p50": statistics.median(send_times),
    }


async def fan_out(
    a: Server, codec: TokenCodec, owner: tuple[int, str, int], sends: int, connections: int, per_connection: int
) -> dict[str, float]:
    """One owner's event to `connections` x `per_connection` subscriptions on one instance: the time from the
    send's answer (its commit) to each subscription's receipt, and the memory of an idle socket."""
    oid, uid, booking_id = owner
    token = codec.issue(owner_uid=uid, owner_id=oid, session_id=uid, ttl_s=3600).token
    process = psutil.Process(a.process.pid if a.process else 0)
    await asyncio.sleep(0.5)
    rss_before = process.memory_info().rss
    sockets = [await GraphQLSocket(a.ws_url, token, open_timeout=60).connect() for _ in range(connections)]
    await asyncio.sleep(1.0)
    rss_idle = process.memory_info().rss
    for socket in sockets:
        for n in range(per_connection):
            await socket.subscribe(f"m{n}", MESSAGE_SUBSCRIPTION, {"after": None})
    await asyncio.sleep(1.0)  # every subscription is listening
    after_commit: list[float] = []
    missed = 0
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as client:
        for i in range(sends + 2):
            response = await client.post(
                "/api/co/messages/send",
                headers={"Authorization": f"Bearer {token}"},
                json={"thread_id": str(booking_id), "message": f"fan-out {i}"},
            )
            response.raise_for_status()
            committed = time.perf_counter()

            async def receipt(socket: GraphQLSocket, op: str, since: float = committed) -> float | None:
                try:
                    await socket.data(op, timeout=10)
                except TimeoutError:
                    return None  # not delivered within 10 s: counted as missed
                return (time.perf_counter() - since) * 1000

            waits = await asyncio.gather(
                *(receipt(socket, f"m{n}") for socket in sockets for n in range(per_connection))
            )
            if i >= 2:  # warm-up excluded
                after_commit.extend(w for w in waits if w is not None)
                missed += sum(1 for w in waits if w is None)
    await asyncio.gather(*(socket.close() for socket in sockets))
    after_commit.sort()
    return {
        "p50": statistics.median(after_commit) if after_commit else float("nan"),
        "p99": after_commit[min(len(after_commit) - 1, round(0.99 * (len(after_commit) - 1)))]
        if after_commit
        else float("nan"),
        "kib_per_socket": max(0.0, (rss_idle - rss_before) / 1024 / connections),
        "missed": missed,
        "receipts": len(after_commit),
    }


async def main(args: argparse.Namespace) -> None:
    base = load_settings()
    settings = msgspec.structs.replace(
        base,
        redis_prefix=f"bench:rt:{uuid.uuid4().hex[:8]}:",
        graphql_max_connections_per_user=max(5, args.fan_out_connections),
        log_level="WARNING",
        log_json=False,
    )
    if not settings.database_url or not settings.redis_url:
        raise SystemExit("set DATABASE_URL and REDIS_URL (two instances need a shared PostgreSQL and Redis)")
    sizes = [int(s) for s in args.sizes.split(",")]
    owners = await seed(settings, max(sizes) + 1)
    codec = TokenCodec(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_s=3600
    )
    a, b = Server(settings), Server(settings)
    await asyncio.gather(a.start(), b.start())
    try:
        results = {size: await measure(a, b, codec, owners, size, args.sends) for size in sizes}
        fan = await fan_out(
            a, codec, owners[-1], args.sends // 3 or 1, args.fan_out_connections, args.fan_out_per_connection
        )
    finally:
        a.stop()
        b.stop()
    base_result = results[sizes[0]]
    print(f"realtime delivery A -> B, {args.sends} sends per size (ratios vs {sizes[0]} subscriber(s))")
    print("latency = from the send on A to the receipt on B; 'POST ms' = the send's own HTTP round trip (p50)")
    print(
        f"{'subscribers':>11} {'p50 ms':>8} {'p99 ms':>8} {'POST ms':>8} {'KiB/sub':>8} {'p50 x':>6} {'p99 x':>6} {'mem x':>6}"
    )
    for size, r in results.items():
        mem_ratio = r["mem_kib"] / base_result["mem_kib"] if base_result["mem_kib"] else float("nan")
        print(
            f"{size:>11} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['send_p50']:>8.1f} {r['mem_kib']:>8.1f} {r['p50'] / base_result['p50']:>6.2f} "
            f"{r['p99'] / base_result['p99']:>6.2f} {mem_ratio:>6.2f}"
        )

    subscriptions = args.fan_out_connections * args.fan_out_per_connection
    print(
        f"\none event to {subscriptions} subscriptions ({args.fan_out_connections} sockets x "
        f"{args.fan_out_per_connection}) on one instance, after the send's commit: p50 {fan['p50']:.1f} ms, "
        f"p99 {fan['p99']:.1f} ms (goal p99 <= 100 ms), {fan['receipts']:.0f} receipts, {fan['missed']:.0f} missed "
        f"(not within 10 s); idle socket {fan['kib_per_socket']:.1f} KiB (goal <= 50 KiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--sends", type=int, default=60)
    parser.add_argument("--fan-out-connections", type=int, default=10)
    parser.add_argument("--fan-out-per-connection", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
