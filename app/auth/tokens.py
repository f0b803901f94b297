"""Access tokens (JWT, HS256 with an allow-list) and opaque refresh tokens (stored as SHA-256 hashes).

Every access token names its session (`sid`, the refresh-token family) so that ending the session ends
all of its tokens. Its `scope` says what it opens: `carowner` (the API) or `realtime` (the short-lived
token of `GET /realtime/config`, for GraphQL WebSocket subscriptions only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import jwt
import msgspec

from app.errors import Unauthenticated
from app.values import utc_now

ACCESS_TYPE = "at+jwt"
ALGORITHMS = ["HS256"]
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "exp", "jti", "typ", "sid"]
ACCESS_SCOPE = "carowner"
REALTIME_SCOPE = "realtime"
MAX_VERIFIED_TOKENS = 10_000


class AccessClaims(msgspec.Struct, frozen=True):
    sub: str  # the owner's uid
    owner_id: int
    jti: str
    exp: int
    iat: int
    sid: str  # the refresh-token family (sign-in session) this token belongs to
    scope: str = ACCESS_SCOPE


class IssuedAccessToken(msgspec.Struct, frozen=True):
    token: str
    jti: str
    expires_at: datetime
    expires_in: int


class TokenCodec:
    def __init__(self, *, secret: str, issuer: str, audience: str, ttl_s: int) -> None:
        if len(secret.encode()) < 32:
            raise ValueError("the JWT secret must be at least 32 bytes")
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.ttl_s = ttl_s
        self._verified: dict[str, AccessClaims] = {}  # token -> its claims, once verified; bounded

    def issue(
        self,
        *,
        owner_uid: str,
        owner_id: int,
        session_id: str,
        scope: str = ACCESS_SCOPE,
        ttl_s: int | None = None,
        now: datetime | None = None,
    ) -> IssuedAccessToken:
        if not session_id:
            raise ValueError("an access token belongs to a session")
        now = now or utc_now()
        ttl = ttl_s or self.ttl_s
        expires = now + timedelta(seconds=ttl)
        jti = str(uuid.uuid4())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": owner_uid,
            "oid": owner_id,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": jti,
            "typ": ACCESS_TYPE,
            "scope": scope,
            "sid": session_id,
        }
        token = jwt.encode(claims, self._secret, algorithm="HS256", headers={"typ": ACCESS_TYPE})
        return IssuedAccessToken(token=token, jti=jti, expires_at=expires.replace(microsecond=0), expires_in=ttl)

    def decode(self, token: str, *, scopes: Collection[str] = (ACCESS_SCOPE,)) -> AccessClaims:
        """Verify signature, algorithm, issuer, audience, expiry, the JOSE `typ` header, the session and the scope.

        A token verified before is not verified again until it expires (the signature check is the costly
        part); its expiry and scope are checked on every call. The session is the caller's to check."""
        claims = self._verified.get(token)
        if claims is not None:
            if claims.exp <= time.time():
                del self._verified[token]
                raise Unauthenticated("Access token has expired.", code="TOKEN_EXPIRED")
            if claims.scope not in scopes:
                raise Unauthenticated("Invalid access token.", code="INVALID_TOKEN")
            return claims
        claims = self._verify(token)
        if claims.scope not in scopes:
            raise Unauthenticated("Invalid access token.", code="INVALID_TOKEN")
        self._remember(token, claims)
        return claims

    def _remember(self, token: str, claims: AccessClaims) -> None:
        if len(self._verified) >= MAX_VERIFIED_TOKENS:
            now = time.time()
            self._verified = {t: c for t, c in self._verified.items() if c.exp > now}
            if len(self._verified) >= MAX_VERIFIED_TOKENS:
                self._verified.clear()
        self._verified[token] = claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            decoded = jwt.api_jwt.decode_complete(
                token,
                self._secret,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Access token has expired.", code="TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Invalid access token.", code="INVALID_TOKEN") from exc
        header: dict[str, Any] = decoded["header"]
        claims: dict[str, Any] = decoded["payload"]
        if header.get("typ") != ACCESS_TYPE or claims.get("typ") != ACCESS_TYPE:
            raise Unauthenticated("Invalid access token.", code="INVALID_TOKEN")
        scope, sid = claims.get("scope"), claims.get("sid")
        if not isinstance(scope, str) or not isinstance(claims.get("oid"), int) or not isinstance(sid, str) or not sid:
            raise Unauthenticated("Invalid access token.", code="INVALID_TOKEN")
        return AccessClaims(
            sub=str(claims["sub"]),
            owner_id=claims["oid"],
            jti=str(claims["jti"]),
            exp=int(claims["exp"]),
            iat=int(claims["iat"]),
            sid=sid,
            scope=str(scope),
        )

    def successor_refresh_token(self, refresh_token: str) -> str:
        """The refresh token that replaces `refresh_token` at rotation.

        Derived (HMAC with the server's secret), so a retried refresh can hand out the same successor again
        without the plaintext being stored; nobody without the secret can compute it.
        """
        digest = hmac.new(self._secret.encode(), b"refresh-successor\x00" + refresh_token.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
