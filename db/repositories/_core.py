"""What every repository shares: running Core statements that SQLModel's typed `exec` overloads do not cover
(text, wide column lists), inserting a row, and a page with its total count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, func
from sqlalchemy.engine import Result
from sqlalchemy.sql.base import Executable
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

Rows = Result[*tuple[Any, ...]]
_Exec = Callable[..., Awaitable[Rows]]
_Model = TypeVar("_Model", bound=SQLModel)


async def run(session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """The statement's rows, executed by the session.

    Through `exec` like every ORM statement, so the session flushes pending changes first; SQLModel marks
    `execute` deprecated (it warns at run time). `exec` returns the plain `Result` for any statement other
    than a one-entity select; only its overloads are narrower, hence the one cast.
    """
    return await cast(_Exec, session.exec)(statement, params=params or {})


async def counted_page(
    session: AsyncSession,
    model: type[_Model],
    conditions: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    *,
    offset: int,
    limit: int,
    empty_first_page_is_empty: bool = False,
) -> tuple[list[_Model], int]:
    """One page of `model` rows and the number of all that match, in one statement (a window count).

    Only an empty page needs a second statement to count; `empty_first_page_is_empty` skips that too when
    the page starts at the top, where nothing on it means nothing at all.
    """
    stmt = (
        select(model, func.count().over().label("total"))
        .where(*conditions)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.exec(stmt)).all()
    if rows:
        return [row[0] for row in rows], int(rows[0][1])
    if empty_first_page_is_empty and offset == 0:
        return [], 0
    count = select(func.count()).select_from(model).where(*conditions)
    return [], int((await session.exec(count)).one())


async def add_row(session: AsyncSession, row: _Model, *, reread: bool = False) -> _Model:
    """Insert `row` now (its id assigned); `reread` loads what the database filled in (its clock's times)."""
    session.add(row)
    await session.flush()
    if reread:
        await session.refresh(row)
    return row
