"""CarOwnerPayments (4 reference operations): payment intents for booking groups and the Stripe webhook.

Errors use the structured `{"error": {...}}` shape of the newer `{data, meta}` modules.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.auth.tokens import AccessClaims
from app.domain.payments import service as payments
from app.domain.uow import UnitOfWork
from rest.openapi import problem_responses
from rest.schemas.common import StructuredError
from rest.schemas.payments import (
    ConfirmPaymentIntentRequest,
    CreatePaymentIntentRequest,
    PaymentIntentResponse,
    StripeWebhookResponse,
    payment_intent_response,
    webhook_response,
)

ERRORS = {"error_style": "structured"}
_DESCRIPTIONS = {400: "Bad Request", 404: "Not Found", 409: "Conflict", 500: "Server Error", 503: "Service Unavailable"}


def errors(*statuses: int, auth: bool = True) -> dict[int, ResponseSpec]:
    """The structured `{"error": {...}}` responses; the 401 is the auth Problem, as in the other such modules."""
    specs = {
        status: ResponseSpec(data_container=StructuredError, description=_DESCRIPTIONS[status], generate_examples=False)
        for status in statuses
    }
    return {**specs, **(problem_responses(401) if auth else {})}


class PaymentsController(Controller):
    path = "/payments"
    tags = ["CarOwnerPayments"]
    opt = ERRORS

    @post(
        "/intents",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerCreatePaymentIntent",
        summary="Create (or return the open) payment intent for a booking group",
        description='Body `{"booking_id": <id>}` or `{"group_id": "<uuid>"}` for a booking the caller owns. '
        "The amount is the sum of the group's booked prices (NOK, in øre); a sent `amount` is refused. "
        "A group has one open intent: asking again returns it.",
        responses=errors(400, 404, 409, 500, 503),
    )
    async def create_intent(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        data: JSONBody[CreatePaymentIntentRequest | None] = None,
    ) -> PaymentIntentResponse:
        payments.check_available(uow)
        command = (data or CreatePaymentIntentRequest()).to_command()
        return payment_intent_response(await payments.create_intent(uow, claims.owner_id, command))

    @get(
        "/intents/{payment_id:str}",
        operation_id="CarOwnerGetPaymentIntent",
        summary="Get one of the caller's payment intents",
        responses=errors(404, 500),
    )
    async def get_intent(
        self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims], payment_id: FromPath[str]
    ) -> PaymentIntentResponse:
        return payment_intent_response(await payments.get_intent(uow, claims.owner_id, payment_id))

    @post(
        "/intents/{payment_id:str}/confirm",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerConfirmPaymentIntent",
        summary="Confirm one of the caller's payment intents",
        description='Optional body `{"payment_method": "pm_...", "return_url": "https://..."}`.',
        responses=errors(400, 404, 409, 500, 503),
    )
    async def confirm_intent(
        self,
        uow: NamedDependency[UnitOfWork],
        claims: NamedDependency[AccessClaims],
        payment_id: FromPath[str],
        data: JSONBody[ConfirmPaymentIntentRequest | None] = None,
    ) -> PaymentIntentResponse:
        payments.check_available(uow)
        command = (data or ConfirmPaymentIntentRequest()).to_command(payment_id)
        return payment_intent_response(await payments.confirm_intent(uow, claims.owner_id, command))

    @post(
        "/webhooks/stripe",
        status_code=HTTP_200_OK,
        operation_id="CarOwnerStripeWebhook",
        security=[],
        summary="Stripe webhook endpoint (signed with Stripe-Signature)",
        description="Verifies `Stripe-Signature` on the raw body (300 s tolerance) before parsing; each event id "
        "is processed once, repeats answer 200 with `duplicate: true`.",
        responses=errors(400, 500, 503, auth=False),
    )
    async def stripe_webhook(self, request: Request, uow: NamedDependency[UnitOfWork]) -> StripeWebhookResponse:
        raw = await request.body()  # the exact bytes Stripe signed; parsed only after verification
        result = await payments.handle_stripe_webhook(
            uow, payload=raw, signature=request.headers.get("stripe-signature")
        )
        return webhook_response(result)


CONTROLLERS = [PaymentsController]
