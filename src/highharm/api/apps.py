from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "highharm.api"
    label = "api"
