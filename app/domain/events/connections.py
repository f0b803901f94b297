"""Realtime (WebSocket) connections of an owner: the per-user limit, heartbeats (presence), token re-checks."""

from __future__ import annotations

import contextlib
import logging
import uuid

from app.auth.tokens import AccessClaims
from app.domain.auth.service import ensure_active
from app.domain.events.presence import clear_explicit_offline
from app.domain.ports import KVUnavailable
from app.domain.uow import DomainServices
from app.errors import RateLimited

log = logging.getLogger(__name__)


def _ttl(services: DomainServices) -> float:
    return services.settings.realtime_heartbeat_s * 3


async def open_connection(services: DomainServices, claims: AccessClaims) -> str:
    """Admit a connection of the caller; `RateLimited` beyond `graphql_max_connections_per_user`."""
    await ensure_active(services, claims)
    conn_id = uuid.uuid4().hex
    limit = services.settings.graphql_max_connections_per_user
    try:
        admitted = await services.realtime.connections.admit(
            claims.owner_id, conn_id, limit=limit, ttl_s=_ttl(services)
        )
    except KVUnavailable:  # the shared registry is down: admit rather than lock everyone out
        log.warning("connection registry unavailable; admitting a connection of owner %s", claims.owner_id)
        admitted = True
    if not admitted:
        raise RateLimited(
            f"Too many realtime connections (at most {limit} per user).",
            code="TOO_MANY_CONNECTIONS",
            retry_after=int(_ttl(services)),
        )
    await clear_explicit_offline(services, claims.owner_id)
    return conn_id


async def heartbeat(services: DomainServices, claims: AccessClaims, conn_id: str) -> None:
    """Keep the connection counted (and the owner present); `Unauthenticated` once the token is no longer valid."""
    await ensure_active(services, claims)
    with contextlib.suppress(KVUnavailable):
        await services.realtime.connections.refresh(claims.owner_id, conn_id, ttl_s=_ttl(services))


async def close_connection(services: DomainServices, owner_id: int, conn_id: str) -> None:
    with contextlib.suppress(KVUnavailable):
        await services.realtime.connections.release(owner_id, conn_id)
