"""The realtime area of the GraphQL schema: subscriptions, the realtime settings and presence."""

from graphql_api.realtime.mutations import RealtimeMutation
from graphql_api.realtime.queries import RealtimeQuery
from graphql_api.realtime.subscriptions import RealtimeSubscription

QUERIES = (RealtimeQuery,)
MUTATIONS = (RealtimeMutation,)
SUBSCRIPTIONS = (RealtimeSubscription,)

__all__ = ["MUTATIONS", "QUERIES", "SUBSCRIPTIONS"]
