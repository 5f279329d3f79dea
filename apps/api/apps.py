from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = "数据接口"

    def ready(self):
        from apps.api import schema  # noqa: F401 (registers the key's security scheme)
