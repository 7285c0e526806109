import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from highharm.accounts.permissions import Cap, user_can
from highharm.people.models import Person, Relationship
from highharm.records.models import Incident, Offence


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


FLAG_FIELDS = ("domestic", "stalking", "sexual", "strangulation", "weapon", "breach")


@dataclass(frozen=True, slots=True)
class ChronologyEntry:
    """One incident as the person page shows it (no model instance per row)."""

    occurred_on: dt.date
    crime_reference: str
    offence: Offence
    victim_id: int | None
    victim_reference: str | None
    outcome: str
    flags: tuple[str, ...]


def person_chronology(
    *, person: Person, as_victim: bool = False, limit: int = 500
) -> list[ChronologyEntry]:
    """The person's incidents, newest first, as perpetrator (or as victim), at most ``limit``.

    Plain tuples from one query, and each offence fetched once, rather than four model
    instances per row (incident, offence, victim, perpetrator): for the busiest people,
    hundreds of rows, that instantiation was a large share of the page's CPU.
    """
    field = "victim" if as_victim else "perpetrator"
    rows = list(
        Incident.objects.filter(**{field: person})
        .order_by("-occurred_on", "-crime_reference")
        .values_list(
            "occurred_on",
            "crime_reference",
            "offence_id",
            "victim_id",
            "victim__reference",
            "outcome",
            *FLAG_FIELDS,
        )[:limit]
    )
    offences = Offence.objects.in_bulk({row[2] for row in rows})
    return [
        ChronologyEntry(
            occurred_on=row[0],
            crime_reference=row[1],
            offence=offences[row[2]],
            victim_id=row[3],
            victim_reference=row[4],
            outcome=row[5],
            flags=tuple(flag for flag, on in zip(FLAG_FIELDS, row[6:], strict=True) if on),
        )
        for row in rows
    ]
