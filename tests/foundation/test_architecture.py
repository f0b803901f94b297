"""Structural checks: the domain layer stays transport-free, the committed SDL matches the code,
and the SQLModel tables match what the migrations build."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column
from sqlalchemy.ext.asyncio import create_async_engine

from app.settings import PROJECT_ROOT, load_settings
from db.models import metadata

DOMAIN = PROJECT_ROOT / "app" / "domain"
TRANSPORT_PACKAGES = {"litestar", "strawberry", "graphql", "rest", "graphql_api", "starlette", "fastapi"}


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def test_domain_imports_neither_litestar_nor_strawberry() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert files, "app/domain has no Python files"
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in files
        for line, module in _imported_modules(path)
        if module.split(".")[0] in TRANSPORT_PACKAGES
    ]
    assert not offenders, "the domain layer must not import a transport:\n" + "\n".join(offenders)


def test_committed_sdl_matches_the_code() -> None:
    from graphql_api.schema import build_schema

    settings = load_settings({}, jwt_secret="sdl-check-" + "x" * 40)
    generated = build_schema(settings).as_str().strip().splitlines()
    committed = (PROJECT_ROOT / "graphql_api" / "schema.graphql").read_text(encoding="utf-8").strip().splitlines()
    if generated != committed:
        diff = list(
            difflib.unified_diff(committed, generated, "schema.graphql (committed)", "build_schema()", lineterm="")
        )
        pytest.fail(
            "graphql_api/schema.graphql is out of date; regenerate it with\n"
            "  python -m app.cli export-schema > graphql_api/schema.graphql   (or: make sdl)\n"
            + "\n".join(diff[:60])
            + ("\n..." if len(diff) > 60 else ""),
            pytrace=False,
        )


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name == "alembic_version":
        return False
    if type_ == "index" and reflected and compare_to is None:
        # expression indexes (trigram, full-text, unaccent) are written only in migrations: SQLModel columns
        # cannot state them and autogenerate cannot compare them
        return all(isinstance(element, Column) for element in obj.expressions)
    return True


async def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic revision --autogenerate` against the migrated database would find nothing to do."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:

            def diff(sync_connection: Any) -> list[Any]:
                context = MigrationContext.configure(
                    sync_connection,
                    opts={
                        "compare_type": True,
                        "compare_server_default": False,
                        "include_object": _include,
                    },
                )
                return list(compare_metadata(context, metadata))

            differences = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    assert not differences, (
        "models (db/models) and migrations (db/migrations/versions) differ; add a migration for:\n"
        + "\n".join(repr(d) for d in differences)
    )
