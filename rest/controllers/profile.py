"""Profile (4 reference operations): read with ETag/304, partial update (JSON or multipart), picture removal,
username availability."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_204_NO_CONTENT,
    HTTP_304_NOT_MODIFIED,
)

from app.auth.tokens import AccessClaims
from app.domain.account import inputs, profile
from app.domain.account.results import ImageUpload
from app.domain.uow import UnitOfWork
from app.errors import ValidationFailed
from rest.boundary import JSON_OR_FORM
from rest.envelope import envelope_meta
from rest.openapi import problem_responses
from rest.schemas.account import (
    EnvelopeMeta,
    MessageData,
    MessageEnvelope,
    UsernameAvailability,
    json_or_multipart,
    username_response,
)
from rest.schemas.auth import CarOwnerUserResponse, user_response

PROBLEM = {"error_style": "problem"}


async def read_payload(
    request: Request[Any, Any, Any], file_fields: tuple[str, ...]
) -> tuple[dict[str, object], ImageUpload | None]:
    """The fields of a JSON or form (multipart / urlencoded) body, and the first uploaded file among `file_fields`."""
    content_type, _ = request.content_type
    if content_type in (RequestEncodingType.MULTI_PART, RequestEncodingType.URL_ENCODED):
        form = await request.form()
        values: dict[str, object] = {}
        upload: ImageUpload | None = None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key not in file_fields:
                    raise ValidationFailed(f"Unexpected file in field '{key}'.", fields={key: "unexpected_file"})
                data = await value.read()
                if not data and not value.filename:  # an empty file input of a browser form: nothing chosen
                    continue
                if upload is None:
                    upload = ImageUpload(data=data, field=key, filename=value.filename)
            elif key not in values:
                values[key] = value
        return values, upload
    raw = await request.body()
    if not raw.strip():
        return {}, None
    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise ValidationFailed("Invalid request body.", fields={"body": "invalid_json"}) from None
    if not isinstance(decoded, dict):
        raise ValidationFailed("The body must be a JSON object.", fields={"body": "must_be_object"})
    return decoded, None


def encoded(content: bytes, status_code: int, **options: Any) -> Response[Any]:
    """A body already encoded (or none), from a handler whose documented answer is the JSON shape."""
    return Response(content=content, status_code=status_code, **options)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): `W/` prefixes are ignored, `*` matches."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(part.strip().removeprefix("W/") == etag for part in header.split(","))


class ProfileController(Controller):
    path = "/profile"
    tags = ["Profile"]
    opt = PROBLEM

    @get(
        "/",
        operation_id="GetProfile",
        summary="Get the signed-in owner's profile",
        description="Strong ETag; If-None-Match with the current tag answers 304 without a body.",
        responses={
            HTTP_304_NOT_MODIFIED: ResponseSpec(data_container=None, description="Not Modified"),
            **problem_responses(404),
        },
    )
    async def get_profile(
        self, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> Response[CarOwnerUserResponse]:
        owner = await profile.get_profile(uow, claims.owner_id)
        body = msgspec.json.encode(user_response(owner, uow.settings.public_base_url))
        etag = etag_of(body)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag_matches(request.headers.get("if-none-match"), etag):
            return encoded(b"", HTTP_304_NOT_MODIFIED, headers=headers)
        return encoded(body, HTTP_200_OK, media_type=MediaType.JSON, headers=headers)

    @put(
        "/",
        operation_id="UpdateProfile",
        summary="Update profile fields (JSON or multipart)",
        status_code=HTTP_200_OK,
        operation_class=json_or_multipart(
            ("username", "first_name", "last_name", "phone_number", "address"), ("file", "profile_image")
        ),
        responses=problem_responses(404, 409),
        opt=JSON_OR_FORM,
    )
    async def update_profile(
        self, request: Request[Any, Any, Any], uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> CarOwnerUserResponse:
        values, upload = await read_payload(request, ("file", "profile_image"))
        owner = await profile.update_profile(uow, claims.owner_id, inputs.profile_update(values, upload))
        return user_response(owner, uow.settings.public_base_url)

    @delete(
        "/",
        operation_id="DeleteProfileImage",
        summary="Remove the profile image (the account stays)",
        status_code=HTTP_200_OK,
        responses={
            HTTP_204_NO_CONTENT: ResponseSpec(data_container=None, description="No profile image to remove"),
            **problem_responses(404),
        },
    )
    async def delete_profile_image(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims]
    ) -> Response[MessageEnvelope]:
        result = await profile.remove_profile_image(uow, claims.owner_id)
        if not result.removed:
            return encoded(b"", HTTP_204_NO_CONTENT)
        return Response(
            MessageEnvelope(data=MessageData(message="Profile image deleted."), meta=envelope_meta(EnvelopeMeta))
        )

    @get("/check-username", operation_id="CheckUsername", summary="Is a username available?")
    async def check_username(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        username: FromQuery[str | None] = None,
    ) -> UsernameAvailability:
        return username_response(await profile.check_username(uow, claims.owner_id, username))


CONTROLLERS = [ProfileController]
