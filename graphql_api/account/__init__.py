"""The account area of the GraphQL schema: the owner (`me`), profile, garage and notification settings."""

from graphql_api.account.mutations import AccountMutation
from graphql_api.account.queries import AccountQuery

QUERIES = (AccountQuery,)
MUTATIONS = (AccountMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
