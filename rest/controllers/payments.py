"""CarOwnerPayments (4 reference operations): payment intents for booking groups and the Stripe webhook.

Errors use the structured `{"error": {...}}` shape of the newer `{data, meta}` modules.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.auth.tokens import AccessClaims
from app.domain.payments import service as payments
from app.domain.uow import UnitOfWork
from rest.schemas.payments import (
    ConfirmPaymentIntentRequest,
    CreatePaymentIntentRequest,
    PaymentIntentResponse,
    StripeWebhookResponse,
    payment_intent_response,
    webhook_response,
)

ERRORS = {"error_style": "structured"}


class PaymentsController(Controller):
    path = "/payments"
    tags = ["CarOwnerPayments"]
    opt = ERRORS

    @post("/intents", status_code=HTTP_200_OK, operation_id="CarOwnerCreatePaymentIntent",
          summary="Create (or return the open) payment intent for a booking group",
          description="Body `{\"booking_id\": <id>}` or `{\"group_id\": \"<uuid>\"}` for a booking the caller owns. "
                      "The amount is the sum of the group's booked prices (NOK, in øre); a sent `amount` is refused. "
                      "A group has one open intent: asking again returns it.")
    async def create_intent(self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims],
                            data: JSONBody[CreatePaymentIntentRequest | None] = None) -> PaymentIntentResponse:
        body = data or CreatePaymentIntentRequest()
        view = await payments.create_intent(uow, claims.owner_id, booking_id=body.booking_id, group_id=body.group_id,
                                            amount=body.amount, currency=body.currency)
        return payment_intent_response(view)

    @get("/intents/{payment_id:str}", operation_id="CarOwnerGetPaymentIntent", summary="Get one of the caller's payment intents")
    async def get_intent(self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims],
                         payment_id: FromPath[str]) -> PaymentIntentResponse:
        return payment_intent_response(await payments.get_intent(uow, claims.owner_id, payment_id))

    @post("/intents/{payment_id:str}/confirm", status_code=HTTP_200_OK, operation_id="CarOwnerConfirmPaymentIntent",
          summary="Confirm one of the caller's payment intents",
          description="Optional body `{\"payment_method\": \"pm_...\", \"return_url\": \"https://...\"}`.")
    async def confirm_intent(self, uow: NamedDependency[UnitOfWork], claims: NamedDependency[AccessClaims],
                             payment_id: FromPath[str],
                             data: JSONBody[ConfirmPaymentIntentRequest | None] = None) -> PaymentIntentResponse:
        body = data or ConfirmPaymentIntentRequest()
        view = await payments.confirm_intent(uow, claims.owner_id, payment_id, payment_method=body.payment_method,
                                             return_url=body.return_url)
        return payment_intent_response(view)

    @post("/webhooks/stripe", status_code=HTTP_200_OK, operation_id="CarOwnerStripeWebhook", security=[],
          summary="Stripe webhook endpoint (signed with Stripe-Signature)")
    async def stripe_webhook(self, request: Request, uow: NamedDependency[UnitOfWork]) -> StripeWebhookResponse:
        raw = await request.body()  # the exact bytes Stripe signed; parsed only after verification
        result = await payments.handle_stripe_webhook(uow, payload=raw, signature=request.headers.get("stripe-signature"))
        return webhook_response(result)


CONTROLLERS = [PaymentsController]
