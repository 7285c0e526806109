from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "highharm.accounts"
    label = "accounts"
