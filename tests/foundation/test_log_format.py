"""Log lines for machines and for people: `MINBIL_LOG_FORMAT=json|console|auto`."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from app.logging_setup import ConsoleFormatter, JsonFormatter, configure_logging, resolve_log_format, wants_colour
from app.request_context import request_id_var
from app.settings import load_settings

REQUEST_ID = "3f2b8c1e-0a4d-4e5f-9a6b-7c8d9e0f1a2b"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def terminal() -> Iterator[TextIO]:
    """The writing end of a real pseudo-terminal."""
    primary, secondary = pty.openpty()
    stream = os.fdopen(secondary, "w", encoding="utf-8")
    try:
        yield stream
    finally:
        stream.close()
        os.close(primary)


def _log_through(stream: TextIO, log_format: str) -> logging.Handler:
    configure_logging("INFO", log_format, stream=stream)
    token = request_id_var.set(REQUEST_ID)
    try:
        logging.getLogger("minbil.test").warning("slot %s taken", 42)
        logging.getLogger("minbil.access").info(
            "%s %s %s", "GET", "/api/co/shops", 200, extra={"method": "GET", "path": "/api/co/shops", "status": 200}
        )
    finally:
        request_id_var.reset(token)
    handler = logging.getLogger().handlers[0]
    handler.flush()
    return handler


def test_json_lines_parse_and_carry_the_request_id(restore_logging: None) -> None:
    stream = io.StringIO()
    _log_through(stream, "json")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["level"], e["logger"], e["message"]) for e in lines] == [
        ("warning", "minbil.test", "slot 42 taken"),
        ("info", "minbil.access", "GET /api/co/shops 200"),
    ]
    assert all(e["request_id"] == REQUEST_ID for e in lines)
    assert lines[1]["status"] == 200


def test_console_lines_are_aligned_with_level_request_id_and_message(restore_logging: None) -> None:
    stream = io.StringIO()
    _log_through(stream, "console")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.match(r"\d\d:\d\d:\d\d\.\d{3} WARNING +minbil\.test +" + REQUEST_ID + r" slot 42 taken$", lines[0])
    assert re.match(r"\d\d:\d\d:\d\d\.\d{3} INFO +minbil\.access +" + REQUEST_ID + r" GET /api/co/shops 200$", lines[1])
    # aligned: the logger, request id and message columns start at the same place on every line
    for column in ("minbil.", REQUEST_ID):
        assert lines[0].index(column) == lines[1].index(column)
    assert lines[0].index("slot") == lines[1].index("GET /")
    assert not ANSI.search(stream.getvalue())  # not a terminal: no colour


def test_a_console_line_is_one_line_whatever_the_message_holds() -> None:
    record = logging.makeLogRecord(
        {"name": "minbil.test", "levelno": logging.INFO, "levelname": "INFO", "msg": "a\nWARNING forged\r\x1b[2J"}
    )
    line = ConsoleFormatter(colour=True).format(record)
    assert "\n" not in line and "\r" not in line and "\x1b[2J" not in line
    assert "a\\nWARNING forged\\r\\x1b[2J" in line


def test_auto_picks_console_on_a_terminal_and_json_elsewhere(restore_logging: None, terminal: TextIO) -> None:
    assert resolve_log_format("auto", io.StringIO()) == "json"
    assert resolve_log_format("auto", terminal) == "console"
    assert resolve_log_format("json", terminal) == "json"
    assert resolve_log_format("console", io.StringIO()) == "console"
    configure_logging("INFO", "auto", stream=terminal)
    assert type(logging.getLogger().handlers[0].formatter) is ConsoleFormatter
    configure_logging("INFO", "auto", stream=io.StringIO())
    assert type(logging.getLogger().handlers[0].formatter) is JsonFormatter


def test_level_colours_only_on_a_terminal_without_no_color(
    restore_logging: None, terminal: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_colour(terminal) and not wants_colour(io.StringIO())
    configure_logging("INFO", "console", stream=terminal)
    formatter = logging.getLogger().handlers[0].formatter
    assert isinstance(formatter, ConsoleFormatter) and formatter.colour
    record = logging.makeLogRecord({"name": "x", "levelno": logging.ERROR, "levelname": "ERROR", "msg": "m"})
    assert "\x1b[31mERROR" in formatter.format(record)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(terminal)
    configure_logging("INFO", "console", stream=terminal)
    formatter = logging.getLogger().handlers[0].formatter
    assert isinstance(formatter, ConsoleFormatter) and not formatter.colour
    assert not ANSI.search(formatter.format(record))


def test_the_setting_reads_minbil_log_format() -> None:
    secret = {"MINBIL_JWT_SECRET": "s" * 40}
    assert load_settings(secret).log_format == "auto"
    assert load_settings({**secret, "MINBIL_LOG_FORMAT": "Console"}).log_format_choice == "console"
    assert load_settings({**secret, "MINBIL_LOG_FORMAT": "json"}).log_format_choice == "json"
    assert load_settings({**secret, "MINBIL_LOG_FORMAT": "json", "MINBIL_LOG_JSON": "false"}).log_format_choice == (
        "console"
    )
    with pytest.raises(ValueError, match="MINBIL_LOG_FORMAT"):
        load_settings({**secret, "MINBIL_LOG_FORMAT": "pretty"})


SCRIPT = (
    "import logging; from app.logging_setup import configure_logging; from app.request_context import request_id_var; "
    f"configure_logging('INFO', 'auto'); request_id_var.set('{REQUEST_ID}'); logging.getLogger('minbil.test').warning('hi')"
)


def _run(stderr: int, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, stderr=stderr, env=env, timeout=60, check=False)
    assert done.returncode == 0


def test_a_process_logs_console_lines_to_a_terminal_and_json_to_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    primary, secondary = pty.openpty()
    try:
        _run(secondary, env)
        os.close(secondary)
        written = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(primary)
    text = written.decode()
    assert "\x1b[33mWARNING" in text and REQUEST_ID in text and text.rstrip().endswith("hi")
    piped = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, env=env, timeout=60, check=True, text=True
    )
    entry = json.loads(piped.stderr)
    assert entry["message"] == "hi" and entry["request_id"] == REQUEST_ID and entry["level"] == "warning"
