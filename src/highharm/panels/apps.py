from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "highharm.panels"
    label = "panels"
