from django.db.models import Q, QuerySet

from highharm.accounts.permissions import Cap, user_can
from highharm.people.models import Person, Relationship


def person_visible_to(user) -> QuerySet[Person]:
    """Every person the user may see: all for unit staff, only shared people for a partner agency."""
    if not user_can(user, Cap.PERSON_VIEW):
        return Person.objects.none()
    qs = Person.objects.all()
    if user.is_agency_scoped:
        qs = qs.filter(shares__agency_id=user.agency_id) if user.agency_id else qs.none()
    return qs


def person_search(*, user, query: str, limit: int = 50) -> list[Person]:
    query = (query or "").strip()
    if not query:
        return []
    qs = person_visible_to(user)
    terms = query.split()
    if user_can(user, Cap.PERSON_VIEW_IDENTITY):
        condition = Q(reference__iexact=query) | Q(aliases__name__icontains=query)
        name_condition = Q()
        for term in terms:
            name_condition &= Q(given_name__icontains=term) | Q(family_name__icontains=term)
        condition |= name_condition
    else:
        condition = Q(reference__iexact=query)
    return list(
        qs.filter(condition).distinct().order_by("family_name", "given_name", "reference")[:limit]
    )


def person_get(*, user, reference: str) -> Person:
    """The person, or Person.DoesNotExist if absent or not visible to the user (never tell which)."""
    return person_visible_to(user).get(reference=reference)


def person_victims(*, user, person: Person) -> list[Relationship]:
    if not user_can(user, Cap.PERSON_VIEW_VICTIMS):
        return []
    return list(
        Relationship.objects.filter(perpetrator=person)
        .select_related("victim")
        .order_by("victim__reference")
    )


def person_display_name(*, user, person: Person) -> str:
    """A name for the user: the real name only where the role may see identities."""
    if user_can(user, Cap.PERSON_VIEW_IDENTITY):
        return person.full_name or person.reference
    return pseudonym(person.reference)


def pseudonym(reference: str) -> str:
    import hashlib

    from django.conf import settings

    digest = hashlib.sha256((settings.SECRET_KEY + ":" + reference).encode()).hexdigest()
    return "P-" + digest[:8].upper()
