"""ASGI middleware: request ids (accepted or generated, echoed, logged) and request metrics."""

from __future__ import annotations

import logging
import time

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics import REQUEST_LATENCY, REQUESTS
from app.request_context import accept_request_id, request_id_var

log = logging.getLogger("minbil.access")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        header = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                header = value.decode("latin-1")
                break
        request_id = accept_request_id(header)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            if scope["type"] == ScopeType.HTTP:  # a str enum: equal to the plain "http" of a live scope
                elapsed = time.perf_counter() - started
                route = _route_template(scope)
                REQUESTS.labels(scope["method"], route, str(status_holder["status"])).inc()
                REQUEST_LATENCY.labels(scope["method"], route).observe(elapsed)
                log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status_holder["status"],
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status_holder["status"],
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)

    return middleware


def _route_template(scope: Scope) -> str:
    template = scope.get("path_template")  # the full route, e.g. /api/co/bookings/{booking_id:int}
    if template:
        return str(template)
    handler = scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    if paths:
        return sorted(paths)[0]
    return "unmatched"
