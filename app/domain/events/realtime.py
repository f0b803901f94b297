"""The realtime parts built once per app lifespan (by `app/components/10_events.py`), and their accessor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.events.relay import OutboxRelay
from app.infra.channels import Channels
from app.infra.connections import ConnectionRegistry

if TYPE_CHECKING:
    from app.services import Services

EXTRAS_KEY = "realtime"


@dataclass
class Realtime:
    channels: Channels
    relay: OutboxRelay
    connections: ConnectionRegistry


def realtime(services: Services) -> Realtime:
    return services.extras[EXTRAS_KEY]  # type: ignore[no-any-return]
