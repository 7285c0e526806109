from django.db import transaction

from highharm.accounts.models import Agency, User
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
