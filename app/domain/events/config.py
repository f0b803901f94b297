"""`GET /realtime/config`: where and how to subscribe, with a short-lived token for the socket."""

from __future__ import annotations

import msgspec

from app.auth.tokens import REALTIME_SCOPE, AccessClaims
from app.domain.uow import DomainServices

PROTOCOL = "graphql-transport-ws"


class RealtimeConfigResult(msgspec.Struct, frozen=True):
    ws_url: str
    token: str
    expires_in: int
    channels: dict[str, str]
    enabled: bool = True
    protocol: str = PROTOCOL


def graphql_ws_url(public_base_url: str) -> str:
    base = public_base_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    return base + "/graphql"


def owner_channels(owner_id: int) -> dict[str, str]:
    """The caller's channels: the owner stream and, per kind of event, the GraphQL subscription that carries it."""
    return {
        "owner": f"owner:{owner_id}",
        "messages": "messageReceived",
        "notifications": "notificationReceived",
        "unread_counts": "unreadCounts",
        "bookings": "bookingUpdated",
    }


def realtime_config(services: DomainServices, claims: AccessClaims) -> RealtimeConfigResult:
    """The token opens subscriptions only (`scope: realtime`) and ends with the caller's session (same `sid`)."""
    ttl = services.settings.realtime_token_ttl_s
    token = services.tokens.issue(
        owner_uid=claims.sub, owner_id=claims.owner_id, session_id=claims.sid, scope=REALTIME_SCOPE, ttl_s=ttl
    )
    return RealtimeConfigResult(
        ws_url=graphql_ws_url(services.settings.public_base_url),
        token=token.token,
        expires_in=token.expires_in,
        channels=owner_channels(claims.owner_id),
    )
