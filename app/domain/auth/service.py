"""Auth use cases. Each takes a unit of work; the caller commits."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import msgspec
from sqlalchemy.exc import IntegrityError

from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.ratelimit import parse_rate
from app.auth.tokens import ACCESS_SCOPE, AccessClaims, hash_token, new_refresh_token
from app.domain.auth.commands import ForgotPassword, Refresh, ResetPassword, SignIn, SignUp
from app.domain.auth.results import OwnerSummary, Session, SignUpResult
from app.domain.auth.validation import check_new_password, normalise_email, require_password
from app.domain.mail import deliver_pending_mail
from app.domain.uow import UnitOfWork
from app.errors import Conflict, Unauthenticated, ValidationFailed
from app.values import utc_now
from db.models import CarOwner, EmailOutbox, PasswordReset, RefreshToken
from db.repositories import auth as repo

if TYPE_CHECKING:
    from app.domain.uow import DomainServices as Services

SIGN_IN_FAILED = "Invalid email or password."
RESET_MESSAGE = "If an account exists for that email, a password reset link has been sent."


def owner_summary(owner: CarOwner) -> OwnerSummary:
    assert owner.id is not None
    return msgspec.convert(owner, OwnerSummary, from_attributes=True)


async def load_owner(uow: UnitOfWork, owner_id: int) -> OwnerSummary:
    owner = await repo.get_owner(uow.session, owner_id)
    if owner is None or not owner.is_active:
        raise Unauthenticated("The account no longer exists.", code="UNAUTHORIZED")
    return owner_summary(owner)


async def rate_limit(uow: UnitOfWork, bucket: str, identity: str) -> None:
    limit, window = parse_rate(uow.settings.auth_rate_limit)
    await uow.services.rate_limiter.hit(bucket, identity.lower(), limit=limit, window_s=window)


async def sign_up(uow: UnitOfWork, command: SignUp, *, client_ip: str) -> SignUpResult:
    await rate_limit(uow, "sign-up", client_ip)
    address = normalise_email(command.email)
    secret = check_new_password(command.password)
    password_hash = await hash_password(secret)
    if await repo.find_owner_by_email(uow.session, address) is not None:
        raise Conflict("An account with this email already exists.", code="EMAIL_TAKEN", fields={"email": "taken"})
    owner = CarOwner(email=address, password_hash=password_hash)
    uow.session.add(owner)
    try:
        await uow.session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same address
        raise Conflict(
            "An account with this email already exists.", code="EMAIL_TAKEN", fields={"email": "taken"}
        ) from exc
    return SignUpResult(uid=owner.uid, owner=owner_summary(owner))


async def sign_in(uow: UnitOfWork, command: SignIn, *, client_ip: str) -> Session:
    address = normalise_email(command.email)
    secret = require_password(command.password)
    await rate_limit(uow, "sign-in", client_ip)
    await rate_limit(uow, "sign-in-account", address)
    owner = await repo.find_owner_by_email(uow.session, address)
    valid = await verify_password(owner.password_hash if owner else None, secret)
    if owner is None or not valid:
        raise Unauthenticated(SIGN_IN_FAILED, code="INVALID_CREDENTIALS")
    if not owner.is_active:
        raise Unauthenticated(SIGN_IN_FAILED, code="INVALID_CREDENTIALS")
    if needs_rehash(owner.password_hash):
        owner.password_hash = await hash_password(secret)
    return await _start_session(uow, owner, family_id=str(uuid.uuid4()), user_agent=command.user_agent)


async def refresh(uow: UnitOfWork, command: Refresh, *, client_ip: str) -> Session:
    """Rotate: the presented token is spent and a new pair issued in its family.

    The row is locked, so concurrent refreshes with one token serialise. A second use within
    `refresh_grace_s` of the rotation (two tabs, a retry) gets the same successor refresh token and a fresh
    access token of the same session. Later, it is a replay (RFC 9700 4.14.2): the whole family is revoked.
    """
    await rate_limit(uow, "refresh", client_ip)
    refresh_token = command.refresh_token
    if not refresh_token:
        raise Unauthenticated("Refresh token is required.", code="INVALID_REFRESH_TOKEN")
    now = utc_now()
    stored = await repo.lock_refresh_token(uow.session, hash_token(refresh_token))
    if stored is None:
        raise Unauthenticated("Invalid refresh token.", code="INVALID_REFRESH_TOKEN")
    if stored.revoked_at is not None or await repo.family_revoked(uow.session, stored.family_id):
        raise Unauthenticated("Refresh token has been revoked.", code="REFRESH_TOKEN_REUSED")
    successor = uow.services.tokens.successor_refresh_token(refresh_token)
    if stored.rotated_at is not None:
        if now - stored.rotated_at <= timedelta(seconds=uow.settings.refresh_grace_s):
            return await _repeat_rotation(uow, stored, successor)
        await repo.revoke_family(uow.session, stored.family_id, now)
        _announce_revoked(uow, {stored.family_id})
        await uow.commit()  # the revocation must stand even though the answer is 401
        raise Unauthenticated("Refresh token has been revoked.", code="REFRESH_TOKEN_REUSED")
    if stored.expires_at <= now:
        raise Unauthenticated("Refresh token has expired.", code="REFRESH_TOKEN_EXPIRED")
    owner = await _active_owner(uow, stored.owner_id)
    stored.rotated_at = now
    uow.session.add(stored)
    return await _start_session(
        uow, owner, family_id=stored.family_id, user_agent=stored.user_agent, refresh_token=successor
    )


async def _repeat_rotation(uow: UnitOfWork, stored: RefreshToken, successor: str) -> Session:
    """The answer of the rotation already made, again: the same successor, a new access token of the session."""
    following = await repo.find_refresh_token(uow.session, hash_token(successor))
    if following is None or following.family_id != stored.family_id:
        raise Unauthenticated("Invalid refresh token.", code="INVALID_REFRESH_TOKEN")
    owner = await _active_owner(uow, stored.owner_id)
    return _session(uow, owner, family_id=stored.family_id, refresh_token=successor, now=utc_now())


async def _active_owner(uow: UnitOfWork, owner_id: int) -> CarOwner:
    owner = await repo.get_owner(uow.session, owner_id)
    if owner is None or not owner.is_active:
        raise Unauthenticated("Invalid refresh token.", code="INVALID_REFRESH_TOKEN")
    return owner


def _announce_revoked(uow: UnitOfWork, sids: set[str]) -> None:
    """Once committed, every instance refuses the sessions' tokens (this one at once)."""
    if sids:
        sessions = uow.services.sessions
        uow.after_commit(lambda: sessions.mark_revoked(sids))


