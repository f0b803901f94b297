"""Per-request loaders of the marketplace: nested workshop fields cost one statement per field per request,
whatever the number of workshops on the page."""

from __future__ import annotations

from strawberry.types import Info

from app.domain.marketplace import queries as parts
from app.domain.marketplace.results import (
    Address,
    Contact,
    OpeningHour,
    PublicRating,
    ServiceItem,
    WorkshopCategoryItem,
)
from graphql_api.context import GraphQLContext
from graphql_api.loaders import batch_loader, none
from graphql_api.reading import RequestReader


class MarketplaceLoaders:
    def __init__(self, reader: RequestReader) -> None:
        self.services_of = batch_loader(reader, parts.services_of, list[ServiceItem])
        self.categories_of = batch_loader(reader, parts.workshop_category_items_of, list[WorkshopCategoryItem])
        self.hours_of = batch_loader(reader, parts.opening_hours_of, list[OpeningHour])
        self.ratings_of = batch_loader(reader, parts.public_ratings_of, list[PublicRating])
        self.addresses_of = batch_loader(reader, parts.addresses_of, list[Address])
        self.contacts_of = batch_loader(reader, parts.contacts_of, list[Contact])
        self.workshop = batch_loader(reader, parts.summaries_of, none)
        self.workshop_category = batch_loader(reader, parts.workshop_categories_by_id, none)
        self.service_category = batch_loader(reader, parts.service_categories_by_id, none)
        # keyed by (owner_id, org_nr): one batch function, one statement per owner (a request has one)
        self.is_favourite = batch_loader(reader, parts.favourite_flags, bool)


def loaders(info: Info[GraphQLContext, None]) -> MarketplaceLoaders:
    return info.context.loaders.get(MarketplaceLoaders)
