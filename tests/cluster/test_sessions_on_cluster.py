"""Session revocations shared by instances through a Redis Cluster."""

from tests.test_auth_sessions import (  # noqa: F401
    test_a_revocation_redis_refused_reaches_the_other_instances_once_it_answers,
    test_revocation_survives_an_emptied_or_unreachable_redis,
    test_sign_out_reaches_an_instance_that_had_the_session_cached,
    test_sign_out_revokes_every_token_of_the_session_on_every_instance,
)
