"""The tests of this package run other areas' tests on a Redis Cluster of three primaries that the run starts on
loopback (`tests.infra.redis_cluster_server`): `redis_url` names one of its nodes and `redis_cluster` is on,
so every app, server and Redis client the reused tests build talks to the cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infra import redis_cluster_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_cluster_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_cluster() -> bool:
    return True
