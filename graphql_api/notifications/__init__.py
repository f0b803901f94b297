"""The notifications area of the GraphQL schema: the owner's notification list and its read state."""

from graphql_api.notifications.mutations import NotificationsMutation
from graphql_api.notifications.queries import NotificationsQuery

QUERIES = (NotificationsQuery,)
MUTATIONS = (NotificationsMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
