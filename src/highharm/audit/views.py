from django.core.paginator import Paginator
from django.shortcuts import render

from highharm.accounts.decorators import capability_required
from highharm.accounts.permissions import Cap
from highharm.audit.selectors import access_log_list
from highharm.audit.services import access_log_record


@capability_required(Cap.AUDIT_VIEW)
def log(request):
    """Answers 'who looked at this person, and when' and 'what did this user look at'."""
    person = request.GET.get("person", "").strip()[:64]
    username = request.GET.get("user", "").strip()[:150]
    qs = access_log_list(
        object_type="person" if person else "", object_id=person, username=username
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    access_log_record(
        request=request,
        action="view_access_log",
        object_type="audit",
        detail={"person": person, "user": username},
    )
    return render(request, "audit/log.html", {"page": page, "person": person, "username": username})
