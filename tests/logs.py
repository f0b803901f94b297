"""A log handler that keeps every record, for tests that read what the app logged (attach it after
`create_app`, which configures logging and replaces the root handlers)."""

from __future__ import annotations

import logging


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
