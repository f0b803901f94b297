"""The service log mutation: a short-lived download link for the history."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from app.auth.tokens import AccessClaims
from app.domain.service_log import service as log
from app.domain.service_log.results import ExportToken
from app.domain.uow import UnitOfWork
from graphql_api.context import GraphQLContext
from graphql_api.mutations import as_caller
from graphql_api.service_log.inputs import CreateServiceLogExportTokenInput, filters_of
from graphql_api.service_log.payloads import CreateServiceLogExportTokenPayload, CreateServiceLogExportTokenSuccess

Ctx = Info[GraphQLContext, None]


@strawberry.type
class ServiceLogMutation:
    @strawberry.mutation(
        description="A download link (15 minutes) for the caller's history as CSV or JSON, bound to the caller, the "
        "filter and the sign-in session: it stops working when the session ends."
    )
    async def create_service_log_export_token(
        self,
        info: Ctx,
        input: Annotated[CreateServiceLogExportTokenInput, strawberry.argument(description="What the link covers.")],
    ) -> CreateServiceLogExportTokenPayload:
        async def issue(uow: UnitOfWork, claims: AccessClaims) -> ExportToken:
            return await log.export_token(uow, claims.owner_id, claims.sid, **filters_of(input.filter))

        # as_caller is typed with every error kind; union membership is checked at run time (graphql_api.mutations)
        return cast(
            CreateServiceLogExportTokenPayload, await as_caller(info, issue, CreateServiceLogExportTokenSuccess.of)
        )
