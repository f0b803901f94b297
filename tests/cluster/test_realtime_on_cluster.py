"""Realtime on a Redis Cluster: two instances, producers in other processes, presence; the per-owner channels
over sharded pub/sub."""

from tests.realtime.conftest import pair, rt_settings, servers, session  # noqa: F401
from tests.realtime.test_delivery import *  # noqa: F403
from tests.realtime.test_presence_and_config import *  # noqa: F403
