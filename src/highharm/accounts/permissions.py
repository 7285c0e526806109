"""THE permission matrix: role x capability.

Every view, API operation and test reads this one table. A page or endpoint
names the capability it needs; nothing else decides who may do what.
Record-level scoping (a partner-agency user sees only what is shared with
their agency) is done by the selectors, on top of this matrix.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFENDER_MANAGER = "offender_manager"
    TRIAGE_LEAD = "triage_lead"
    PANEL_CHAIR = "panel_chair"
    ANALYST = "analyst"
    PARTNER = "partner"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OFFENDER_MANAGER: "Offender manager",
    Role.TRIAGE_LEAD: "Triage lead",
    Role.PANEL_CHAIR: "Panel chair",
    Role.ANALYST: "Analyst",
    Role.PARTNER: "Partner-agency user",
    Role.SUPERVISOR: "Supervisor",
    Role.AUDITOR: "Auditor",
    Role.ADMINISTRATOR: "Administrator",
}


class Cap(StrEnum):
    """Capabilities. Names read as 'may <verb> <thing>'."""

    PERSON_SEARCH = "person.search"
    PERSON_VIEW = "person.view"
    PERSON_VIEW_IDENTITY = "person.view_identity"  # names and dates of birth, not only references
    PERSON_VIEW_VICTIMS = "person.view_victims"
    PERSON_SHARE = "person.share"
    RECORDS_IMPORT = "records.import"
    CANDIDATES_VIEW = "candidates.view"
    REFERRAL_CREATE = "referral.create"
    REFERRAL_VIEW = "referral.view"
    TRIAGE_MANAGE = "triage.manage"
    MONITORING_MANAGE = "monitoring.manage"  # act on alerts for monitored people
    ASSESSMENT_COMPLETE = "assessment.complete"
    ASSESSMENT_VALIDATE = "assessment.validate"
    PANEL_VIEW = "panel.view"
    PANEL_MANAGE = "panel.manage"
    CASE_VIEW = "case.view"
    CASE_MANAGE = "case.manage"
    CASE_ALLOCATE = "case.allocate"
    PARTNER_DIRECTORY_VIEW = "partners.view"
    PARTNER_DIRECTORY_MANAGE = "partners.manage"
    DASHBOARD_SUPERVISOR = "dashboard.supervisor"
    EVALUATION_VIEW = "evaluation.view"
    AUDIT_VIEW = "audit.view"
    USERS_MANAGE = "users.manage"
    API_TOKEN = "api.token"  # noqa: S105 (a capability name, not a secret)
    RETENTION_MANAGE = "retention.manage"  # record MoPI review decisions, dispose of records


R = Role
C = Cap

MATRIX: dict[Role, frozenset[Cap]] = {
    R.OFFENDER_MANAGER: frozenset(
        {
            C.PERSON_SEARCH,
            C.PERSON_VIEW,
            C.PERSON_VIEW_IDENTITY,
            C.PERSON_VIEW_VICTIMS,
            C.PERSON_SHARE,
            C.CANDIDATES_VIEW,
            C.REFERRAL_CREATE,
            C.REFERRAL_VIEW,
            C.MONITORING_MANAGE,
            C.ASSESSMENT_COMPLETE,
            C.PANEL_VIEW,
            C.CASE_VIEW,
            C.CASE_MANAGE,
            C.PARTNER_DIRECTORY_VIEW,
            C.API_TOKEN,
        }
    ),
    R.TRIAGE_LEAD: frozenset(
        {
            C.PERSON_SEARCH,
            C.PERSON_VIEW,
            C.PERSON_VIEW_IDENTITY,
            C.PERSON_VIEW_VICTIMS,
            C.PERSON_SHARE,
            C.CANDIDATES_VIEW,
            C.REFERRAL_CREATE,
            C.REFERRAL_VIEW,
            C.MONITORING_MANAGE,
            C.TRIAGE_MANAGE,
            C.ASSESSMENT_COMPLETE,
            C.PANEL_VIEW,
            C.CASE_VIEW,
            C.PARTNER_DIRECTORY_VIEW,
            C.API_TOKEN,
        }
    ),
    R.PANEL_CHAIR: frozenset(
        {
            C.PERSON_SEARCH,
            C.PERSON_VIEW,
            C.PERSON_VIEW_IDENTITY,
            C.PERSON_VIEW_VICTIMS,
            C.PERSON_SHARE,
            C.CANDIDATES_VIEW,
            C.REFERRAL_VIEW,
            C.ASSESSMENT_COMPLETE,
            C.PANEL_VIEW,
            C.PANEL_MANAGE,
            C.CASE_VIEW,
            C.PARTNER_DIRECTORY_VIEW,
            C.API_TOKEN,
        }
    ),
    R.ANALYST: frozenset(
        {
            C.PERSON_SEARCH,
            C.PERSON_VIEW,
            C.CANDIDATES_VIEW,
            C.RECORDS_IMPORT,
            C.ASSESSMENT_VALIDATE,
            C.EVALUATION_VIEW,
            C.PARTNER_DIRECTORY_VIEW,
            C.API_TOKEN,
        }
    ),
    R.PARTNER: frozenset(
        {
            C.PERSON_SEARCH,
            C.PERSON_VIEW,
            C.PERSON_VIEW_IDENTITY,
            C.REFERRAL_CREATE,
            C.REFERRAL_VIEW,  # only their own agency's referrals (referrals.selectors)
            C.PANEL_VIEW,
            C.CASE_VIEW,
            C.PARTNER_DIRECTORY_VIEW,
            C.API_TOKEN,
        }
    ),
    R.SUPERVISOR: frozenset(
        {
            C.PERSON_SEARCH,
            C.PERSON_VIEW,
            C.PERSON_VIEW_IDENTITY,
            C.PERSON_VIEW_VICTIMS,
            C.PERSON_SHARE,
            C.CANDIDATES_VIEW,
            C.REFERRAL_CREATE,
            C.REFERRAL_VIEW,
            C.MONITORING_MANAGE,
            C.TRIAGE_MANAGE,
            C.ASSESSMENT_COMPLETE,
            C.ASSESSMENT_VALIDATE,
            C.PANEL_VIEW,
            C.PANEL_MANAGE,
            C.CASE_VIEW,
            C.CASE_MANAGE,
            C.CASE_ALLOCATE,
            C.PARTNER_DIRECTORY_VIEW,
            C.PARTNER_DIRECTORY_MANAGE,
            C.DASHBOARD_SUPERVISOR,
            C.EVALUATION_VIEW,
            C.API_TOKEN,
            C.RETENTION_MANAGE,
        }
    ),
    R.AUDITOR: frozenset({C.AUDIT_VIEW, C.PERSON_SEARCH, C.PERSON_VIEW}),
    R.ADMINISTRATOR: frozenset(
        {C.USERS_MANAGE, C.RECORDS_IMPORT, C.PARTNER_DIRECTORY_VIEW, C.PARTNER_DIRECTORY_MANAGE}
    ),
}

# Roles whose record access is limited to what is shared with their agency.
AGENCY_SCOPED_ROLES = frozenset({Role.PARTNER})


def role_can(role: str | Role | None, capability: Cap | str) -> bool:
    if not role:
        return False
    try:
        return Cap(capability) in MATRIX[Role(role)]
    except ValueError:
        return False


def user_can(user, capability: Cap | str) -> bool:
    """True when an active, authenticated user's role grants the capability."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return role_can(getattr(user, "role", None), capability)


def roles_with(capability: Cap | str) -> set[Role]:
    return {role for role in Role if role_can(role, capability)}
