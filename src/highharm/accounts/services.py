from django.db import transaction

from highharm.accounts.models import Agency, ApiToken, User
from highharm.accounts.permissions import Role


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role | str,
    agency: Agency | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    user = User(
        username=username,
        role=Role(role).value,
        agency=agency,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def agency_get_or_create(*, name: str, kind: str = Agency.Kind.OTHER) -> Agency:
    agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    return agency


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int = 90) -> tuple["ApiToken", str]:
    """Make a token for the user; returns (record, plaintext). The plaintext is never stored."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from highharm.accounts.models import ApiToken

    plaintext = "hh_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=_token_hash(plaintext),
        prefix=plaintext[:8],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return record, plaintext


def api_token_authenticate(*, token: str):
    """The active user owning a valid, unexpired, unrevoked token, or None."""
    from django.utils import timezone

    from highharm.accounts.models import ApiToken

    if not token or not token.startswith("hh_"):
        return None
    record = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=_token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user


@transaction.atomic
def api_token_revoke(*, token_id: int, user: User) -> None:
    from django.utils import timezone

    from highharm.accounts.models import ApiToken

    ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
