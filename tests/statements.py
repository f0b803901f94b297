"""The SQL statements an app's engine runs while a block runs, for tests that count them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


def foreground(statement: str) -> bool:
    """Not the event relay's: it runs beside every test (its outbox reads and its advisory lock)."""
    return "domain_events" not in statement and "advisory" not in statement


@contextmanager
def recorded(services: Any, keep: Callable[[str], bool]) -> Iterator[list[str]]:
    """The statements `keep` accepts, in the order they ran (the event relay runs beside a test: filter it out)."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if keep(statement):
            seen.append(statement)

    event.listen(services.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", before)


def sessions_opened(services: Any, monkeypatch: Any) -> list[object]:
    """A list that gets an entry each time the app opens an ORM session from here on (for the test's length)."""
    opened: list[object] = []
    sessionmaker = services.sessionmaker

    def counting() -> Any:
        opened.append(object())
        return sessionmaker()

    monkeypatch.setattr(services, "sessionmaker", counting)
    return opened
