from django.core.management.base import BaseCommand

from apps.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from apps.accounts.demo_world import demo_world_load
from apps.api.demo import DEMO_CLIENT, demo_api_client


class Command(BaseCommand):
    help = ("Create one demo account per role and, once, a small demo world for them "
            "(refused when PRODUCTION is on).")

    def handle(self, *args, **options):
        rows = demo_accounts_create()
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, role, org in rows:
            self.stdout.write(f"  {username:<10} {role:<6} {org}")
        if demo_world_load():
            self.stdout.write("已载入演示数据（日期以今天为准）：山西大学的报名人员、强化培训班、非建制班与补助资金申请。")
        key = demo_api_client()
        if key:
            self.stdout.write(f"演示接口客户端“{DEMO_CLIENT}”的密钥（只显示这一次）：{key}")
