"""URLs: public URLs for stored paths, and the one rule for URLs a client may hand us."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})


def absolute_url(base_url: str, path: str | None) -> str | None:
    """`path` under `base_url` unless it already is an absolute http(s) URL; None stays None."""
    if not path or not base_url or path.startswith(("http://", "https://")):
        return path
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def is_web_url(value: object, *, max_length: int = 1000) -> bool:
    """An absolute http(s) URL with a host, without whitespace or control characters.

    Anything else a client sends as a link (`javascript:`, `data:`, scheme-relative `//host`, bare paths)
    would run or resolve somewhere we do not intend once another client renders it.
    """
    if not isinstance(value, str) or not value or len(value) > max_length:
        return False
    if any(c.isspace() or not c.isprintable() for c in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 host or port
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(host)


def is_site_path(value: object, *, max_length: int = 1000) -> bool:
    """A path on this server (`/api/co/media/...`), never scheme-relative (`//host`)."""
    return (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and len(value) <= max_length
        and not any(c.isspace() or not c.isprintable() for c in value)
    )
