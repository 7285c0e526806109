from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "highharm.scoring"
    label = "scoring"
