"""The hot paths under `wrk`, side by side in one run, with the server's CPU time per request.

A Python load generator saturates first on a 2-core machine and hides the server's cost, so the load comes
from `wrk` (Debian package) pinned to one core while the server under test and a bare Litestar app answering
the same bytes run, one uvicorn worker each, on the other (`taskset`). Each phase reports requests per second,
p50/p99 latency and the server's CPU time per request (utime + stime from /proc over the requests served:
stable when the machine is busy with something else), then the ratios the performance goals are stated in.
It measures; it asserts nothing.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/minbil_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/http_load.py --workshops 20000

The database is seeded (`minbil seed --reset --workshops N`) unless `--no-seed` is given. The uncached
search also runs against a second database, `<database>_1k` (created, seeded with 1,000 workshops and dropped
by this script; `--no-small` skips it), for its p50 at 20,000 workshops against 1,000.

The phases run in rounds (`--rounds`, `--seconds` each): on a shared machine the speed drifts by tens of per cent
over a minute, so each ratio is taken between two phases run close together in the same round, and the
median of the rounds is given with each round's value beside it. Last, `bench/realtime.py`
runs with its default arguments (the 200-subscription fan-out included) and its output is printed as it is
(`--no-realtime` skips it). Both servers run with the server options of `minbil serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.served import free_port  # noqa: E402

SERVER_CORE, LOAD_CORE = "0", "1"
SEARCH = "/api/co/shops?lat=59.9139&lng=10.7522&sort=distance&page_size=20&radius_km=25"
GRAPHQL_SEARCH = """query Search($lat: Float!, $lng: Float!) {
  workshops(filter: {lat: $lat, lng: $lng, maxDistanceKm: 25}, sort: {field: DISTANCE}, first: 20) {
    totalCount
    nodes { orgNr name addressLine city postalCode latitude longitude distanceKm logo cheapestServicePrice
      servicesCount isFavourite rating { average totalReviews } }
  }
}"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children (granian serves from a worker process), from /proc/*/stat."""
    total = 0.0
    for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def start(argv: list[str], env: dict[str, str], health: str, log: Path) -> subprocess.Popen[bytes]:
    """The server on its core; its log (an access line per request, as in production) goes to `log`."""
    with log.open("ab") as sink:
        process = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, *argv], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sink
        )
    wait_until_up(health, process)
    return process


def server_command(server: str, app: str, port: int, factory: bool = False) -> list[str]:
    """The app and the bare app run on the same server, so that their ratio compares the apps."""
    if server == "granian":  # for comparison only: `minbil serve` runs uvicorn
        return [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "asgi",
            *(["--factory"] if factory else []),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--log-level",
            "warning",
            app,
        ]
    return uvicorn(app, port, *(["--factory"] if factory else []))


def uvicorn(app: str, port: int, *extra: str) -> list[str]:
    """uvicorn with the options `minbil serve` uses (app.cli.server_options), for the app and the bare app alike."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        *extra,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--no-proxy-headers",
        "--ws",
        "websockets-sansio",
    ]


def bare_app(folder: Path, body: bytes) -> None:
    """A minimal Litestar app answering the cached search's exact bytes on every path."""
    (folder / "body.json").write_bytes(body)
    (folder / "bare_app.py").write_text(
        textwrap.dedent(f"""
        from pathlib import Path
        from litestar import Litestar, Response, get

        BODY = Path({str(folder / "body.json")!r}).read_bytes()

        @get(["/", "/{{path:path}}"], media_type="application/json", sync_to_thread=False)
        def same_bytes() -> Response[bytes]:
            return Response(BODY, media_type="application/json")

        app = Litestar(route_handlers=[same_bytes])
        """)
    )


@dataclass
class Phase:
    name: str
    url: str
    script: str = ""  # Lua for wrk: headers, POST bodies, a new path per request
    fresh_keys: bool = False  # the uncached search: `script` is written anew for each wrk run (`uncached_lua`)


