from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "apps.publicity"
    verbose_name = "信息公开"
