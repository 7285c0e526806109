from django.urls import path

from highharm.assessment import views

app_name = "assessment"
urlpatterns: list = [
    path("workbench/", views.workbench, name="workbench"),
    path("backtest/", views.backtest_page, name="backtest"),
    path("overrides/", views.override_report, name="overrides"),
    path("people/<str:reference>/", views.person_assessments, name="person"),
    path("people/<str:reference>/new/<slug:instrument>/", views.assessment_new, name="new"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
]
