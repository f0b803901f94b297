"""The web app's operations (`graphql_api/operations/**/*.graphql`, the allow-list of persisted-only mode) are
valid against the schema as built, within the server's limits, and stored in the form clients hash."""

from __future__ import annotations

import hashlib
from collections import Counter
from importlib.resources.abc import Traversable

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast, specified_rules, validate
from graphql.validation import NoDeprecatedCustomRule
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import (
    create_validator as depth_validator,
)

from app.settings import Settings
from graphql_api.delivery import PUBLIC_ROOT_FIELDS
from graphql_api.persisted import FRAGMENTS, OPERATIONS_ROOT, Operation, load_fragments, load_operations
from graphql_api.schema import build_schema

OPERATIONS = sorted(load_operations().values(), key=lambda op: op.path)
LIMITS = Settings(jwt_secret="x" * 40)


def test_every_flow_of_the_web_app_has_documents() -> None:
    areas = Counter(op.path.split("/")[0] for op in OPERATIONS)
    assert set(areas) >= {
        "auth",
        "account",
        "vehicles",
        "marketplace",
        "bookings",
        "service_log",
        "messages",
        "notifications",
        "payments",
        "realtime",
    }, areas
    kinds = Counter(op.kind for op in OPERATIONS)
    assert kinds["query"] and kinds["mutation"] and kinds["subscription"] == 4, kinds
    assert len({op.name for op in OPERATIONS}) == len(OPERATIONS)  # names are unique
    files = sorted(p for p in _walk(OPERATIONS_ROOT))
    assert files == [op.path for op in OPERATIONS]  # one file, one operation


def _walk(root: Traversable, prefix: str = "") -> list[str]:
    found = []
    for entry in root.iterdir():
        if entry.is_dir() and not (prefix == "" and entry.name == FRAGMENTS):
            found.extend(_walk(entry, f"{prefix}{entry.name}/"))
        elif entry.name.endswith(".graphql"):
            found.append(prefix + entry.name)
    return found


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.path)
def test_document_validates_against_the_schema(operation: Operation) -> None:
    schema = build_schema(LIMITS)._schema
    document = parse(operation.text, max_tokens=LIMITS.graphql_max_tokens)
    definitions = document.definitions
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1 and operations[0].name is not None
    assert operations[0].name.value == operation.name == operation.path.rsplit("/", 1)[1].removesuffix(".graphql")
    rules = [
        *specified_rules,
        NoDeprecatedCustomRule,
        depth_validator(LIMITS.graphql_max_depth, None),
        alias_validator(LIMITS.graphql_max_aliases),
    ]
    assert validate(schema, document, rules) == []
    # stored as graphql-js prints it (what Apollo Client hashes), the hash over the text without the final newline
    assert operation.text == print_ast(document)
    assert operation.sha256 == hashlib.sha256(operation.text.encode()).hexdigest()


def test_shared_fragments_are_each_one_printed_fragment_that_operations_use() -> None:
    fragments = load_fragments()
    assert fragments
    for name, text in fragments.items():
        document = parse(text)
        assert [type(d) for d in document.definitions] == [FragmentDefinitionNode], name
        fragment = document.definitions[0]
        assert isinstance(fragment, FragmentDefinitionNode) and fragment.name.value == name
        assert text == print_ast(document), name
    # the operation comes first, its fragments after it, each once: what a generated client sends and hashes
    spread = set()
    for operation in OPERATIONS:
        definitions = parse(operation.text).definitions
        assert isinstance(definitions[0], OperationDefinitionNode)
        names = [d.name.value for d in definitions[1:] if isinstance(d, FragmentDefinitionNode)]
        assert len(names) == len(definitions) - 1 == len(set(names)), operation.path
        spread.update(names)
    assert spread == set(fragments)  # no fragment file is left unused


def test_public_root_fields_exist() -> None:
    query_type = build_schema(LIMITS)._schema.query_type
    assert query_type is not None
    query_fields = set(query_type.fields)
    assert PUBLIC_ROOT_FIELDS - {"__typename"} <= query_fields
    assert not {"me", "bookings", "favourites", "carBrands", "inbox"} & PUBLIC_ROOT_FIELDS
