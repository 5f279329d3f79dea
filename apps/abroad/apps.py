from django.apps import AppConfig


class AbroadConfig(AppConfig):
    name = "apps.abroad"
    verbose_name = "在外人员"
