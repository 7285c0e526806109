from django.urls import path

from highharm.people import views

app_name = "people"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("<str:reference>/", views.person_detail, name="detail"),
]
