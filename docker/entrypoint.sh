#!/bin/sh
# Apply the database migrations (under an advisory lock, so several replicas may start at once), then run
# the command (by default `minbil serve`).
set -e
if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL is not set (postgresql+asyncpg://user:password@host:5432/db)" >&2
  exit 64
fi
if [ -z "${MINBIL_JWT_SECRET:-}" ]; then
  echo "MINBIL_JWT_SECRET is not set (32 bytes or more)" >&2
  exit 64
fi
minbil migrate
exec "$@"
