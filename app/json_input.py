"""Client JSON as both faces check it: how deep it may nest, its leaves by path, and field names safe to echo.

Decoders, validators and resolvers recurse once per level: a document
nested thousands deep exhausts the interpreter's stack (a RecursionError, i.e. a 500) before any rule sees it,
so both faces refuse one deeper than MAX_DEPTH levels up front."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

MAX_DEPTH = 32


def nesting_exceeds(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON document in `raw` nests arrays and objects deeper than `limit` (False if it is not JSON)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # cannot be deeper: skip decoding
    try:
        document = msgspec.json.decode(raw)
    except RecursionError:
        return True
    except msgspec.DecodeError:
        return False
    return depth(document, limit) > limit


def depth(document: Any, limit: int) -> int:
    """The nesting depth of a decoded document, counted without recursion up to `limit` + 1."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            level += 1
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level) for child in (value.values() if isinstance(value, dict) else value))
    return deepest


def leaves(document: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every object key and scalar of a decoded document with its path (`a.b[2].c`; a list or scalar at the
    top without a path is `body`), walked without recursion."""
    stack: list[tuple[str, Any]] = [(path, document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{where}.{key}" if where else str(key)
                yield child, str(key)
                stack.append((child, item))
        elif isinstance(value, list | tuple):
            stack.extend((f"{where or 'body'}[{index}]", item) for index, item in enumerate(value))
        else:
            yield where or "body", value


def field_name(name: str) -> str:
    """A client-supplied name as it may be echoed back (a NUL made visible, at most 100 characters)."""
    return name.replace("\x00", "\\u0000")[:100]
