from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "highharm.people"
    label = "people"
