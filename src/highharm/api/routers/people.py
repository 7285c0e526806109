import datetime as dt

from django.http import Http404
from ninja import Router, Schema

from highharm.accounts.permissions import Cap, user_can
from highharm.api.auth import requires
from highharm.audit.services import access_log_record
from highharm.people import selectors
from highharm.people.models import Person
from highharm.records.selectors import incident_chronology

router = Router(tags=["people"])


class PersonOut(Schema):
    reference: str
    name: str
    date_of_birth: dt.date | None = None
    gender: str


class IncidentOut(Schema):
    crime_reference: str
    occurred_on: dt.date
    offence_code: str
    offence_name: str
    harm_days: float
    victim_reference: str | None = None
    flags: list[str]


class PersonDetailOut(PersonOut):
    incidents: list[IncidentOut]


def _person_out(user, person: Person) -> dict:
    identity = user_can(user, Cap.PERSON_VIEW_IDENTITY)
    return {
        "reference": person.reference,
        "name": selectors.person_display_name(user=user, person=person),
        "date_of_birth": person.date_of_birth if identity else None,
        "gender": person.gender,
    }


@router.get("/", response=list[PersonOut])
@requires(Cap.PERSON_SEARCH)
def person_search(request, q: str):
    """Search by name, alias or reference (names only for roles that may see them). Logged."""
    results = selectors.person_search(user=request.user, query=q[:100])
    access_log_record(
        request=request,
        action="search",
        object_type="person",
        detail={"query": q[:100], "results": len(results), "api": True},
    )
    return [_person_out(request.user, p) for p in results]


@router.get("/{reference}", response=PersonDetailOut)
@requires(Cap.PERSON_VIEW)
def person_detail(request, reference: str):
    """One person and their chronology as perpetrator. Logged."""
    try:
        person = selectors.person_get(user=request.user, reference=reference)
    except Person.DoesNotExist:
        raise Http404("Not found")
    access_log_record(
        request=request,
        action="view_person",
        object_type="person",
        object_id=person.reference,
        detail={"api": True},
    )
    show_victims = user_can(request.user, Cap.PERSON_VIEW_VICTIMS)
    incidents = [
        {
            "crime_reference": i.crime_reference,
            "occurred_on": i.occurred_on,
            "offence_code": i.offence.code,
            "offence_name": i.offence.name,
            "harm_days": i.offence.harm_days,
            "victim_reference": i.victim.reference if (show_victims and i.victim) else None,
            "flags": i.flag_names,
        }
        for i in incident_chronology(person=person)[:500]
    ]
    return {**_person_out(request.user, person), "incidents": incidents}
