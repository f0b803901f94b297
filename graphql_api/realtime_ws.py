"""Lifecycle of a GraphQL WebSocket: admission (connections per user), heartbeat (presence), token re-checks.

`socket_opened` runs after `connection_init` authenticated the socket; it registers the connection and
starts a watcher that refreshes it and closes the socket with 4403 within `session_check_s` (+ the session
cache's second) once the token expires or its session ends (sign-out, refresh-token reuse, password reset).
`socket_closed` runs when the socket is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from app.auth.tokens import AccessClaims
from app.domain.auth.service import ensure_active
from app.domain.events import connections
from app.errors import Unauthenticated
from app.tasks import cancel_and_wait
from graphql_api.context import GraphQLContext

log = logging.getLogger(__name__)

_STATE_ATTR = "_realtime_socket"


class _SocketState:
    def __init__(self, claims: AccessClaims, conn_id: str) -> None:
        self.claims = claims
        self.conn_id = conn_id
        self.watcher: asyncio.Task[None] | None = None


async def socket_opened(context: GraphQLContext, claims: AccessClaims) -> None:
    """Admit the socket (raises a DomainError to reject it) and start its watcher."""
    services = context.services
    conn_id = await connections.open_connection(services, claims)
    state = _SocketState(claims, conn_id)
    setattr(context, _STATE_ATTR, state)
    state.watcher = asyncio.create_task(_watch(context, state), name=f"ws-watch-{conn_id}")


async def _watch(context: GraphQLContext, state: _SocketState) -> None:
    """Re-check the token and its session every `session_check_s` (cheap: cached), heartbeat less often."""
    services = context.services
    heartbeat_every = services.settings.realtime_heartbeat_s
    check_every = min(services.settings.session_check_s, heartbeat_every)
    next_heartbeat = time.monotonic() + heartbeat_every
    while True:
        await asyncio.sleep(max(0.05, min(check_every, state.claims.exp - time.time() + 0.05)))
        try:
            if time.monotonic() >= next_heartbeat:
                next_heartbeat = time.monotonic() + heartbeat_every
                await connections.heartbeat(services, state.claims, state.conn_id)
            else:
                await ensure_active(services, state.claims)
        except Unauthenticated as exc:
            websocket = context.websocket
            if websocket is not None:
                with contextlib.suppress(Exception):
                    await websocket.close(code=4403, reason=exc.message[:120])
            return
        except Exception:
            log.exception("realtime connection check failed")


async def socket_closed(context: GraphQLContext) -> None:
    state: _SocketState | None = getattr(context, _STATE_ATTR, None)
    if state is None:
        return
    setattr(context, _STATE_ATTR, None)
    await cancel_and_wait(state.watcher)
    await connections.close_connection(context.services, state.claims.owner_id, state.conn_id)
