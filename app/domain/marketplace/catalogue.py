"""Categories, car brands and favourites."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from app.domain.marketplace import query as mq
from app.domain.marketplace.commands import ChangeFavourite
from app.domain.marketplace.favourites import favourites_changed
from app.domain.marketplace.results import (
    CarBrandItem,
    FavouriteChange,
    FavouriteItem,
    ServiceCategoryItem,
    WorkshopCategoryItem,
)
from app.domain.uow import UnitOfWork
from app.errors import NotFound, Unauthenticated, ValidationFailed
from db.repositories import marketplace as repo


class CategoryCatalogue(msgspec.Struct, frozen=True):
    workshop: list[WorkshopCategoryItem]
    service: list[ServiceCategoryItem]


class ServiceCategoryNode(msgspec.Struct, frozen=True, kw_only=True):
    category: ServiceCategoryItem
    children: list[ServiceCategoryNode] | None = None


class WorkshopCategoryNode(msgspec.Struct, frozen=True):
    category: WorkshopCategoryItem
    service_categories: list[ServiceCategoryNode]


class ServiceCategoryGroup(msgspec.Struct, frozen=True):
    workshop_category: WorkshopCategoryItem | None
    service_categories: list[ServiceCategoryNode]


class CategoriesOverview(msgspec.Struct, frozen=True):
    workshop_categories: list[WorkshopCategoryNode]
    service_categories: list[ServiceCategoryNode]  # the tree of every listed service category
    cache: str


class ServiceCategoryListing(msgspec.Struct, frozen=True, kw_only=True):
    """`rows` (flat or, with `tree`, the roots) or, with `group_by_workshop`, `groups`."""

    rows: list[ServiceCategoryNode]
    groups: list[ServiceCategoryGroup] | None = None
    cache: str


class WorkshopCategoryListing(msgspec.Struct, frozen=True):
    rows: list[WorkshopCategoryItem]
    cache: str


class CarBrandListing(msgspec.Struct, frozen=True):
    brands: list[CarBrandItem]
    cache: str


async def category_catalogue(
    uow: UnitOfWork, *, include_inactive: bool, with_counts: bool
) -> tuple[CategoryCatalogue, str]:
    services = uow.services

    async def load() -> CategoryCatalogue:
        async with services.sessionmaker() as session:
            return CategoryCatalogue(
                workshop=await repo.workshop_categories(
                    session, include_inactive=include_inactive, with_counts=with_counts
                ),
                service=await repo.service_categories(
                    session, include_inactive=include_inactive, with_counts=with_counts
                ),
            )

    return await services.marketplace_cache.get_or_load(
        "categories", (include_inactive, with_counts), load, CategoryCatalogue
    )


def _matches(text: str | None, needle: str) -> bool:
    return bool(text) and needle in text.lower()  # type: ignore[union-attr]


def _tree(rows: Sequence[ServiceCategoryItem], roots: Sequence[ServiceCategoryItem]) -> list[ServiceCategoryNode]:
    by_parent: dict[int | None, list[ServiceCategoryItem]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)

    def build(item: ServiceCategoryItem, depth: int) -> ServiceCategoryNode:
        kids = by_parent.get(item.id, []) if depth < 16 else []
        return ServiceCategoryNode(category=item, children=[build(k, depth + 1) for k in kids])

    return [build(r, 0) for r in roots]


def _subtree_ids(rows: Sequence[ServiceCategoryItem], ids: Sequence[int]) -> set[int]:
    selected = set(ids)
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row.parent_id in selected and row.id not in selected:
                selected.add(row.id)
                changed = True
    return selected


async def categories_overview(uow: UnitOfWork, params: Mapping[str, Sequence[str]]) -> CategoriesOverview:
    """`GET /categories`: workshop categories, each with its tree of service categories."""
    wc_ids = mq.parse_ids(mq.values(params, "workshop_category_id"), "workshop_category_id")
    sc_ids = mq.parse_ids(mq.values(params, "service_category_id"), "service_category_id")
    include_inactive = mq.parse_bool(mq.single(params, "include_inactive"), "include_inactive")
    catalogue, status = await category_catalogue(uow, include_inactive=include_inactive, with_counts=False)
    service_rows = catalogue.service
    if sc_ids:
        keep = _subtree_ids(service_rows, sc_ids)
        service_rows = [r for r in service_rows if r.id in keep]
    present = {r.id for r in service_rows}
    roots = [r for r in service_rows if r.parent_id is None or r.parent_id not in present]
    workshop_rows = [c for c in catalogue.workshop if not wc_ids or c.id in wc_ids]
    if wc_ids:
        roots = [r for r in roots if r.workshop_category_id in wc_ids]
    nodes = [
        WorkshopCategoryNode(
            category=c, service_categories=_tree(service_rows, [r for r in roots if r.workshop_category_id == c.id])
        )
        for c in sorted(workshop_rows, key=lambda c: (c.sort_order, c.id))
    ]
    return CategoriesOverview(workshop_categories=nodes, service_categories=_tree(service_rows, roots), cache=status)


async def list_workshop_categories(uow: UnitOfWork, params: Mapping[str, Sequence[str]]) -> WorkshopCategoryListing:
    """`GET /categories/shops`."""
    ids = mq.parse_ids(mq.values(params, "id"), "id")
    include_inactive, with_counts = _catalogue_options(params)
    needle, descending = _needle_and_order(params)
    catalogue, status = await category_catalogue(uow, include_inactive=include_inactive, with_counts=with_counts)
    rows = [
        c
        for c in catalogue.workshop
        if (not ids or c.id in ids) and (not needle or _matches(c.name, needle) or _matches(c.slug, needle))
    ]
    rows.sort(key=lambda c: c.id, reverse=descending)
    return WorkshopCategoryListing(rows=rows, cache=status)


def _catalogue_options(params: Mapping[str, Sequence[str]]) -> tuple[bool, bool]:
    """Which catalogue both listings read: `include_inactive`, `include_counts`."""
    include_inactive = mq.parse_bool(mq.single(params, "include_inactive"), "include_inactive")
    return include_inactive, mq.parse_bool(mq.single(params, "include_counts"), "include_counts")


def _needle_and_order(params: Mapping[str, Sequence[str]]) -> tuple[str, bool]:
    """The lower-cased `q` and whether `sort` is `id_desc`, checked in that order."""
    needle = (mq.parse_text(mq.single(params, "q")) or "").lower()
    value = (mq.single(params, "sort") or "id_asc").lower()
    if value not in ("id_asc", "id_desc"):
        raise ValidationFailed("sort must be id_asc or id_desc.", fields={"sort": "invalid"})
    return needle, value == "id_desc"


async def list_service_categories(uow: UnitOfWork, params: Mapping[str, Sequence[str]]) -> ServiceCategoryListing:
    """`GET /categories/services`: every documented filter; flat, nested (`tree`) or grouped by workshop category."""
    ids = mq.parse_ids(mq.values(params, "id"), "id")
    wc_ids = mq.parse_ids(mq.values(params, "workshop_category_id"), "workshop_category_id")
    parent_raw = mq.single(params, "parent_id")
    roots_only = False
    parent_id: int | None = None
    if parent_raw is not None:
        if parent_raw.lower() in ("0", "null", "none"):
            roots_only = True
        else:
            parent_id = mq.parse_ids([parent_raw], "parent_id")[0]
    level_raw = mq.single(params, "level")
    level = None if level_raw is None else mq.parse_int(level_raw, "level", default=0, low=0)
    tree = mq.parse_bool(mq.single(params, "tree"), "tree")
    include_children = mq.parse_bool(mq.single(params, "include_children"), "include_children")
    include_inactive, with_counts = _catalogue_options(params)
    group = mq.parse_bool(mq.single(params, "group_by_workshop"), "group_by_workshop")
    needle, descending = _needle_and_order(params)

    catalogue, status = await category_catalogue(uow, include_inactive=include_inactive, with_counts=with_counts)
    everything = sorted(catalogue.service, key=lambda c: c.id, reverse=descending)

    def selected(c: ServiceCategoryItem) -> bool:
        return (
            (not ids or c.id in ids)
            and (not wc_ids or c.workshop_category_id in wc_ids)
            and (not roots_only or c.parent_id is None)
            and (parent_id is None or c.parent_id == parent_id)
            and (level is None or c.level == level)
            and (not needle or _matches(c.name, needle) or _matches(c.slug, needle))
        )

    rows = [c for c in everything if selected(c)]
    if tree:
        present = {c.id for c in rows}
        if not (ids or roots_only or parent_id is not None or level is not None or needle):
            rows = [c for c in rows if c.parent_id is None or c.parent_id not in present]
        else:  # explicit selection: each selected row is a root of its own subtree, without repeating nested ones
            rows = [c for c in rows if c.parent_id not in present]
        nodes = _tree(everything, rows)
    elif include_children:
        nodes = _tree(everything, rows)
    else:
        nodes = [ServiceCategoryNode(category=c) for c in rows]
    groups = None
    if group:
        by_id = {c.id: c for c in catalogue.workshop}
        buckets: dict[int | None, list[ServiceCategoryNode]] = {}
        for node in nodes:
            buckets.setdefault(node.category.workshop_category_id, []).append(node)
        groups = [
            ServiceCategoryGroup(
                workshop_category=by_id.get(key) if key is not None else None, service_categories=value
            )
            for key, value in sorted(buckets.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ]
    return ServiceCategoryListing(rows=nodes, groups=groups, cache=status)


# --- car brands ------------------------------------------------------------------------------------


def check_api_key(settings: Any, presented: str | None) -> None:
    """Constant-time comparison against every configured key (no early exit on a match)."""
    if not presented:
        raise Unauthenticated("Missing API key (x-api-key).", code="API_KEY_MISSING")
    given = presented.encode()
    matched = False
    for key in settings.api_keys:
        matched |= hmac.compare_digest(given, key.encode())
    if not matched:
        raise Unauthenticated("Invalid API key.", code="API_KEY_INVALID")


async def car_brands(uow: UnitOfWork, *, api_key: str | None, require_key: bool = True) -> CarBrandListing:
    if require_key:
        check_api_key(uow.settings, api_key)
    services = uow.services

    async def load() -> list[CarBrandItem]:
        async with services.sessionmaker() as session:
            return await repo.car_brands(session)

    brands, status = await services.marketplace_cache.get_or_load("brands", "all", load, list[CarBrandItem])
    return CarBrandListing(brands=brands, cache=status)


# --- favourites ------------------------------------------------------------------------------------


async def list_favourites(uow: UnitOfWork, owner_id: int) -> list[FavouriteItem]:
    rows = await repo.favourite_rows(uow.session, owner_id)
    summaries = await repo.summaries_for(uow.session, [org for org, _ in rows])
    return [
        FavouriteItem(workshop=msgspec.structs.replace(summaries[org], is_favourite=True), created_at=created)
        for org, created in rows
        if org in summaries
    ]


async def favourites_window(
    uow: UnitOfWork, owner_id: int, window: Callable[[int], tuple[int, int]]
) -> tuple[list[FavouriteItem], int]:
    """A window of the owner's favourites, most recent first, and how many there are: `window(total)` gives the
    window's (offset, limit). Only the window's workshops are read in full."""
    rows = await repo.favourite_rows(uow.session, owner_id)
    offset, limit = window(len(rows))
    part = rows[offset : offset + limit]
    summaries = await repo.summaries_for(uow.session, [org for org, _ in part])
    items = [
        FavouriteItem(workshop=msgspec.structs.replace(summaries[org], is_favourite=True), created_at=created)
        for org, created in part
        if org in summaries
    ]
    return items, len(rows)


async def add_favourite(uow: UnitOfWork, owner_id: int, command: ChangeFavourite) -> FavouriteChange:
    number = command.org_nr
    if not await repo.workshop_exists(uow.session, number):
        raise NotFound("Workshop not found.", code="WORKSHOP_NOT_FOUND", fields={"org_nr": "not_found"})
    added = await repo.add_favourite(uow.session, owner_id, number)
    if added:
        favourites_changed(uow, owner_id)
    return FavouriteChange(org_nr=number, changed=added, is_favourite=True)


async def remove_favourite(uow: UnitOfWork, owner_id: int, command: ChangeFavourite) -> FavouriteChange:
    """Idempotent: removing what is not a favourite (or an unknown workshop) succeeds and changes nothing."""
    number = command.org_nr
    removed = await repo.remove_favourite(uow.session, owner_id, number)
    if removed:
        favourites_changed(uow, owner_id)
    return FavouriteChange(org_nr=number, changed=removed, is_favourite=False)
