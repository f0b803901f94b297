"""How much the registry cache saves: N vehicle lookups with and without the shared cache, in one run.

The registry is simulated with a MockTransport that answers a recorded-format document after a delay
(`--latency-ms`, default 80: a typical round trip to Statens vegvesen). The cache is Redis when
`REDIS_URL` is set (read through app.settings), otherwise the in-process store. Prints times and the ratio.

    python bench/account_registry_cache.py --lookups 200 --plates 20
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import date

import httpx
from redis.asyncio import Redis

from app.domain.ports import KeyValue
from app.infra.kv import MemoryKV, RedisKV
from app.infra.vegvesen import VegvesenRegistry, offline_document
from app.settings import load_settings


async def run(lookups: int, plates: int, latency_ms: float) -> None:
    calls = 0

    async def registry_answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(latency_ms / 1000)
        plate = request.url.params["kjennemerke"]
        return httpx.Response(200, json=offline_document(plate, date.today()))

    settings = load_settings()
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    kv: KeyValue = RedisKV(redis, prefix=f"bench:{time.time_ns()}:") if redis else MemoryKV()
    registry = VegvesenRegistry(
        api_key="bench", base_url="https://svv.bench", kv=kv, transport=httpx.MockTransport(registry_answer)
    )
    names = [f"BN{10000 + i}" for i in range(plates)]

    start = time.perf_counter()
    for i in range(lookups):
        await registry.lookup(names[i % plates], max_age_s=0)  # never accept a cached answer
    uncached = time.perf_counter() - start
    uncached_calls, calls = calls, 0

    start = time.perf_counter()
    for i in range(lookups):
        await registry.lookup(names[i % plates])
    cached = time.perf_counter() - start

    await registry.aclose()
    if redis is not None:
        await redis.aclose()
    store = "redis" if redis else "memory"
    print(f"lookups={lookups} plates={plates} latency={latency_ms}ms store={store}")
    print(f"without cache: {uncached:.3f}s, {uncached_calls} registry calls")
    print(f"with cache:    {cached:.3f}s, {calls} registry calls")
    print(f"ratio (without/with): {uncached / cached:.1f}x; quota spent {uncached_calls} vs {calls}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--plates", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=80.0)
    args = parser.parse_args()
    asyncio.run(run(args.lookups, args.plates, args.latency_ms))


if __name__ == "__main__":
    main()
