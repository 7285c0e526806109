"""The Highharm API: django-ninja under /api/v1, OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Highharm API",
    version="1",
    description="Referrals, triage, panels and cases: the same services, selectors and permission matrix as the pages.",
    urls_namespace="api",
    docs_url=None,
)


@api.get("/health", auth=None, tags=["system"])
def health(request):
    """Liveness check: answers without touching personal data."""
    return {"status": "ok"}


health.public = True
