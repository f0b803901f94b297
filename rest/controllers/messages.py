"""Messages (16 reference operations: 8 and an OPTIONS on each path), in the structured error shape.

The thread routes `/messages/thread/{id}`, `/messages/{id}` and `/messages/{id}/messages` are one behaviour;
so are the three read-up-to forms. The OPTIONS operations need no token (a CORS preflight carries none)
and answer the documented envelope with an `Allow` header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import HttpMethod, RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.tokens import AccessClaims
from app.domain.messages import service as messages
from app.domain.messages.attachments import MAX_ATTACHMENTS, Upload
from app.domain.messages.inputs import MAX_CLIENT_MESSAGE_ID
from app.domain.uow import UnitOfWork
from app.errors import PayloadTooLarge, ValidationFailed
from rest.boundary import JSON_OR_FORM
from rest.envelope import meta
from rest.handlers import named_like_methods
from rest.openapi import structured_responses
from rest.schemas.messages import (
    LegacyReadUpToRequest,
    MessageListResponse,
    OptionsMeta,
    OptionsResponse,
    ReadUpToRequest,
    ReadUpToResponse,
    SendMessageRequest,
    SendMessageResponse,
    ThreadListResponse,
    message_list_response,
    read_up_to_response,
    send_response,
    thread_list_response,
)

STRUCTURED = {"error_style": "structured"}
Page = Annotated[int, QueryParameter(ge=1, description=">=1 (default 1)")]
PageSize = Annotated[int, QueryParameter(ge=1, le=100, description="1..100 (default 20)")]
FILE_FIELDS = ("files", "files[]", "file", "attachments")
# a request may carry MAX_ATTACHMENTS files of the largest allowed size; each file is checked again
SEND_MAX_BODY = MAX_ATTACHMENTS * 5 * 1024 * 1024 + 1024 * 1024

SEND_DESCRIPTION = (
    "Sends a message in the booking thread as the car owner. JSON `{thread_id, message?, org_nr?, attachments?[]}` "
    "or multipart/form-data `thread_id`, `message` (optional), `files` (1..n; JPEG, PNG, WebP or PDF, checked by "
    f"content, at most {MAX_ATTACHMENTS}). At least one of `message` or an attachment is required."
)


_TEXT = Schema(type=OpenAPIType.STRING)
_CLIENT_MESSAGE_ID = Schema(
    type=OpenAPIType.STRING,
    max_length=MAX_CLIENT_MESSAGE_ID,
    description="Optional id the sender gives the message (e.g. a UUID), unique per owner. A send repeating an id "
    "the owner already used creates nothing and answers the first message.",
)
_ATTACHMENT = Schema(
    type=OpenAPIType.OBJECT,
    required=["url"],
    properties={
        "url": _TEXT,
        "content_type": Schema(
            type=OpenAPIType.STRING, enum=["image/jpeg", "image/png", "image/webp", "application/pdf"]
        ),
        "name": _TEXT,
        "size": Schema(type=OpenAPIType.INTEGER),
    },
)


@dataclass
class SendMessageOperation(Operation):
    """`POST /messages/send` reads its body itself (JSON or multipart); this documents both forms."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="SendMessageRequest",
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        title="SendMessageRequest",
                        required=["thread_id"],
                        properties={
                            "thread_id": _TEXT,
                            "message": _TEXT,
                            "org_nr": _TEXT,
                            "client_message_id": _CLIENT_MESSAGE_ID,
                            "attachments": Schema(type=OpenAPIType.ARRAY, items=_ATTACHMENT, max_items=MAX_ATTACHMENTS),
                        },
                    )
                ),
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["thread_id"],
                        properties={
                            "thread_id": _TEXT,
                            "message": _TEXT,
                            "org_nr": _TEXT,
                            "client_message_id": _CLIENT_MESSAGE_ID,
                            "files": Schema(
                                type=OpenAPIType.ARRAY,
                                max_items=MAX_ATTACHMENTS,
                                items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                            ),
                        },
                    )
                ),
            },
        )


