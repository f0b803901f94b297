"""The realtime mutation: the caller's presence."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from app.domain.events import presence
from graphql_api.context import GraphQLContext
from graphql_api.mapping import domain_value
from graphql_api.mutations import as_owner
from graphql_api.realtime.inputs import SetPresenceInput
from graphql_api.realtime.payloads import SetPresencePayload
from graphql_api.realtime.types import Presence, PresenceStatus


@strawberry.type
class RealtimeMutation:
    @strawberry.mutation(
        description="Record the caller's presence; going ONLINE delivers the events queued while offline."
    )
    async def set_presence(
        self,
        info: Info[GraphQLContext, None],
        input: Annotated[SetPresenceInput, strawberry.argument(description="The presence to record.")],
    ) -> SetPresencePayload:
        return await as_owner(
            info,
            lambda uow, owner_id: presence.set_presence(uow, owner_id, domain_value(input.status)),
            lambda result: Presence(status=PresenceStatus(result.status), queued_delivered=result.queued_delivered),
        )