@dataclass
class Result:
    name: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    errors: int


def lua(folder: Path, name: str, body: str) -> str:
    path = folder / f"{name}.lua"
    path.write_text(body)
    return str(path)


def headers_lua(headers: dict[str, str]) -> str:
    return "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())


def post_lua(body: Mapping[str, object], headers: dict[str, str]) -> str:
    encoded = json.dumps(json.dumps(body))  # a Lua string literal is a JSON string literal here
    return f'wrk.method = "POST"\nwrk.body = {encoded}\n{headers_lua({"Content-Type": "application/json", **headers})}'


UNCACHED_LUA = """
counter = 0
request = function()
  counter = counter + 1
  -- the same rows, a cache key of its own: the radius differs in the sixth decimal
  local path = string.format("/api/co/shops?lat=59.9139&lng=10.7522&sort=distance&page_size=20&radius_km=%.6f",
                             25 + (counter % 900000) / 1000000)
  return wrk.format(nil, path)
end
"""


_key_range = random.randrange(9)  # where the next run's keys start, in steps of 100,000 of the 900,000


def uncached_lua() -> str:
    """A script whose keys no earlier run of this process asked for (an earlier run's keys are cached now):
    each run starts 100,000 keys after the last, far more than one run sends."""
    global _key_range
    _key_range = (_key_range + 1) % 9
    return UNCACHED_LUA.replace("counter = 0", f"counter = {_key_range * 100000}", 1)


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_REQUESTS = re.compile(r"(\d+) requests in")
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_phase(phase: Phase, pid: int, seconds: int, connections: int) -> Result:
    def wrk(duration: str) -> list[str]:
        command = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{duration}", "--latency"]
        if phase.fresh_keys:  # the warm-up's keys are cached once it is done: the measurement needs others
            Path(phase.script).write_text(uncached_lua())
        return [*command, "-s", phase.script, phase.url] if phase.script else [*command, phase.url]

    subprocess.run(wrk("2s"), capture_output=True, check=True)  # warm-up
    before = cpu_seconds(pid)
    out = subprocess.run(wrk(f"{seconds}s"), capture_output=True, text=True, check=True).stdout
    spent = cpu_seconds(pid) - before
    latency = {m.group(1): to_ms(m.group(2), m.group(3)) for m in _LATENCY.finditer(out)}
    requests_match = _REQUESTS.search(out)
    requests = int(requests_match.group(1)) if requests_match else 0
    errors_match = _ERRORS.search(out)
    return Result(
        name=phase.name,
        requests=requests,
        rps=requests / seconds,
        p50_ms=latency.get("50", 0.0),
        p99_ms=latency.get("99", 0.0),
        cpu_ms=1000 * spent / max(requests, 1),
        errors=int(errors_match.group(1)) if errors_match else 0,
    )


