"""Where the tests find PostgreSQL and Redis.

`TEST_DATABASE_URL` (an asyncpg URL of a server where we may create databases) and `TEST_REDIS_URL`
win; without them, and with a Docker engine answering, testcontainers starts both. Each test run
creates its own database (so concurrent runs do not meet) and drops it at the end; each test gets
its own Redis key prefix.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

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


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _cluster_ports(first: int, last: int, count: int = 3) -> list[int]:
    """`count` consecutive loopback ports in [first, last] whose cluster bus ports (+10000) are free too."""
    for start in range(first, last - count + 2):
        ports = list(range(start, start + count))
        if all(_port_free(p) and _port_free(p + 10000) for p in ports):
            return ports
    raise RuntimeError(f"no {count} free ports for a Redis Cluster between {first} and {last}")


@contextmanager
def redis_cluster_server() -> Iterator[str]:
    """A Redis Cluster of three primaries on loopback (`redis-server`, `redis-cli` from the system), stopped
    afterwards; the URL of its first node. `TEST_REDIS_CLUSTER_URL` names a running cluster instead;
    `TEST_REDIS_CLUSTER_PORTS` ("7100-7199") is where the nodes may listen."""
    url = os.environ.get("TEST_REDIS_CLUSTER_URL")
    if url:
        yield url
        return
    first, _, last = os.environ.get("TEST_REDIS_CLUSTER_PORTS", "7100-7199").partition("-")
    ports = _cluster_ports(int(first), int(last or first))
    folder = Path(tempfile.mkdtemp(prefix="minbil-cluster-"))
    nodes: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            nodes.append(
                subprocess.Popen(
                    [
                        *("redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes"),
                        *("--cluster-config-file", str(folder / f"nodes-{port}.conf"), "--dir", str(folder)),
                        *("--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in ports:
            _wait_for(partial(_answers, port, "ping", "PONG"), f"redis node {port} did not start")
        subprocess.run(
            [
                *("redis-cli", "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports)),
                *("--cluster-replicas", "0", "--cluster-yes"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        for port in ports:
            _wait_for(partial(_answers, port, "cluster info", "cluster_state:ok"), f"cluster not ok on {port}")
        yield f"redis://127.0.0.1:{ports[0]}/0"
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            try:
                node.wait(10)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _answers(port: int, command: str, expected: str) -> bool:
    """Whether the node on `port` answers `command` with something containing `expected`."""
    result = subprocess.run(["redis-cli", "-p", str(port), *command.split()], capture_output=True, timeout=10)
    return expected in result.stdout.decode()


def _wait_for(condition: Callable[[], bool], message: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(message)
