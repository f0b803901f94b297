"""Profile use cases: read, partial update (fields and picture), picture removal, username availability."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.domain.account import validation
from app.domain.account.commands import UpdateProfile
from app.domain.account.images import delete_after_commit, store_image
from app.domain.account.results import ProfileImageRemoved, UsernameAvailability
from app.domain.auth.results import OwnerSummary
from app.domain.auth.service import owner_summary
from app.domain.uow import UnitOfWork
from app.errors import Conflict, NotFound, ValidationFailed
from app.values import utc_now
from db.models import CarOwner
from db.repositories import account as repo
from db.repositories import auth as auth_repo

USERNAME_TAKEN = "Username is already taken."


async def _owner(uow: UnitOfWork, owner_id: int, *, lock: bool = False) -> CarOwner:
    owner = await (repo.lock_owner(uow.session, owner_id) if lock else auth_repo.get_owner(uow.session, owner_id))
    if owner is None or not owner.is_active:
        raise NotFound("User not found.", code="USER_NOT_FOUND")
    return owner


async def get_profile(uow: UnitOfWork, owner_id: int) -> OwnerSummary:
    return owner_summary(await _owner(uow, owner_id))


async def update_profile(uow: UnitOfWork, owner_id: int, command: UpdateProfile) -> OwnerSummary:
    """Change only the fields sent; a request with nothing to change is a 400 "No changes"."""
    values = command.changes()
    if not values and command.image is None:
        raise ValidationFailed("No changes.", code="NO_CHANGES")
    owner = await _owner(uow, owner_id, lock=True)
    username = values.get("username")
    if isinstance(username, str) and username.lower() != (owner.username or "").lower():
        holder = await repo.username_owner_id(uow.session, username)
        if holder is not None and holder != owner_id:
            raise Conflict(USERNAME_TAKEN, code="USERNAME_TAKEN", fields={"username": "taken"})
    for column, value in values.items():
        setattr(owner, column, value)
    owner.updated_at = utc_now()
    uow.session.add(owner)
    try:
        await uow.session.flush()
    except IntegrityError as exc:  # a concurrent update took the name first
        raise Conflict(USERNAME_TAKEN, code="USERNAME_TAKEN", fields={"username": "taken"}) from exc
    if command.image is not None:
        stored = await store_image(uow, command.image, "profile")
        delete_after_commit(uow, owner.profile_image)
        owner.profile_image = stored.url
        uow.session.add(owner)
        await uow.session.flush()
    return owner_summary(owner)


async def remove_profile_image(uow: UnitOfWork, owner_id: int) -> ProfileImageRemoved:
    """Clear the picture and delete its file; the account stays. `removed` is False when there was none."""
    owner = await _owner(uow, owner_id, lock=True)
    if not owner.profile_image:
        return ProfileImageRemoved(removed=False, owner=owner_summary(owner))
    delete_after_commit(uow, owner.profile_image)
    owner.profile_image = None
    owner.updated_at = utc_now()
    uow.session.add(owner)
    await uow.session.flush()
    return ProfileImageRemoved(removed=True, owner=owner_summary(owner))


async def check_username(uow: UnitOfWork, owner_id: int, username: object) -> UsernameAvailability:
    """Trimmed, same rules as the update; the caller's own current name counts as available."""
    name = validation.check_username(username)
    holder = await repo.username_owner_id(uow.session, name)
    if holder is None:
        return UsernameAvailability(username=name, available=True, message="Username is available.")
    if holder == owner_id:
        return UsernameAvailability(username=name, available=True, message="This is your current username.")
    return UsernameAvailability(username=name, available=False, message=USERNAME_TAKEN)
