"""The marketplace catalogue: workshops, their addresses, contacts, hours, categories and services."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Computed, Float, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field, SQLModel

from db.models._types import Cube, created_at_field, json_field


class WorkshopCategory(SQLModel, table=True):
    __tablename__ = "workshop_categories"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=120, unique=True)
    description: str | None = None
    icon: str | None = Field(default=None, max_length=255)
    sort_order: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()


class Workshop(SQLModel, table=True):
    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("org_nr ~ '^[0-9]{9}$'", name="ck_workshops_org_nr_digits"),
        Index("ix_workshops_average_rating", "average_rating"),
        Index("ix_workshops_search_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_workshops_search_name_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
    )

    org_nr: str = Field(primary_key=True, max_length=9)
    name: str = Field(max_length=200)
    description: str | None = None
    phone: str | None = Field(default=None, max_length=20)
    mobile: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    homepage: str | None = Field(default=None, max_length=255)
    logo: list[str] = json_field(list)
    images: list[str] = json_field(list)
    average_rating: float = Field(default=0.0)
    total_reviews: int = Field(default=0)
    is_active: bool = Field(default=True, index=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    # marketplace search, kept by PostgreSQL (functions from migration marketplace_0001): Norwegian full text
    # of name and description without accents, and the accent-free lower-case name for trigram matching
    search_vector: str | None = Field(
        default=None,
        sa_column=Column(TSVECTOR, Computed("marketplace_fts(name, description)", persisted=True), nullable=True),
    )
    search_name: str | None = Field(
        default=None,
        sa_column=Column(Text, Computed("marketplace_unaccent(lower(name))", persisted=True), nullable=True),
    )


class WorkshopCategoryLink(SQLModel, table=True):
    __tablename__ = "workshop_category_links"

    org_nr: str = Field(foreign_key="workshops.org_nr", primary_key=True, ondelete="CASCADE")
    workshop_category_id: int = Field(
        foreign_key="workshop_categories.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class WorkshopAddress(SQLModel, table=True):
    __tablename__ = "workshop_addresses"
    __table_args__ = (Index("ix_workshop_addresses_lat_lng", "latitude", "longitude"),)  # bounding-box prefilter

    id: int | None = Field(default=None, primary_key=True)
    org_nr: str = Field(foreign_key="workshops.org_nr", index=True, ondelete="CASCADE")
    address: str = Field(max_length=255)
    postal_code: str = Field(max_length=4, index=True)
    city: str = Field(max_length=100, index=True)
    county: str = Field(max_length=100, index=True)
    latitude: float | None = None
    longitude: float | None = None
    is_primary: bool = Field(default=True)


class WorkshopPosition(SQLModel, table=True):
    """Where an active workshop is, for the radius search: its primary address's coordinates and, derived from
    them, the point on the unit sphere the GiST index holds. Written only by the triggers of migration
    marketplace_0003 (`marketplace_locate`), never by the application."""

    __tablename__ = "workshop_positions"
    __table_args__ = (Index("ix_workshop_positions_position", "position", postgresql_using="gist"),)

    org_nr: str = Field(
        sa_column=Column(String(9), ForeignKey("workshops.org_nr", ondelete="CASCADE"), primary_key=True)
    )
    latitude: float = Field(sa_column=Column(Float, nullable=False))
    longitude: float = Field(sa_column=Column(Float, nullable=False))
    position: str | None = Field(
        default=None,
        sa_column=Column(Cube, Computed("marketplace_position(latitude, longitude)", persisted=True), nullable=True),
    )


class WorkshopContact(SQLModel, table=True):
    __tablename__ = "workshop_contacts"

    id: int | None = Field(default=None, primary_key=True)
    org_nr: str = Field(foreign_key="workshops.org_nr", index=True, ondelete="CASCADE")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    mobile: str | None = Field(default=None, max_length=20)
    manager: str | None = Field(default=None, max_length=120)


class WorkshopOpeningHour(SQLModel, table=True):
    """Opening hours for one weekday (0 = Monday), in Europe/Oslo local time."""

    __tablename__ = "workshop_opening_hours"
    __table_args__ = (
        CheckConstraint("weekday between 0 and 6", name="ck_opening_hours_weekday"),
        Index("ix_opening_hours_org_weekday", "org_nr", "weekday"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_nr: str = Field(foreign_key="workshops.org_nr", index=True, ondelete="CASCADE")
    weekday: int
    opens_at: time | None = None
    closes_at: time | None = None
    is_closed: bool = Field(default=False)


class ServiceCategory(SQLModel, table=True):
    """A node of the service category tree (level 1 = root)."""

    __tablename__ = "service_categories"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=120, unique=True)
    description: str | None = None
    parent_id: int | None = Field(default=None, foreign_key="service_categories.id", index=True, ondelete="CASCADE")
    level: int = Field(default=1)
    workshop_category_id: int | None = Field(
        default=None, foreign_key="workshop_categories.id", index=True, ondelete="SET NULL"
    )
    sort_order: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()


class Service(SQLModel, table=True):
    __tablename__ = "services"
    __table_args__ = (Index("ix_services_org_nr_price", "org_nr", "price"),)

    id: int | None = Field(default=None, primary_key=True)
    org_nr: str = Field(foreign_key="workshops.org_nr", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str | None = None
    price: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    estimated_time: float = Field(default=1.0)
    supports_walk_in: bool = Field(default=False)
    images: list[str] = json_field(list)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ServiceCategoryLink(SQLModel, table=True):
    __tablename__ = "service_category_links"

    service_id: int = Field(foreign_key="services.id", primary_key=True, ondelete="CASCADE")
    service_category_id: int = Field(
        foreign_key="service_categories.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class Favourite(SQLModel, table=True):
    __tablename__ = "favourites"

    owner_id: int = Field(foreign_key="car_owners.id", primary_key=True, ondelete="CASCADE")
    org_nr: str = Field(foreign_key="workshops.org_nr", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = created_at_field()


class CarBrand(SQLModel, table=True):
    __tablename__ = "car_brands"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    slug: str = Field(max_length=100, unique=True)
    car_logo: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