def sign_in(base: str) -> str:
    credentials = {"email": f"bench-{uuid.uuid4().hex[:8]}@minbil.io", "password": "BenchPass123!"}
    httpx.post(f"{base}/api/co/auth/sign-up", json=credentials, timeout=30).raise_for_status()
    response = httpx.post(f"{base}/api/co/auth/sign-in", json=credentials, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


def small_database_url(database_url: str) -> str:
    url = make_url(database_url)
    return url.set(database=f"{url.database}_1k").render_as_string(hide_password=False)


async def _admin(database_url: str, statement: str) -> None:
    url = make_url(database_url)
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database="postgres"
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_database(database_url: str) -> None:
    name = make_url(database_url).database
    asyncio.run(_admin(database_url, f'drop database if exists "{name}" with (force)'))
    asyncio.run(_admin(database_url, f'create database "{name}"'))


def drop_database(database_url: str) -> None:
    asyncio.run(_admin(database_url, f'drop database if exists "{make_url(database_url).database}" with (force)'))


def seed(python_bin: str, env: dict[str, str], workshops: int, quiet: bool = False) -> None:
    errors = subprocess.DEVNULL if quiet else None  # the seed's progress bars
    subprocess.run(
        [f"{python_bin}/minbil", "migrate"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=errors
    )
    subprocess.run(
        [f"{python_bin}/minbil", "seed", "--reset", "--workshops", str(workshops)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )


def start_small(
    python_bin: str, env: dict[str, str], folder: Path, args: argparse.Namespace
) -> tuple[subprocess.Popen[bytes], str]:
    """A second server of the app on `<database>_1k`, created and seeded with `--small-workshops` workshops, for
    the uncached search's p50 at 20,000 workshops against 1,000 (its phase runs in each round beside the other)."""
    small_env = {**env, "DATABASE_URL": small_database_url(env["DATABASE_URL"])}
    create_database(small_env["DATABASE_URL"])
    seed(python_bin, small_env, args.small_workshops, quiet=True)
    base = f"http://127.0.0.1:{free_port()}"
    command = server_command(args.server, "app.main:create_app", int(base.rsplit(":", 1)[1]), factory=True)
    return start(command, small_env, f"{base}/health", folder / "small.log"), base


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def median_result(runs: list[Result]) -> Result:
    """Each figure's median over the rounds."""
    return Result(
        name=runs[0].name,
        requests=int(statistics.median(r.requests for r in runs)),
        rps=statistics.median(r.rps for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        cpu_ms=statistics.median(r.cpu_ms for r in runs),
        errors=sum(r.errors for r in runs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workshops", type=int, default=20000)
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--seconds", type=int, default=4, help="per phase and round")
    parser.add_argument(
        "--rounds", type=int, default=5, help="every phase once per round; figures are the rounds' medians"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--small-workshops", type=int, default=1000, help="the second database's workshops")
    parser.add_argument("--no-small", action="store_true", help="skip the uncached search on the small database")
    parser.add_argument("--no-realtime", action="store_true", help="skip bench/realtime.py")
    parser.add_argument(
        "--server", choices=("uvicorn", "granian"), default="uvicorn", help="granian: pip install granian first"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    env = {
        **os.environ,
        "MINBIL_JWT_SECRET": os.environ.get("MINBIL_JWT_SECRET", "b" * 48),
        # one caller sends thousands of searches a minute here; the default budget would answer most of them
        # RATE_LIMITED (HTTP 200, so wrk would count them as served) and measure the refusal, not the search
        "MINBIL_GRAPHQL_COST_BUDGET": os.environ.get("MINBIL_GRAPHQL_COST_BUDGET", "1000000000/60"),
    }
    if not env.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL (and REDIS_URL) to the database to measure against")
    python_bin = str(Path(sys.executable).parent)
    if not args.no_seed:
        seed(python_bin, env, args.workshops)

    port, bare_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="minbil-bench-"))
    server = start(
        server_command(args.server, "app.main:create_app", port, factory=True),
        env,
        f"{base}/health",
        folder / "server.log",
    )
    bare: subprocess.Popen[bytes] | None = None
    small: subprocess.Popen[bytes] | None = None
    small_phase = f"search, uncached, {args.small_workshops:,} workshops"
    rounds: list[dict[str, Result]] = []
    try:
        body = httpx.get(base + SEARCH, timeout=60).content
        bare_app(folder, body)
        bare = start(
            server_command(args.server, "bare_app:app", bare_port),
            {**env, "PYTHONPATH": str(folder)},
            f"http://127.0.0.1:{bare_port}/",
            folder / "bare.log",
        )
        token = sign_in(base)
        bearer = {"Authorization": f"Bearer {token}"}
        search_body = {"query": GRAPHQL_SEARCH, "variables": {"lat": 59.9139, "lng": 10.7522}}
        gql, gqlb = lua(folder, "gql", post_lua(search_body, {})), lua(folder, "gqlb", post_lua(search_body, bearer))
        # the two phases of a ratio run close together (most one after the other): the speed drifts within a round too
        phases = [
            (Phase("bare app, same bytes", f"http://127.0.0.1:{bare_port}{SEARCH}"), bare.pid),
            (Phase("GET /health", f"{base}/health"), server.pid),
            (Phase("search, cached, anonymous", base + SEARCH), server.pid),
            (Phase("GraphQL workshops, anonymous", f"{base}/graphql", gql), server.pid),
            (Phase("search, cached, bearer", base + SEARCH, lua(folder, "bearer", headers_lua(bearer))), server.pid),
            (Phase("GraphQL workshops, bearer", f"{base}/graphql", gqlb), server.pid),
            (Phase("search, uncached", base, lua(folder, "uncached", ""), fresh_keys=True), server.pid),
        ]
        if not args.no_small:
            small, small_base = start_small(python_bin, env, folder, args)
            phases.append(
                (Phase(small_phase, small_base, lua(folder, "uncached_small", ""), fresh_keys=True), small.pid)
            )
        print(f"servers' logs: {folder}")
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}", flush=True)
            rounds.append({})
            for phase, pid in phases:
                rounds[-1][phase.name] = run_phase(phase, pid, args.seconds, args.connections)
    finally:
        stop(server)
        stop(bare)
        stop(small)
        if small is not None:
            drop_database(small_database_url(env["DATABASE_URL"]))

    results = {name: median_result([r[name] for r in rounds]) for name in rounds[0]}
    print(f"\nmedians over {len(rounds)} rounds of {args.seconds} s")
    print(f"{'phase':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'non-2xx':>8}")
    for result in results.values():
        print(
            f"{result.name:34} {result.rps:9.0f} {result.p50_ms:8.2f} {result.p99_ms:8.2f} "
            f"{result.cpu_ms:11.3f} {result.errors:8d}"
        )

    def each_round(value: Callable[[dict[str, Result]], float]) -> list[float]:
        return [value(r) for r in rounds]

    ratios: list[tuple[str, list[float], str]] = [
        (
            "bare / cached anonymous search",
            each_round(lambda r: r["bare app, same bytes"].cpu_ms / r["search, cached, anonymous"].cpu_ms),
            ">= 0.5",
        ),
        (
            "cached bearer / cached anonymous",
            each_round(lambda r: r["search, cached, bearer"].cpu_ms / r["search, cached, anonymous"].cpu_ms),
            "<= 1.3",
        ),
        ("/health / bare", each_round(lambda r: r["GET /health"].cpu_ms / r["bare app, same bytes"].cpu_ms), "<= 1.3"),
        ("uncached search, ms of app CPU", each_round(lambda r: r["search, uncached"].cpu_ms), "<= 1.5"),
        (
            "GraphQL / REST req/s, anonymous",
            each_round(lambda r: r["GraphQL workshops, anonymous"].rps / r["search, cached, anonymous"].rps),
            ">= 0.5",
        ),
        (
            "GraphQL / REST req/s, bearer",
            each_round(lambda r: r["GraphQL workshops, bearer"].rps / r["search, cached, bearer"].rps),
            ">= 0.5",
        ),
    ]
    if small is not None:
        ratios.append(
            (
                f"uncached p50, {args.workshops:,} / {args.small_workshops:,} workshops",
                each_round(lambda r: r["search, uncached"].p50_ms / max(r[small_phase].p50_ms, 0.001)),
                "<= 2",
            )
        )
    print("\nratios (each round's phases side by side; the median, then each round)")
    print(f"  {'':48} {'median':>6}   {'goal':7} rounds")
    for name, values, goal in ratios:
        print(f"  {name:48} {statistics.median(values):6.2f}   {goal:7} {' '.join(f'{v:.2f}' for v in values)}")
    if not args.no_realtime:
        print("\nbench/realtime.py (default arguments):", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "realtime.py")], cwd=ROOT, env=env, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
