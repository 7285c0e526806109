from django.http import Http404
from django.shortcuts import render

from highharm.accounts.decorators import capability_required
from highharm.accounts.permissions import Cap, user_can
from highharm.audit.services import access_log_record
from highharm.charts import harm_timeline_svg
from highharm.people import selectors
from highharm.people.chronology import (
    category_labels,
    chronology_rows_html,
    victim_incident_items_html,
)
from highharm.people.models import Person


@capability_required(Cap.PERSON_SEARCH)
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        results = selectors.person_search(user=request.user, query=query)
        access_log_record(
            request=request,
            action="search",
            object_type="person",
            detail={"query": query, "results": len(results)},
        )
    rows = [
        {"person": p, "name": selectors.person_display_name(user=request.user, person=p)}
        for p in results
    ]
    return render(
        request,
        "people/search.html",
        {
            "query": query,
            "rows": rows,
            "show_identity": user_can(request.user, Cap.PERSON_VIEW_IDENTITY),
        },
    )


@capability_required(Cap.PERSON_VIEW)
def person_detail(request, reference: str):
    try:
        person = selectors.person_get(user=request.user, reference=reference)
    except Person.DoesNotExist:
        raise Http404("No such person, or not shared with you")
    access_log_record(
        request=request, action="view_person", object_type="person", object_id=person.reference
    )
    incidents = selectors.person_chronology(person=person, limit=500)
    victim_incidents = (
        selectors.person_chronology(person=person, as_victim=True, limit=200)
        if user_can(request.user, Cap.PERSON_VIEW_VICTIMS)
        else []
    )
    total_harm = sum(i.offence.harm_days for i in incidents)
    show_victims = user_can(request.user, Cap.PERSON_VIEW_VICTIMS)
    categories = category_labels(incidents)
    # Hand-written SVG, inline: a few ms (7 for 400 incidents) where matplotlib took 100-200.
    chart = (
        harm_timeline_svg(
            [(i.occurred_on, i.offence.harm_days, categories[i.offence.pk]) for i in incidents],
            title="Harm of each incident as perpetrator",
        )
        if incidents
        else ""
    )
    context = {
        "person": person,
        "display_name": selectors.person_display_name(user=request.user, person=person),
        "show_identity": user_can(request.user, Cap.PERSON_VIEW_IDENTITY),
        "show_victims": show_victims,
        "victims": selectors.person_victims(user=request.user, person=person),
        "incidents": incidents,
        # Rows written in one pass (people/chronology.py): a template loop over 400 rows
        # took most of the busiest person's page.
        "chronology_rows": chronology_rows_html(incidents, show_victims=show_victims),
        "victim_incidents": victim_incidents,
        "victim_incident_items": victim_incident_items_html(victim_incidents),
        "total_harm": total_harm,
        "chart": chart,
        "extra_sections": person_page_sections(request=request, person=person),
    }
    return render(request, "people/person_detail.html", context)


def person_page_sections(*, request, person) -> list[dict]:
    """Sections other apps add to the person page (score history, referrals, case).

    Each entry in PERSON_PAGE_SECTIONS is a dotted path to a function
    (request, person) -> {"title", "template", "context"} or None.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    sections = []
    for dotted in getattr(settings, "PERSON_PAGE_SECTIONS", []):
        section = import_string(dotted)(request=request, person=person)
        if section:
            sections.append(section)
    return sections
