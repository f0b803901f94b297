"""Errors raised before a route is resolved still answer in the shape of the module the path belongs to."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import SignedIn


@pytest.mark.parametrize(
    "path",
    [
        "/api/co/messages/thread/59.2096",
        "/api/co/messages/abc/messages",
        "/api/co/notifications/x1",
        "/api/co/payments/intents/a/b/c",
    ],
)
async def test_a_path_that_matches_no_route_of_a_structured_module_is_a_structured_404(
    client: httpx.AsyncClient, owner: SignedIn, path: str
) -> None:
    response = await client.get(path, headers=owner.headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("path", ["/api/co/bookings/abc", "/api/co/nothing-here"])
async def test_a_path_that_matches_no_route_elsewhere_is_a_problem_404(
    client: httpx.AsyncClient, owner: SignedIn, path: str
) -> None:
    response = await client.get(path, headers=owner.headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "NOT_FOUND"
