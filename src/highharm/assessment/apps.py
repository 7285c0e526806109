from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "highharm.assessment"
    label = "assessment"
