from django.urls import path

from highharm.api.main import api

urlpatterns = [
    path("", api.urls),
]
