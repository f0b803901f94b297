"""The demo car owner's story: two vehicles, eight bookings around the day of seeding, their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.values import Plate, parse_plate
from db.seed.common import CDN

DEMO_EMAIL = "demo@minbil.no"
DEMO_PASSWORD = "MinBil-demo-2026"
DEMO_USERNAME = "demo"


@dataclass(frozen=True)
class DemoVehicle:
    registration_number: Plate
    vin: str
    brand: str
    model: str
    color: str
    fuel_type: str
    first_registration: date
    model_year: int
    weights: dict[str, int]
    nickname: str
    is_primary: bool


TESLA = DemoVehicle(
    parse_plate("EK39085"),
    "XP7YGCEL0PB109385",
    "TESLA",
    "MODEL Y",
    "Hvit",
    "Elektrisk",
    date(2023, 3, 14),
    2023,
    {"egenvekt": 1979, "tillattTotalvekt": 2461, "nyttelast": 407},
    "Tesla'n",
    True,
)
GOLF = DemoVehicle(
    parse_plate("BT57225"),
    "WVWZZZAUZFW057225",
    "VOLKSWAGEN",
    "GOLF",
    "Grå",
    "Diesel",
    date(2015, 5, 20),
    2015,
    {"egenvekt": 1320, "tillattTotalvekt": 1840, "nyttelast": 445},
    "Golfen",
    False,
)


def registry_document(v: DemoVehicle, last_eu: date | None, next_eu: date) -> dict[str, Any]:
    """The vehicle as a Statens vegvesen `kjoretoydataListe` document (the offline registry's format)."""
    control: dict[str, Any] = {"kontrollfrist": next_eu.isoformat()}
    if last_eu is not None:
        control["sistGodkjent"] = last_eu.isoformat()
    first = v.first_registration.isoformat()
    return {
        "kjoretoydataListe": [
            {
                "kjoretoyId": {
                    "kjennemerke": f"{v.registration_number[:2]} {v.registration_number[2:]}",
                    "understellsnummer": v.vin,
                },
                "forstegangsregistrering": {"registrertForstegangNorgeDato": first},
                "registrering": {"registreringsstatus": {"kodeVerdi": "REGISTRERT", "kodeBeskrivelse": "Registrert"}},
                "godkjenning": {
                    "forstegangsGodkjenning": {"forstegangRegistrertDato": first},
                    "tekniskGodkjenning": {
                        "kjoretoyklassifisering": {"beskrivelse": "Personbil"},
                        "tekniskeData": {
                            "generelt": {"merke": [{"merke": v.brand}], "handelsbetegnelse": [v.model]},
                            "karosseriOgLasteplan": {"rFarge": [{"kodeNavn": v.color}]},
                            "motorOgDrivverk": {
                                "motor": [{"drivstoff": [{"drivstoffKode": {"kodeNavn": v.fuel_type}}]}]
                            },
                            "vekter": dict(v.weights),
                        },
                    },
                },
                "periodiskKjoretoyKontroll": control,
            }
        ],
        "source": "offline",
    }


@dataclass(frozen=True)
class DemoBooking:
    key: str
    flagship: int  # index into FLAGSHIPS
    leaves: tuple[str, ...]  # one line per leaf; several lines share a group
    vehicle: DemoVehicle
    status: str
    day: int  # days from the seeding day
    hour: int  # local start hour
    rating: float | None = None
    rating_message: str | None = None
    cancellation_reason: str | None = None
    attachments: tuple[dict[str, Any], ...] = ()


DEMO_BOOKINGS: tuple[DemoBooking, ...] = (
    DemoBooking(
        "eu-control",
        0,
        ("eu-kontroll-personbil",),
        GOLF,
        "COMPLETED",
        -120,
        9,
        4.0,
        "Grundig kontroll, og de forklarte godt hva som bør følges opp på bremsene.",
    ),
    DemoBooking(
        "tyre-change",
        1,
        ("dekkskift",),
        TESLA,
        "COMPLETED",
        -40,
        8,
        5.0,
        "Rask og grei dekkskift, bilen var klar før avtalt tid. Anbefales!",
    ),
    DemoBooking(
        "tyre-hotel",
        1,
        ("dekkhotell",),
        GOLF,
        "CANCELLED",
        -20,
        12,
        cancellation_reason="Fikk ikke fri fra jobb den dagen.",
    ),
    DemoBooking("oil-change", 0, ("oljeskift",), GOLF, "COMPLETED", -10, 10),
    DemoBooking(
        "windscreen",
        2,
        ("frontrute",),
        GOLF,
        "DECLINED",
        -5,
        9,
        cancellation_reason="Verkstedet har ikke ruten på lager i uke 1–2.",
    ),
    DemoBooking("battery-test", 3, ("batteritest",), TESLA, "IN_PROGRESS", 0, 8),
    DemoBooking("big-service", 0, ("stor-service", "bremseklosser"), GOLF, "CONFIRMED", 5, 8),
    DemoBooking(
        "stone-chip",
        2,
        ("steinsprut",),
        TESLA,
        "REQUESTED",
        9,
        13,
        attachments=(
            {
                "url": f"{CDN}/bookings/demo/steinsprut.jpg",
                "content_type": "image/jpeg",
                "name": "steinsprut.jpg",
                "size": 184_233,
            },
        ),
    ),
)

# (booking key, sender, text, read, minutes after the thread starts)
DEMO_MESSAGES: tuple[tuple[str, str, str, bool, int], ...] = (
    (
        "tyre-change",
        "workshop",
        "Hei! Bilen er klar for henting. Mønsterdybden er 6 mm foran og 5 mm bak, "
        "så sommerdekkene holder en sesong til.",
        True,
        0,
    ),
    ("tyre-change", "carowner", "Supert, jeg kommer innom ved 15-tiden. Takk!", True, 12),
    ("tyre-hotel", "carowner", "Beklager, jeg må avlyse – fikk ikke fri fra jobb.", True, 0),
    ("tyre-hotel", "workshop", "Ingen problem, du er velkommen til å booke en ny tid når det passer.", True, 45),
    (
        "battery-test",
        "workshop",
        "Vi har startet batteritesten. Foreløpig ser alt fint ut – du får rapporten når vi er ferdige.",
        False,
        0,
    ),
    ("big-service", "carowner", "Hei, kan dere også se på en ulyd fra bremsene foran når jeg bremser lett?", True, 0),
    ("big-service", "workshop", "Hei Kari! Det gjør vi. Vi ringer deg før vi gjør noe ekstraarbeid.", True, 30),
    ("big-service", "workshop", "Husk å ta med servicehefte og reservenøkkel når du leverer bilen.", False, 90),
    ("stone-chip", "carowner", "Steinspruten er på førersiden, ca. 5 mm. Bilde er vedlagt.", False, 0),
)
