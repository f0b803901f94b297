"""All tables; importing this package registers them on `SQLModel.metadata`."""

from sqlmodel import SQLModel

from db.models.account import CarOwner, EmailOutbox, NotificationPreference, PasswordReset, RefreshToken
from db.models.bookings import Booking, BookingChangeRequest, BookingStatus, IdempotencyRecord
from db.models.events import DomainEvent
from db.models.marketplace import (
    CarBrand,
    Favourite,
    Service,
    ServiceCategory,
    ServiceCategoryLink,
    Workshop,
    WorkshopAddress,
    WorkshopCategory,
    WorkshopCategoryLink,
    WorkshopContact,
    WorkshopOpeningHour,
    WorkshopPosition,
)
from db.models.messages import Message
from db.models.notifications import Notification
from db.models.payments import Payment, ProcessedWebhookEvent
from db.models.vehicles import OwnerVehicle, Vehicle

metadata = SQLModel.metadata

__all__ = [
    "Booking",
    "BookingChangeRequest",
    "BookingStatus",
    "CarBrand",
    "CarOwner",
    "DomainEvent",
    "EmailOutbox",
    "Favourite",
    "IdempotencyRecord",
    "Message",
    "Notification",
    "NotificationPreference",
    "OwnerVehicle",
    "PasswordReset",
    "Payment",
    "ProcessedWebhookEvent",
    "RefreshToken",
    "Service",
    "ServiceCategory",
    "ServiceCategoryLink",
    "Vehicle",
    "Workshop",
    "WorkshopAddress",
    "WorkshopCategory",
    "WorkshopCategoryLink",
    "WorkshopContact",
    "WorkshopOpeningHour",
    "WorkshopPosition",
    "metadata",
]
