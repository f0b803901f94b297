"""Per-request loaders of the account area: one statement per kind for every owner asked for in one tick."""

from __future__ import annotations

from app.domain.account import queries as account_queries
from app.domain.account import vehicles as garage
from app.domain.account.results import VehicleView
from graphql_api.loaders import batch_loader
from graphql_api.reading import RequestReader


class AccountLoaders:
    def __init__(self, reader: RequestReader) -> None:
        self.vehicles = batch_loader(reader, garage.vehicles_of_owners, list[VehicleView])
        self.notification_settings = batch_loader(
            reader, account_queries.notification_settings_of_owners, account_queries.default_notification_settings
        )
