from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "highharm.records"
    label = "records"
