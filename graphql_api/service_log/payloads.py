"""The service log mutation's result: its success type and payload union (exactly the errors it can produce)."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from app.domain.service_log.results import ExportToken
from graphql_api.errors import AuthenticationError, ForbiddenError, ValidationError
from graphql_api.service_log.types import ServiceLogExportToken


@strawberry.type(description="The export link was made.")
class CreateServiceLogExportTokenSuccess:
    export_token: ServiceLogExportToken = strawberry.field(description="The link and its token.")

    @classmethod
    def of(cls, t: ExportToken) -> CreateServiceLogExportTokenSuccess:
        return cls(export_token=ServiceLogExportToken.of(t))


CreateServiceLogExportTokenPayload: TypeAlias = Annotated[
    CreateServiceLogExportTokenSuccess | ValidationError | AuthenticationError | ForbiddenError,
    strawberry.union(
        "CreateServiceLogExportTokenPayload",
        description="The link, or why not: ValidationError (a malformed plate or organisation number, `dateFrom` "
        "after `dateTo`), AuthenticationError (not signed in), ForbiddenError (the vehicle is not the caller's).",
    ),
]
