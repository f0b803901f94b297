"""The service log area's output types: the owner's completed services (entries), their summary, one vehicle's
history and the export link."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from app.domain.service_log.results import ExportToken, ServiceLogItem
from app.domain.service_log.results import ServiceLogSummary as SummaryResult
from graphql_api.connections import Connection
from graphql_api.node import global_id


@strawberry.type(
    description="One completed service of the owner's history: a COMPLETED booking line as it was done. Prices are "
    "in NOK (kroner, decimals), times UTC."
)
class ServiceLogEntry:
    booking_id: strawberry.ID = strawberry.field(
        description="The global id of the booking line this entry is (`Booking.id`); `node(id:)` fetches it."
    )
    log_id: int = strawberry.field(
        description="The entry's number in the REST API (`/api/co/service-records/{logId}`); the line's `databaseId`."
    )
    group_id: str = strawberry.field(
        description="The key of the line's booking group (its global id is `BookingGroup:<groupId>`)."
    )
    registration_number: str | None = strawberry.field(
        description="The vehicle serviced (upper case, no spaces); null when the booking named none."
    )
    workshop_org_nr: str = strawberry.field(
        description="The workshop's 9-digit organisation number (its global id is `Workshop:<orgNr>`)."
    )
    workshop_name: str | None = strawberry.field(description="The workshop's name; null if it is no longer listed.")
    service_title: str = strawberry.field(description="The service done, as booked.")
    service_price: float = strawberry.field(description="The booked price, in NOK (kroner, two decimals).")
    currency: str = strawberry.field(description="The price's currency: always `NOK`.")
    completed_at: datetime = strawberry.field(
        description="When the service was done: the actual end time, else the booked start."
    )
    rating: float | None = strawberry.field(
        description="The owner's rating of the service (1 to 5); null if not rated."
    )
    rating_message: str | None = strawberry.field(description="The owner's words with the rating; null if none.")

    @classmethod
    def of(cls, i: ServiceLogItem) -> ServiceLogEntry:
        return cls(
            booking_id=global_id("Booking", i.booking_id),
            log_id=i.log_id,
            group_id=i.group_id,
            registration_number=i.registration_number,
            workshop_org_nr=i.workshop_org_nr,
            workshop_name=i.workshop_name,
            service_title=i.service_title,
            service_price=i.service_price,
            currency=i.currency,
            completed_at=i.completed_at,
            rating=i.service_rating,
            rating_message=i.service_rating_message,
        )


@strawberry.type(description="Totals over the entries that match the filter (all pages).")
class ServiceLogSummary:
    count: int = strawberry.field(description="How many completed services match.")
    average_rating: float | None = strawberry.field(
        description="The average of the owner's ratings (1 to 5, two decimals); null when none is rated."
    )
    total_spent: float = strawberry.field(description="The sum of the booked prices, in NOK (kroner, two decimals).")
    currency: str = strawberry.field(description="The currency of `totalSpent`: always `NOK`.")
    last_service_date: date | None = strawberry.field(
        description="The day (Europe/Oslo) of the latest completed service; null when there is none."
    )
    last_service_at: datetime | None = strawberry.field(
        description="When the latest completed service was done; null when there is none."
    )
    workshops_count: int = strawberry.field(description="How many different workshops did these services.")

    @classmethod
    def of(cls, s: SummaryResult) -> ServiceLogSummary:
        return cls(
            count=s.count,
            average_rating=s.average_rating,
            total_spent=s.total_spent,
            currency=s.currency,
            last_service_date=date.fromisoformat(s.last_service_date) if s.last_service_date else None,
            last_service_at=s.last_service_at,
            workshops_count=s.workshops_count,
        )


@strawberry.type(description="A page of the owner's service history, newest first.")
class ServiceLogConnection(Connection[ServiceLogEntry]):
    pass


@strawberry.type(description="One vehicle's service history: a page of its entries (newest first) and its totals.")
class VehicleHistoryConnection(Connection[ServiceLogEntry]):
    registration_number: str = strawberry.field(description="The vehicle (upper case, no spaces).")
    summary: ServiceLogSummary = strawberry.field(description="Totals over the vehicle's whole history.")


@strawberry.type(description="A short-lived link to download the history as CSV or JSON, bound to the caller.")
class ServiceLogExportToken:
    token: str = strawberry.field(
        description="The token (a signed JWT); it ends when it expires or when the caller's sign-in session ends."
    )
    expires_at: datetime = strawberry.field(description="When the token expires.")
    expires_in: int = strawberry.field(description="Seconds until it expires (900).")
    download_url: str = strawberry.field(
        description="The download link with the token; add `&format=json` for JSON (CSV by default). It covers "
        "exactly the filter given."
    )

    @classmethod
    def of(cls, t: ExportToken) -> ServiceLogExportToken:
        return cls(token=t.token, expires_at=t.expires_at, expires_in=t.expires_in, download_url=t.download_url)
