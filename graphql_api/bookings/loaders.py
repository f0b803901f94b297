"""Per-request loaders of the bookings area: one statement per kind for every booking in a response."""

from __future__ import annotations

from app.domain.bookings import queries
from app.domain.bookings.results import ChangeRequestItem
from graphql_api.loaders import batch_loader, none
from graphql_api.reading import RequestReader


class BookingLoaders:
    def __init__(self, reader: RequestReader) -> None:
        self.workshop = batch_loader(reader, queries.workshops_of, none)
        self.service = batch_loader(reader, queries.services_of, none)
        self.vehicle = batch_loader(reader, queries.vehicles_of, none)
        self.change_requests = batch_loader(reader, queries.change_requests_of, list[ChangeRequestItem])
        self.rating = batch_loader(reader, queries.ratings_of, none)
        # keyed by (owner_id, booking_id): a line is only ever loaded for its owner
        self.line = batch_loader(reader, queries.owned_lines_of, none)
