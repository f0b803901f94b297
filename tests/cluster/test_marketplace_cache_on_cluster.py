"""The marketplace cache on a Redis Cluster: coherence across instances, stampede lock, invalidation channel."""

from tests.marketplace.conftest import catalogue  # noqa: F401
from tests.marketplace.test_cache import *  # noqa: F403
