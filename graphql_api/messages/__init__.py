"""The messages area of the GraphQL schema: booking threads, the inbox, sending and reading messages."""

from graphql_api.messages.mutations import MessagesMutation
from graphql_api.messages.queries import MessagesQuery

QUERIES = (MessagesQuery,)
MUTATIONS = (MessagesMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
