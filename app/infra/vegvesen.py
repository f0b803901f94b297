"""Statens vegvesen vehicle registry: the single-lookup client, the document mapping, an offline stand-in.

`VegvesenRegistry` calls `GET {base}/enkeltoppslag/kjoretoydata?kjennemerke=<plate>` with the header
`SVV-Authorization: Apikey <key>` and maps the `kjoretoydataListe` document to a `RegistryVehicle`.
Answers are cached in the shared key-value store (Redis) so repeated lookups do not spend the quota;
every failure becomes a domain error (404 unknown, 400 invalid, 429 quota, 503 otherwise), never a 500.

`OfflineRegistry` answers without a network, deterministically from the plate, with records marked
`source="offline"`; it is used when no API key is configured (embedded mode, demos, tests).
`UnconfiguredRegistry` is production without a key: every lookup answers `RegistryNotConfigured` (503).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import msgspec

from app.domain.account.ports import RegistryVehicle
from app.domain.ports import KeyValue, KVUnavailable
from app.errors import NotFound, RateLimited, ServiceUnavailable, ValidationFailed
from app.values import plate_text, utc_now

log = logging.getLogger(__name__)

LOOKUP_PATH = "/enkeltoppslag/kjoretoydata"
CACHE_PREFIX = "vegvesen:v1:"
_WEIGHT_NAMES = {
    "egenvekt": "curb_weight_kg",
    "tillattTotalvekt": "gross_weight_kg",
    "nyttelast": "payload_kg",
    "tillattTaklast": "roof_load_kg",
    "tillattTilhengervektMedBrems": "trailer_braked_kg",
    "tillattTilhengervektUtenBrems": "trailer_unbraked_kg",
    "tillattVogntogvekt": "train_weight_kg",
    "tillattVertikalKoplingslast": "towbar_vertical_load_kg",
}


class RegistryDocumentError(ValueError):
    """The registry answered with something that is not a readable `kjoretoydataListe` document."""


# ---------------------------------------------------------------- mapping


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = _first(node)
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _code_name(node: Any) -> str | None:
    node = _first(node)
    if not isinstance(node, dict):
        return None
    for key in ("kodeNavn", "kodeBeskrivelse", "kodeVerdi"):
        value = node.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _text(value: Any, limit: int) -> str | None:
    value = _first(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def map_document(document: Any, plate: str, *, source: str, fetched_at: datetime) -> RegistryVehicle:
    """The first vehicle of a `kjoretoydataListe` document; raises `NotFound` for an empty list."""
    if not isinstance(document, dict) or not isinstance(document.get("kjoretoydataListe", []), list):
        raise RegistryDocumentError("no kjoretoydataListe")
    vehicles = document.get("kjoretoydataListe") or []
    if not vehicles:
        raise NotFound(
            f"No vehicle is registered with {plate}.",
            code="VEHICLE_NOT_FOUND",
            fields={"registration_number": "unknown"},
        )
    item = vehicles[0]
    if not isinstance(item, dict):
        raise RegistryDocumentError("vehicle entry is not an object")
    technical = _get(item, "godkjenning", "tekniskGodkjenning")
    data = _get(technical, "tekniskeData")
    fuel = _code_name(_get(data, "motorOgDrivverk", "motor", "drivstoff", "drivstoffKode")) or _code_name(
        _get(data, "miljodata", "miljoOgdrivstoffGruppe", "drivstoffKodeMiljodata")
    )
    weights_node = _get(data, "vekter")
    weights = {
        name: weights_node[key]
        for key, name in _WEIGHT_NAMES.items()
        if isinstance(weights_node, dict) and isinstance(weights_node.get(key), int | float)
    }
    registered_plate = _get(item, "kjoretoyId", "kjennemerke")
    first_approval = _date(_get(item, "godkjenning", "forstegangsGodkjenning", "forstegangRegistrertDato"))
    first_norway = _date(_get(item, "forstegangsregistrering", "registrertForstegangNorgeDato"))
    status = _get(item, "registrering", "registreringsstatus")
    return RegistryVehicle(
        registration_number=plate_text(registered_plate) if isinstance(registered_plate, str) else plate,
        source=source,
        fetched_at=fetched_at,
        vin=_text(_get(item, "kjoretoyId", "understellsnummer"), 32),
        brand=_text(_get(data, "generelt", "merke", "merke"), 100),
        model=_text(_get(data, "generelt", "handelsbetegnelse"), 120),
        color=(_code_name(_get(data, "karosseriOgLasteplan", "rFarge")) or "")[:60] or None,
        fuel_type=(fuel or "")[:60] or None,
        vehicle_class=_text(_get(technical, "kjoretoyklassifisering", "beskrivelse"), 60)
        or (_code_name(_get(technical, "kjoretoyklassifisering", "tekniskKode")) or "")[:60]
        or None,
        first_registration=first_norway or first_approval,
        model_year=first_dated.year if (first_dated := first_approval or first_norway) else None,
        registration_status=(_get(status, "kodeVerdi") or _code_name(status)) if isinstance(status, dict) else None,
        next_eu_control=_date(_get(item, "periodiskKjoretoyKontroll", "kontrollfrist")),
        last_eu_control=_date(_get(item, "periodiskKjoretoyKontroll", "sistGodkjent")),
        weights=weights,
        raw=document,
    )


# ---------------------------------------------------------------- the real client


class VegvesenRegistry:
    source = "vegvesen"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        kv: KeyValue,
        timeout_s: float = 3.0,
        cache_ttl_s: float = 24 * 3600,
        unknown_ttl_s: float = 3600,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.kv = kv
        self.cache_ttl_s = cache_ttl_s
        self.unknown_ttl_s = unknown_ttl_s
        self.calls = 0  # requests that went out to the registry (for logs and tests)
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"SVV-Authorization": f"Apikey {api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def lookup(
        self, plate: str, *, max_age_s: float | None = None, stored: dict[str, Any] | None = None
    ) -> RegistryVehicle:
        cached = await self._cached(plate, max_age_s)
        if cached is not None:
            return cached
        fetched_at = utc_now()
        try:
            document = await self._fetch(plate)
            vehicle = map_document(document, plate, source=self.source, fetched_at=fetched_at)
        except NotFound:
            await self._remember(plate, {"unknown": True, "at": fetched_at.timestamp()}, self.unknown_ttl_s)
            raise
        except RegistryDocumentError as exc:
            log.warning("vegvesen: unreadable document for %s: %s", plate, exc)
            raise _unreadable() from exc
        await self._remember(plate, {"document": document, "at": fetched_at.timestamp()}, self.cache_ttl_s)
        return vehicle

    async def _cached(self, plate: str, max_age_s: float | None) -> RegistryVehicle | None:
        try:
            raw = await self.kv.get(CACHE_PREFIX + plate)
        except KVUnavailable:
            return None
        if raw is None:
            return None
        try:
            entry = msgspec.json.decode(raw)
            fetched_at = datetime.fromtimestamp(float(entry["at"]), UTC)
        except (msgspec.DecodeError, KeyError, TypeError, ValueError):
            return None
        if max_age_s is not None and (utc_now() - fetched_at).total_seconds() > max_age_s:
            return None
        if entry.get("unknown"):
            raise NotFound(
                f"No vehicle is registered with {plate}.",
                code="VEHICLE_NOT_FOUND",
                fields={"registration_number": "unknown"},
            )
        try:
            return map_document(entry.get("document"), plate, source=self.source, fetched_at=fetched_at)
        except RegistryDocumentError:
            return None

    async def _remember(self, plate: str, entry: dict[str, Any], ttl_s: float) -> None:
        try:
            await self.kv.set(CACHE_PREFIX + plate, msgspec.json.encode(entry), ttl_s)
        except KVUnavailable:
            log.info("vegvesen: cache unavailable; answer for %s not cached", plate)

    async def _fetch(self, plate: str) -> Any:
        self.calls += 1
        try:
            response = await self.client.get(LOOKUP_PATH, params={"kjennemerke": plate})
        except httpx.TimeoutException as exc:
            log.warning("vegvesen: timeout for %s", plate)
            raise ServiceUnavailable(
                "The vehicle registry did not answer in time. Try again shortly.",
                code="REGISTRY_TIMEOUT",
                retry_after=5,
            ) from exc
        except httpx.HTTPError as exc:
            log.warning("vegvesen: transport error for %s: %s", plate, type(exc).__name__)
            raise ServiceUnavailable(
                "The vehicle registry is unavailable. Try again shortly.", code="REGISTRY_UNAVAILABLE", retry_after=30
            ) from exc
        status = response.status_code
        document: Any = None
        if response.content:
            try:
                document = response.json()
            except ValueError:
                document = None
                if status == 200:
                    log.warning("vegvesen: malformed JSON for %s", plate)
                    raise _unreadable() from None
        error = document.get("feilmelding") if isinstance(document, dict) else None
        if isinstance(document, dict) and "gjenstaendeKvote" in document:
            log.debug("vegvesen: remaining quota %s", document.get("gjenstaendeKvote"))
        if error or status != 200:
            raise _fault(plate, status, str(error or ""), response.headers.get("retry-after"))
        return document


def _unreadable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The vehicle registry sent an answer we could not read. Try again later.",
        code="REGISTRY_BAD_RESPONSE",
        retry_after=30,
    )


def _retry_after(header: str | None, default: int) -> int:
    try:
        return max(1, int(float(header))) if header else default
    except ValueError:
        return default


def _fault(plate: str, status: int, error: str, retry_after: str | None) -> Exception:
    code = error.upper()
    if code == "KJENNEMERKE_UKJENT" or (status in (204, 404) and not code):
        return NotFound(
            f"No vehicle is registered with {plate}.",
            code="VEHICLE_NOT_FOUND",
            fields={"registration_number": "unknown"},
        )
    if code == "KJENNEMERKE_UGYLDIG" or (status == 400 and not code):
        return ValidationFailed(
            "The vehicle registry does not accept this registration number.",
            code="INVALID_REGISTRATION_NUMBER",
            fields={"registration_number": "invalid"},
        )
    if status == 429 or "KVOTE" in code:
        log.warning("vegvesen: quota exhausted (%s %s)", status, code)
        return RateLimited(
            "The vehicle registry's lookup quota is used up. Try again later.",
            code="REGISTRY_QUOTA_EXCEEDED",
            retry_after=_retry_after(retry_after, 60),
        )
    if status in (401, 403):
        log.error("vegvesen: access refused (%s %s): check the API key", status, code)
        return ServiceUnavailable(
            "The vehicle registry refused the lookup. Try again later.", code="REGISTRY_ACCESS_DENIED", retry_after=300
        )
    log.warning("vegvesen: lookup failed for %s (%s %s)", plate, status, code)
    return ServiceUnavailable(
        "The vehicle registry is unavailable. Try again shortly.",
        code="REGISTRY_UNAVAILABLE",
        retry_after=_retry_after(retry_after, 30),
    )


# ---------------------------------------------------------------- offline stand-in

_MODELS: tuple[tuple[str, str, str, str, int, int], ...] = (
    # brand, model, fuel, class, curb weight, gross weight
    ("VOLVO", "XC60", "Diesel", "Personbil", 1890, 2520),
    ("VOLVO", "V60", "Bensin", "Personbil", 1680, 2200),
    ("TESLA", "MODEL 3", "Elektrisk", "Personbil", 1844, 2232),
    ("TESLA", "MODEL Y", "Elektrisk", "Personbil", 1979, 2461),
    ("VOLKSWAGEN", "GOLF", "Bensin", "Personbil", 1290, 1800),
    ("VOLKSWAGEN", "ID.4", "Elektrisk", "Personbil", 2124, 2660),
    ("TOYOTA", "RAV4", "Hybrid", "Personbil", 1705, 2210),
    ("TOYOTA", "COROLLA", "Hybrid", "Personbil", 1385, 1825),
    ("SKODA", "OCTAVIA", "Diesel", "Personbil", 1465, 2010),
    ("SKODA", "ENYAQ", "Elektrisk", "Personbil", 2090, 2600),
    ("NISSAN", "LEAF", "Elektrisk", "Personbil", 1580, 1995),
    ("BMW", "X5", "Diesel", "Personbil", 2135, 2890),
    ("AUDI", "Q4 E-TRON", "Elektrisk", "Personbil", 2050, 2605),
    ("FORD", "FOCUS", "Bensin", "Personbil", 1322, 1850),
    ("MERCEDES-BENZ", "C 220 D", "Diesel", "Personbil", 1655, 2205),
)
_COLOURS = ("Hvit", "Svart", "Grå", "Blå", "Rød", "Sølv", "Grønn")
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def offline_document(plate: str, today: date) -> dict[str, Any]:
    """A `kjoretoydataListe` document derived only from the plate (and today's date for the EU-kontroll)."""
    digest = hashlib.sha256(plate.encode()).digest()
    brand, model, fuel, vehicle_class, curb, gross = _MODELS[digest[0] % len(_MODELS)]
    colour = _COLOURS[digest[1] % len(_COLOURS)]
    first = date(2008 + digest[2] % 17, 1 + digest[3] % 12, 1 + digest[4] % 28)
    vin = "".join(_VIN_CHARS[b % len(_VIN_CHARS)] for b in digest[5:22])
    due = date(first.year + 4, first.month, first.day)
    last: date | None = None
    while due < today:
        last = due - timedelta(days=digest[22] % 60)
        due = date(due.year + 2, due.month, due.day)
    spaced = f"{plate[:2]} {plate[2:]}" if len(plate) > 2 and plate[:2].isalpha() and plate[2:].isdigit() else plate
    control: dict[str, Any] = {"kontrollfrist": due.isoformat()}
    if last is not None:
        control["sistGodkjent"] = last.isoformat()
    return {
        "kjoretoydataListe": [
            {
                "kjoretoyId": {"kjennemerke": spaced, "understellsnummer": vin},
                "forstegangsregistrering": {"registrertForstegangNorgeDato": first.isoformat()},
                "registrering": {"registreringsstatus": {"kodeVerdi": "REGISTRERT", "kodeBeskrivelse": "Registrert"}},
                "godkjenning": {
                    "forstegangsGodkjenning": {"forstegangRegistrertDato": first.isoformat()},
                    "tekniskGodkjenning": {
                        "kjoretoyklassifisering": {"beskrivelse": vehicle_class},
                        "tekniskeData": {
                            "generelt": {"merke": [{"merke": brand}], "handelsbetegnelse": [model]},
                            "karosseriOgLasteplan": {"rFarge": [{"kodeNavn": colour}]},
                            "motorOgDrivverk": {"motor": [{"drivstoff": [{"drivstoffKode": {"kodeNavn": fuel}}]}]},
                            "vekter": {"egenvekt": curb, "tillattTotalvekt": gross, "nyttelast": gross - curb - 75},
                        },
                    },
                },
                "periodiskKjoretoyKontroll": control,
            }
        ],
        "source": "offline",
    }


class OfflineRegistry:
    """Deterministic vehicles without a network; records are marked `source="offline"`."""

    source = "offline"

    async def lookup(
        self, plate: str, *, max_age_s: float | None = None, stored: dict[str, Any] | None = None
    ) -> RegistryVehicle:
        now = utc_now()
        if stored:
            try:
                return map_document(stored, plate, source=self.source, fetched_at=now)
            except (RegistryDocumentError, NotFound):
                pass  # not a document we can read: derive one from the plate
        return map_document(offline_document(plate, now.date()), plate, source=self.source, fetched_at=now)

    async def aclose(self) -> None:
        return None


class RegistryNotConfigured(ServiceUnavailable):
    code = "REGISTRY_NOT_CONFIGURED"
    default_message = "The vehicle registry is not configured on this server."
    default_retry_after = 3600


class UnconfiguredRegistry:
    """Production without an API key (and without `vegvesen_offline`): no vehicle is ever invented."""

    source = "unconfigured"

    async def lookup(
        self, plate: str, *, max_age_s: float | None = None, stored: dict[str, Any] | None = None
    ) -> RegistryVehicle:
        raise RegistryNotConfigured()

    async def aclose(self) -> None:
        return None
