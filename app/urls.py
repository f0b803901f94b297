"""Public URLs for stored paths."""

from __future__ import annotations


def absolute_url(base_url: str, path: str | None) -> str | None:
    """`path` under `base_url` unless it already is an absolute http(s) URL; None stays None."""
    if not path or not base_url or path.startswith(("http://", "https://")):
        return path
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"
