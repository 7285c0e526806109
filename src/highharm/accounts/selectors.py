from django.urls import NoReverseMatch, reverse

from highharm.accounts.permissions import Cap, user_can

# The home page shows each role the parts of the system it uses, in the order of the unit's cycle.
HOME_PANELS = [
    (Cap.PERSON_SEARCH, "Find a person", "Search nominals by name or reference.", "people:search"),
    (
        Cap.CANDIDATES_VIEW,
        "Candidate list",
        "Perpetrators ranked by recency, frequency, harm and victims, each score explained.",
        "scoring:candidates",
    ),
    (
        Cap.REFERRAL_CREATE,
        "Make a referral",
        "Refer a perpetrator to the High Harm Unit for triage.",
        "referrals:create",
    ),
    (
        Cap.REFERRAL_VIEW,
        "Referrals",
        "Referrals received and where each stands.",
        "referrals:list",
    ),
    (
        Cap.TRIAGE_MANAGE,
        "Triage",
        "Monthly triage meetings and their queue of referrals.",
        "referrals:meetings",
    ),
    (
        Cap.MONITORING_MANAGE,
        "Monitoring",
        "People watched after triage or after their case closed, and alerts on new incidents.",
        "referrals:monitoring",
    ),
    (
        Cap.PANEL_VIEW,
        "Panel meetings",
        "High Harm Perpetrator Panel meetings, packs, minutes and actions.",
        "panels:list",
    ),
    (
        Cap.CASE_VIEW,
        "Cases",
        "Managed perpetrators: plans, interventions, orders, contacts.",
        "cases:list",
    ),
    (
        Cap.DASHBOARD_SUPERVISOR,
        "Unit dashboard",
        "Caseloads, allocation and capacity against demand.",
        "cases:supervisor",
    ),
    (
        Cap.ASSESSMENT_VALIDATE,
        "Validation workbench",
        "Test a risk instrument's accuracy and fairness.",
        "assessment:workbench",
    ),
    (
        Cap.EVALUATION_VIEW,
        "Evaluation",
        "Did managing these perpetrators reduce harm?",
        "evaluation:report",
    ),
    (
        Cap.PARTNER_DIRECTORY_VIEW,
        "Partner agencies",
        "Agencies, their services and capacity.",
        "partners:list",
    ),
    (Cap.AUDIT_VIEW, "Access log", "Who looked at whom, and when.", "audit:log"),
]


def home_panels_for(user) -> list[dict]:
    panels = []
    for cap, title, text, url_name in HOME_PANELS:
        if not user_can(user, cap):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        panels.append({"title": title, "text": text, "url": url})
    return panels
