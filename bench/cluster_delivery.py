"""Two-instance delivery latency over one Redis and over a Redis Cluster (sharded pub/sub).

For each Redis: instances A and B (uvicorn subprocesses, as `bench/realtime.py` serves them) on the database of
DATABASE_URL; `--owners` owners (one socket and `messageReceived` subscription each) on B, so their channels
spread over the cluster's shards; `--sends` messages sent through A's REST face one after the other, each timed
from the send to its receipt on B (REST request, commit, relay, publication, delivery). Prints p50 and p99 of
both. It asserts nothing.

The single Redis is REDIS_URL; the cluster is REDIS_CLUSTER_URL (one node), or three primaries this script
starts on loopback ports 7100-7199 (`TEST_REDIS_CLUSTER_PORTS` moves them) and stops afterwards.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/cluster_delivery.py [--owners 30] [--sends 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime import cross_instance, seed, uvicorn_flags  # beside this script

from app.auth.tokens import TokenCodec
from app.settings import Settings, load_settings
from tests.infra import redis_cluster_server
from tests.realtime.harness import Server


@contextlib.contextmanager
def cluster_url() -> Iterator[str]:
    given = os.environ.get("REDIS_CLUSTER_URL")
    if given:
        yield given
        return
    with redis_cluster_server() as url:
        yield url


async def measure(settings: Settings, owners: list[tuple[int, str, int]], sends: int) -> dict[str, float]:
    codec = TokenCodec(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_s=3600
    )
    a, b = Server(settings), Server(settings)
    a.options = b.options = uvicorn_flags(settings)
    logs = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    a.stderr_path, b.stderr_path = logs / "a.log", logs / "b.log"
    print(f"server logs: {logs}", flush=True)
    try:
        await asyncio.gather(a.start(), b.start())
        return await cross_instance(a, b, codec, owners, len(owners), sends)
    finally:
        a.stop()
        b.stop()


async def main(args: argparse.Namespace) -> None:
    base = load_settings()
    if not base.database_url or not base.redis_url:
        raise SystemExit("set DATABASE_URL and REDIS_URL")
    settings = msgspec.structs.replace(base, log_level="WARNING", log_json=False)
    owners = await seed(settings, args.owners)
    results: dict[str, dict[str, float]] = {}
    single = msgspec.structs.replace(settings, redis_prefix=f"bench:cd:{uuid.uuid4().hex[:8]}:", redis_cluster=False)
    results["single Redis"] = await measure(single, owners, args.sends)
    with cluster_url() as url:
        cluster = msgspec.structs.replace(
            settings, redis_url=url, redis_cluster=True, redis_prefix=f"bench:cd:{uuid.uuid4().hex[:8]}:"
        )
        results["Redis Cluster (3 shards)"] = await measure(cluster, owners, args.sends)
    print(f"two-instance delivery, {args.owners} subscribers on B, {args.sends} sends through A (send -> receipt)")
    print(f"{'redis':<26} {'p50 ms':>8} {'p99 ms':>8}")
    for name, figures in results.items():
        print(f"{name:<26} {figures['p50']:>8.1f} {figures['p99']:>8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=30)
    parser.add_argument("--sends", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
