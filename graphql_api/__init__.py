"""The GraphQL face (Strawberry): types, inputs, payloads, queries, mutations, subscriptions, loaders."""
