from django.db.models import QuerySet

from highharm.records.models import Incident, Offence


def incident_chronology(*, person, as_victim: bool = False) -> QuerySet[Incident]:
    field = "victim" if as_victim else "perpetrator"
    return (
        Incident.objects.filter(**{field: person})
        .select_related("offence", "victim", "perpetrator")
        .order_by("-occurred_on", "-crime_reference")
    )


def offence_list() -> QuerySet[Offence]:
    return Offence.objects.all().order_by("category", "code")
