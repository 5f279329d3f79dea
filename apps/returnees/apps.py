from django.apps import AppConfig


class ReturneesConfig(AppConfig):
    name = "apps.returnees"
    verbose_name = "归国人员"
