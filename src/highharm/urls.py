from django.urls import include, path

from highharm.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("highharm.accounts.urls")),
    path("people/", include("highharm.people.urls")),
    path("audit/", include("highharm.audit.urls")),
    path("candidates/", include("highharm.scoring.urls")),
    path("referrals/", include("highharm.referrals.urls")),
    path("assessment/", include("highharm.assessment.urls")),
    path("panels/", include("highharm.panels.urls")),
    path("cases/", include("highharm.cases.urls")),
    path("partners/", include("highharm.partners.urls")),
    path("evaluation/", include("highharm.evaluation.urls")),
    path("api/v1/", include("highharm.api.urls")),
]

handler403 = "highharm.accounts.views.forbidden"
handler404 = "highharm.accounts.views.not_found"
