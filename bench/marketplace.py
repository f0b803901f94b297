"""Marketplace search throughput: cached, uncached, and a bare endpoint returning the same bytes.

Run against a server on a seeded database, e.g.

    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/0 minbil seed --workshops 20000
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/0 minbil serve --port 8000
    python bench/marketplace.py --base-url http://127.0.0.1:8000

Phases (each `--seconds` long, `--concurrency` connections):
1. cached: the same search again and again (every answer is a cache HIT);
2. uncached: the same search with a radius that differs in the sixth decimal per request, so every request
   has its own cache key (a MISS that runs the SQL), while the rows are the same;
3. bare: a minimal Litestar app under uvicorn, started here, that returns the cached answer's exact bytes.
Prints requests per second per phase and the ratios between them. It measures; it asserts nothing.
With `--server-pid` (the `minbil serve` process) it also prints the server's CPU time per request, read from
/proc, which stays comparable when the machine is busy with other work.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx

SEARCH = "/api/co/shops?lat=59.9139&lng=10.7522&sort=distance&page_size=20&radius_km={radius}"


def cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of a process (Linux /proc), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_phase(
    base: str,
    make_path: Callable[[int], str],
    seconds: float,
    concurrency: int,
    expect_cache: str | None,
    pid: int | None = None,
) -> tuple[float, dict[str, int], float | None]:
    cpu_before = cpu_seconds(pid)
    counter = itertools.count()
    done = 0
    statuses: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                response = await client.get(make_path(next(counter)))
                key = f"{response.status_code} {response.headers.get('x-cache', '-')}"
                statuses[key] = statuses.get(key, 0) + 1
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if expect_cache and not any(expect_cache in k for k in statuses):
        print(f"  warning: no {expect_cache} answers in this phase: {statuses}", file=sys.stderr)
    cpu_after = cpu_seconds(pid)
    cpu_ms = (
        (cpu_after - cpu_before) * 1000 / max(done, 1) if cpu_before is not None and cpu_after is not None else None
    )
    return done / elapsed, statuses, cpu_ms


def start_bare_server(body: bytes, port: int) -> subprocess.Popen[bytes]:
    folder = Path(tempfile.mkdtemp(prefix="minbil-bench-"))
    (folder / "body.json").write_bytes(body)
    (folder / "bare_app.py").write_text(
        textwrap.dedent(f"""
        from pathlib import Path
        from litestar import Litestar, Response, get

        BODY = Path({str(folder / "body.json")!r}).read_bytes()

        @get("/api/co/shops", media_type="application/json")
        async def shops() -> Response[bytes]:
            return Response(BODY, media_type="application/json", headers={{"X-Cache": "HIT"}})

        app = Litestar(route_handlers=[shops])
    """)
    )
    env = {**os.environ, "PYTHONPATH": str(folder)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/co/shops", timeout=0.5)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("bare server did not start")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server-pid", type=int, help="pid of the server process, for CPU time per request")
    args = parser.parse_args()

    cached_path = SEARCH.format(radius="25")
    warm = httpx.get(args.base_url + cached_path, timeout=30)
    warm.raise_for_status()
    body = httpx.get(args.base_url + cached_path, timeout=30)
    total = body.json()["meta"]["total"]
    print(
        f"search: {cached_path}  ({total} workshops within 25 km, {len(body.content)} bytes, X-Cache {body.headers.get('x-cache')})"
    )

    cached, s1, c1 = await run_phase(
        args.base_url, lambda i: cached_path, args.seconds, args.concurrency, "HIT", args.server_pid
    )
    uncached, s2, c2 = await run_phase(
        args.base_url,
        lambda i: SEARCH.format(radius=f"{25 + (i + 1) * 1e-6 + time.time() % 1 * 1e-9:.9f}"),
        args.seconds,
        args.concurrency,
        "MISS",
        args.server_pid,
    )
    port = free_port()
    bare_server = start_bare_server(body.content, port)
    try:
        bare, s3, c3 = await run_phase(
            f"http://127.0.0.1:{port}", lambda i: "/api/co/shops", args.seconds, args.concurrency, None, bare_server.pid
        )
    finally:
        bare_server.terminate()
        bare_server.wait(10)

    def cpu(value: float | None) -> str:
        return f"{value:8.2f}" if value is not None else "       -"

    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'phase':<10} {'req/s':>10} {'server CPU ms/req':>18}  answers")
    print(f"{'cached':<10} {cached:>10.0f} {cpu(c1):>18}  {s1}")
    print(f"{'uncached':<10} {uncached:>10.0f} {cpu(c2):>18}  {s2}")
    print(f"{'bare':<10} {bare:>10.0f} {cpu(c3):>18}  {s3}")
    print(f"cached / uncached = {cached / uncached:.1f}x")
    print(f"cached / bare     = {cached / bare:.2f}")
    print(f"uncached / bare   = {uncached / bare:.3f}")
    if c1 and c2 and c3:
        print(
            f"server CPU per request: cached {c1 / c3:.1f}x bare, uncached {c2 / c3:.1f}x bare, uncached {c2 / c1:.1f}x cached"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
