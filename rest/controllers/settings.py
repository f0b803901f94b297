"""Settings (2 reference operations): notification preferences, in the structured error shape."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from app.auth.tokens import AccessClaims
from app.domain.account import inputs
from app.domain.account import notification_settings as prefs
from app.domain.uow import UnitOfWork
from rest.openapi import structured_responses
from rest.schemas.account import NotificationSettingsResponse


class SettingsController(Controller):
    path = "/settings"
    tags = ["Settings"]
    opt = {"error_style": "structured"}

    @get(
        "/notifications",
        operation_id="GetNotificationSettings",
        summary="Return merged preferences (stored overrides + sensible defaults)",
        responses=structured_responses(404),
    )
    async def get_notifications(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> NotificationSettingsResponse:
        return NotificationSettingsResponse(preferences=await prefs.notification_settings(uow, claims.owner_id))

    @put(
        "/notifications",
        operation_id="UpdateNotificationSettings",
        status_code=HTTP_200_OK,
        summary="Partial update of preferences",
        responses=structured_responses(404),
    )
    async def update_notifications(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], data: JSONBody[dict[str, Any]]
    ) -> NotificationSettingsResponse:
        command = inputs.notification_changes(data)
        return NotificationSettingsResponse(
            preferences=await prefs.update_notification_settings(uow, claims.owner_id, command)
        )


CONTROLLERS = [SettingsController]
