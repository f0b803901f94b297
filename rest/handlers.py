"""Route handlers built by a function, for operations published under several paths or methods."""

from __future__ import annotations

from typing import TypeVar

from litestar import Controller
from litestar.handlers import HTTPRouteHandler

C = TypeVar("C", bound=type[Controller])


def named_like_methods(controller: C) -> C:
    """Name each handler function after the attribute that holds it, as a method would be named.

    A controller registers its handlers in the order of their qualified names: an OPTIONS handler must come
    before the GET or POST of its path (else Litestar adds its own OPTIONS), and the order of the paths in
    the OpenAPI document follows it. The names also show in logs and traces.
    """
    for name, value in vars(controller).items():
        if isinstance(value, HTTPRouteHandler):
            value.fn.__name__ = name
            value.fn.__qualname__ = f"{controller.__qualname__}.{name}"
    return controller
