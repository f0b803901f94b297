"""Presence (1 reference operation): PUT /presence."""

from __future__ import annotations

from litestar import Controller, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from app.auth.tokens import AccessClaims
from app.domain.events import presence
from app.domain.uow import UnitOfWork
from rest.openapi import problem_responses
from rest.schemas.realtime import PresenceRequest, PresenceResponse


class PresenceController(Controller):
    path = "/presence"
    tags = ["Presence"]
    security = [{"BearerAuth": []}]

    @put(
        "/",
        status_code=HTTP_200_OK,
        operation_id="UpdatePresence",
        summary="Update user presence status",
        description="Update user presence status. When going 'online', queued offline events are delivered.",
        responses=problem_responses(400, 401, 500),
    )
    async def update(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], data: JSONBody[PresenceRequest]
    ) -> PresenceResponse:
        result = await presence.set_presence(uow, claims.owner_id, data.status)
        return PresenceResponse(status=result.status, queued_delivered=result.queued_delivered)


CONTROLLERS = [PresenceController]
