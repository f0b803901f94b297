"""POST a GraphQL document to the app under test, as an owner or with given headers.

`graphql` returns the whole response body (for tests that look at `errors`); `graphql_data` takes the same
arguments, returns `data` and fails the test when the response carries any error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, Protocol

import httpx

P = ParamSpec("P")


class Caller(Protocol):
    """Whoever sends the request: a signed-in owner's `Authorization` header."""

    @property
    def headers(self) -> dict[str, str]: ...


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    who: Caller | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The response body; GraphQL answers 200 even for errors, so any other status fails the test."""
    sent = {**(who.headers if who else {}), **(headers or {})}
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _data_of(post: Callable[P, Awaitable[dict[str, Any]]]) -> Callable[P, Awaitable[dict[str, Any]]]:
    async def data(*args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        body = await post(*args, **kwargs)
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]
        return found

    return data


graphql_data = _data_of(graphql)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
