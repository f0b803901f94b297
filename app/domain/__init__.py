"""Use cases shared by the REST and GraphQL faces. Nothing here imports a web framework."""
