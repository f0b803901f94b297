"""Wire structs of Presence and Realtime, named as the reference names them."""

from __future__ import annotations

import msgspec


class PresenceRequest(msgspec.Struct, kw_only=True):
    status: str | None = None  # online | offline | away


class PresenceResponse(msgspec.Struct, kw_only=True):
    status: str
    queued_delivered: int


class RealtimeConfig(msgspec.Struct, kw_only=True):
    supabase_url: str  # the legacy field, now this system's realtime endpoint (the GraphQL WebSocket URL)
    anon_key: str  # the legacy field, now a short-lived access token for `connection_init`
    channels: dict[str, str]
    enabled: bool
    graphql_ws_url: str
    protocol: str
    expires_in: int  # seconds until `anon_key` expires
