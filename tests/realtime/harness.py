"""Real servers and real sockets for the realtime tests and the benchmark.

- `Server`: the app under uvicorn in a subprocess on a loopback port (its own event loop and process).
- `GraphQLSocket`: a graphql-transport-ws client on the `websockets` package.
- `produce_messages`: a separate python process writing workshop messages through the domain (`uow.emit`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from app.settings import Settings
from graphql_api.node import global_id
from tests.served import free_port

ROOT = Path(__file__).resolve().parents[2]


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes `load_settings()` in a child process match `settings`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("MINBIL_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DATABASE_URL": settings.database_url or "",
            "MINBIL_REDIS_PREFIX": settings.redis_prefix,
            "MINBIL_JWT_SECRET": settings.jwt_secret,
            "MINBIL_ENVIRONMENT": "test",
            "MINBIL_AUTH_RATE_LIMIT": "100000/60",
            "MINBIL_DATA_DIR": settings.data_dir,
            "MINBIL_MEDIA_DIR": settings.media_dir,
            "MINBIL_LOG_JSON": "false",
            "MINBIL_LOG_LEVEL": "WARNING",
            # the argon2id floor, as in the in-process tests: sign-ups through the servers dominate otherwise
            "MINBIL_PASSWORD_TIME_COST": "2",
            "MINBIL_PASSWORD_MEMORY_KIB": str(19 * 1024),
            "MINBIL_PASSWORD_PARALLELISM": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    if settings.redis_cluster:
        env["MINBIL_REDIS_CLUSTER"] = "true"
    env.update(extra)
    return env


async def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, *, timeout_s: float = 120, log: Path | None = None
) -> None:
    """Wait until `url` answers 200; fail at once when `process` exits (with the end of `log`, if given)."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log.read_text()[-2000:] if log is not None and log.exists() else ""
                raise RuntimeError(f"{process.args!r} exited with {process.returncode}\n{tail}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, and SIGKILL if it has not exited 10 s later."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class Server:
    """`uvicorn app.main:create_app` on 127.0.0.1:<free port>."""

    def __init__(self, settings: Settings, **env: str) -> None:
        self.port = free_port()
        self.options: tuple[str, ...] = ()  # more uvicorn options (the benchmark serves as `minbil serve` does)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.env = server_env(settings, MINBIL_PUBLIC_BASE_URL=self.base_url, **env)
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr_path: Path | None = None  # the server's log goes there instead of the test's stderr when set

    async def start(self, timeout_s: float = 120) -> Server:
        stderr = self.stderr_path.open("ab") if self.stderr_path is not None else None
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ws",
                "websockets",
                "--log-level",
                "warning",
                "--no-access-log",
                "--timeout-keep-alive",
                "60",
                "--backlog",
                "4096",
                *self.options,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        if stderr is not None:
            stderr.close()  # the child has its own copy
        await wait_until_answering(self.process, self.base_url + "/health", timeout_s=timeout_s)
        return self

    def stop(self) -> None:
        stop_process(self.process)

    async def __aenter__(self) -> Server:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()


class SocketClosed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class GraphQLSocket:
    """One graphql-transport-ws connection; `next(op_id)` returns the next payload of an operation."""

    def __init__(self, url: str, token: str | None, *, open_timeout: float = 30) -> None:
        self.url = url
        self.token = token
        self.open_timeout = open_timeout
        self.ws: ClientConnection | None = None
        self._queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.closed: asyncio.Future[SocketClosed] | None = None

    async def connect(self, payload: dict[str, Any] | None = None) -> GraphQLSocket:
        self.ws = ws = await websockets.connect(
            self.url,
            subprotocols=[Subprotocol("graphql-transport-ws")],
            open_timeout=self.open_timeout,
            max_queue=None,
            ping_interval=None,
        )
        init = payload if payload is not None else {"authorization": f"Bearer {self.token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        message = json.loads(await asyncio.wait_for(ws.recv(), self.open_timeout))
        if message.get("type") != "connection_ack":
            raise RuntimeError(f"no ack: {message}")
        self.closed = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        return self

    def _connection(self) -> ClientConnection:
        """The socket of a connected client (`connect` sets it before any reading or subscribing)."""
        assert self.ws is not None, "not connected"
        return self.ws

    async def _read(self) -> None:
        ws = self._connection()
        try:
            async for raw in ws:
                message = json.loads(raw)
                op = message.get("id")
                if op is not None:
                    self._queues.setdefault(op, asyncio.Queue()).put_nowait(message)
                elif message.get("type") == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
        except websockets.ConnectionClosed:
            pass
        finally:
            assert self.closed is not None
            if not self.closed.done():
                self.closed.set_result(SocketClosed(ws.close_code, ws.close_reason or ""))
            for queue in self._queues.values():
                queue.put_nowait({"type": "closed"})

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        self._queues.setdefault(op_id, asyncio.Queue())
        await self._connection().send(
            json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
        )

    async def next(self, op_id: str, timeout: float = 10) -> dict[str, Any]:
        """The next message of the operation (`next`, `error`, `complete`, or `{"type": "closed"}`)."""
        queue = self._queues.setdefault(op_id, asyncio.Queue())
        return await asyncio.wait_for(queue.get(), timeout)

    async def data(self, op_id: str, timeout: float = 10) -> dict[str, Any]:
        message = await self.next(op_id, timeout)
        if message.get("type") != "next" or message["payload"].get("errors"):
            raise AssertionError(f"expected data, got {message}")
        return message["payload"]["data"]

    def pending(self, op_id: str) -> int:
        queue = self._queues.get(op_id)
        return 0 if queue is None else queue.qsize()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def __aenter__(self) -> GraphQLSocket:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


MESSAGE_SUBSCRIPTION = """subscription($bookingId: ID, $after: String) {
  messageReceived(bookingId: $bookingId, after: $after) {
    cursor message { id databaseId bookingId senderType text isRead clientMessageId createdAt }
  }
}"""

NOTIFICATION_SUBSCRIPTION = """subscription($after: String) {
  notificationReceived(after: $after) { cursor notification { id databaseId type title body isRead createdAt } }
}"""

BOOKING_SUBSCRIPTION = """subscription($bookingId: ID, $after: String) {
  bookingUpdated(bookingId: $bookingId, after: $after) { cursor booking { bookingId: id databaseId status } }
}"""


def booking_gid(booking_id: int) -> str:
    """The global id of a booking, as the schema's `Booking.id` and `bookingId` arguments take it."""
    return str(global_id("Booking", booking_id))


UNREAD_SUBSCRIPTION = "subscription { unreadCounts { messages notifications total } }"


async def sign_up(base_url: str, email: str | None = None, password: str = "StrongPass123!") -> dict[str, Any]:
    import uuid

    email = email or f"rt-{uuid.uuid4().hex[:10]}@minbil.io"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/co/auth/sign-up", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        response = await client.post("/api/co/auth/sign-in", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        body = response.json()
    import jwt

    body["owner_id"] = int(jwt.decode(body["access_token"], options={"verify_signature": False})["oid"])
    return body


def produce_messages(
    settings: Settings,
    *,
    booking_id: int,
    count: int = 1,
    text: str = "msg",
    concurrency: int = 1,
    interval: float = 0.0,
    event: str = "message.created",
    status: str = "CONFIRMED",
    timeout_s: float = 180,
) -> list[int]:
    """Run `tests/realtime/produce.py` in another process; returns the ids of the messages it stored
    (or of the event, for `booking.updated`)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.realtime.produce",
            "--booking",
            str(booking_id),
            "--count",
            str(count),
            "--text",
            text,
            "--concurrency",
            str(concurrency),
            "--interval",
            str(interval),
            "--event",
            event,
            "--status",
            status,
        ],
        cwd=ROOT,
        env=server_env(settings),
        capture_output=True,
        timeout=timeout_s,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode()[-3000:])
    return [int(x) for x in result.stdout.decode().split()]


async def until_delivering(socket: GraphQLSocket, op_id: str, base_url: str, owner: dict[str, Any]) -> None:
    """Send messages through the server until the message subscription `op_id` delivers one, then drain it.

    A subscription listens some time after `subscribe` returns (longer on a busy machine); an event committed
    before that is not delivered live, so a fixed pause makes a test flaky. Frames of earlier sends that arrive
    late are read up to the last send's."""
    headers = {"Authorization": f"Bearer {owner['access_token']}"}
    sent: list[int] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for attempt in range(60):
            response = await client.post(
                "/api/co/messages/send",
                headers=headers,
                json={"thread_id": str(owner["booking_id"]), "message": f"ready? {attempt}"},
            )
            assert response.status_code == 201, response.text
            sent.append(int(response.json()["message"]["id"]))
            try:
                data = await socket.data(op_id, timeout=1)
            except TimeoutError:
                continue
            while int(data["messageReceived"]["message"]["databaseId"]) != sent[-1]:
                data = await socket.data(op_id)
            return
    raise AssertionError("the subscription never delivered")
