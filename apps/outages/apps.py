from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "apps.outages"
    verbose_name = "停机停工期间与补录"