def options_response(allow: str) -> Response[OptionsResponse]:
    m = meta()
    return Response(
        OptionsResponse(data={}, meta=OptionsMeta(request_id=m["request_id"], generated_at=m["generated_at"])),
        status_code=HTTP_200_OK,
        headers={"Allow": allow},
    )


async def read_send_payload(request: Request[Any, Any, Any]) -> tuple[SendMessageRequest, list[Upload]]:
    """The send body as JSON or as a form; uploaded files are read with a size cap each."""
    content_type, _ = request.content_type
    if content_type in (RequestEncodingType.MULTI_PART, RequestEncodingType.URL_ENCODED):
        form = await request.form()
        values: dict[str, str] = {}
        uploads: list[Upload] = []
        limit = request.app.state.services.settings.max_upload_bytes
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key not in FILE_FIELDS:
                    raise ValidationFailed(f"Unexpected file in field '{key}'.", fields={key: "unexpected_file"})
                if len(uploads) >= MAX_ATTACHMENTS:
                    raise ValidationFailed(
                        f"At most {MAX_ATTACHMENTS} attachments per message.",
                        fields={"files": f"at most {MAX_ATTACHMENTS}"},
                    )
                data = await value.read(limit + 1)
                if len(data) > limit:
                    raise PayloadTooLarge(
                        f"Attachment is larger than {limit} bytes.", fields={f"files[{len(uploads)}]": "too_large"}
                    )
                uploads.append(Upload(filename=value.filename or "", data=data, content_type=value.content_type))
            elif key not in values:
                values[key] = value
        body = SendMessageRequest(
            thread_id=values.get("thread_id"),
            message=values.get("message"),
            org_nr=values.get("org_nr"),
            client_message_id=values.get("client_message_id"),
        )
        return body, uploads
    raw = await request.body()
    try:
        return msgspec.json.decode(raw or b"{}", type=SendMessageRequest), []
    except msgspec.ValidationError as exc:
        path = str(exc).rsplit("at `$.", 1)
        field = path[1].rstrip("`").split("[")[0].split(".")[0] if len(path) == 2 else "body"
        raise ValidationFailed("Invalid request body.", fields={field: "invalid"}) from None
    except msgspec.DecodeError:
        raise ValidationFailed("Invalid request body.", fields={"body": "invalid_json"}) from None


def _thread_route(path: str, operation_id: str, summary: str) -> HTTPRouteHandler:
    """`GET` of a booking thread's messages; the thread is published under three paths."""

    async def thread(
        self: Controller,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        page: Page = 1,
        size: PageSize = 20,
    ) -> MessageListResponse:
        result = await messages.thread(uow, claims.owner_id, booking_id, page=page, size=size)
        return message_list_response(result, request.url.path)

    return get(path, operation_id=operation_id, summary=summary)(thread)


def _read_up_to_route(path: str, operation_id: str, summary: str) -> HTTPRouteHandler:
    """`POST` marking a thread read up to a message; published under two paths."""

    async def read_up_to(
        self: Controller,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        data: JSONBody[LegacyReadUpToRequest | None] = None,
    ) -> ReadUpToResponse:
        command = (data or LegacyReadUpToRequest()).to_command(booking_id)
        return read_up_to_response(await messages.read_up_to(uow, claims.owner_id, command))

    return post(path, operation_id=operation_id, status_code=HTTP_200_OK, summary=summary)(read_up_to)


def _allow_route(path: str, operation_id: str, allow: str) -> HTTPRouteHandler:
    """OPTIONS of a messages path: no token (a CORS preflight carries none), the documented envelope, `Allow`."""

    async def allow_methods(self: Controller) -> Response[OptionsResponse]:
        return options_response(allow)

    documented = re.sub(r":\w+}", "}", f"/messages{path}")
    return route(
        path,
        http_method=HttpMethod.OPTIONS,
        operation_id=operation_id,
        security=[],
        summary=f"Allowed methods of {documented}",
    )(allow_methods)


