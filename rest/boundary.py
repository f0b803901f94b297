"""The REST face's input boundary: one check of every request's path, query and body before its handler runs.

What no handler, domain rule or database column should ever see:
- a NUL character in any text (PostgreSQL text cannot hold it): 400 naming the field;
- an integer outside PostgreSQL's `integer` range: in the path it names nothing, so 404 (as a missing id);
  in a query or body it is a 400 naming the field;
- a JSON body nested deeper than `MAX_DEPTH`: 400;
- a body in a media type the route does not read: 415. A body without a Content-Type is read as JSON,
  as it always was (see the README's compatibility notes).

Routes that read their body themselves (no `data` parameter) declare what they take with
`opt={BODY_MEDIA: (...)}`; without either, the body is not read here (a signed webhook's bytes stay untouched).
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any, get_args

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, SerializationException
from litestar.params import BodyKwarg, ParameterKwarg
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from app.domain.limits import INT_MAX, INT_MIN, in_db_range
from app.errors import NotFound, ValidationFailed
from app.json_input import MAX_DEPTH, field_name, leaves, nesting_exceeds

BODY_MEDIA = "body_media"
JSON = RequestEncodingType.JSON
FORMS = (RequestEncodingType.MULTI_PART, RequestEncodingType.URL_ENCODED)
JSON_OR_FORM = {BODY_MEDIA: (JSON, *FORMS)}
LONG_NUMBER = re.compile(rb"[0-9]{10}")  # an integer beyond `integer` has 10+ digits


def _nul(field: str) -> ValidationFailed:
    name = field_name(field)
    return ValidationFailed(f"{name} must not contain NUL characters.", fields={name: "nul_character"})


def _out_of_range(field: str) -> ValidationFailed:
    return ValidationFailed(f"{field} is out of range ({INT_MIN}..{INT_MAX}).", fields={field: "out_of_range"})


# --- what a handler takes, read from its signature once ------------------------------------------------------


class _Shape(msgspec.Struct, frozen=True):
    int_queries: frozenset[str]
    media: tuple[str, ...]  # the body media types read; () when the route takes no body


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


# per handler and set of path parameter names (a handler may serve several paths): a signature does not change,
# and reading it took a tenth of what a cached search costs. Handlers are keys as they are (Litestar's own
# OPTIONS handlers take no weak references); an app has a few hundred, and every app built in one process
# (tests build many) stays within MAX_SHAPES.
MAX_SHAPES = 4096
_shapes: dict[tuple[Any, tuple[str, ...]], _Shape] = {}


def _shape(request: Request[Any, Any, Any]) -> _Shape:
    key = (request.route_handler, tuple(request.path_params))
    shape = _shapes.get(key)
    if shape is None:
        if len(_shapes) >= MAX_SHAPES:
            _shapes.clear()
        shape = _shapes[key] = _read_shape(key[0], key[1])
    return shape


def _read_shape(handler: Any, path_names: tuple[str, ...]) -> _Shape:
    int_queries: set[str] = set()
    media: tuple[str, ...] = tuple(handler.opt.get(BODY_MEDIA, ()))
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, BodyKwarg) and name == "data" and not media:
            media = (kwarg.media_type,)
        elif (
            isinstance(kwarg, ParameterKwarg)
            and not (kwarg.header or kwarg.cookie)
            and _is_int(field.annotation)
            and name not in path_names
        ):
            int_queries.add(kwarg.query or name)
    return _Shape(frozenset(int_queries), tuple(str(getattr(m, "value", m)) for m in media))


# --- the check ----------------------------------------------------------------------------------------------


def _may_hold_nul(raw_query: bytes) -> bool:
    """Whether the decoded query could hold a NUL: only `%00` (or a raw NUL byte) decodes to one."""
    return b"%00" in raw_query or b"\x00" in raw_query


async def check_input(request: Request[Any, Any, Any]) -> None:
    """Litestar `before_request` hook of the REST routers; raises the error the module renders."""
    shape = _shape(request)
    for name, value in request.path_params.items():
        if isinstance(value, int) and not in_db_range(value):
            raise NotFound("Not found")
        if isinstance(value, str | PurePath) and "\x00" in str(value):
            raise _nul(name)
    if shape.int_queries or _may_hold_nul(request.scope["query_string"]):
        for name, value in request.query_params.multi_items():
            if "\x00" in name or "\x00" in value:
                raise _nul(name)
            if name in shape.int_queries:
                _check_int_text(name, value)
    if shape.media:
        await _check_body(request, shape.media)


def _check_int_text(name: str, value: str) -> None:
    text = value.strip()
    sign, digits = (text[0], text[1:]) if text and text[0] in "+-" else ("", text)
    significant = digits.lstrip("0")  # int() refuses over 4300 digits: never convert a long one
    if digits.isdigit() and (len(significant) > 10 or not in_db_range(int(sign + (significant or "0")))):
        raise _out_of_range(name)


async def _check_body(request: Request[Any, Any, Any], media: tuple[str, ...]) -> None:
    content_type, _ = request.content_type
    sent = request.headers.get("content-type") is not None
    if content_type in FORMS and content_type in media:
        form = await request.form()
        for name, value in form.multi_items():
            if "\x00" in name:
                raise _nul(name)
            text = value if isinstance(value, str) else getattr(value, "filename", None)
            if text and "\x00" in text:
                raise _nul(name)
        return
    is_json = not sent or content_type == JSON or content_type.endswith("+json")
    if not is_json or JSON not in media:
        if request.headers.get("content-length") == "0":
            return  # no body: nothing to misread
        raise ClientException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"Unsupported media type {content_type or 'none'}; send {', '.join(media)}.",
        )
    raw = await request.body()
    if nesting_exceeds(raw):
        raise ValidationFailed(f"The body is nested deeper than {MAX_DEPTH} levels.", fields={"body": "too_deep"})
    if b"\\u0000" not in raw and not LONG_NUMBER.search(raw):
        return  # nothing the checks below could find: skip decoding
    try:
        decoded = await request.json()  # kept on the request, so a handler's `data` does not decode it again
    except SerializationException:
        return  # malformed JSON: the handler's own parsing reports it in its words
    for path, value in leaves(decoded):
        if isinstance(value, str) and "\x00" in value:
            raise _nul(path)
        if isinstance(value, int) and not isinstance(value, bool) and not in_db_range(value):
            raise _out_of_range(path)
