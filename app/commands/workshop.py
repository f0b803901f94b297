"""`minbil workshop ...`: play the workshop side of a booking (the reference covers only the car owner).

    minbil workshop list [--org-nr N] [--status S]
    minbil workshop confirm|decline|start <booking_id|group_id> [--org-nr N] [--reason TEXT]
    minbil workshop complete <booking_id|group_id> [--at "YYYY-MM-DD HH:MM" | ISO 8601]
    minbil workshop reply <booking_id> <text>
    minbil workshop approve-change|reject-change <change_request_id> [--note TEXT]

Each command runs the same domain use cases as the API, in one transaction, so the owner gets the
notifications and realtime events. Output is JSON; a refused action prints the reason and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from app.domain.bookings import commands as cmd
from app.domain.bookings import workshop as desk
from app.domain.bookings.times import parse_instant
from app.domain.uow import UnitOfWork
from app.errors import DomainError
from app.settings import get_settings
from app.wiring import build_services


async def run_action(action: Callable[[UnitOfWork], Awaitable[Any]], services: Any = None) -> Any:
    """Run one workshop action in its own transaction (on `services`, or on services built from settings)."""
    if services is not None:
        async with services.uow() as uow:
            return await action(uow)
    async with build_services(get_settings()) as built, built.uow() as uow:
        return await action(uow)


def action_for(args: argparse.Namespace) -> Callable[[UnitOfWork], Awaitable[Any]]:
    org = getattr(args, "org_nr", None)
    match args.workshop_command:
        case "list":
            return lambda uow: desk.workshop_bookings(uow, org, status=args.status)
        case "confirm":
            return lambda uow: desk.confirm(uow, cmd.ConfirmBooking(target=args.target, org_nr=org))
        case "decline":
            return lambda uow: desk.decline(uow, cmd.DeclineBooking(target=args.target, reason=args.reason, org_nr=org))
        case "start":
            return lambda uow: desk.start(uow, cmd.StartService(target=args.target, org_nr=org))
        case "complete":
            return lambda uow: desk.complete(uow, _complete(args.target, args.at, org))
        case "reply":
            text = " ".join(args.text)
            return lambda uow: desk.reply(uow, cmd.ReplyToOwner(booking_id=args.booking_id, text=text, org_nr=org))
        case "approve-change" | "reject-change":
            approve = args.workshop_command == "approve-change"
            command = cmd.ResolveChange(request_id=args.request_id, approve=approve, note=args.note, org_nr=org)
            return lambda uow: desk.resolve_change(uow, command)
    raise ValueError(args.workshop_command)


def _complete(target: str, at: str | None, org_nr: str | None) -> cmd.CompleteService:
    end = parse_instant(at, "actual_end") if at is not None else None
    return cmd.CompleteService(target=target, actual_end=end, org_nr=org_nr)


def _run(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(run_action(action_for(args)))
    except DomainError as exc:
        print(f"minbil workshop {args.workshop_command}: {exc.message}", file=sys.stderr)
        return 1
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(result)).decode() + "\n")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("workshop", help="act as a workshop on bookings (confirm, complete, reply, ...)")
    sub = parser.add_subparsers(dest="workshop_command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--org-nr", dest="org_nr", help="act only on bookings at this workshop")
        p.set_defaults(func=_run)
        return p

    p = add("list", "list bookings (of one workshop with --org-nr)")
    p.add_argument("--status")
    add("confirm", "confirm a requested booking").add_argument("target", help="booking id or group id")
    p = add("decline", "decline a requested booking")
    p.add_argument("target")
    p.add_argument("--reason")
    add("start", "start a confirmed booking").add_argument("target")
    p = add("complete", "complete a booking in progress")
    p.add_argument("target")
    p.add_argument("--at", help="actual end time, 'YYYY-MM-DD HH:MM' (Europe/Oslo) or ISO 8601; default now")
    p = add("reply", "write a workshop message in the booking's thread")
    p.add_argument("booking_id", type=int)
    p.add_argument("text", nargs="+")
    for name in ("approve-change", "reject-change"):
        p = add(name, f"{name.split('-')[0]} an owner's change request")
        p.add_argument("request_id", type=int)
        p.add_argument("--note")
