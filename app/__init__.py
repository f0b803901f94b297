"""MinBil car-owner backend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar


def create_app(*args: Any, **kwargs: Any) -> Litestar:
    """The app factory, found here by `litestar run` from the repository root (see `app.main.create_app`)."""
    # lazily: every `app.*` import runs this package first, and most (app.values, app.errors) need no web app
    from app.main import create_app as _create_app

    return _create_app(*args, **kwargs)
