"""The realtime query: where and how to subscribe."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from app.domain.events.config import realtime_config
from graphql_api.context import GraphQLContext
from graphql_api.realtime.types import RealtimeChannel, RealtimeConfig, RealtimeProtocol


@strawberry.type
class RealtimeQuery:
    @strawberry.field(description="Where and how to subscribe, with a short-lived token (signed-in callers only).")
    async def realtime_config(self, info: Info[GraphQLContext, None]) -> RealtimeConfig:
        result = realtime_config(info.context.services, await info.context.require_claims())
        return RealtimeConfig(
            graphql_ws_url=result.ws_url,
            protocol=RealtimeProtocol(result.protocol),
            token=result.token,
            expires_in=result.expires_in,
            channels=[RealtimeChannel(name=name, target=target) for name, target in result.channels.items()],
            enabled=result.enabled,
        )
