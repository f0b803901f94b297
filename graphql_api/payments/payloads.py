"""The payments mutations' results: each mutation's success type and its payload union, which lists exactly the
errors its use case can produce. Both can meet an unavailable or unconfigured provider (UnavailableError)."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from app.domain.payments.results import PaymentView
from graphql_api.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    UnavailableError,
    ValidationError,
)
from graphql_api.payments.types import PaymentIntent


@strawberry.type(description="The group's open payment intent: created now, or the one already open.")
class CreatePaymentIntentSuccess:
    payment_intent: PaymentIntent = strawberry.field(description="The intent to pay with.")

    @classmethod
    def of(cls, view: PaymentView) -> CreatePaymentIntentSuccess:
        return cls(payment_intent=PaymentIntent.of(view))


@strawberry.type(
    description="The intent after confirming (SUCCEEDED, PROCESSING, or REQUIRES_ACTION with a `nextAction`); an "
    "intent already processing or paid is answered as it is, without a second charge."
)
class ConfirmPaymentIntentSuccess:
    payment_intent: PaymentIntent = strawberry.field(description="The intent as it is now.")

    @classmethod
    def of(cls, view: PaymentView) -> ConfirmPaymentIntentSuccess:
        return cls(payment_intent=PaymentIntent.of(view))


CreatePaymentIntentPayload: TypeAlias = Annotated[
    CreatePaymentIntentSuccess
    | ValidationError
    | AuthenticationError
    | NotFoundError
    | ConflictError
    | UnavailableError,
    strawberry.union(
        "CreatePaymentIntentPayload",
        description="The intent, or why not: ValidationError (neither or both ids, a malformed id), "
        "AuthenticationError (not signed in), NotFoundError (no such booking or group of the caller), "
        "ConflictError (already paid, nothing to pay, the provider refused), UnavailableError (payments not "
        "configured, or the provider cannot be reached).",
    ),
]
ConfirmPaymentIntentPayload: TypeAlias = Annotated[
    ConfirmPaymentIntentSuccess
    | ValidationError
    | AuthenticationError
    | NotFoundError
    | ConflictError
    | UnavailableError,
    strawberry.union(
        "ConfirmPaymentIntentPayload",
        description="The intent, or why not: ValidationError (a malformed id or URL, a declined card: code "
        "PAYMENT_DECLINED), AuthenticationError, NotFoundError (no such intent of the caller), ConflictError "
        "(canceled, under review, the booked prices changed, the provider refused), UnavailableError (payments "
        "not configured, or the provider cannot be reached).",
    ),
]
