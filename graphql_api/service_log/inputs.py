"""The service log area's inputs: the filter of the history and the export-token mutation's input."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import strawberry


@strawberry.input(description="Which entries of the owner's history to include (all given conditions apply).")
class ServiceLogFilter:
    registration_number: str | None = strawberry.field(
        default=None,
        description="Only this vehicle (any spacing or case); it must be registered on the caller's account "
        "(FORBIDDEN otherwise).",
    )
    workshop_org_nr: str | None = strawberry.field(
        default=None,
        description="Only this workshop, by its 9-digit organisation number (the key of its global id "
        "`Workshop:<orgNr>`).",
    )
    date_from: date | None = strawberry.field(
        default=None, description="Only services done on or after this day (Europe/Oslo)."
    )
    date_to: date | None = strawberry.field(
        default=None, description="Only services done on or before this day (Europe/Oslo); not before `dateFrom`."
    )

    def to_filters(self) -> dict[str, Any]:
        """The domain's filter arguments (`app.domain.service_log.service.resolve_filters`)."""
        return {
            "registration_number": self.registration_number,
            "workshop_org_nr": self.workshop_org_nr,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }


def filters_of(f: ServiceLogFilter | None) -> dict[str, Any]:
    return f.to_filters() if f is not None else {}


@strawberry.input(description="What the export link covers.")
class CreateServiceLogExportTokenInput:
    field_paths: ClassVar[dict[str, str]] = {
        "registration_number": "filter.registrationNumber",
        "workshop_org_nr": "filter.workshopOrgNr",
        "date_from": "filter.dateFrom",
        "date_to": "filter.dateTo",
    }

    filter: ServiceLogFilter | None = strawberry.field(
        default=None, description="The entries to export; null: the whole history."
    )
