"""`minbil seed [--reset] [--workshops N] [--seed S]`: load the demo data (see `db.seed`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TextIO

from app.settings import get_settings
from app.wiring import build_services
from db.seed import SeedRefused, seed


class StderrProgress:
    """A plain progress bar on stderr: redrawn in place on a terminal, a line per tenth elsewhere."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self.started = time.perf_counter()
        self.last_tenth: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        total = max(total, 1)
        share = min(1.0, done / total)
        tenth = int(share * 10)
        if not self.tty and done not in (0, total) and self.last_tenth.get(stage) == tenth:
            return
        self.last_tenth[stage] = tenth
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        line = f"{stage:<16} [{bar}] {done:>{len(str(total))}}/{total} {share:4.0%}  {time.perf_counter() - self.started:5.1f}s"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif done > 0:
            self.stream.write(line + "\n")
        self.stream.flush()


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _run(args: argparse.Namespace) -> int:
    async def run() -> int:
        async with build_services(get_settings(), migrate=True) as services:
            try:
                summary = await seed(
                    services, workshops=args.workshops, seed=args.seed, reset=args.reset, progress=StderrProgress()
                )
            except SeedRefused as exc:
                print(f"minbil seed: nothing changed: {exc}", file=sys.stderr)
                return 1
        print(
            f"Seeded {summary.workshops} workshops, {summary.services} services, "
            f"{summary.workshop_categories} workshop categories, {summary.service_categories} service categories, "
            f"{summary.car_brands} car brands; demo owner with {summary.bookings} booking lines, "
            f"{summary.messages} messages, {summary.notifications} notifications "
            f"(seed {summary.seed}, {summary.seconds:.1f} s)."
        )
        print(f"Demo car owner: {summary.demo_email} / {summary.demo_password}")
        return 0

    return asyncio.run(run())


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="load demo data (Norwegian workshops and a demo car owner)",
        description="Load deterministic demo data. Refuses when a catalogue or the demo account already exists, "
        "unless --reset empties the tables first.",
    )
    parser.add_argument(
        "--reset", action="store_true", help="empty every table (except booking statuses) before seeding"
    )
    parser.add_argument(
        "--workshops", type=_positive, default=300, metavar="N", help="number of workshops (default 300)"
    )
    parser.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default 42)")
    parser.set_defaults(func=_run)
