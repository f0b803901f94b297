"""The per-request stack: request ids on every answer (unmatched routes too), metrics series, and access lines
batched per event-loop turn that are written in time and never lost at exit."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.logging_setup import AccessLog, JsonFormatter, LoopBatchedStreamHandler, RequestIdFilter
from app.request_context import new_request_id, request_id_var

ROOT = Path(__file__).resolve().parents[2]


def test_generated_request_ids_are_random_uuids() -> None:
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def _unmatched_gets(text: str) -> float:
    found = re.search(r'^minbil_http_requests_total\{method="GET",route="unmatched",status="404"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


async def test_unmatched_paths_get_a_request_id_and_one_metrics_label(client: httpx.AsyncClient) -> None:
    before = _unmatched_gets((await client.get("/metrics")).text)
    missing = await client.get("/no/such/path", headers={"X-Request-ID": "lost-1"})
    assert missing.status_code == 404 and missing.headers["x-request-id"] == "lost-1"
    generated = await client.get("/no/such/path/either")
    assert uuid.UUID(generated.headers["x-request-id"]).version == 4
    await client.request("BREW", "/no/such/path")
    text = (await client.get("/metrics")).text
    assert _unmatched_gets(text) == before + 2
    assert "/no/such/path" not in text and 'method="BREW"' not in text


async def test_an_error_answer_carries_one_request_id(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/co/auth/sign-in",
        json={"email": "nobody@minbil.io", "password": "WrongPass123!"},
        headers={"X-Request-ID": "once-only"},
    )
    assert response.status_code == 401
    assert response.headers.get_list("x-request-id") == ["once-only"]


@pytest.fixture
def handler() -> Iterator[tuple[LoopBatchedStreamHandler, io.StringIO]]:
    stream = io.StringIO()
    handler = LoopBatchedStreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    yield handler, stream
    handler.flush()


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("minbil.test", logging.INFO, __file__, 0, message, None, None)


async def test_lines_logged_on_a_loop_are_written_when_the_loop_turns(
    handler: tuple[LoopBatchedStreamHandler, io.StringIO],
) -> None:
    batched, stream = handler
    batched.handle(_record("one"))
    batched.handle(_record("two"))
    assert stream.getvalue() == ""  # one write for the turn, after it
    await asyncio.sleep(0)
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["one", "two"]


def test_lines_logged_without_a_loop_are_written_at_once(handler: tuple[LoopBatchedStreamHandler, io.StringIO]) -> None:
    batched, stream = handler
    batched.handle(_record("now"))
    assert json.loads(stream.getvalue())["message"] == "now"


def test_pending_lines_are_written_at_exit(tmp_path: Path) -> None:
    """The process ends (SystemExit inside a task) before the loop turns again: logging's exit hook writes them."""
    script = tmp_path / "exit_with_pending_lines.py"
    script.write_text(
        textwrap.dedent("""
        import asyncio, logging
        from app.logging_setup import AccessLog, configure_logging

        configure_logging("INFO", True)
        access = AccessLog(logging.getLogger("minbil.access"))

        async def main() -> None:
            for index in range(3):
                access.write("GET", f"/line/{index}", 200, 0.001)
            raise SystemExit(0)

        asyncio.run(main())
        """)
    )
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["path"] for line in lines] == ["/line/0", "/line/1", "/line/2"]


async def test_the_direct_access_line_is_the_line_of_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """The access line skips the record only with configure_logging's own handler; both lines are the same."""
    from app.logging_setup import configure_logging

    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", True)
    access = AccessLog(logging.getLogger("accesstest"))  # a child of the root, as minbil.access is
    token = request_id_var.set("same-line")
    other = logging.NullHandler()
    try:
        access.write("POST", "/direct", 201, 0.01234)
        root.addHandler(other)  # another handler: the record goes through logging
        access.write("POST", "/direct", 201, 0.01234)
        root.handlers[0].flush()
    finally:
        request_id_var.reset(token)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    direct, through_logging = (json.loads(line) for line in stream.getvalue().splitlines())
    assert direct.pop("ts")[:10] == through_logging.pop("ts")[:10]
    assert (
        direct
        == through_logging
        == {
            "level": "info",
            "logger": "accesstest",
            "message": "POST /direct 201",
            "request_id": "same-line",
            "method": "POST",
            "path": "/direct",
            "status": 201,
            "duration_ms": 12.34,
        }
    )


async def test_access_lines_of_one_turn_keep_their_own_request_ids_and_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Access lines are formatted when their turn's batch is written, after their requests have ended: each
    keeps what it had when it was logged, among the other lines in the order they came."""
    from app.logging_setup import configure_logging

    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", True)
    access = AccessLog(logging.getLogger("accesstest"))
    try:
        for request_id, path in (("first", "/one"), ("second", "/two")):
            token = request_id_var.set(request_id)
            access.write("GET", path, 200, 0.001)
            request_id_var.reset(token)
        logging.getLogger("minbil.between").warning("between")
        token = request_id_var.set("third")
        access.write("GET", "/three", 404, 0.002)
        request_id_var.reset(token)
        assert stream.getvalue() == ""  # nothing formatted or written before the loop turns
        await asyncio.sleep(0)
    finally:
        root.handlers[0].flush()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line.get("path"), line["request_id"], line["message"]) for line in lines] == [
        ("/one", "first", "GET /one 200"),
        ("/two", "second", "GET /two 200"),
        (None, None, "between"),
        ("/three", "third", "GET /three 404"),
    ]
