"""Running Core statements that SQLModel's typed `exec` overloads do not cover (text, wide column lists)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from sqlalchemy.engine import Result
from sqlalchemy.sql.base import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

Rows = Result[*tuple[Any, ...]]
_Exec = Callable[..., Awaitable[Rows]]


async def run(session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """The statement's rows, executed by the session.

    Through `exec` like every ORM statement, so the session flushes pending changes first; SQLModel marks
    `execute` deprecated (it warns at run time). `exec` returns the plain `Result` for any statement other
    than a one-entity select; only its overloads are narrower, hence the one cast.
    """
    return await cast(_Exec, session.exec)(statement, params=params or {})
