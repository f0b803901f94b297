"""Per-request values that log lines and error bodies need, carried in context variables."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

MAX_REQUEST_ID_LENGTH = 128


def accept_request_id(header_value: str | None) -> str:
    """Keep a client's `X-Request-ID` when it is printable ASCII of at most 128 characters, else make one."""
    if (
        header_value
        and len(header_value) <= MAX_REQUEST_ID_LENGTH
        and header_value.isprintable()
        and header_value.isascii()
    ):
        return header_value
    return str(uuid.uuid4())


def current_request_id() -> str:
    value = request_id_var.get()
    if value is None:
        value = str(uuid.uuid4())
        request_id_var.set(value)
    return value
