"""docker/compose.yml runs like production: two app replicas behind a proxy that routes by health and passes
WebSockets, PostgreSQL, Redis and MinIO with its bucket, every long-running service with a healthcheck."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
COMPOSE = DOCKER / "compose.yml"
APPS = ("app-1", "app-2")
S3_ENV = {
    "MINBIL_MEDIA_STORE": "s3://minbil-media/media",
    "MINBIL_S3_ENDPOINT_URL": "http://minio:9000",
    "MINBIL_S3_REGION": "us-east-1",
}


def compose_cli() -> list[str] | None:
    """`docker compose` (the plugin) or `docker-compose`, whichever this machine has."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def _defaults(text: str) -> str:
    """The file with each `${NAME:-default}` as its default and each required `${NAME:?...}` set."""
    text = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "x" * 48, text).replace("$$", "$")


@pytest.fixture(scope="module", params=["yaml", "cli"])
def services(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The services as PyYAML reads the file (merge keys, variables at their defaults), and as the compose CLI
    resolves it."""
    if request.param == "yaml":
        loaded: dict[str, Any] = yaml.safe_load(_defaults(COMPOSE.read_text()))
        return dict(loaded["services"])
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINBIL_")}
    env["MINBIL_JWT_SECRET"] = "x" * 48
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout)["services"])


def test_the_compose_cli_accepts_the_file_and_it_needs_a_jwt_secret() -> None:
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINBIL_")}
    missing = subprocess.run(
        [*cli, "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert missing.returncode != 0 and "MINBIL_JWT_SECRET" in missing.stdout + missing.stderr


def test_two_app_replicas_share_the_database_redis_and_s3(services: dict[str, Any]) -> None:
    assert set(services) >= {*APPS, "proxy", "postgres", "redis", "minio", "minio-bucket"}
    first, second = (services[name] for name in APPS)
    assert first["environment"] == second["environment"]
    env = first["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert {k: env[k] for k in S3_ENV} == S3_ENV
    assert env["MINBIL_S3_ACCESS_KEY_ID"] and env["MINBIL_S3_SECRET_ACCESS_KEY"]
    for name in APPS:
        needs = services[name]["depends_on"]
        assert needs["postgres"]["condition"] == needs["redis"]["condition"] == "service_healthy"
        assert needs["minio-bucket"]["condition"] == "service_completed_successfully"


def test_the_apps_trust_only_the_proxy_and_outlast_their_shutdown_grace(services: dict[str, Any]) -> None:
    proxy_address = services["proxy"]["networks"]["minbil"]["ipv4_address"]
    for name in APPS:
        env = services[name]["environment"]
        assert env["MINBIL_TRUSTED_PROXIES"] == proxy_address
        grace = float(env["MINBIL_SHUTDOWN_GRACE_S"])
        stop = services[name]["stop_grace_period"]
        seconds = float(stop.removesuffix("s")) if isinstance(stop, str) else float(stop) / 1e9
        assert seconds > grace  # docker's SIGKILL must not cut the graceful shutdown short


def test_the_proxy_starts_after_healthy_apps_and_every_long_running_service_has_a_healthcheck(
    services: dict[str, Any],
) -> None:
    assert {name: services["proxy"]["depends_on"][name]["condition"] for name in APPS} == dict.fromkeys(
        APPS, "service_healthy"
    )
    for name, service in services.items():
        if service.get("restart") == "no":  # a one-shot job: others wait for it to complete instead
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name in APPS:
        assert "/ready" in " ".join(services[name]["healthcheck"]["test"])


def test_the_bucket_is_created_once_minio_is_healthy(services: dict[str, Any]) -> None:
    job = services["minio-bucket"]
    assert job["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "mc mb --ignore-existing local/minbil-media" in " ".join(job["command"])


def test_the_proxy_routes_by_health_and_passes_websocket_upgrades(services: dict[str, Any]) -> None:
    mount = next(v for v in services["proxy"]["volumes"] if "Caddyfile" in str(v))
    assert "Caddyfile" in str(mount)
    caddyfile = (DOCKER / "Caddyfile").read_text()
    block = re.search(r"reverse_proxy ([^{]+)\{(.*?)\n\t\}", caddyfile, re.S)
    assert block is not None
    assert block.group(1).split() == [f"{name}:8000" for name in APPS]
    settings = dict(line.strip().split(None, 1) for line in block.group(2).splitlines() if line.strip()[:1].isalpha())
    assert settings["health_uri"] == "/ready"  # active checks
    assert "max_fails" in settings and "fail_duration" in settings  # passive checks
    assert "lb_try_duration" in settings  # a restarting instance's requests go to the other
    assert re.search(r"header_up Upgrade \{header.Upgrade\}", block.group(2))
    assert re.search(r"header_up Connection \{header.Connection\}", block.group(2))


def test_replicas_migrate_under_the_advisory_lock() -> None:
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    assert "minbil migrate" in entrypoint
    migrate = (DOCKER.parent / "db" / "migrate.py").read_text()
    assert "pg_advisory_lock" in migrate and "pg_advisory_unlock" in migrate


def test_caddy_accepts_the_proxy_config() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (apt-get install caddy)")
    result = subprocess.run(
        [caddy, "validate", "--config", str(DOCKER / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "XDG_DATA_HOME": "/tmp/caddy-validate"},
    )
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, result.stderr[-2000:]
