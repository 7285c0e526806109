"""The Highharm API: django-ninja under /api/v1, OpenAPI at /api/v1/openapi.json.

Every operation uses the same services, selectors and permission matrix as the
pages: `@requires(Cap.X)` names its capability, and the selectors scope records
to what the user may see.
"""

from ninja import NinjaAPI

from highharm.api import errors
from highharm.api.auth import AUTH
from highharm.api.routers.assessments import router as assessments_router
from highharm.api.routers.cases import router as cases_router
from highharm.api.routers.panels import router as panels_router
from highharm.api.routers.people import router as people_router
from highharm.api.routers.referrals import router as referrals_router
from highharm.api.routers.triage import router as triage_router

api = NinjaAPI(
    title="Highharm API",
    version="1",
    description=(
        "Referrals, triage, panels and cases: the same services, selectors and permission "
        "matrix as the pages. Authenticate with `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    auth=AUTH,
    docs_url=None,
)


@api.get("/health", auth=None, tags=["system"])
def health(request):
    """Liveness check: answers without touching personal data."""
    return {"status": "ok"}


health.public = True

api.add_router("/people", people_router)
api.add_router("/referrals", referrals_router)
api.add_router("/triage", triage_router)
api.add_router("/panels", panels_router)
api.add_router("/cases", cases_router)
api.add_router("/assessments", assessments_router)

errors.install(api)
