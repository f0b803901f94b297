"""Log lines that carry the request id, written a batch per event-loop turn: JSON for machines, aligned
(coloured on a terminal) lines for a person (`MINBIL_LOG_FORMAT=json|console|auto`)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

import msgspec

from app.request_context import request_id_var

ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message, request_id, the access fields when present."""

    _encode = msgspec.json.Encoder(enc_hook=str).encode

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (-1, "")  # the timestamp text up to the second, made once a second

    def timestamp(self, created: float) -> str:
        second = int(created)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        return f"{cached[1]}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        fields = record.__dict__
        for key in ACCESS_FIELDS:
            if key in fields:
                entry[key] = fields[key]
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self._encode(entry).decode()

    def access_line(self, entry: AccessEntry) -> str:
        """What `format` makes of an access record, without the record."""
        _, created, request_id, logger, method, path, status, seconds = entry
        return self._encode(
            {
                "ts": self.timestamp(created),
                "level": "info",
                "logger": logger,
                "message": f"{method} {path} {status}",
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
        ).decode()


# an access line to format when its batch is written: (its formatter, time, request id, logger, method, path,
# status, duration in seconds)
AccessEntry = tuple[JsonFormatter, float, str | None, str, str, str, int, float]


LOG_FORMATS = ("auto", "json", "console")

# ANSI colours of the level column
_LEVEL_COLOURS = {
    logging.DEBUG: "\x1b[2m",  # dim
    logging.INFO: "\x1b[32m",  # green
    logging.WARNING: "\x1b[33m",  # yellow
    logging.ERROR: "\x1b[31m",  # red
    logging.CRITICAL: "\x1b[1;31m",  # bold red
}
_RESET = "\x1b[0m"
_DIM = "\x1b[2m"


class ConsoleFormatter(logging.Formatter):
    """`HH:MM:SS.mmm LEVEL logger request-id message`, columns aligned, one line per event.

    A line break inside a message is written as `\\n`, so a value from a request cannot start a line that looks
    like another event; only a traceback continues on indented lines below its event."""

    LOGGER_WIDTH = 22
    REQUEST_ID_WIDTH = 36  # a generated id (a UUID); a longer id of a client pushes the message right

    def __init__(self, colour: bool = False) -> None:
        super().__init__()
        self.colour = colour
        self._second: tuple[int, str] = (-1, "")

    def timestamp(self, created: float) -> str:
        second = int(created)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, time.strftime("%H:%M:%S", time.localtime(second)))
        return f"{cached[1]}.{int((created - second) * 1000):03d}"

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        request_id = fields.get("request_id") or request_id_var.get() or "-"
        message = record.getMessage()
        if "duration_ms" in fields:
            message = f"{message} {fields['duration_ms']}ms"
        message = message.replace("\r", "\\r").replace("\n", "\\n").replace("\x1b", "\\x1b")
        name = record.name
        if len(name) > self.LOGGER_WIDTH:
            name = "…" + name[-(self.LOGGER_WIDTH - 1) :]
        level = f"{record.levelname:<8}"
        stamp = self.timestamp(record.created)
        if self.colour:
            colour = _LEVEL_COLOURS.get(record.levelno, "")
            line = (
                f"{_DIM}{stamp}{_RESET} {colour}{level}{_RESET} {name:<{self.LOGGER_WIDTH}} "
                f"{_DIM}{request_id:<{self.REQUEST_ID_WIDTH}}{_RESET} {message}"
            )
        else:
            line = f"{stamp} {level} {name:<{self.LOGGER_WIDTH}} {request_id:<{self.REQUEST_ID_WIDTH}} {message}"
        if record.exc_info:
            trace = self.formatException(record.exc_info)
            line += "\n" + "\n".join("    " + part for part in trace.splitlines())
        return line