async def sign_out(uow: UnitOfWork, claims: AccessClaims) -> None:
    """End this session: its refresh-token family is revoked, and with it every access token carrying its `sid`."""
    now = utc_now()
    await repo.revoke_family(uow.session, claims.sid, now, owner_id=claims.owner_id)
    _announce_revoked(uow, {claims.sid})


async def forgot_password(uow: UnitOfWork, command: ForgotPassword, *, client_ip: str) -> str:
    """Same answer whether or not the account exists; the mail goes through the outbox."""
    address = normalise_email(command.email)
    target = _check_redirect(uow, command.redirect_to)
    await rate_limit(uow, "forgot-password", client_ip)
    await rate_limit(uow, "forgot-password-account", address)
    owner = await repo.find_owner_by_email(uow.session, address)
    token = secrets.token_urlsafe(32)
    token_hash = hash_token(token)  # computed either way so both paths cost the same
    if owner is not None and owner.is_active:
        assert owner.id is not None
        now = utc_now()
        uow.session.add(
            PasswordReset(
                owner_id=owner.id,
                token_hash=token_hash,
                redirect_to=target,
                expires_at=now + timedelta(seconds=uow.settings.password_reset_ttl_s),
            )
        )
        link = f"{target}?{urlencode({'token': token})}" if target else token
        uow.session.add(
            EmailOutbox(
                to_address=owner.email,
                template="password_reset",
                subject="Tilbakestill passordet ditt hos MinBil",
                body=f"Hei!\n\nBruk lenken under for å velge et nytt passord (gyldig i én time):\n{link}\n\n"
                "Ba du ikke om dette, kan du se bort fra e-posten.\n",
            )
        )
        services = uow.services
        uow.after_commit(lambda: deliver_pending_mail(services))
    return RESET_MESSAGE


