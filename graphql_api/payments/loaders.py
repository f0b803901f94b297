"""Per-request loaders of the payments area."""

from __future__ import annotations

from app.domain.payments import service as payments
from graphql_api.loaders import batch_loader, none
from graphql_api.reading import RequestReader


class PaymentLoaders:
    def __init__(self, reader: RequestReader) -> None:
        # keyed by (owner_id, group_id): a group's payment is only ever loaded for its owner
        self.by_group = batch_loader(reader, payments.payments_of_groups, none)
