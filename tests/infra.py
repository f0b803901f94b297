"""Where the tests find PostgreSQL and Redis.

`TEST_DATABASE_URL` (an asyncpg URL of a server where we may create databases) and `TEST_REDIS_URL`
win; without them, and with a Docker engine answering, testcontainers starts both. Each test run
creates its own database (so concurrent runs do not meet) and drops it at the end; each test gets
its own Redis key prefix.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url


@contextmanager
def database_server() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:15", driver="asyncpg") as container:
        yield container.get_connection_url()


@contextmanager
def redis_server() -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    from testcontainers.redis import RedisContainer

    with RedisContainer("redis:7") as container:
        yield f"redis://{container.get_container_host_ip()}:{container.get_exposed_port(6379)}/0"


def run_database_name() -> str:
    return f"minbil_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def with_database(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
