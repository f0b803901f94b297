"""Media in an S3-compatible bucket (`MINBIL_MEDIA_STORE=s3://...`), against a moto server on loopback.

Clients see the same URLs as with the local folder: the media route reads the objects, private attachments
keep the app's signed links. Several instances share the bucket; files of a transaction that does not
commit are deleted again, in the bucket as in the folder.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.domain.account.commands import UpdateProfile
from app.domain.account.profile import update_profile
from app.domain.account.results import ImageUpload
from app.domain.media import media_links
from app.domain.messages.attachments import Upload
from app.domain.messages.commands import SendMessage
from app.domain.messages.service import send_owner_message
from app.services import Services
from app.settings import Settings
from app.wiring import media_storage
from db.repositories import messages as messages_repo
from rest.controllers.media import PUBLIC_CACHE
from tests.account.conftest import png_bytes
from tests.conftest import AppFactory, sign_up_and_in
from tests.image_samples import pixels
from tests.messages.conftest import PDF_BYTES, booking_for
from tests.storage.conftest import Bucket

MEDIA = "/api/co/media/"


def _path(services: Services, url: str) -> str:
    return url.removeprefix(services.settings.public_base_url)


def _key(services: Services, url: str) -> str:
    return _path(services, url).split("?", 1)[0].removeprefix(MEDIA)


def _local_files(services: Services) -> list[Path]:
    return [p for p in Path(services.settings.media_dir).rglob("*") if p.is_file()]


async def test_image_uploaded_through_one_instance_is_served_by_another(
    app_factory: AppFactory, bucket: Bucket
) -> None:
    app_a, a = await app_factory(**bucket.settings())
    _app_b, b = await app_factory(**bucket.settings())
    services: Services = app_a.state.services
    owner = await sign_up_and_in(a)
    image = png_bytes(6, 5)

    response = await a.put(
        "/api/co/profile", headers=owner.headers, files={"profile_image": ("me.png", image, "image/png")}
    )
    assert response.status_code == 200, response.text
    url = response.json()["profileImage"]
    key = _key(services, url)
    assert key.startswith("profile/") and key.endswith(".png")
    assert bucket.keys() == {key}
    assert bucket.head(key)["ContentType"] == "image/png"
    assert _local_files(services) == []  # nothing went to the local folder

    for prefix in (MEDIA, "/media/"):
        served = await b.get(prefix + key)  # public: no token, no signature
        assert served.status_code == 200
        assert pixels(served.content) == pixels(image)
        assert served.content == bucket.body(key)
        assert served.headers["content-type"] == "image/png"
        assert served.headers["cache-control"] == PUBLIC_CACHE
        assert served.headers["x-content-type-options"] == "nosniff"
    # B's answers name the same file
    profile = await b.get("/api/co/profile", headers=owner.headers)
    assert profile.json()["profileImage"] == url
    assert (await b.get(MEDIA + "profile/" + "A" * 32 + ".png")).status_code == 404
    assert (await b.get(MEDIA + "profile/../secret.png")).status_code == 404


async def test_replacing_and_removing_pictures_deletes_their_objects(app_factory: AppFactory, bucket: Bucket) -> None:
    app, client = await app_factory(**bucket.settings())
    services: Services = app.state.services
    owner = await sign_up_and_in(client)
    image = png_bytes()

    first = (
        await client.put("/api/co/profile", headers=owner.headers, files={"file": ("a.png", image, "image/png")})
    ).json()["profileImage"]
    second = (
        await client.put("/api/co/profile", headers=owner.headers, files={"file": ("b.png", image, "image/png")})
    ).json()["profileImage"]
    assert first != second
    assert bucket.keys("profile/") == {_key(services, second)}  # the replaced object is gone
    assert (await client.get(_path(services, first))).status_code == 404
    assert (await client.delete("/api/co/profile", headers=owner.headers)).status_code == 200
    assert bucket.keys("profile/") == set()
    assert (await client.get(_path(services, second))).status_code == 404

    # a vehicle photo: public, replaced, then gone with the vehicle
    added = await client.post(
        "/api/co/vehicles",
        headers=owner.headers,
        data={"registration_number": "EL12345"},
        files={"image": ("el.png", image, "image/png")},
    )
    assert added.status_code == 201, added.text
    photo = added.json()["data"]["image"]
    assert bucket.keys("vehicles/") == {_key(services, photo)}
    served = await client.get(_path(services, photo))
    assert served.status_code == 200 and pixels(served.content) == pixels(image)
    replaced = await client.put(
        "/api/co/vehicles/EL12345", headers=owner.headers, files={"file": ("c.png", png_bytes(8, 8), "image/png")}
    )
    assert replaced.status_code == 200, replaced.text
    newer = replaced.json()["data"]["image"]
    assert bucket.keys("vehicles/") == {_key(services, newer)}
    removed = await client.delete("/api/co/vehicles", params={"reg": "EL12345"}, headers=owner.headers)
    assert removed.status_code == 200, removed.text
    assert bucket.keys("vehicles/") == set()


async def test_private_attachment_is_served_only_through_a_valid_link(app_factory: AppFactory, bucket: Bucket) -> None:
    app_a, a = await app_factory(**bucket.settings())
    _app_b, b = await app_factory(**bucket.settings())
    services: Services = app_a.state.services
    owner = await sign_up_and_in(a)
    async with services.sessionmaker() as session:
        booking = await booking_for(session, owner)

    sent = await a.post(
        "/api/co/messages/send",
        headers=owner.headers,
        data={"thread_id": str(booking.id), "message": "faktura"},
        files=[("files", ("faktura.pdf", PDF_BYTES, "application/pdf"))],
    )
    assert sent.status_code == 201, sent.text
    url = sent.json()["message"]["attachments"][0]["url"]
    key = _key(services, url)
    assert key.startswith("messages/") and bucket.keys("messages/") == {key}
    assert bucket.body(key) == PDF_BYTES and bucket.head(key)["ContentType"] == "application/pdf"

    served = await b.get(_path(services, url))  # the link signed by A works on B
    assert served.status_code == 200 and served.content == PDF_BYTES
    assert served.headers["content-type"] == "application/pdf"
    cache = served.headers["cache-control"]
    assert cache.startswith("private, max-age=") and "public" not in cache

    split = urlsplit(_path(services, url))
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    assert (await b.get(split.path)).status_code == 403  # no signature
    forged = f"{split.path}?exp={query['exp']}&sig={'0' * len(query['sig'])}"
    assert (await b.get(forged)).status_code == 403
    expired = media_links(services.settings).sign(split.path, now=time.time() - 2 * services.settings.media_link_ttl_s)
    assert (await b.get(expired)).status_code == 403
    # a valid link to an object that is not there
    missing = media_links(services.settings).sign(MEDIA + "messages/" + "B" * 32 + ".pdf")
    assert (await b.get(missing)).status_code == 404


@pytest.mark.parametrize("backend", ["local", "s3"])
async def test_a_transaction_that_does_not_commit_leaves_no_file(
    app_factory: AppFactory, s3_endpoint: str, backend: str
) -> None:
    """Both backends alike: rolled back (an error after the upload) or failing at commit time."""
    from tests.storage.conftest import new_bucket

    bucket = new_bucket(s3_endpoint) if backend == "s3" else None
    app, client = await app_factory(**(bucket.settings() if bucket else {}))
    services: Services = app.state.services
    owner = await sign_up_and_in(client)
    async with services.sessionmaker() as session:
        booking_id = (await booking_for(session, owner)).id
    assert booking_id is not None

    def stored() -> set[str]:
        if bucket is not None:
            return bucket.keys()
        root = Path(services.settings.media_dir)
        return {str(p.relative_to(root)) for p in _local_files(services)}

    with pytest.raises(RuntimeError):
        async with services.uow() as uow:
            await update_profile(uow, owner.owner_id, UpdateProfile(image=ImageUpload(data=png_bytes())))
            upload = Upload(filename="f.pdf", data=PDF_BYTES)
            await send_owner_message(uow, owner.owner_id, SendMessage(booking_id=booking_id, uploads=[upload]))
            assert len(stored()) == 2  # both written while the transaction was open
            raise RuntimeError("the request fails after its uploads")
    assert stored() == set()

    reached_commit = False
    with pytest.raises(IntegrityError, match="commit_guard"):
        async with services.uow() as uow:
            await update_profile(uow, owner.owner_id, UpdateProfile(image=ImageUpload(data=png_bytes())))
            # a deferred constraint: PostgreSQL refuses the transaction only at COMMIT
            for statement in (
                "create temp table commit_guard (x int, constraint commit_guard_x unique (x) deferrable initially"
                " deferred) on commit drop",
                "insert into commit_guard values (1), (1)",
            ):
                await uow.session.exec(text(statement))  # type: ignore[call-overload]
            assert len(stored()) == 1
            reached_commit = True
    assert reached_commit
    assert stored() == set()
    profile = await client.get("/api/co/profile", headers=owner.headers)
    assert profile.json()["profileImage"] is None

    # and a committed change keeps its file
    async with services.uow() as uow:
        await update_profile(uow, owner.owner_id, UpdateProfile(image=ImageUpload(data=png_bytes())))
    assert len(stored()) == 1


async def test_an_unreachable_store_answers_503_and_changes_nothing(app_factory: AppFactory, bucket: Bucket) -> None:
    settings = bucket.settings() | {"s3_endpoint_url": "http://127.0.0.1:19099", "s3_timeout_s": 0.5}
    _app, client = await app_factory(**settings)
    owner = await sign_up_and_in(client)
    response = await client.put(
        "/api/co/profile", headers=owner.headers, files={"file": ("a.png", png_bytes(), "image/png")}
    )
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "MEDIA_STORE_UNAVAILABLE"
    served = await client.get(MEDIA + "profile/" + "A" * 32 + ".png")
    assert served.status_code == 503 and "public" not in served.headers.get("cache-control", "")
    assert (await client.get("/api/co/profile", headers=owner.headers)).json()["profileImage"] is None


async def test_s3_storage_keys_and_deletes_like_the_folder(app_factory: AppFactory, bucket: Bucket) -> None:
    app, _client = await app_factory(**bucket.settings())
    storage = app.state.services.storage
    saved = await storage.save(PDF_BYTES, folder="messages", extension="pdf", content_type="application/pdf")
    assert saved.url == MEDIA + saved.key and saved.size == len(PDF_BYTES)
    assert await storage.read(saved.key) == PDF_BYTES
    for url in ("https://example.com" + saved.url, MEDIA + "../secret.pdf", MEDIA + "messages/short.pdf", None, ""):
        assert await storage.delete_url(url) is False
    assert bucket.keys() == {saved.key}
    assert await storage.delete_url(saved.url) is True
    assert bucket.keys() == set()
    assert await storage.read(saved.key) is None
    assert await storage.delete_url(saved.url) is False
    assert await storage.read("../../etc/passwd") is None


def test_the_s3_client_is_not_imported_unless_configured() -> None:
    code = (
        "import sys\n"
        "from app.settings import load_settings\n"
        "from app.wiring import media_storage\n"
        "import app.main\n"
        "storage = media_storage(load_settings({}, jwt_secret='x' * 40, media_dir='/tmp/unused'))\n"
        "assert type(storage).__name__ == 'LocalStorage', storage\n"
        "assert 'obstore' not in sys.modules and 'app.infra.s3storage' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_store_that_is_not_a_bucket_url_is_refused_at_start(settings_factory: Callable[..., Settings]) -> None:
    for wrong in ("minbil-media/media", "s3:///media", "https://minbil-media/media"):
        with pytest.raises(ValueError, match="MINBIL_MEDIA_STORE"):
            media_storage(settings_factory(media_store=wrong))


async def test_uploads_of_a_repeat_that_lost_the_race_are_deleted(
    app_factory: AppFactory, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client = await app_factory(**bucket.settings())
    services: Services = app.state.services
    owner = await sign_up_and_in(client)
    async with services.sessionmaker() as session:
        booking_id = (await booking_for(session, owner)).id
    assert booking_id is not None
    lookup = messages_repo.owner_message_by_client_id
    calls: list[int] = []

    async def late_lookup(*args: Any) -> Any:  # every send misses the first lookup, as when all start at once
        calls.append(1)
        return None if len(calls) <= 4 else await lookup(*args)

    monkeypatch.setattr(messages_repo, "owner_message_by_client_id", late_lookup)
    command = SendMessage(
        booking_id=booking_id, uploads=[Upload(filename="f.pdf", data=PDF_BYTES)], client_message_id="race"
    )

    async def send() -> Any:
        async with services.uow() as uow:
            return await send_owner_message(uow, owner.owner_id, command)

    results = await asyncio.gather(*(send() for _ in range(4)))
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    kept = {_key(services, r.message.attachments[0]["url"]) for r in results}
    assert len(kept) == 1 and bucket.keys("messages/") == kept
