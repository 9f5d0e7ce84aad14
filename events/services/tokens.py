"""API keys: created with a role, shown once, found by hash, revoked for good."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events.models import ApiToken, TokenRole, User
from events.models.token import TOKEN_PREFIX_LENGTH

# last_used_at is written at most this often per key, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, role: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new key for ``user``; the plaintext is returned here and never stored."""
    if role not in TokenRole.values:
        raise ValidationError({"role": f"must be one of {', '.join(TokenRole.values)}"})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        role=role,
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=_hash(key),
        expires_at=expires_at,
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token`` from now on; revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(*, key: str) -> ApiToken | None:
    """The usable token whose key is ``key`` (active user, not expired, not revoked), else None.
    Records the use."""
    digest = _hash(key)
    candidates = ApiToken.objects.select_related("user").filter(prefix=key[:TOKEN_PREFIX_LENGTH])
    now = timezone.now()
    for token in candidates:
        if not hmac.compare_digest(token.key_hash, digest):
            continue
        if not token.is_usable(now) or not token.user.is_active:
            return None
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token
    return None