@named_like_methods
class MessagesController(Controller):
    path = "/messages"
    tags = ["Messages"]
    opt = STRUCTURED

    @get("/inbox", operation_id="GetMessageInbox", summary="Message threads by last activity (newest first)")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        page: Page = 1,
        page_size: PageSize = 20,
        q: Annotated[str | None, QueryParameter(description="free text in last message", max_length=200)] = None,
    ) -> ThreadListResponse:
        result = await messages.inbox(uow, claims.owner_id, page=page, page_size=page_size, q=q)
        return thread_list_response(result, request.url.path, q)

    @post(
        "/mark-read",
        operation_id="MarkThreadRead",
        status_code=HTTP_200_OK,
        summary="Mark workshop -> car owner messages of a thread read",
        responses=structured_responses(404),
    )
    async def mark_read(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], data: JSONBody[ReadUpToRequest]
    ) -> ReadUpToResponse:
        return read_up_to_response(await messages.read_up_to(uow, claims.owner_id, data.to_command()))

    @post(
        "/send",
        operation_id="SendMessage",
        status_code=HTTP_201_CREATED,
        summary="Send a message in a booking thread",
        description=SEND_DESCRIPTION,
        request_max_body_size=SEND_MAX_BODY,
        operation_class=SendMessageOperation,
        responses=structured_responses(404, 413),
        opt=JSON_OR_FORM,
    )
    async def send(
        self, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> SendMessageResponse:
        body, uploads = await read_send_payload(request)
        return send_response(await messages.send_owner_message(uow, claims.owner_id, body.to_command(uploads)))

    thread = _thread_route("/thread/{booking_id:int}", "GetMessageThread", "Messages of a booking thread")
    thread_alias = _thread_route("/{booking_id:int}", "GetMessagesByBooking", "Messages of a booking thread (alias)")
    thread_messages_alias = _thread_route(
        "/{booking_id:int}/messages", "GetBookingMessages", "Messages of a booking thread (alias)"
    )
    read_up_to = _read_up_to_route(
        "/thread/{booking_id:int}/read-up-to",
        "ReadThreadUpTo",
        "Mark workshop -> car owner messages read up to and including a message",
    )
    read_up_to_alias = _read_up_to_route(
        "/{booking_id:int}/messages/read-up-to",
        "ReadBookingMessagesUpTo",
        "Mark workshop -> car owner messages read up to and including a message (alias)",
    )

    # named `allow_*` so that they register before the GET/POST handlers of the same path (a controller orders
    # its handlers by name, see `named_like_methods`, and Litestar adds its own OPTIONS to a path that has none)
    allow_inbox = _allow_route("/inbox", "OptionsMessageInbox", "GET, OPTIONS")
    allow_mark_read = _allow_route("/mark-read", "OptionsMarkThreadRead", "OPTIONS, POST")
    allow_send = _allow_route("/send", "OptionsSendMessage", "OPTIONS, POST")
    allow_thread = _allow_route("/thread/{booking_id:int}", "OptionsMessageThread", "GET, OPTIONS")
    allow_read_up_to = _allow_route("/thread/{booking_id:int}/read-up-to", "OptionsReadThreadUpTo", "OPTIONS, POST")
    allow_thread_alias = _allow_route("/{booking_id:int}", "OptionsMessagesByBooking", "GET, OPTIONS")
    allow_thread_messages_alias = _allow_route("/{booking_id:int}/messages", "OptionsBookingMessages", "GET, OPTIONS")
    allow_read_up_to_alias = _allow_route(
        "/{booking_id:int}/messages/read-up-to", "OptionsReadBookingMessagesUpTo", "OPTIONS, POST"
    )


CONTROLLERS = [MessagesController]
