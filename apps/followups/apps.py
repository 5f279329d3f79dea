from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "apps.followups"
    verbose_name = "跟踪随访"
