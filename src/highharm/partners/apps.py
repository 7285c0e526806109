from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "highharm.partners"
    label = "partners"
