from highharm.accounts.permissions import Cap, user_can

# (label, url name, capability); the header shows the links the role may use.
NAVIGATION = [
    ("Home", "home", None),
    ("Search", "people:search", Cap.PERSON_SEARCH),
    ("Candidates", "scoring:candidates", Cap.CANDIDATES_VIEW),
    ("Referrals", "referrals:list", Cap.REFERRAL_VIEW),
    ("Triage", "referrals:meetings", Cap.TRIAGE_MANAGE),
    ("Panels", "panels:list", Cap.PANEL_VIEW),
    ("Cases", "cases:list", Cap.CASE_VIEW),
    ("Validation", "assessment:workbench", Cap.ASSESSMENT_VALIDATE),
    ("Evaluation", "evaluation:report", Cap.EVALUATION_VIEW),
    ("Partners", "partners:list", Cap.PARTNER_DIRECTORY_MANAGE),
    ("Access log", "audit:log", Cap.AUDIT_VIEW),
]


def navigation(request):
    from django.urls import NoReverseMatch, reverse

    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name, cap in NAVIGATION:
            if cap is not None and not user_can(user, cap):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path == url})
    return {"nav_items": items}
