from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "highharm.evaluation"
    label = "evaluation"
