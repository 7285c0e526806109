from django.urls import path

from highharm.assessment import views

app_name = "assessment"
urlpatterns: list = [
    path("workbench/", views.workbench, name="workbench"),
]
