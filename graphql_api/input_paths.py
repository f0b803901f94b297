"""Where in a field's arguments a domain error's field is: `ValidationError.fields` name GraphQL input paths.

The domain names fields in its own (snake_case, REST) terms: `service_start_time`, `services[1].service_id`.
A GraphQL client needs the path in what it sent: `input.serviceStartTime`, `input.services[1].serviceId`.
The path is found from the field's own arguments: a name that is an argument becomes that argument; a name that
is a field of an input-object argument is prefixed with the argument; each segment is camel-cased as the schema
names it. An input type whose fields are named differently from the domain's declares `field_paths`
(domain name -> its path below the input object).
"""

from __future__ import annotations

import re
from typing import Any

from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(.*)$")  # name, then any [index] suffixes


def _camel(segment: str) -> str:
    match = _SEGMENT.match(segment)
    if match is None:
        return segment
    return to_camel_case(match.group(1)) + match.group(2)


def _name(segment: str) -> str:
    match = _SEGMENT.match(segment)
    return match.group(1) if match else segment


def _input_fields(annotation: Any) -> dict[str, str]:
    """python name -> GraphQL name of an input object's fields (empty for anything else)."""
    definition = getattr(annotation, "__strawberry_definition__", None)
    if definition is None or not getattr(definition, "is_input", False):
        return {}
    return {f.python_name: f.graphql_name or to_camel_case(f.python_name) for f in definition.fields}


def input_path(info: Info[Any, Any], key: str) -> str:
    """The GraphQL input path of the domain's field name `key`, for the field being resolved."""
    segments = key.split(".")
    head, rest = segments[0], [_camel(s) for s in segments[1:]]
    arguments = info._field.arguments
    for argument in arguments:
        if argument.python_name == _name(head):
            name = argument.graphql_name or to_camel_case(argument.python_name)
            return ".".join([name + head[len(_name(head)) :], *rest])
    for argument in arguments:
        annotation = argument.type
        while hasattr(annotation, "of_type"):  # Optional / list wrappers
            annotation = annotation.of_type
        renamed: dict[str, str] = getattr(annotation, "field_paths", {})
        prefix = argument.graphql_name or to_camel_case(argument.python_name)
        if key in renamed:
            return f"{prefix}.{renamed[key]}"
        fields = _input_fields(annotation)
        if _name(head) in fields:
            return ".".join([prefix, fields[_name(head)] + head[len(_name(head)) :], *rest])
    return ".".join([_camel(head), *rest])
