"""Persistence: SQLModel tables, engine and sessions, repositories, migrations, demo data."""
