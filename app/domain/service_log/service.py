"""Service log use cases: list, latest, summary, per-vehicle history, messages, export tokens and exports."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import jwt
import msgspec

from app.domain.bookings import events, inputs
from app.domain.bookings.times import OSLO, parse_day_bound
from app.domain.bookings.views import t
from app.domain.messages.attachments import signed_item
from app.domain.service_log.results import (
    ExportFile,
    ExportToken,
    Filters,
    LogMessages,
    ServiceExport,
    ServiceLogItem,
    ServiceLogLatest,
    ServiceLogPage,
    ServiceLogSummary,
    ServiceLogWindow,
)
from app.domain.uow import UnitOfWork
from app.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from app.values import utc_now
from db.models import Booking
from db.repositories import bookings as booking_repo
from db.repositories import service_log as repo

EXPORT_TTL_S = 15 * 60
EXPORT_TYP = "svclog-export+jwt"
EXPORT_SCOPE = "service-log:export"


def _int(value: object, field: str, low: int, high: int, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ValidationFailed(
            f"{field} must be an integer from {low} to {high}.", fields={field: "invalid_integer"}
        ) from exc
    if not low <= number <= high:
        raise ValidationFailed(f"{field} must be from {low} to {high}.", fields={field: "out_of_range"})
    return number


class Resolved(msgspec.Struct, frozen=True):
    filters: Filters
    registration_number: str | None
    workshop_org_nr: str | None
    date_from: datetime | None
    date_to: datetime | None

    def query(self) -> dict[str, Any]:
        return {
            "registration_number": self.registration_number,
            "workshop_org_nr": self.workshop_org_nr,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }


def _day_text(value: object) -> object:
    """A day given as a `date` (GraphQL's Date scalar) as the text the query string carries: one rule for both."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


async def resolve_filters(
    uow: UnitOfWork, owner_id: int, raw: Mapping[str, object], *, default_primary: bool = False
) -> Resolved:
    """The filters of a query string or an export token (`registration_number`, `workshop_org_nr`,
    `date_from`, `date_to`; others are not filters), checked against the caller's vehicles."""
    registration_number, workshop_org_nr = raw.get("registration_number"), raw.get("workshop_org_nr")
    date_from, date_to = _day_text(raw.get("date_from")), _day_text(raw.get("date_to"))
    plate: str | None = None
    if registration_number not in (None, ""):
        plate = inputs.plate(registration_number)
        if plate not in await repo.owned_plates(uow.session, owner_id):
            raise Forbidden(
                f"The vehicle {plate} is not registered on your account.",
                code="VEHICLE_NOT_OWNED",
                fields={"registration_number": "not_your_vehicle"},
            )
    elif default_primary:
        vehicle = await booking_repo.primary_vehicle(uow.session, owner_id)
        if vehicle is None:
            raise NotFound(
                "No vehicle is registered on your account.",
                code="NO_PRIMARY_VEHICLE",
                fields={"registration_number": "no_primary_vehicle"},
            )
        plate = vehicle.registration_number
    org = inputs.org_nr(workshop_org_nr, "workshop_org_nr") if workshop_org_nr not in (None, "") else None
    start = parse_day_bound(date_from, "date_from", end=False)
    end = parse_day_bound(date_to, "date_to", end=True)
    if start is not None and end is not None and start > end:
        raise ValidationFailed("date_from is after date_to.", fields={"date_from": "after_date_to"})
    filters = Filters(
        registration_number=plate,
        workshop_org_nr=org,
        date_from=date_from.strip() if isinstance(date_from, str) and date_from.strip() else None,
        date_to=date_to.strip() if isinstance(date_to, str) and date_to.strip() else None,
    )
    return Resolved(filters=filters, registration_number=plate, workshop_org_nr=org, date_from=start, date_to=end)


async def _items(uow: UnitOfWork, rows: list[Booking]) -> list[ServiceLogItem]:
    workshops = await booking_repo.workshops_by_org(uow.session, (r.workshop_org_nr for r in rows))
    out = []
    for r in rows:
        assert r.id is not None
        w = workshops.get(r.workshop_org_nr)
        out.append(
            ServiceLogItem(
                id=r.id,
                log_id=r.id,
                booking_id=r.id,
                group_id=r.group_id,
                registration_number=r.registration_number,
                workshop_org_nr=r.workshop_org_nr,
                workshop_name=w.name if w else None,
                service_id=r.service_id,
                service_title=r.service_title,
                service_description=r.service_description,
                service_price=float(r.service_price),
                currency="NOK",
                service_start_time=t(r.service_start_time),
                service_actual_end_time=t(r.service_actual_end_time),
                completed_at=t(r.service_actual_end_time or r.service_start_time),
                service_rating=r.service_rating,
                service_rating_message=r.service_rating_message,
                private_service_rating=r.private_service_rating,
                attachments=list(r.attachments or []),
            )
        )
    return out


async def page(
    uow: UnitOfWork,
    owner_id: int,
    *,
    page_no: object = None,
    page_size: object = None,
    export_token: object = None,
    session_id: str = "",
    default_primary: bool = False,
    **raw: object,
) -> ServiceLogPage:
    number = _int(page_no, "page", 1, 100_000, 1)
    size = _int(page_size, "page_size", 1, 100, 20)
    want_token = str(export_token).strip().lower() in {"1", "true", "yes"} if export_token not in (None, "") else False
    f = await resolve_filters(uow, owner_id, raw, default_primary=default_primary)
    total = (await repo.summary(uow.session, owner_id, **f.query()))[0]
    rows = await repo.completed(uow.session, owner_id, offset=(number - 1) * size, limit=size, **f.query())
    pages = max(1, -(-total // size))
    token = issue_export_token(uow, owner_id, session_id, f.filters) if want_token else None
    return ServiceLogPage(
        items=await _items(uow, rows),
        total=total,
        page=number,
        page_size=size,
        pages=pages,
        has_more=number * size < total,
        filters=f.filters,
        export_token=token,
    )


async def window(
    uow: UnitOfWork,
    owner_id: int,
    place: Callable[[int], tuple[int, int]],
    *,
    default_primary: bool = False,
    **raw: object,
) -> ServiceLogWindow:
    """Any window of the history: `place(total)` answers (offset, limit) once the total is known, so a face can
    page from either end (a GraphQL connection's `last`/`before`)."""
    f = await resolve_filters(uow, owner_id, raw, default_primary=default_primary)
    total = (await repo.summary(uow.session, owner_id, **f.query()))[0]
    offset, limit = place(total)
    rows = await repo.completed(uow.session, owner_id, offset=offset, limit=limit, **f.query()) if limit > 0 else []
    return ServiceLogWindow(items=await _items(uow, rows), total=total, offset=offset, filters=f.filters)


async def latest(
    uow: UnitOfWork, owner_id: int, *, limit: object = None, default_primary: bool = False, **raw: object
) -> ServiceLogLatest:
    size = _int(limit, "limit", 1, 20, 5)
    f = await resolve_filters(uow, owner_id, raw, default_primary=default_primary)
    rows = await repo.completed(uow.session, owner_id, limit=size, **f.query())
    return ServiceLogLatest(items=await _items(uow, rows), limit=size, filters=f.filters)


async def summary(uow: UnitOfWork, owner_id: int, *, default_primary: bool = False, **raw: object) -> ServiceLogSummary:
    f = await resolve_filters(uow, owner_id, raw, default_primary=default_primary)
    count, average, total, last, workshops = await repo.summary(uow.session, owner_id, **f.query())
    return ServiceLogSummary(
        count=count,
        average_rating=round(average, 2) if average is not None else None,
        total_spent=round(total, 2),
        currency="NOK",
        last_service_date=last.astimezone(OSLO).date().isoformat() if last else None,
        last_service_at=t(last),
        workshops_count=workshops,
        filters=f.filters,
    )


async def _vehicle_info(uow: UnitOfWork, owner_id: int, plate: str | None) -> dict[str, Any] | None:
    v = await booking_repo.owner_vehicle(uow.session, owner_id, plate or "")
    if v is None:
        return None
    return {
        "registration_number": v.registration_number,
        "brand": v.brand,
        "model": v.model,
        "model_year": v.model_year,
    }


async def vehicle_latest(uow: UnitOfWork, owner_id: int, **kw: object) -> ServiceLogLatest:
    """`latest` for one vehicle (the primary one unless `registration_number` is given)."""
    result = await latest(uow, owner_id, default_primary=True, **kw)
    result.vehicle = await _vehicle_info(uow, owner_id, result.filters.registration_number)
    return result


async def vehicle_page(uow: UnitOfWork, owner_id: int, **kw: object) -> ServiceLogPage:
    result = await page(uow, owner_id, default_primary=True, **kw)  # type: ignore[arg-type]
    result.vehicle = await _vehicle_info(uow, owner_id, result.filters.registration_number)
    return result


async def vehicle_summary(uow: UnitOfWork, owner_id: int, **kw: object) -> ServiceLogSummary:
    result = await summary(uow, owner_id, default_primary=True, **kw)
    result.vehicle = await _vehicle_info(uow, owner_id, result.filters.registration_number)
    return result


async def log_messages(uow: UnitOfWork, owner_id: int, log_id: int) -> LogMessages:
    row = await booking_repo.get_booking(uow.session, log_id)
    if row is None or row.owner_id != owner_id or row.status != "COMPLETED":
        raise NotFound(f"Service log {log_id} was not found.", code="SERVICE_LOG_NOT_FOUND")
    items = [
        signed_item(events.message_item(m), uow.settings) for m in await repo.messages_of_booking(uow.session, log_id)
    ]
    return LogMessages(log_id=log_id, booking_id=log_id, items=items, total=len(items))


# --- export tokens and files ----------------------------------------------------------------------


def _audience(uow: UnitOfWork) -> str:
    return f"{uow.settings.jwt_audience}:{EXPORT_SCOPE}"


def issue_export_token(
    uow: UnitOfWork, owner_id: int, session_id: str, filters: Filters, *, now: datetime | None = None
) -> ExportToken:
    """A download link bound to the caller, the filters and the sign-in session (`sid`): it ends with the session."""
    if not session_id:
        raise ValueError("an export token belongs to a session")
    now = now or utc_now()
    expires = now + timedelta(seconds=EXPORT_TTL_S)
    claims = {
        "iss": uow.settings.jwt_issuer,
        "aud": _audience(uow),
        "sub": str(owner_id),
        "oid": owner_id,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": str(uuid.uuid4()),
        "typ": EXPORT_TYP,
        "scope": EXPORT_SCOPE,
        "sid": session_id,
        "flt": msgspec.to_builtins(filters),
    }
    token = jwt.encode(claims, uow.settings.jwt_secret, algorithm="HS256", headers={"typ": EXPORT_TYP})
    url = f"{uow.settings.public_base_url.rstrip('/')}/api/co/service-records/export?token={token}"
    return ExportToken(
        token=token,
        expires_at=expires.replace(microsecond=0),
        expires_in=EXPORT_TTL_S,
        download_url=url,
        filters=filters,
    )


async def export_token(uow: UnitOfWork, owner_id: int, session_id: str, **raw: object) -> ExportToken:
    f = await resolve_filters(uow, owner_id, raw)
    return issue_export_token(uow, owner_id, session_id, f.filters)


async def read_export_token(uow: UnitOfWork, token: str) -> tuple[int, Filters]:
    """The owner and filters a valid export token is bound to (401 when invalid, expired or signed out)."""
    try:
        decoded = jwt.api_jwt.decode_complete(
            token,
            uow.settings.jwt_secret,
            algorithms=["HS256"],
            audience=_audience(uow),
            issuer=uow.settings.jwt_issuer,
            options={"require": ["exp", "iat", "oid", "typ", "aud", "iss", "sid"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("The export link has expired; create a new one.", code="EXPORT_TOKEN_EXPIRED") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("Invalid export token.", code="INVALID_EXPORT_TOKEN") from exc
    claims = decoded["payload"]
    if (
        decoded["header"].get("typ") != EXPORT_TYP
        or claims.get("typ") != EXPORT_TYP
        or claims.get("scope") != EXPORT_SCOPE
    ):
        raise Unauthenticated("Invalid export token.", code="INVALID_EXPORT_TOKEN")
    if await uow.services.sessions.is_revoked(str(claims["sid"])):
        raise Unauthenticated("Access token has been revoked.", code="TOKEN_REVOKED")
    return int(claims["oid"]), msgspec.convert(claims.get("flt") or {}, Filters)


CSV_COLUMNS = (
    "booking_id",
    "completed_at",
    "registration_number",
    "workshop_org_nr",
    "workshop_name",
    "service_title",
    "service_price",
    "currency",
    "service_rating",
    "service_rating_message",
)


async def export(
    uow: UnitOfWork, *, owner_id: int | None, token: str | None, fmt: object = None, **raw: object
) -> ExportFile:
    """The history as CSV (default) or JSON; authorised by the caller's Bearer or by an export token,
    whose filters then apply (query filters that differ from the token's are refused)."""
    kind = str(fmt).strip().lower() if fmt not in (None, "") else "csv"
    if kind not in {"csv", "json"}:
        raise ValidationFailed("format must be csv or json.", fields={"format": "invalid"})
    if token:
        token_owner, bound = await read_export_token(uow, token)
        if owner_id is not None and owner_id != token_owner:
            raise Forbidden("This export link belongs to another account.", code="EXPORT_TOKEN_OTHER_OWNER")
        asked = {k: v for k, v in raw.items() if v not in (None, "")}
        for key, value in asked.items():
            if (
                getattr(bound, key) is None
                or str(value).replace(" ", "").upper() != str(getattr(bound, key)).replace(" ", "").upper()
            ):
                raise Forbidden(
                    f"The export link does not cover {key}={value}.",
                    code="EXPORT_TOKEN_FILTER_MISMATCH",
                    fields={key: "not_in_token"},
                )
        owner_id = token_owner
        raw = msgspec.to_builtins(bound)
    if owner_id is None:
        raise Unauthenticated("Send a Bearer token or a valid export token.", code="UNAUTHORIZED")
    f = await resolve_filters(uow, owner_id, raw)
    items = await _items(uow, await repo.completed(uow.session, owner_id, limit=10_000, **f.query()))
    stamp = utc_now().astimezone(OSLO).strftime("%Y%m%d")
    label = f.registration_number or "alle"
    name = f"minbil-servicehistorikk-{label}-{stamp}"
    if kind == "json":
        return ExportFile(
            filename=f"{name}.json",
            media_type="application/json",
            data=ServiceExport(filters=f.filters, total=len(items), items=items),
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.booking_id,
                item.completed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                item.registration_number or "",
                item.workshop_org_nr,
                item.workshop_name or "",
                item.service_title,
                f"{item.service_price:.2f}",
                item.currency,
                "" if item.service_rating is None else item.service_rating,
                "" if item.private_service_rating else (item.service_rating_message or ""),
            ]
        )
    return ExportFile(
        filename=f"{name}.csv",
        media_type="text/csv",  # the HTTP layer adds `; charset=utf-8`
        content=("\ufeff" + buffer.getvalue()).encode(),
    )
