from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from apps.accounts import signals  # noqa: F401 (connects the audit receivers)
