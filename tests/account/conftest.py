"""Helpers for the account tests: real image bytes, a recorded-format registry document, a registry on MockTransport."""

from __future__ import annotations

import copy
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import httpx
import pytest

from app.infra.vegvesen import VegvesenRegistry
from app.services import Services

# the seven events of the reference, in its order, and its request example of PUT /settings/notifications
EVENTS = (
    "booking.requested",
    "booking.accepted",
    "booking.declined",
    "booking.updated",
    "booking.completed",
    "message.new",
    "rating.reminder",
)
PREFERENCES_EXAMPLE = {event: {"email": True, "push": True} for event in EVENTS}


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in ((x * 60) % 256, (y * 80) % 256, 160)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# The shape Statens vegvesen answers with for one plate (trimmed to the parts we read and a few we keep raw).
KJORETOYDATA: dict[str, Any] = {
    "kjoretoydataListe": [
        {
            "kjoretoyId": {"kjennemerke": "BT 57225", "understellsnummer": "YV1UZA8VCM1234567"},
            "forstegangsregistrering": {"registrertForstegangNorgeDato": "2021-04-15"},
            "kjennemerke": [
                {
                    "fomTidspunkt": "2021-04-15T00:00:00+02:00",
                    "kjennemerke": "BT 57225",
                    "kjennemerkekategori": "KJORETOY",
                    "kjennemerketype": {"kodeVerdi": "ORDINART", "kodeNavn": "Ordinære kjennemerker"},
                }
            ],
            "registrering": {
                "fomTidspunkt": "2021-04-15T00:00:00+02:00",
                "kjoringensArt": {"kodeVerdi": "EGENTRANSP_ANNEN", "kodeNavn": "Egentransport"},
                "registreringsstatus": {
                    "kodeVerdi": "REGISTRERT",
                    "kodeBeskrivelse": "Registrert",
                    "tidligereKodeVerdi": [],
                },
            },
            "godkjenning": {
                "forstegangsGodkjenning": {"forstegangRegistrertDato": "2021-03-30", "godkjenningsId": "1000002345678"},
                "tekniskGodkjenning": {
                    "kjoretoyklassifisering": {
                        "beskrivelse": "Personbil",
                        "tekniskKode": {"kodeVerdi": "M1", "kodeNavn": "Personbil"},
                    },
                    "tekniskeData": {
                        "generelt": {
                            "merke": [{"merke": "VOLVO", "merkeKode": "5270"}],
                            "handelsbetegnelse": ["XC40 RECHARGE"],
                            "fabrikant": [{"fabrikantNavn": "VOLVO CAR CORPORATION"}],
                            "typebetegnelse": "X",
                        },
                        "karosseriOgLasteplan": {
                            "antallDorer": [5],
                            "rFarge": [{"kodeNavn": "Blå", "kodeVerdi": "04", "tidligereKodeVerdi": []}],
                        },
                        "motorOgDrivverk": {
                            "motor": [
                                {
                                    "drivstoff": [
                                        {
                                            "drivstoffKode": {"kodeNavn": "Elektrisk", "kodeVerdi": "5"},
                                            "maksEffektPrTime": 150.0,
                                        }
                                    ]
                                }
                            ],
                            "girkassetype": {"kodeNavn": "Automat", "kodeVerdi": "A"},
                        },
                        "miljodata": {
                            "euroKlasse": {"kodeNavn": "0-utslipp"},
                            "miljoOgdrivstoffGruppe": [{"drivstoffKodeMiljodata": {"kodeNavn": "Elektrisk"}}],
                        },
                        "vekter": {
                            "egenvekt": 2188,
                            "egenvektMinimum": 2150,
                            "nyttelast": 462,
                            "tillattTaklast": 75,
                            "tillattTilhengervektMedBrems": 1800,
                            "tillattTilhengervektUtenBrems": 750,
                            "tillattTotalvekt": 2650,
                            "tillattVertikalKoplingslast": 90,
                            "tillattVogntogvekt": 4450,
                        },
                    },
                },
            },
            "periodiskKjoretoyKontroll": {"kontrollfrist": "2025-04-15", "sistGodkjent": "2023-04-02"},
        }
    ],
    "gjenstaendeKvote": 48211,
}


def registry_document(plate: str = "BT57225") -> dict[str, Any]:
    document = copy.deepcopy(KJORETOYDATA)
    spaced = f"{plate[:2]} {plate[2:]}"
    document["kjoretoydataListe"][0]["kjoretoyId"]["kjennemerke"] = spaced
    return document


Handler = Callable[[httpx.Request], httpx.Response]


class RecordingHandler:
    """A MockTransport handler that answers with `respond(request)` and records what was asked."""

    def __init__(self, respond: Handler) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)


def found(request: httpx.Request) -> httpx.Response:
    plate = request.url.params["kjennemerke"]
    return httpx.Response(200, json=registry_document(plate))


class UseRegistry(Protocol):
    """The `use_registry` fixture: install a client answering with `respond`, get its recorder back."""

    def __call__(self, respond: Handler = ...) -> RecordingHandler: ...


@pytest.fixture
async def use_registry(services: Services) -> AsyncIterator[UseRegistry]:
    """Point the running app at a Vegvesen client whose HTTP goes through `MockTransport(handler)`."""
    clients: list[VegvesenRegistry] = []

    def install(respond: Handler = found) -> RecordingHandler:
        handler = RecordingHandler(respond)
        registry = VegvesenRegistry(
            api_key="test-key",
            base_url="https://svv.test",
            kv=services.kv,
            timeout_s=3.0,
            transport=httpx.MockTransport(handler),
        )
        clients.append(registry)
        services.registry = registry
        return handler

    yield install
    for registry in clients:
        await registry.aclose()
