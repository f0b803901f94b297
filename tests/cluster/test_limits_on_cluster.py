"""Rate limits and the GraphQL cost budget on a Redis Cluster: counters shared by instances, fail modes."""

from tests.foundation.test_graphql_cost import (  # noqa: F401
    sdl_schema,
    test_each_caller_spends_from_its_own_budget,
    test_the_budget_follows_the_rate_limit_fail_mode_when_redis_is_down,
)
from tests.foundation.test_rate_limits import *  # noqa: F403
