from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "apps.rosters"
    verbose_name = "名册导入导出"
