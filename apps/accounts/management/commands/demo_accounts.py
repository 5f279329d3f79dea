from django.core.management.base import BaseCommand

from apps.accounts.demo import DEMO_PASSWORD, demo_accounts_create


class Command(BaseCommand):
    help = "Create one demo account per role (refused when PRODUCTION is on)."

    def handle(self, *args, **options):
        rows = demo_accounts_create()
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, role, org in rows:
            self.stdout.write(f"  {username:<10} {role:<6} {org}")
