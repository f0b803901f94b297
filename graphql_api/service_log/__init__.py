"""The service log area of the GraphQL schema."""

from graphql_api.service_log.mutations import ServiceLogMutation
from graphql_api.service_log.queries import ServiceLogQuery

QUERIES = (ServiceLogQuery,)
MUTATIONS = (ServiceLogMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
