from django.apps import AppConfig


class HitportalConfig(AppConfig):
    name = "hitportal"
    verbose_name = "HIT Portal"
