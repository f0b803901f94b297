"""The auth area of the GraphQL schema: sign-up, sign-in, tokens, sign-out and password reset."""

from graphql_api.auth.mutations import AuthMutation

QUERIES: tuple[type, ...] = ()
MUTATIONS = (AuthMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
