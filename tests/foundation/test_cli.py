"""The command line and app discovery: `minbil serve/migrate/seed/export-schema`, and `litestar run`
finding the `create_app` factory from the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar

from app.cli import build_parser
from app.settings import PROJECT_ROOT


def test_serve_accepts_host_port_and_workers() -> None:
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "2"])
    assert (args.command, args.host, args.port, args.workers) == ("serve", "0.0.0.0", 9000, 2)
    defaults = build_parser().parse_args(["serve"])
    assert (defaults.host, defaults.port, defaults.workers) == (None, None, 1)  # settings decide: 127.0.0.1:8000


def test_the_documented_commands_exist() -> None:
    parser = build_parser()
    for argv in (["migrate"], ["export-schema"], ["seed"], ["seed", "--reset", "--workshops", "20", "--seed", "7"]):
        assert callable(parser.parse_args(argv).func), argv


def test_export_schema_prints_the_sdl(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINBIL_JWT_SECRET", "cli-check-" + "x" * 40)
    from app import cli
    from app.settings import get_settings

    get_settings.cache_clear()
    try:
        assert cli.main(["export-schema"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "type Query" in out and "me: Owner" in out and "signIn(" in out


def test_litestar_run_discovers_the_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    from litestar.cli._utils import _autodiscover_app

    monkeypatch.setenv("LITESTAR_APP", "")  # discovery writes it; restored after the test
    monkeypatch.setenv("MINBIL_JWT_SECRET", "cli-check-" + "x" * 40)
    from app.settings import get_settings

    get_settings.cache_clear()
    try:
        loaded = _autodiscover_app(Path(PROJECT_ROOT))
    finally:
        get_settings.cache_clear()
    assert loaded.app_path == "app:create_app" and loaded.is_factory
    assert isinstance(loaded.app, Litestar)
