from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "apps.workdays"
    verbose_name = "工作日历"
