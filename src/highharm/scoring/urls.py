from django.urls import path

from highharm.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.candidates, name="candidates"),
]
