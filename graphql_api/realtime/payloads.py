"""Payload unions of the realtime mutations: the success type and exactly the errors each can return."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from graphql_api.errors import AuthenticationError
from graphql_api.realtime.types import Presence

SetPresencePayload: TypeAlias = Annotated[
    Presence | AuthenticationError,
    strawberry.union("SetPresencePayload", description="The recorded presence, or why it was not recorded."),
]
