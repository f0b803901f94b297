"""The key-value store's counters on a Redis Cluster."""

from tests.foundation.test_kv_incr import *  # noqa: F403
