"""The one settings loader: every environment variable the app reads is read here."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import msgspec
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # connections; None means "embedded": embedded PostgreSQL and in-process cache/channels
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: str = str(PROJECT_ROOT / ".minbil")
    # how long a request waits for a PostgreSQL connection (new or pooled) before answering 503
    database_connect_timeout_s: float = 3.0
    # PostgreSQL connections each process keeps open once a load has needed them; up to 10 more are opened
    # for a burst beyond and closed again after use (each costs a connection set-up and its statements'
    # preparing). Size it for the requests one process serves at once; replicas x this <= max_connections.
    database_pool_size: int = 20
    # "development", "test" or "production"; production turns off GraphiQL, the Swagger UI, introspection and
    # error suggestions for callers without a developer key (an unknown value stops the start: a typo must not
    # leave a deployment in development mode)
    environment: str = "development"

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    cors_origins: tuple[str, ...] = ()
    # peers whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks); none by default
    trusted_proxies: tuple[str, ...] = ()

    # auth
    jwt_secret: str = ""
    jwt_issuer: str = "https://api.minbil.no"
    jwt_audience: str = "minbil-carowner"
    access_token_ttl_s: int = 3600
    refresh_token_ttl_s: int = 30 * 24 * 3600
    password_reset_ttl_s: int = 3600
    # a second use of a refresh token within this many seconds of its rotation (two tabs, a retry) gets the
    # same new refresh token instead of revoking the session (RFC 9700 4.14.2)
    refresh_grace_s: float = 10.0
    # how long an instance trusts its own "session still active" answer: the delay before another
    # instance's sign-out takes effect here
    session_cache_s: float = 1.0
    # how often an open WebSocket re-checks its token and session (closes with 4403 once they end)
    session_check_s: float = 2.0
    reset_redirect_allowlist: tuple[str, ...] = ("https://platform.minbil.no",)
    api_keys: tuple[str, ...] = ()
    # `x-developer-key` values that open the schema documents in production (GraphQL introspection and
    # /api/co/schema/openapi.json); kept apart from `api_keys`, which partners hold for data routes
    developer_keys: tuple[str, ...] = ()
    # argon2id cost (argon2-cffi's defaults); the floor is m=19 MiB, t=2, p=1
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    password_parallelism: int = 4

    # rate limits: "count/seconds"
    auth_rate_limit: str = "10/60"
    vehicle_rate_limit: str = "20/60"
    # if the shared limiter store (Redis) is down: "open" lets requests through, "closed" answers 503
    rate_limit_fail_mode: str = "open"

    # cache
    # every Redis key and channel name starts with this; empty: derived from the database (`default_redis_prefix`)
    redis_prefix: str = ""
    cache_ttl_s: int = 60
    # the most one key-value call (cache, rate limits, sessions) may take; the Redis client has no timeout
    # of its own, so this is the bound (app/wiring.py)
    redis_timeout_s: float = 0.25

    # Redis Cluster: `redis_url` names one node; the client finds the others, keys spread over the shards and
    # the realtime channels use sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7)
    redis_cluster: bool = False

    # mail
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "MinBil <no-reply@minbil.no>"

    # external services
    vegvesen_api_key: str | None = None
    vegvesen_base_url: str = "https://akfell-datautlevering.atlas.vegvesen.no"
    vegvesen_timeout_s: float = 3.0
    # without an API key: the offline registry (invented, deterministic vehicles) answers in development and
    # test; production answers 503 REGISTRY_NOT_CONFIGURED unless this says the offline registry is wanted
    vegvesen_offline: bool = False
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # e.g. a local Stripe mock; None = api.stripe.com

    # uploads
    media_dir: str = str(PROJECT_ROOT / ".minbil" / "media")
    max_upload_bytes: int = 5 * 1024 * 1024
    max_image_pixels: int = 50_000_000  # a 50 MP photo decodes to ~150 MB; more is refused before decoding
    media_link_ttl_s: int = 3600  # lifetime of the signed links to message attachments

    # media storage: empty = the local folder `media_dir`; `s3://<bucket>/<prefix>` = an S3-compatible bucket
    # shared by every instance (credentials left empty fall back to the usual AWS_* variables)
    media_store: str = ""
    s3_endpoint_url: str | None = None  # e.g. http://minio:9000; None = AWS
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_region: str | None = None
    s3_timeout_s: float = 5.0  # connect timeout; a whole request may take four times as long

    # GraphQL
    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000
    graphql_max_subscriptions_per_connection: int = 20
    graphql_max_connections_per_user: int = 10
    # GraphiQL at GET /graphql; None: on outside production
    graphiql: bool | None = None
    # persisted queries: only the web app's operation documents (graphql_api/operations) are accepted
    graphql_persisted_only: bool = False
    graphql_apq_ttl_s: int = 24 * 3600  # lifetime of a document registered by APQ
    graphql_apq_max_document_bytes: int = 32 * 1024  # larger documents execute but are not stored
    graphql_apq_max_registrations_per_hour: int = 1000  # bounds the store: further documents are not stored
    graphql_public_max_age_s: int = 60  # Cache-Control max-age of anonymous GET answers of public fields
    # the most an operation may cost (rules in graphql_api/cost.py), and the cost each caller (owner, else client
    # address) may spend per window ("cost/seconds"); 0 turns either off
    graphql_max_cost: int = 15000
    graphql_cost_budget: str = "150000/60"

    # realtime: outbox relay, presence, subscription connections
    realtime_poll_interval_s: float = 0.5  # the relay also polls, for producers that cannot wake it
    realtime_token_ttl_s: int = 900  # the short-lived token of GET /realtime/config
    realtime_heartbeat_s: float = 20.0  # presence/connection heartbeat and token re-check of an open socket
    presence_ttl_s: int = 60  # an "online"/"away" status without heartbeat expires after this

    # graceful shutdown: on SIGTERM the server stops accepting, closes WebSockets with 1012 and lets requests
    # already accepted finish for at most this long; whatever is still open then (a stalled upload, a vanished
    # peer's socket) is cut, so a restart never waits on a client
    shutdown_grace_s: float = 20.0

    log_level: str = "INFO"
    log_json: bool = True  # false: console lines whatever `log_format` says (the older switch)

    # --- logs and metrics ---
    # "console" (aligned, coloured unless NO_COLOR), "json", or "auto": console on a terminal, else JSON
    log_format: str = "auto"

    # traces (OpenTelemetry, app/infra/tracing.py): read from the standard OTEL_* variables, not MINBIL_*;
    # unset endpoint: traces off, at no cost. The exporter reads the other OTEL_EXPORTER_OTLP_* variables itself.
    otel_exporter_otlp_endpoint: str | None = None  # the collector's base address (OTLP over HTTP/protobuf)
    otel_service_name: str = "minbil-carowner"

    def __post_init__(self) -> None:
        if not self.redis_prefix:
            msgspec.structs.force_setattr(self, "redis_prefix", default_redis_prefix(self.database_url, self.data_dir))

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def log_format_choice(self) -> str:
        return self.log_format if self.log_json else "console"

    @property
    def graphiql_enabled(self) -> bool:
        return (not self.production) if self.graphiql is None else self.graphiql


def default_redis_prefix(database_url: str | None, data_dir: str) -> str:
    """`minbil:<database>:<digest of host, port and database>:`. Redis pub/sub ignores the Redis database number,
    so two deployments sharing a Redis server are kept apart by their PostgreSQL database, never by chance."""
    if database_url:
        url = make_url(database_url)
        host = url.query.get("host") or url.host or "localhost"  # `?host=` is a socket directory
        name = url.database or ""
        identity = f"{host if isinstance(host, str) else ','.join(host)}:{url.port or 5432}/{name}"
    else:
        name, identity = "embedded", "embedded:" + str(Path(data_dir).resolve())
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return f"minbil:{re.sub(r'[^A-Za-z0-9_.-]', '_', name)[:40]}:{digest}:"


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENTS = ("development", "test", "production")
MIN_KEY_BYTES = 32


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from `DATABASE_URL`, `REDIS_URL` and `MINBIL_*` variables, then `overrides`."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if env.get("DATABASE_URL"):
        values["database_url"] = env["DATABASE_URL"]
    if env.get("REDIS_URL"):
        values["redis_url"] = env["REDIS_URL"]
    for otel_field in ("otel_exporter_otlp_endpoint", "otel_service_name"):
        if env.get(otel_field.upper()):
            values[otel_field] = env[otel_field.upper()]
    for field in msgspec.structs.fields(Settings):
        raw = env.get(f"MINBIL_{field.name.upper()}")
        if raw is None:
            continue
        values[field.name] = _parse(field.type, raw)
    values.update(overrides)
    environment = str(values.get("environment", "development")).strip().lower()
    if environment not in ENVIRONMENTS:
        raise ValueError(f"MINBIL_ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    values["environment"] = environment
    log_format = str(values.get("log_format", "auto")).strip().lower()
    if log_format not in ("auto", "json", "console"):  # checked here too, so a typo stops the start at once
        raise ValueError(f"MINBIL_LOG_FORMAT must be auto, json or console, not {log_format!r}")
    values["log_format"] = log_format
    if not values.get("jwt_secret") and environment == "production":
        # each instance would make its own secret: tokens of one would be refused by the others
        raise ValueError("MINBIL_JWT_SECRET must be set in production")
    if not values.get("jwt_secret"):
        values["jwt_secret"] = _persistent_secret(Path(str(values.get("data_dir", PROJECT_ROOT / ".minbil"))))
    if len(str(values["jwt_secret"]).encode()) < 32:
        raise ValueError("MINBIL_JWT_SECRET must be at least 32 bytes")
    settings = msgspec.convert(values, Settings, strict=False)
    if any(
        len(key.encode()) < MIN_KEY_BYTES for key in settings.developer_keys
    ):  # they open the schema: no guessable keys
        raise ValueError(f"MINBIL_DEVELOPER_KEYS must each be at least {MIN_KEY_BYTES} bytes")
    return settings


def _parse(annotation: object, raw: str) -> object:
    text = str(annotation)
    if text.startswith("tuple"):
        return _csv(raw)
    if annotation is bool:
        return _bool(raw)
    if annotation == (bool | None):  # unset or empty: the default follows another setting
        return _bool(raw) if raw.strip() else None
    return raw  # msgspec.convert(strict=False) turns "9000" into 9000 and "0.5" into 0.5


def _persistent_secret(data_dir: Path) -> str:
    """A development secret kept under the data folder so tokens survive restarts."""
    path = data_dir / "jwt-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        path.write_text(secret)
        path.chmod(0o600)
        return secret


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
