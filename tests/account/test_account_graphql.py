"""The account area over GraphQL: `me` fields, `usernameAvailable`, and the mutations with their payload unions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from app.services import Services
from tests.account.conftest import UseRegistry, png_bytes
from tests.conftest import SignedIn, sign_up_and_in
from tests.graphql_client import graphql, graphql_data
from tests.image_samples import pixels
from tests.statements import recorded

ERRORS = """... on UserError { message code } ... on ValidationError { fields { field reason } }
            ... on ConflictError { fields { field reason } } ... on RateLimitedError { retryAfter }
            ... on UnavailableError { unavailableRetryAfter: retryAfter }"""
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
    """A GraphQL multipart request (graphql-multipart-request-spec)."""
    operations = {"query": query, "variables": {**variables, file_var: None}}
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
        f"""mutation($r: String!, $n: String) {{ addVehicle(registrationNumber: $r, nickname: $n) {{
        __typename ... on VehicleAdded {{ created vehicle {{ {VEHICLE} }} }} {ERRORS} }} }}""",
        {"r": plate, "n": nickname},
        who,
    )
    return result["addVehicle"]


async def test_me_with_vehicles_primary_and_notification_settings(client: httpx.AsyncClient, owner: SignedIn) -> None:
    first = await add_vehicle(client, owner, "bt 57225", "Familiebilen")
    assert first["__typename"] == "VehicleAdded" and first["created"] is True
    assert first["vehicle"]["registrationNumber"] == "BT57225" and first["vehicle"]["isPrimary"] is True
    assert first["vehicle"]["source"] == "offline"
    again = await add_vehicle(client, owner, "BT57225")
    assert again["created"] is False
    await add_vehicle(client, owner, "EK39085")
    me = (
        await graphql_data(
            client,
            f"""{{ me {{ email vehicles {{ {VEHICLE} }} primaryVehicle {{ registrationNumber nickname }}
        notificationSettings {{ event email push }} }} }}""",
            None,
            owner,
        )
    )["me"]
    assert me["email"] == owner.email
    assert [v["registrationNumber"] for v in me["vehicles"]] == ["BT57225", "EK39085"]
    assert me["primaryVehicle"] == {"registrationNumber": "BT57225", "nickname": "Familiebilen"}
    assert len(me["notificationSettings"]) == 7
    assert {"event": "message.new", "email": False, "push": True} in me["notificationSettings"]


async def test_vehicle_mutations_and_ownership(
    client: httpx.AsyncClient, owner: SignedIn, other_owner: SignedIn
) -> None:
    await add_vehicle(client, owner, "AA11111")
    await add_vehicle(client, owner, "BB22222")
    primary = await graphql_data(
        client,
        f"""mutation {{ setPrimaryVehicle(registrationNumber: "bb22222") {{
        __typename ... on VehicleUpdated {{ vehicle {{ registrationNumber isPrimary }} }} {ERRORS} }} }}""",
        None,
        owner,
    )
    assert primary["setPrimaryVehicle"]["vehicle"] == {"registrationNumber": "BB22222", "isPrimary": True}
    renamed = await graphql_data(
        client,
        f"""mutation {{ updateVehicle(registrationNumber: "AA11111", nickname: "Hytta") {{
        __typename ... on VehicleUpdated {{ vehicle {{ nickname }} }} {ERRORS} }} }}""",
        None,
        owner,
    )
    assert renamed["updateVehicle"]["vehicle"]["nickname"] == "Hytta"
    refreshed = await graphql_data(
        client,
        f"""mutation {{ refreshVehicle(registrationNumber: "AA11111") {{
        __typename ... on VehicleUpdated {{ vehicle {{ brand source }} }} {ERRORS} }} }}""",
        None,
        owner,
    )
    assert refreshed["refreshVehicle"]["__typename"] == "VehicleUpdated"

    # another owner cannot touch the link
    for mutation in (
        'setPrimaryVehicle(registrationNumber: "AA11111")',
        'updateVehicle(registrationNumber: "AA11111", nickname: "x")',
        'refreshVehicle(registrationNumber: "AA11111")',
    ):
        result = await graphql_data(client, f"mutation {{ {mutation} {{ __typename {ERRORS} }} }}", None, other_owner)
        assert next(iter(result.values()))["__typename"] == "ForbiddenError"
    removal = await graphql_data(
        client,
        f"""mutation {{ removeVehicle(registrationNumber: "AA11111") {{ __typename {ERRORS} }} }}""",
        None,
        other_owner,
    )
    assert removal["removeVehicle"]["__typename"] == "ForbiddenError"
    theirs = await graphql_data(
        client, "{ me { vehicles { registrationNumber } primaryVehicle { registrationNumber } } }", None, other_owner
    )
    assert theirs["me"] == {"vehicles": [], "primaryVehicle": None}

    removed = await graphql_data(
        client,
        f"""mutation {{ removeVehicle(registrationNumber: "BB22222") {{
        __typename ... on VehicleRemoval {{ registrationNumber primaryVehicle {{ registrationNumber }} }} {ERRORS} }} }}""",
        None,
        owner,
    )
    assert removed["removeVehicle"] == {
        "__typename": "VehicleRemoval",
        "registrationNumber": "BB22222",
        "primaryVehicle": {"registrationNumber": "AA11111"},
    }
    invalid = await add_vehicle(client, owner, "NOT A PLATE!")
    assert invalid["__typename"] == "ValidationError"
    assert invalid["fields"] == [{"field": "registration_number", "reason": "invalid"}]


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
    query = f"""mutation($f: Upload!) {{ uploadProfileImage(file: $f) {{
        __typename ... on ProfileUpdated {{ owner {{ profileImage }} }} {ERRORS} }} }}"""
    image = png_bytes()
    result = (await upload(client, owner, query, {}, "f", image))["uploadProfileImage"]
    assert result["__typename"] == "ProfileUpdated"
    url = result["owner"]["profileImage"]
    assert url.startswith(services.settings.public_base_url + "/api/co/media/profile/")  # absolute, as over REST
    path = url.removeprefix(services.settings.public_base_url)
    assert pixels((await client.get(path)).content) == pixels(image)  # re-encoded, same picture
    assert pixels((await client.get(path.removeprefix("/api/co"))).content) == pixels(
        image
    )  # also served under /media/
    stored = Path(services.settings.media_dir) / path.removeprefix("/api/co/media/")

    text = (await upload(client, owner, query, {}, "f", b"plain text pretending" * 3, "x.png"))["uploadProfileImage"]
    assert text["__typename"] == "ValidationError" and text["code"] == "UNSUPPORTED_IMAGE_TYPE"

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
    query = f"""mutation($r: String!, $img: Upload) {{ addVehicle(registrationNumber: $r, image: $img) {{
        __typename ... on VehicleAdded {{ vehicle {{ image }} }} {ERRORS} }} }}"""
    image = png_bytes(6, 6)
    result = (await upload(client, owner, query, {"r": "EL55555"}, "img", image))["addVehicle"]
    assert result["__typename"] == "VehicleAdded"
    url = result["vehicle"]["image"]
    assert url.startswith("http") and "/api/co/media/vehicles/" in url
    assert pixels((await client.get(url[url.index("/api/co/media/") :])).content) == pixels(image)


async def test_update_notification_settings(client: httpx.AsyncClient, owner: SignedIn) -> None:
    mutation = f"""mutation($c: [NotificationSettingInput!]!) {{ updateNotificationSettings(changes: $c) {{
        __typename ... on NotificationSettingsUpdated {{ notificationSettings {{ event email push }} }} {ERRORS} }} }}"""
    ok = await graphql_data(client, mutation, {"c": [{"event": "booking.accepted", "push": False}]}, owner)
    settings = ok["updateNotificationSettings"]["notificationSettings"]
    assert {"event": "booking.accepted", "email": True, "push": False} in settings
    rest = await client.get("/api/co/settings/notifications", headers=owner.headers)
    assert rest.json()["preferences"]["booking.accepted"] == {"email": True, "push": False}
    bad = await graphql_data(client, mutation, {"c": [{"event": "booking.exploded", "email": True}]}, owner)
    assert bad["updateNotificationSettings"]["__typename"] == "ValidationError"
    assert bad["updateNotificationSettings"]["fields"] == [{"field": "booking.exploded", "reason": "unknown_event"}]


async def test_me_vehicles_statement_count_does_not_grow(client: httpx.AsyncClient, services: Services) -> None:
    few = await sign_up_and_in(client)
    many = await sign_up_and_in(client)
    await add_vehicle(client, few, "AB10001")
    for n in range(6):
        await add_vehicle(client, many, f"AB2000{n}")
    query = "{ me { vehicles { registrationNumber nickname } primaryVehicle { registrationNumber } notificationSettings { event } } }"

    async def count(who: SignedIn) -> int:
        # only this query's reads; the event relay and pool checks run beside it in the background
        with recorded(
            services,
            lambda statement: any(t in statement for t in ("vehicles", "notification_preferences", "car_owners")),
        ) as statements:
            result = await graphql_data(client, query, None, who)
        assert result["me"]["vehicles"]
        return len(statements)

    await graphql_data(client, query, None, few)  # warm the connection pool
    assert await count(few) == await count(many)
