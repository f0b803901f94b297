"""Apply Alembic migrations from code (used by `minbil migrate`, app start-up and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_head(engine: AsyncEngine) -> None:
    """Upgrade the database behind `engine` to the newest revision of every branch, under an advisory lock."""
    async with engine.connect() as connection:
        await connection.exec_driver_sql("select pg_advisory_lock(7242001)")
        try:
            await connection.run_sync(_upgrade_sync)
            await connection.commit()
        except BaseException:
            await connection.rollback()  # keeps the real error visible; the session lock survives a rollback
            raise
        finally:
            await connection.exec_driver_sql("select pg_advisory_unlock(7242001)")
            await connection.commit()


def _upgrade_sync(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")