def wants_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour on a terminal, unless NO_COLOR is set to anything (https://no-color.org)."""
    return not (os.environ if environ is None else environ).get("NO_COLOR") and _is_terminal(stream)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def resolve_log_format(log_format: str, stream: TextIO) -> str:
    """ "json" or "console"; "auto" is console on a terminal and JSON everywhere else (files, pipes, collectors)."""
    choice = log_format.strip().lower()
    if choice not in LOG_FORMATS:
        raise ValueError(f"MINBIL_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    if choice == "auto":
        return "console" if _is_terminal(stream) else "json"
    return choice


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class LoopBatchedStreamHandler(logging.StreamHandler[TextIO]):
    """Writes the lines logged during one event-loop turn with one write.

    A write and a flush per line (an access line per request) cost a tenth of a cheap request. Lines logged
    where no event loop runs (threads, start-up, exit) are written at once, like every pending line before
    them; on a loop they wait at most until the loop's next turn. `flush()` writes what is pending: logging
    calls it at interpreter exit, `configure_logging` before it replaces the handler and the app at shutdown.
    """

    MAX_PENDING = 512

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._pending: list[str | AccessEntry] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None
        self._flush_thread = 0  # the thread of `_flush_on`

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._add(line)

    def write_access(self, entry: AccessEntry) -> None:
        """An access line, in its turn with the handler's own, formatted when the batch is written: formatting
        the lines of a turn together cost about a third less than one at a time (server CPU per `/health`)."""
        self.acquire()
        try:
            self._add(entry)
        finally:
            self.release()

    def _add(self, line: str | AccessEntry) -> None:
        self._pending.append(line)
        flush_on = self._flush_on
        if (
            flush_on is not None
            and self._flush_thread == threading.get_ident()
            and flush_on.is_running()
            and len(self._pending) < self.MAX_PENDING
        ):
            return  # on the loop whose flush is due this turn (asking for the running loop costs a getpid())
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if len(self._pending) >= self.MAX_PENDING:
            self.flush()
        elif self._flush_on is not loop:  # one flush per turn; a loop that stopped first leaves it to the next
            self._flush_on = loop
            self._flush_thread = threading.get_ident()
            loop.call_soon(self.flush)

    def flush(self) -> None:
        self.acquire()
        try:
            self._flush_on = None
            if self._pending:
                text = "\n".join(line if isinstance(line, str) else line[0].access_line(line) for line in self._pending)
                text += self.terminator
                self._pending = []
                try:
                    self.stream.write(text)
                except Exception:
                    self.handleError(logging.makeLogRecord({"msg": text}))
        finally:
            self.release()
        super().flush()


# Libraries that dump payloads at DEBUG: WebSocket frames (`connection_init` carries the bearer token; uvicorn
# hands its "uvicorn.error" logger to the websockets protocol) and Stripe's request and response bodies (client
# secrets). They never log below INFO, whatever MINBIL_LOG_LEVEL says.
PAYLOAD_LOGGERS = ("uvicorn.error", "websockets", "stripe")


class AccessLog:
    """The access line of each request, on `logger` ("minbil.access") at INFO, with the access fields.

    With the handlers `configure_logging` installs (JSON, one batched handler on the root) the line is
    formatted and queued directly: a log record, the walk up the logger tree, the filter and the handler's
    lock around the formatter were most of an access line's cost. Any other setup (another handler or
    filter anywhere on the way, text lines, a level) gets a record through `logger.handle` as usual.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def write(self, method: str, path: str, status: int, seconds: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        handler = self._direct_handler()
        if handler is not None:
            formatter: Any = handler.formatter  # a JsonFormatter (`_direct_handler`)
            handler.write_access(
                (formatter, time.time(), request_id_var.get(), logger.name, method, path, status, seconds)
            )
            return
        duration_ms = round(seconds * 1000, 2)
        # what logger.info(...) would make, without looking for the caller's frame
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, "%s %s %s", (method, path, status), None)
        fields = record.__dict__
        fields["method"] = method
        fields["path"] = path
        fields["status"] = status
        fields["duration_ms"] = duration_ms
        logger.handle(record)

    def _direct_handler(self) -> LoopBatchedStreamHandler | None:
        logger = self.logger
        root = logging.root
        if logger.handlers or logger.filters or logger.disabled or not logger.propagate or logger.parent is not root:
            return None
        handlers = root.handlers
        if len(handlers) != 1 or root.filters:
            return None
        handler = handlers[0]
        if (
            type(handler) is not LoopBatchedStreamHandler
            or type(handler.formatter) is not JsonFormatter
            or handler.level > logging.INFO
        ):
            return None
        for each in handler.filters:
            if type(each) is not RequestIdFilter:  # which only sets the record's request_id
                return None
        return handler


def configure_logging(level: str = "INFO", log_format: str | bool = "auto", stream: TextIO | None = None) -> None:
    """The root's one handler, writing to `stream` (stderr) in `log_format` ("auto", "json", "console"; True
    and False for "json" and "console", as the older `log_json` flag said)."""
    if stream is None:
        stream = sys.stderr
    if isinstance(log_format, bool):
        log_format = "json" if log_format else "console"
    handler = LoopBatchedStreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    if resolve_log_format(log_format, stream) == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ConsoleFormatter(colour=wants_colour(stream)))
    root = logging.getLogger()
    flush_log_handlers()  # the handlers replaced here may still hold lines
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    floor = max(root.level, logging.INFO)
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(floor)


def flush_log_handlers() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
