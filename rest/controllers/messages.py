"""Messages (16 reference operations: 8 and an OPTIONS on each path), in the structured error shape.

The thread routes `/messages/thread/{id}`, `/messages/{id}` and `/messages/{id}/messages` are one behaviour;
so are the three read-up-to forms. The OPTIONS operations need no token (a CORS preflight carries none)
and answer the documented envelope with an `Allow` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import HttpMethod, RequestEncodingType
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.tokens import AccessClaims
from app.domain.messages import service as messages
from app.domain.messages.attachments import MAX_ATTACHMENTS, Upload
from app.domain.uow import UnitOfWork
from app.errors import PayloadTooLarge, ValidationFailed
from rest.boundary import JSON_OR_FORM
from rest.envelope import meta
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
            thread_id=values.get("thread_id"), message=values.get("message"), org_nr=values.get("org_nr")
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


async def _read_up_to(
    uow: UnitOfWork, claims: AccessClaims, booking_id: int, data: LegacyReadUpToRequest | None
) -> ReadUpToResponse:
    command = (data or LegacyReadUpToRequest()).to_command(booking_id)
    return read_up_to_response(await messages.read_up_to(uow, claims.owner_id, command))


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

    async def _thread(
        self,
        request: Request[Any, Any, Any],
        uow: UnitOfWork,
        claims: AccessClaims,
        booking_id: int,
        page: int,
        size: int,
    ) -> MessageListResponse:
        result = await messages.thread(uow, claims.owner_id, booking_id, page=page, size=size)
        return message_list_response(result, request.url.path)

    @get("/thread/{booking_id:int}", operation_id="GetMessageThread", summary="Messages of a booking thread")
    async def thread(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        page: Page = 1,
        size: PageSize = 20,
    ) -> MessageListResponse:
        return await self._thread(request, uow, claims, booking_id, page, size)

    @get("/{booking_id:int}", operation_id="GetMessagesByBooking", summary="Messages of a booking thread (alias)")
    async def thread_alias(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        page: Page = 1,
        size: PageSize = 20,
    ) -> MessageListResponse:
        return await self._thread(request, uow, claims, booking_id, page, size)

    @get(
        "/{booking_id:int}/messages", operation_id="GetBookingMessages", summary="Messages of a booking thread (alias)"
    )
    async def thread_messages_alias(
        self,
        request: Request[Any, Any, Any],
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        page: Page = 1,
        size: PageSize = 20,
    ) -> MessageListResponse:
        return await self._thread(request, uow, claims, booking_id, page, size)

    @post(
        "/thread/{booking_id:int}/read-up-to",
        operation_id="ReadThreadUpTo",
        status_code=HTTP_200_OK,
        summary="Mark workshop -> car owner messages read up to and including a message",
    )
    async def read_up_to(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        data: JSONBody[LegacyReadUpToRequest | None] = None,
    ) -> ReadUpToResponse:
        return await _read_up_to(uow, claims, booking_id, data)

    @post(
        "/{booking_id:int}/messages/read-up-to",
        operation_id="ReadBookingMessagesUpTo",
        status_code=HTTP_200_OK,
        summary="Mark workshop -> car owner messages read up to and including a message (alias)",
    )
    async def read_up_to_alias(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        booking_id: FromPath[int],
        data: JSONBody[LegacyReadUpToRequest | None] = None,
    ) -> ReadUpToResponse:
        return await _read_up_to(uow, claims, booking_id, data)

    # --- OPTIONS: no token, the documented envelope, `Allow`. Named `allow_*` so that they register before
    # the GET/POST handlers of the same path (Litestar orders a controller's handlers by name and adds its own
    # OPTIONS handler to a path that has none yet) ----------------------------------------------------

    @route(
        "/inbox",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsMessageInbox",
        security=[],
        summary="Allowed methods of /messages/inbox",
    )
    async def allow_inbox(self) -> Response[OptionsResponse]:
        return options_response("GET, OPTIONS")

    @route(
        "/mark-read",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsMarkThreadRead",
        security=[],
        summary="Allowed methods of /messages/mark-read",
    )
    async def allow_mark_read(self) -> Response[OptionsResponse]:
        return options_response("OPTIONS, POST")

    @route(
        "/send",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsSendMessage",
        security=[],
        summary="Allowed methods of /messages/send",
    )
    async def allow_send(self) -> Response[OptionsResponse]:
        return options_response("OPTIONS, POST")

    @route(
        "/thread/{booking_id:int}",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsMessageThread",
        security=[],
        summary="Allowed methods of /messages/thread/{booking_id}",
    )
    async def allow_thread(self, booking_id: FromPath[int]) -> Response[OptionsResponse]:
        return options_response("GET, OPTIONS")

    @route(
        "/thread/{booking_id:int}/read-up-to",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsReadThreadUpTo",
        security=[],
        summary="Allowed methods of /messages/thread/{booking_id}/read-up-to",
    )
    async def allow_read_up_to(self, booking_id: FromPath[int]) -> Response[OptionsResponse]:
        return options_response("OPTIONS, POST")

    @route(
        "/{booking_id:int}",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsMessagesByBooking",
        security=[],
        summary="Allowed methods of /messages/{booking_id}",
    )
    async def allow_thread_alias(self, booking_id: FromPath[int]) -> Response[OptionsResponse]:
        return options_response("GET, OPTIONS")

    @route(
        "/{booking_id:int}/messages",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsBookingMessages",
        security=[],
        summary="Allowed methods of /messages/{booking_id}/messages",
    )
    async def allow_thread_messages_alias(self, booking_id: FromPath[int]) -> Response[OptionsResponse]:
        return options_response("GET, OPTIONS")

    @route(
        "/{booking_id:int}/messages/read-up-to",
        http_method=HttpMethod.OPTIONS,
        operation_id="OptionsReadBookingMessagesUpTo",
        security=[],
        summary="Allowed methods of /messages/{booking_id}/messages/read-up-to",
    )
    async def allow_read_up_to_alias(self, booking_id: FromPath[int]) -> Response[OptionsResponse]:
        return options_response("OPTIONS, POST")


CONTROLLERS = [MessagesController]
