"""The account area over GraphQL: `me` fields, `usernameAvailable`, and the mutations with their payload unions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from graphql import GraphQLUnionType, get_named_type
from strawberry.relay import GlobalID

from app.services import Services
from graphql_api.schema import build_schema
from tests.account.conftest import UseRegistry, png_bytes
from tests.conftest import SignedIn, sign_up_and_in
from tests.graphql_client import graphql, graphql_data
from tests.image_samples import pixels
from tests.statements import recorded

# inside `... on UserError`, so it spreads into every payload union whatever error types it lists
ERRORS = """... on UserError { message code ... on ValidationError { fields { field reason } }
            ... on ConflictError { fields { field reason } } ... on RateLimitedError { retryAfter }
            ... on UnavailableError { unavailableRetryAfter: retryAfter } }"""
VEHICLE = (
    "registrationNumber nickname image isPrimary brand model color fuelType vin firstRegistration nextEuControl source"
)


async def upload(
    client: httpx.AsyncClient,
    who: SignedIn,
    query: str,
    variables: dict[str, Any],
    file_var: str,
    content: bytes,
    filename: str = "upload.png",
) -> dict[str, Any]:
    """A GraphQL multipart request (graphql-multipart-request-spec); `file_var` is the file's path in the
    variables (`i.file`: the `file` field of the input object `$i`)."""
    sent = json.loads(json.dumps(variables))
    *parents, leaf = file_var.split(".")
    target = sent
    for name in parents:
        target = target.setdefault(name, {})
    target[leaf] = None
    operations = {"query": query, "variables": sent}
    response = await client.post(
        "/graphql",
        headers=who.headers,
        data={"operations": json.dumps(operations), "map": json.dumps({"0": [f"variables.{file_var}"]})},
        files={"0": (filename, content, "image/png")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def add_vehicle(
    client: httpx.AsyncClient, who: SignedIn, plate: str, nickname: str | None = None
) -> dict[str, Any]:
    result = await graphql_data(
        client,
        f"""mutation($i: AddVehicleInput!) {{ addVehicle(input: $i) {{
        __typename ... on VehicleAdded {{ created vehicle {{ id databaseId {VEHICLE} }} }} {ERRORS} }} }}""",
        {"i": {"registrationNumber": plate, "nickname": nickname}},
        who,
    )
    return result["addVehicle"]


async def vehicle_mutation(
    client: httpx.AsyncClient, who: SignedIn, name: str, input: dict[str, Any], selection: str = ""
) -> dict[str, Any]:
    """`name(input: $i)` with the success `selection` and the errors; the payload."""
    kind = name[0].upper() + name[1:]
    result = await graphql_data(
        client,
        f"mutation($i: {kind}Input!) {{ {name}(input: $i) {{ __typename {selection} {ERRORS} }} }}",
        {"i": input},
        who,
    )
    return result[name]


async def test_me_with_vehicles_primary_and_notification_settings(client: httpx.AsyncClient, owner: SignedIn) -> None:
    first = await add_vehicle(client, owner, "bt 57225", "Familiebilen")
    assert first["__typename"] == "VehicleAdded" and first["created"] is True
    assert first["vehicle"]["registrationNumber"] == "BT57225" and first["vehicle"]["isPrimary"] is True
    assert first["vehicle"]["source"] == "OFFLINE"
    assert first["vehicle"]["id"] == str(GlobalID("Vehicle", str(first["vehicle"]["databaseId"])))
    again = await add_vehicle(client, owner, "BT57225")
    assert again["created"] is False and again["vehicle"]["id"] == first["vehicle"]["id"]
    await add_vehicle(client, owner, "EK39085")
    me = (
        await graphql_data(
            client,
            f"""{{ me {{ email vehicles {{ totalCount nodes {{ {VEHICLE} }} }}
        primaryVehicle {{ registrationNumber nickname }} notificationSettings {{ event email push }} }} }}""",
            None,
            owner,
        )
    )["me"]
    assert me["email"] == owner.email
    assert me["vehicles"]["totalCount"] == 2
    assert [v["registrationNumber"] for v in me["vehicles"]["nodes"]] == ["BT57225", "EK39085"]
    assert me["primaryVehicle"] == {"registrationNumber": "BT57225", "nickname": "Familiebilen"}
    assert [s["event"] for s in me["notificationSettings"]] == [
        "BOOKING_REQUESTED",
        "BOOKING_ACCEPTED",
        "BOOKING_DECLINED",
        "BOOKING_UPDATED",
        "BOOKING_COMPLETED",
        "MESSAGE_NEW",
        "RATING_REMINDER",
    ]
    assert {"event": "MESSAGE_NEW", "email": False, "push": True} in me["notificationSettings"]


async def test_vehicle_weights_are_typed_kilograms(client: httpx.AsyncClient, owner: SignedIn) -> None:
    await add_vehicle(client, owner, "BT57225")
    weights = (
        await graphql_data(
            client,
            """{ me { vehicles { nodes { weights { curbWeightKg grossWeightKg payloadKg roofLoadKg
            trailerBrakedKg trailerUnbrakedKg trainWeightKg towbarVerticalLoadKg } } } } }""",
            None,
            owner,
        )
    )["me"]["vehicles"]["nodes"][0]["weights"]
    # the offline registry makes up the curb and gross weight only
    assert isinstance(weights["curbWeightKg"], int) and isinstance(weights["grossWeightKg"], int)
    assert weights["grossWeightKg"] > weights["curbWeightKg"] > 0
    assert weights["towbarVerticalLoadKg"] is None


async def test_garage_is_a_connection(client: httpx.AsyncClient, owner: SignedIn) -> None:
    plates = [f"AC1000{n}" for n in range(5)]
    for plate in plates:
        await add_vehicle(client, owner, plate)
    page = """query($first: Int, $after: String, $last: Int, $before: String) { me { vehicles(
        first: $first, after: $after, last: $last, before: $before) { totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { registrationNumber } } nodes { registrationNumber } } } }"""

    async def vehicles(**args: Any) -> dict[str, Any]:
        return (await graphql_data(client, page, args, owner))["me"]["vehicles"]

    first = await vehicles(first=2)
    assert [n["registrationNumber"] for n in first["nodes"]] == plates[:2]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["edges"][-1]["cursor"] == first["pageInfo"]["endCursor"]
    second = await vehicles(first=2, after=first["pageInfo"]["endCursor"])
    assert [n["registrationNumber"] for n in second["nodes"]] == plates[2:4]
    assert second["pageInfo"]["hasPreviousPage"] is True
    last = await vehicles(last=2)
    assert [n["registrationNumber"] for n in last["nodes"]] == plates[3:]
    assert last["pageInfo"]["hasNextPage"] is False and last["pageInfo"]["hasPreviousPage"] is True
    before = await vehicles(last=1, before=last["pageInfo"]["startCursor"])
    assert [n["registrationNumber"] for n in before["nodes"]] == [plates[2]]
    everything = await vehicles()
    assert len(everything["nodes"]) == 5 and everything["pageInfo"]["hasNextPage"] is False

    too_many = await graphql(client, page, {"first": 101}, owner)
    assert too_many["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert too_many["errors"][0]["extensions"]["fields"] == [{"field": "first", "reason": "out_of_range"}]


async def test_vehicle_and_owner_nodes_resolve_only_for_their_owner(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    vehicle = (await add_vehicle(client, owner, "AD12345", "Min"))["vehicle"]
    query = """query($id: ID!) { node(id: $id) { __typename id
        ... on Vehicle { databaseId registrationNumber nickname registryData }
        ... on Owner { email uid } } }"""
    mine = (await graphql_data(client, query, {"id": vehicle["id"]}, owner))["node"]
    assert mine["__typename"] == "Vehicle" and mine["registrationNumber"] == "AD12345"
    assert mine["databaseId"] == vehicle["databaseId"] and mine["nickname"] == "Min"
    assert isinstance(mine["registryData"], dict)  # the raw registry document
    assert (await graphql_data(client, query, {"id": vehicle["id"]}, other_owner))["node"] is None
    assert (await graphql_data(client, query, {"id": vehicle["id"]}))["node"] is None
    missing = str(GlobalID("Vehicle", "999999999"))
    assert (await graphql_data(client, query, {"id": missing}, owner))["node"] is None

    me = (await graphql_data(client, "{ me { id uid databaseId } }", None, owner))["me"]
    assert me["id"] == str(GlobalID("Owner", me["uid"])) and me["uid"] == owner.user["uid"]
    own = (await graphql_data(client, query, {"id": me["id"]}, owner))["node"]
    assert own == {"__typename": "Owner", "id": me["id"], "email": owner.email, "uid": me["uid"]}
    assert (await graphql_data(client, query, {"id": me["id"]}, other_owner))["node"] is None
    assert (await graphql_data(client, query, {"id": me["id"]}))["node"] is None
    both = await graphql_data(
        client, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }", {"ids": [me["id"], vehicle["id"]]}, owner
    )
    assert both["nodes"] == [{"__typename": "Owner"}, {"__typename": "Vehicle"}]


async def test_vehicle_mutations_and_ownership(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    aa = (await add_vehicle(client, owner, "AA11111"))["vehicle"]["id"]
    bb = (await add_vehicle(client, owner, "BB22222"))["vehicle"]["id"]
    primary = await vehicle_mutation(
        client,
        owner,
        "setPrimaryVehicle",
        {"vehicleId": bb},
        "... on VehicleUpdated { vehicle { registrationNumber isPrimary } }",
    )
    assert primary["vehicle"] == {"registrationNumber": "BB22222", "isPrimary": True}
    renamed = await vehicle_mutation(
        client,
        owner,
        "updateVehicle",
        {"vehicleId": aa, "nickname": "Hytta"},
        "... on VehicleUpdated { vehicle { nickname } }",
    )
    assert renamed["vehicle"]["nickname"] == "Hytta"
    refreshed = await vehicle_mutation(
        client, owner, "refreshVehicle", {"vehicleId": aa}, "... on VehicleUpdated { vehicle { brand source } }"
    )
    assert refreshed["__typename"] == "VehicleUpdated" and refreshed["vehicle"]["source"] == "OFFLINE"

    # another owner's vehicle is as unknown as one that does not exist
    for name, input in (
        ("setPrimaryVehicle", {"vehicleId": aa}),
        ("updateVehicle", {"vehicleId": aa, "nickname": "x"}),
        ("refreshVehicle", {"vehicleId": aa}),
        ("removeVehicle", {"vehicleId": aa}),
    ):
        result = await vehicle_mutation(client, other_owner, name, input)
        assert result["__typename"] == "NotFoundError", (name, result)
        assert result["code"] == "VEHICLE_NOT_FOUND"
    theirs = await graphql_data(
        client,
        "{ me { vehicles { totalCount nodes { registrationNumber } } primaryVehicle { registrationNumber } } }",
        None,
        other_owner,
    )
    assert theirs["me"] == {"vehicles": {"totalCount": 0, "nodes": []}, "primaryVehicle": None}

    not_a_vehicle = await vehicle_mutation(client, owner, "removeVehicle", {"vehicleId": str(GlobalID("Owner", "x"))})
    assert not_a_vehicle["__typename"] == "ValidationError"
    assert not_a_vehicle["fields"] == [{"field": "input.vehicleId", "reason": "invalid_id"}]

    removed = await vehicle_mutation(
        client,
        owner,
        "removeVehicle",
        {"vehicleId": bb},
        "... on VehicleRemoval { removedVehicleId registrationNumber primaryVehicle { registrationNumber } }",
    )
    assert removed == {
        "__typename": "VehicleRemoval",
        "removedVehicleId": bb,
        "registrationNumber": "BB22222",
        "primaryVehicle": {"registrationNumber": "AA11111"},
    }
    gone = await vehicle_mutation(client, owner, "refreshVehicle", {"vehicleId": bb})
    assert gone["__typename"] == "NotFoundError"
    assert gone["code"] == "VEHICLE_NOT_FOUND"
    invalid = await add_vehicle(client, owner, "NOT A PLATE!")
    assert invalid["__typename"] == "ValidationError"
    assert invalid["fields"] == [{"field": "input.registrationNumber", "reason": "invalid"}]
    long_name = await vehicle_mutation(client, owner, "updateVehicle", {"vehicleId": aa, "nickname": "x" * 61})
    assert long_name["fields"] == [{"field": "input.nickname", "reason": "too_long"}]


async def test_registry_failures_are_payloads(
    client: httpx.AsyncClient, owner: SignedIn, use_registry: UseRegistry
) -> None:
    use_registry(lambda r: httpx.Response(200, json={"feilmelding": "KJENNEMERKE_UKJENT"}))
    unknown = await add_vehicle(client, owner, "ZZ12345")
    assert unknown["__typename"] == "NotFoundError" and unknown["code"] == "VEHICLE_NOT_FOUND"
    use_registry(lambda r: httpx.Response(503, json={"feilmelding": "TJENESTE_IKKE_TILGJENGELIG"}))
    down = await add_vehicle(client, owner, "ZZ12346")
    assert down["__typename"] == "UnavailableError" and down["unavailableRetryAfter"] == 30
    use_registry(lambda r: httpx.Response(429))
    quota = await add_vehicle(client, owner, "ZZ12347")
    assert quota["__typename"] == "RateLimitedError" and quota["retryAfter"] == 60


async def test_profile_mutations_and_username_available(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    updated = await graphql_data(
        client,
        f"""mutation($i: UpdateProfileInput!) {{ updateProfile(input: $i) {{
        __typename ... on ProfileUpdated {{ owner {{ username firstName phoneNumber address }} }} {ERRORS} }} }}""",
        {"i": {"username": "Kari.N", "firstName": "Kari", "phoneNumber": "412 34 567"}},
        owner,
    )
    assert updated["updateProfile"]["owner"] == {
        "username": "Kari.N",
        "firstName": "Kari",
        "phoneNumber": "+4741234567",
        "address": None,
    }
    taken = await graphql_data(
        client,
        f"""mutation {{ updateProfile(input: {{username: "kari.n"}}) {{ __typename {ERRORS} }} }}""",
        None,
        other_owner,
    )
    assert (
        taken["updateProfile"]["__typename"] == "ConflictError" and taken["updateProfile"]["code"] == "USERNAME_TAKEN"
    )
    empty = await graphql_data(
        client, f"mutation {{ updateProfile(input: {{}}) {{ __typename {ERRORS} }} }}", None, owner
    )
    assert (
        empty["updateProfile"]["__typename"] == "ValidationError" and empty["updateProfile"]["message"] == "No changes."
    )

    short = await graphql_data(
        client, f'mutation {{ updateProfile(input: {{username: "x"}}) {{ __typename {ERRORS} }} }}', None, owner
    )
    assert short["updateProfile"]["fields"] == [{"field": "input.username", "reason": "too_short"}]

    check = "query($u: String!) { usernameAvailable(username: $u) { username available message } }"
    assert (await graphql_data(client, check, {"u": " KARI.N "}, other_owner))["usernameAvailable"][
        "available"
    ] is False
    assert (await graphql_data(client, check, {"u": "kari.n"}, owner))["usernameAvailable"]["available"] is True
    assert (await graphql_data(client, check, {"u": "ledig_navn"}, owner))["usernameAvailable"] == {
        "username": "ledig_navn",
        "available": True,
        "message": "Username is available.",
    }
    bad = await graphql(client, check, {"u": "x"}, owner)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_USERNAME"
    anonymous = await graphql(client, check, {"u": "abc"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


async def test_upload_profile_image_over_multipart(
    client: httpx.AsyncClient, owner: SignedIn, services: Services
) -> None:
    query = f"""mutation($i: UploadProfileImageInput!) {{ uploadProfileImage(input: $i) {{
        __typename ... on ProfileUpdated {{ owner {{ profileImage }} }} {ERRORS} }} }}"""
    image = png_bytes()
    result = (await upload(client, owner, query, {}, "i.file", image))["uploadProfileImage"]
    assert result["__typename"] == "ProfileUpdated"
    url = result["owner"]["profileImage"]
    assert url.startswith(services.settings.public_base_url + "/api/co/media/profile/")  # absolute, as over REST
    path = url.removeprefix(services.settings.public_base_url)
    assert pixels((await client.get(path)).content) == pixels(image)  # re-encoded, same picture
    assert pixels((await client.get(path.removeprefix("/api/co"))).content) == pixels(
        image
    )  # also served under /media/
    stored = Path(services.settings.media_dir) / path.removeprefix("/api/co/media/")

    text = (await upload(client, owner, query, {}, "i.file", b"plain text pretending" * 3, "x.png"))[
        "uploadProfileImage"
    ]
    assert text["__typename"] == "ValidationError" and text["code"] == "UNSUPPORTED_IMAGE_TYPE"
    assert [f["field"] for f in text["fields"]] == ["input.file"]

    removed = await graphql_data(
        client,
        """mutation { removeProfileImage { __typename
        ... on ProfileImageRemoval { removed owner { profileImage } } } }""",
        None,
        owner,
    )
    assert removed["removeProfileImage"] == {
        "__typename": "ProfileImageRemoval",
        "removed": True,
        "owner": {"profileImage": None},
    }
    assert not stored.exists()
    again = await graphql_data(
        client, "mutation { removeProfileImage { ... on ProfileImageRemoval { removed } } }", None, owner
    )
    assert again["removeProfileImage"]["removed"] is False


async def test_vehicle_photo_over_multipart(client: httpx.AsyncClient, owner: SignedIn) -> None:
    query = f"""mutation($i: AddVehicleInput!) {{ addVehicle(input: $i) {{
        __typename ... on VehicleAdded {{ vehicle {{ image }} }} {ERRORS} }} }}"""
    image = png_bytes(6, 6)
    result = (await upload(client, owner, query, {"i": {"registrationNumber": "EL55555"}}, "i.image", image))[
        "addVehicle"
    ]
    assert result["__typename"] == "VehicleAdded"
    url = result["vehicle"]["image"]
    assert url.startswith("http") and "/api/co/media/vehicles/" in url
    assert pixels((await client.get(url[url.index("/api/co/media/") :])).content) == pixels(image)


async def test_update_notification_settings(client: httpx.AsyncClient, owner: SignedIn) -> None:
    mutation = f"""mutation($i: UpdateNotificationSettingsInput!) {{ updateNotificationSettings(input: $i) {{
        __typename ... on NotificationSettingsUpdated {{ notificationSettings {{ event email push }} }} {ERRORS} }} }}"""
    ok = await graphql_data(client, mutation, {"i": {"changes": [{"event": "BOOKING_ACCEPTED", "push": False}]}}, owner)
    settings = ok["updateNotificationSettings"]["notificationSettings"]
    assert {"event": "BOOKING_ACCEPTED", "email": True, "push": False} in settings
    rest = await client.get("/api/co/settings/notifications", headers=owner.headers)
    assert rest.json()["preferences"]["booking.accepted"] == {"email": True, "push": False}
    unknown = await graphql(client, mutation, {"i": {"changes": [{"event": "BOOKING_EXPLODED", "email": True}]}}, owner)
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # not a value of the enum
    null = await graphql_data(
        client,
        mutation,
        {"i": {"changes": [{"event": "MESSAGE_NEW", "push": True}, {"event": "BOOKING_UPDATED", "email": None}]}},
        owner,
    )
    assert null["updateNotificationSettings"]["__typename"] == "ValidationError"
    assert null["updateNotificationSettings"]["fields"] == [
        {"field": "input.changes[1].email", "reason": "must_be_boolean"}
    ]


async def test_me_vehicles_statement_count_does_not_grow(client: httpx.AsyncClient, services: Services) -> None:
    few = await sign_up_and_in(client)
    many = await sign_up_and_in(client)
    await add_vehicle(client, few, "AB10001")
    for n in range(6):
        await add_vehicle(client, many, f"AB2000{n}")
    query = """{ me { vehicles { totalCount nodes { id registrationNumber nickname weights { curbWeightKg } } }
        primaryVehicle { registrationNumber } notificationSettings { event } } }"""

    async def count(who: SignedIn) -> int:
        # only this query's reads; the event relay and pool checks run beside it in the background
        with recorded(
            services,
            lambda statement: any(t in statement for t in ("vehicles", "notification_preferences", "car_owners")),
        ) as statements:
            result = await graphql_data(client, query, None, who)
        assert result["me"]["vehicles"]["nodes"]
        return len(statements)

    await graphql_data(client, query, None, few)  # warm the connection pool
    assert await count(few) == await count(many)


def test_account_payload_unions_list_exactly_their_errors() -> None:
    schema = build_schema()._schema
    base = {"ValidationError", "AuthenticationError", "NotFoundError"}
    registry = base | {"RateLimitedError", "UnavailableError"}
    expected = {
        "UpdateProfilePayload": {"ProfileUpdated", "ConflictError"} | base,
        "UploadProfileImagePayload": {"ProfileUpdated"} | base,
        "RemoveProfileImagePayload": {"ProfileImageRemoval", "AuthenticationError", "NotFoundError"},
        "AddVehiclePayload": {"VehicleAdded"} | registry,
        "UpdateVehiclePayload": {"VehicleUpdated"} | base,
        "RemoveVehiclePayload": {"VehicleRemoval"} | base,
        "SetPrimaryVehiclePayload": {"VehicleUpdated"} | base,
        "RefreshVehiclePayload": {"VehicleUpdated"} | registry,
        "UpdateNotificationSettingsPayload": {"NotificationSettingsUpdated"} | base,
    }
    for name, members in expected.items():
        union = schema.type_map[name]
        assert isinstance(union, GraphQLUnionType)
        assert {member.name for member in union.types} == members, name


def test_registry_data_is_the_only_json_of_the_account_types() -> None:
    schema = build_schema()._schema
    json_fields = [
        f"{type_name}.{field_name}"
        for type_name in ("Owner", "Vehicle", "VehicleWeights", "NotificationSetting", "AuthSession")
        for field_name, field in schema.type_map[type_name].fields.items()  # type: ignore[attr-defined]
        if get_named_type(field.type).name == "JSON"
    ]
    assert json_fields == ["Vehicle.registryData"]