def _check_redirect(uow: UnitOfWork, redirect_to: str | None) -> str | None:
    if not redirect_to:
        allow = uow.settings.reset_redirect_allowlist
        return allow[0] if allow else None
    parts = urlsplit(redirect_to)
    for allowed in uow.settings.reset_redirect_allowlist:
        base = urlsplit(allowed)
        if parts.scheme == base.scheme and parts.netloc == base.netloc and not parts.username and not parts.password:
            return redirect_to
    raise ValidationFailed("redirect_to is not an allowed address.", fields={"redirect_to": "not_allowed"})


async def reset_password(uow: UnitOfWork, command: ResetPassword) -> None:
    """Complete a reset: single use, within its lifetime; every session of the owner is revoked."""
    if not command.token:
        raise ValidationFailed("Reset token is required.", fields={"token": "required"})
    secret = check_new_password(command.password)
    now = utc_now()
    reset = await repo.lock_password_reset(uow.session, hash_token(command.token))
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise ValidationFailed(
            "The reset link is invalid or has expired.", code="INVALID_RESET_TOKEN", fields={"token": "invalid"}
        )
    owner = await repo.get_owner(uow.session, reset.owner_id)
    if owner is None:
        raise ValidationFailed(
            "The reset link is invalid or has expired.", code="INVALID_RESET_TOKEN", fields={"token": "invalid"}
        )
    reset.used_at = now
    owner.password_hash = await hash_password(secret)
    owner.updated_at = now
    uow.session.add_all([reset, owner])
    _announce_revoked(uow, await repo.revoke_all_for_owner(uow.session, owner.id or 0, now))


async def authenticate(services: Services, token: str, *, scopes: Collection[str] = (ACCESS_SCOPE,)) -> AccessClaims:
    """Verify an access token of one of `scopes` whose session has not ended."""
    claims = services.tokens.decode(token, scopes=scopes)
    await ensure_active(services, claims)
    return claims


async def ensure_active(services: Services, claims: AccessClaims) -> None:
    """For claims verified earlier (an open socket): refused once expired or once the session ended."""
    if claims.exp <= time.time():
        raise Unauthenticated("Access token has expired.", code="TOKEN_EXPIRED")
    if await services.sessions.is_revoked(claims.sid):
        raise Unauthenticated("Access token has been revoked.", code="TOKEN_REVOKED")


async def _start_session(
    uow: UnitOfWork, owner: CarOwner, *, family_id: str, user_agent: str | None, refresh_token: str | None = None
) -> Session:
    assert owner.id is not None
    now = utc_now()
    refresh_token = refresh_token or new_refresh_token()
    await repo.add_refresh_token(
        uow.session,
        RefreshToken(
            owner_id=owner.id,
            family_id=family_id,
            token_hash=hash_token(refresh_token),
            expires_at=now + timedelta(seconds=uow.settings.refresh_token_ttl_s),
            user_agent=(user_agent or "")[:255] or None,
        ),
    )
    return _session(uow, owner, family_id=family_id, refresh_token=refresh_token, now=now)


def _session(uow: UnitOfWork, owner: CarOwner, *, family_id: str, refresh_token: str, now: datetime) -> Session:
    assert owner.id is not None
    access = uow.services.tokens.issue(owner_uid=owner.uid, owner_id=owner.id, session_id=family_id, now=now)
    return Session(
        access_token=access.token,
        refresh_token=refresh_token,
        expires_in=access.expires_in,
        expires_at=access.expires_at,
        owner=owner_summary(owner),
    )
