"""Automatic persisted queries stored in a Redis Cluster."""

from tests.foundation.test_persisted_queries import *  # noqa: F403
