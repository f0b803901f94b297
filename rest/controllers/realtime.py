"""Realtime (1 reference operation): GET /realtime/config."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK

from app.auth.tokens import AccessClaims
from app.domain.events.config import realtime_config
from app.services import Services
from rest.openapi import problem_responses
from rest.schemas.realtime import RealtimeConfig


class RealtimeController(Controller):
    path = "/realtime"
    tags = ["Realtime"]
    security = [{"BearerAuth": []}]

    @get(
        "/config",
        status_code=HTTP_200_OK,
        operation_id="GetRealtimeConfig",
        summary="Realtime connection config",
        description="Returns the realtime connection config (the GraphQL WebSocket endpoint, a short-lived token) "
        "and the channel names for the authenticated user.",
        responses=problem_responses(401, 500),
    )
    async def config(
        self, services: NamedDependency[Services], claims: NamedDependency[AccessClaims]
    ) -> RealtimeConfig:
        result = realtime_config(services, claims)
        return RealtimeConfig(
            supabase_url=result.ws_url,
            anon_key=result.token,
            channels=result.channels,
            enabled=result.enabled,
            graphql_ws_url=result.ws_url,
            protocol=result.protocol,
            expires_in=result.expires_in,
        )


CONTROLLERS = [RealtimeController]
