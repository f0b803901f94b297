"""SQL for owners, refresh tokens, password resets and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import CarOwner, EmailOutbox, PasswordReset, RefreshToken
from db.repositories._core import add_row


async def get_owner(session: AsyncSession, owner_id: int) -> CarOwner | None:
    return await session.get(CarOwner, owner_id)


async def find_owner_by_email(session: AsyncSession, email: str) -> CarOwner | None:
    return (await session.exec(select(CarOwner).where(func.lower(CarOwner.email) == email.lower()))).first()


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    await add_row(session, token)


async def lock_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """The token row, locked for the rest of the transaction so concurrent refreshes serialise."""
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    return (await session.exec(stmt)).first()


async def find_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return (await session.exec(select(RefreshToken).where(RefreshToken.token_hash == token_hash))).first()


async def family_revoked(session: AsyncSession, family_id: str) -> bool:
    """True when the session is over: any token of the family revoked, or no such family.

    A revocation marks every token of the family; one that a concurrent rotation added just then may stay
    unmarked, so one revoked token is enough.
    """
    stmt = select(func.count(), func.count(col(RefreshToken.revoked_at))).where(RefreshToken.family_id == family_id)
    total, revoked = (await session.exec(stmt)).one()
    return bool(total == 0 or revoked > 0)


async def revoke_family(session: AsyncSession, family_id: str, now: datetime, *, owner_id: int | None = None) -> int:
    stmt = (
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    if owner_id is not None:
        stmt = stmt.where(col(RefreshToken.owner_id) == owner_id)
    result = await session.exec(stmt)
    return result.rowcount or 0


async def revoke_all_for_owner(session: AsyncSession, owner_id: int, now: datetime) -> set[str]:
    """Revoke every session of the owner; the ids of the families revoked now."""
    stmt = (
        update(RefreshToken)
        .where(col(RefreshToken.owner_id) == owner_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
        .returning(col(RefreshToken.family_id))
    )
    result = await session.exec(stmt)
    return {str(family_id) for family_id in result.scalars().all()}


async def lock_password_reset(session: AsyncSession, token_hash: str) -> PasswordReset | None:
    stmt = select(PasswordReset).where(PasswordReset.token_hash == token_hash).with_for_update()
    return (await session.exec(stmt)).first()


async def pending_mail(session: AsyncSession, limit: int = 50) -> list[EmailOutbox]:
    stmt = (
        select(EmailOutbox)
        .where(col(EmailOutbox.sent_at).is_(None), EmailOutbox.attempts < 5)
        .order_by(col(EmailOutbox.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.exec(stmt)).all())
