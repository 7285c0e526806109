from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "highharm.referrals"
    label = "referrals"
