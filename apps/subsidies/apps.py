from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "apps.subsidies"
    verbose_name = "补助资金"
