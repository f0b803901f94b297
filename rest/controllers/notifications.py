"""Notifications (6 reference operations), in the structured error shape."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from app.auth.tokens import AccessClaims
from app.domain.notifications import service as notifications
from app.domain.uow import UnitOfWork
from rest.envelope import meta
from rest.schemas.notifications import (
    MarkReadRequest,
    MarkReadResponse,
    NotificationItem,
    NotificationListResponse,
    UnreadCountData,
    UnreadCountMeta,
    UnreadCountResponse,
    mark_read_response,
    notification_item,
    notification_list_response,
)

STRUCTURED = {"error_style": "structured"}


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["Notifications"]
    opt = STRUCTURED

    @get("/", operation_id="ListNotifications", summary="Notifications of the car owner, newest first")
    async def list_notifications(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        status: Annotated[str, QueryParameter(description="unread | all (default unread)", max_length=16)] = "unread",
        type_: Annotated[
            str | None,
            QueryParameter(
                query="type", max_length=500, description="comma-separated filter by type, e.g. booking,system"
            ),
        ] = None,
        since: Annotated[
            str | None, QueryParameter(max_length=64, description="ISO-8601: only notifications newer than this")
        ] = None,
        page: Annotated[int, QueryParameter(ge=1, description=">=1")] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=100, description="1..100")] = 20,
    ) -> NotificationListResponse:
        result = await notifications.list_notifications(
            uow, claims.owner_id, status=status, types=type_, since=since, page=page, page_size=page_size
        )
        query = {"status": status, "type": type_, "since": since}
        return notification_list_response(result, request.url.path, query)

    @post(
        "/mark-read",
        operation_id="MarkNotificationsRead",
        status_code=HTTP_200_OK,
        summary="Mark notifications read (and, best effort, the messages they point at)",
    )
    async def mark_read(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], data: JSONBody[MarkReadRequest]
    ) -> MarkReadResponse:
        return mark_read_response(await notifications.mark_read(uow, claims.owner_id, data.to_command()))

    @post(
        "/read-all",
        operation_id="MarkAllNotificationsRead",
        status_code=HTTP_200_OK,
        summary="Mark all notifications read",
    )
    async def read_all(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> MarkReadResponse:
        return mark_read_response(await notifications.read_all(uow, claims.owner_id))

    @get("/unread-count", operation_id="GetUnreadNotificationCount", summary="Number of unread notifications")
    async def unread_count(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> UnreadCountResponse:
        count = await notifications.unread_count(uow, claims.owner_id)
        m = meta()
        return UnreadCountResponse(
            data=UnreadCountData(unread_count=count),
            meta=UnreadCountMeta(request_id=m["request_id"], generated_at=m["generated_at"]),
        )

    @get("/{notif_id:int}", operation_id="GetNotification", summary="One notification")
    async def get_one(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], notif_id: FromPath[int]
    ) -> NotificationItem:
        return notification_item(await notifications.get_notification(uow, claims.owner_id, notif_id))

    @post(
        "/{notif_id:int}/mark-read",
        operation_id="MarkNotificationRead",
        status_code=HTTP_200_OK,
        summary="Mark one notification read",
    )
    async def mark_one(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], notif_id: FromPath[int]
    ) -> MarkReadResponse:
        return mark_read_response(await notifications.mark_one(uow, claims.owner_id, notif_id))


CONTROLLERS = [NotificationsController]
