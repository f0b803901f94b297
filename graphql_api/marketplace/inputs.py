"""The marketplace's inputs: the search filter and sort, and the favourite mutations' inputs."""

from __future__ import annotations

import enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from app.domain.marketplace.commands import ChangeFavourite
from app.domain.marketplace.inputs import parse_change_favourite
from app.errors import ValidationFailed
from graphql_api.node import database_id_of


@strawberry.enum(description="What workshops are sorted by.")
class WorkshopSortField(enum.Enum):
    NAME = strawberry.enum_value("name", description="Name, alphabetically (default order ascending).")
    RATING = strawberry.enum_value(
        "rating", description="Average rating, then number of reviews (default order descending)."
    )
    DISTANCE = strawberry.enum_value(
        "distance", description="Distance from `lat`/`lng`, which it needs (default order ascending)."
    )
    PRICE = strawberry.enum_value(
        "price", description="Price of the cheapest matching service (default order ascending)."
    )
    RELEVANCE = strawberry.enum_value(
        "relevance",
        description="How well the workshop matches the text `q` (default order descending); without `q`, "
        "the default sort is used.",
    )


@strawberry.enum(description="Sort direction.")
class SortOrder(enum.Enum):
    ASC = strawberry.enum_value("asc", description="Ascending: smallest, earliest or A first.")
    DESC = strawberry.enum_value("desc", description="Descending: largest, latest or Z first.")


@strawberry.input(description="Sort order of a workshop search.")
class WorkshopSort:
    field: WorkshopSortField = strawberry.field(description="What to sort by.")
    order: SortOrder | None = strawberry.field(
        default=None, description="Direction; null for the field's default direction."
    )


@strawberry.input(description="Filters of a workshop search; all given filters must match.")
class WorkshopFilter:
    q: str | None = strawberry.field(
        default=None, description="Free text in name and description (at most 200 characters)."
    )
    workshop_category_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Workshops in any of these workshop categories (`WorkshopCategory` ids)."
    )
    service_category_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="Workshops with a service in any of these service categories or their sub-categories "
        "(`ServiceCategory` ids).",
    )
    cities: list[str] | None = strawberry.field(default=None, description="Workshops in any of these cities.")
    counties: list[str] | None = strawberry.field(default=None, description="Workshops in any of these counties.")
    postal_code: str | None = strawberry.field(default=None, description="Postal code, 4 digits.")
    min_rating: float | None = strawberry.field(default=None, description="Minimum average rating, 0 to 5.")
    price_min: float | None = strawberry.field(
        default=None, description="Lower bound, in NOK, of the price of the cheapest matching service."
    )
    price_max: float | None = strawberry.field(
        default=None, description="Upper bound, in NOK, of the price of the cheapest matching service."
    )
    lat: float | None = strawberry.field(
        default=None, description="Latitude of the point to measure distance from (WGS 84 degrees, with `lng`)."
    )
    lng: float | None = strawberry.field(
        default=None, description="Longitude of the point to measure distance from (WGS 84 degrees, with `lat`)."
    )
    max_distance_km: float | None = strawberry.field(
        default=None, description="Only workshops within this many km of `lat`/`lng` (which it needs)."
    )
    open_now: bool | None = strawberry.field(default=None, description="Only workshops open now (Europe/Oslo time).")

    def raw(self) -> dict[str, Any]:
        """The filter in the domain's terms (category ids as numbers)."""
        out = strawberry.asdict(self)
        out["workshop_category_ids"] = [
            database_id_of(gid, "WorkshopCategory", "filter.workshopCategoryIds")
            for gid in self.workshop_category_ids or ()
        ]
        out["service_category_ids"] = [
            database_id_of(gid, "ServiceCategory", "filter.serviceCategoryIds")
            for gid in self.service_category_ids or ()
        ]
        return out


def workshop_org_nr(gid: relay.GlobalID, argument: str) -> str:
    """The organisation number behind a `Workshop` global id; another type's id is a client mistake."""
    if gid.type_name != "Workshop":
        raise ValidationFailed(f"{argument} must be the id of a Workshop.", fields={argument: "invalid_id"})
    return gid.node_id


@strawberry.input(description="Which workshop to add to the signed-in owner's favourites.")
class AddFavouriteInput:
    field_paths: ClassVar[dict[str, str]] = {"org_nr": "workshopId"}

    workshop_id: relay.GlobalID = strawberry.field(description="The workshop's global id (`Workshop.id`).")

    def to_command(self) -> ChangeFavourite:
        return parse_change_favourite(workshop_org_nr(self.workshop_id, "input.workshopId"))


@strawberry.input(description="Which workshop to remove from the signed-in owner's favourites.")
class RemoveFavouriteInput:
    field_paths: ClassVar[dict[str, str]] = {"org_nr": "workshopId"}

    workshop_id: relay.GlobalID = strawberry.field(description="The workshop's global id (`Workshop.id`).")

    def to_command(self) -> ChangeFavourite:
        return parse_change_favourite(workshop_org_nr(self.workshop_id, "input.workshopId"))
