from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "highharm.synthetic"
    label = "synthetic"
