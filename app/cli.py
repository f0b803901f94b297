"""The `minbil` command line: serve, migrate, export-schema, plus the groups in `app.commands` (`COMMANDS`)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import Any

from app.commands import seed, workshop
from app.logging_setup import configure_logging
from app.settings import Settings, get_settings
from app.wiring import build_services
from db.seed import seed_if_empty

COMMANDS = (seed, workshop)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # only the server command pays for loading the server

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format_choice)
    workers = args.workers
    if workers > 1 and not settings.redis_url:
        print("minbil: several workers need REDIS_URL (shared cache, limits and events); using 1", file=sys.stderr)
        workers = 1
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit instead lets the
    # exit hooks run (they stop the embedded PostgreSQL)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    asyncio.run(_prepare_database())
    options: dict[str, Any] = {
        "factory": True,
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "workers": workers,
        **server_options(settings),
    }
    if workers == 1:
        uvicorn.run("app.main:create_app", **options)
        return 0
    from app.supervisor import Supervisor

    config = uvicorn.Config("app.main:create_app", **options)
    Supervisor(config, sockets=[config.bind_socket()]).run()
    return 0


def server_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options `minbil serve` runs with (tests serve the app with the same ones)."""
    # log_config=None: uvicorn's own loggers go through the root handler (JSON, request id);
    # the access line comes from our middleware, which knows the request id.
    # proxy_headers=False: uvicorn would believe X-Forwarded-For from 127.0.0.1; the app reads it only
    # from MINBIL_TRUSTED_PROXIES (app/proxies.py)
    # ws_per_message_deflate=False: a compressing socket keeps its zlib state (~40 KiB, most of an idle
    # socket's memory) for its whole life, to shrink events of a few hundred bytes; clients that offer
    # the extension get plain frames instead
    # timeout_graceful_shutdown: without it uvicorn waits for every connection to end on its own, and one
    # stalled client (an upload that never completes, a vanished peer whose unsent frames never drain) holds
    # the process after SIGTERM until TCP gives up on it, a quarter of an hour later
    return {
        "timeout_graceful_shutdown": settings.shutdown_grace_s,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
    }


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


async def _prepare_database() -> None:
    """Apply migrations; on an empty embedded database, load the demo data."""
    settings = get_settings()
    async with build_services(settings, migrate=True) as services:
        if settings.embedded:
            await seed_if_empty(services)


def _migrate(args: argparse.Namespace) -> int:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format_choice)
    signal.signal(signal.SIGTERM, _exit_on_signal)

    async def run() -> None:
        async with build_services(settings, migrate=True):
            pass

    asyncio.run(run())
    print("migrations applied")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from graphql_api.schema import build_schema  # the schema is built only for this command

    sys.stdout.write(build_schema().as_str() + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minbil", description="MinBil car-owner backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    sub.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(func=_export_schema)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
