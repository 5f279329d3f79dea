"""Create an administrator account (系统/安全/审计管理员) on the server.

Administrators are never made from the web: the system administrator's console gives business
roles only, so no web account can make itself or another one an administrator."""
import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import ADMIN_ROLES, Role, User
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.wording import error_text


class Command(BaseCommand):
    help = "Create an administrator account: sysadmin, secadmin or auditadmin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ADMIN_ROLES))
        parser.add_argument("--name", default="", help="the person's name")

    def handle(self, username, role, name, **options):
        user = User(username=username, role=role, first_name=name)
        try:  # the model's rules on the username (ASCII, unique whatever the case)
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(error_text(error))
        username = user.username
        password = getpass.getpass("密码：")
        if password != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(error_text(error))
        user.set_password(password)
        with transaction.atomic():
            user.save()
            audit_log(None, AuditAction.ACCOUNT_CREATE, user,
                      detail=f"账号 {username}：{Role(role).label}（服务器命令创建）")
        self.stdout.write(f"已创建{Role(role).label}账号 {username}，首次登录须绑定身份验证器。")
