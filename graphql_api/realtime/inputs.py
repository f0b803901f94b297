"""Inputs of the realtime mutations."""

from __future__ import annotations

import strawberry

from graphql_api.realtime.types import PresenceStatus


@strawberry.input(description="The presence to record.")
class SetPresenceInput:
    status: PresenceStatus = strawberry.field(description="ONLINE, AWAY or OFFLINE.")
