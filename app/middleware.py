"""Pure ASGI middleware around the whole app: request ids (accepted or generated, echoed, in every log line),
an access log line and the request metrics.

`around_app` wraps Litestar's `asgi_handler` (the router inside the app-level exception handler) instead of
being listed in `Litestar(middleware=...)`: Litestar gives every route that has middleware its own exception
handler layer (a scope-state lookup and a send wrapper per request), which cost as much as the middleware's
own work. Outside the router it also answers for requests no route matched (404, 405).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable
from time import perf_counter
from typing import Any, cast

from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from app.logging_setup import AccessLog
from app.metrics import observe_request
from app.request_context import is_acceptable_request_id, new_request_id, request_id_var

access_log = AccessLog(logging.getLogger("minbil.access"))

REQUEST_ID_HEADER = b"x-request-id"  # ASGI servers and Litestar give header names in lower case
UNMATCHED = "unmatched"


class RequestContextMiddleware:
    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(cast(HTTPScope, scope), receive, send)
        elif kind == "websocket":
            token = request_id_var.set(_request_id(scope)[0])
            try:
                await self.app(scope, receive, send)
            finally:
                request_id_var.reset(token)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        request_id, header_value = _request_id(scope)
        token = request_id_var.set(request_id)
        method = scope["method"]
        path = scope["path"]  # before routing: a mounted app's route replaces it with the rest of the path
        responder = _Responder(send, header_value)
        started = perf_counter()
        try:
            await self.app(scope, receive, responder)
        except BaseException:
            if not responder.status:
                responder.status = 500  # what the server answers for an escaped exception
            raise
        finally:
            elapsed = perf_counter() - started
            status = responder.status
            observe_request(method, route_label(scope), status, elapsed)
            access_log.write(method, path, status, elapsed)
            request_id_var.reset(token)


def around_app(app: ASGIApp) -> ASGIApp:
    return RequestContextMiddleware(app)


def _request_id(scope: Scope) -> tuple[str, bytes]:
    """The client's `X-Request-ID` when acceptable, else a new one; as text and as the header value."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if is_acceptable_request_id(text):
                return text, value
            break
    text = new_request_id()
    return text, text.encode("ascii")


class _Responder:
    """The `send` the app gets: puts the request id on the response and keeps the status."""

    __slots__ = ("header_value", "send", "status")

    def __init__(self, send: Send, header_value: bytes) -> None:
        self.send = send
        self.header_value = header_value
        self.status = 0

    def __call__(self, message: Message) -> Awaitable[None]:
        # returns the server's awaitable instead of awaiting it: one coroutine less per message
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = _with_request_id(message.get("headers", ()), self.header_value)
        return self.send(message)


def _with_request_id(headers: Any, value: bytes) -> list[tuple[bytes, bytes]]:
    """The response headers with one `X-Request-ID` (error responses may carry it already)."""
    if not isinstance(headers, list):
        headers = list(headers)
    for index, (name, _) in enumerate(headers):
        if name.lower() == REQUEST_ID_HEADER:
            headers[index] = (REQUEST_ID_HEADER, value)
            return headers
    headers.append((REQUEST_ID_HEADER, value))
    return headers


# a mount (static files) has no template of its own: its handler's path is the label
_labels_by_handler: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def route_label(scope: Scope) -> str:
    """The route template (`/api/co/bookings/{booking_id:int}`), never the raw path: a bounded label set."""
    template = scope.get("path_template")
    if template:
        return template
    handler = scope.get("route_handler")
    if handler is None:
        return UNMATCHED
    label = _labels_by_handler.get(handler)
    if label is None:
        paths = getattr(handler, "paths", None)
        label = _labels_by_handler[handler] = sorted(paths)[0] if paths else UNMATCHED
    return label
