from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "highharm.cases"
    label = "cases"
