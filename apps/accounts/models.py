import base64
import re
import unicodedata
from urllib.parse import quote

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django_otp.models import Device
from django_otp.oath import TOTP

from apps.common.crypto import EncryptedTextField


class Role(models.TextChoices):
    PROVINCE = "province", "省专项办"
    CITY = "city", "市人社局"
    UNIT = "unit", "组织单位"
    AGENCY = "agency", "输出机构"
    OBSERVER = "observer", "观察"
    # 三员分立: three administrators, each a separate account; none sees personal data.
    SYSTEM_ADMIN = "sysadmin", "系统管理员"
    SECURITY_ADMIN = "secadmin", "安全管理员"
    AUDIT_ADMIN = "auditadmin", "审计管理员"


# Administrators work in their own console only; business pages answer 403 to them.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that must log in with a second factor (SECURITY.md §2).
TWO_FACTOR_ROLES = frozenset({Role.PROVINCE, Role.CITY}) | ADMIN_ROLES


class AccountManager(UserManager):
    def create_superuser(self, *args, **kwargs):
        # There is no Django admin and no account above the rules (三员分立): administrators
        # are made with ``manage.py admin_account_create``.
        from django.core.exceptions import ImproperlyConfigured
        raise ImproperlyConfigured("本系统不设超级用户。管理员账号请用 manage.py admin_account_create 创建。")


class User(AbstractUser):
    """A person who logs in. One role, and the one organisation the role belongs to.

    No account is Django staff or superuser (database CHECK ``user_no_staff_or_superuser``):
    the Django admin is not mounted, and a superuser would pass every permission check and
    the 三员分立 separation at once."""

    role = models.CharField("角色", max_length=16, choices=Role.choices)
    city = models.ForeignKey(
        "orgs.City", verbose_name="所属地市", on_delete=models.PROTECT, null=True, blank=True,
        related_name="users",
    )
    unit = models.ForeignKey(
        "orgs.OrganisingUnit", verbose_name="所属组织单位", on_delete=models.PROTECT,
        null=True, blank=True, related_name="users",
    )
    agency = models.ForeignKey(
        "orgs.Agency", verbose_name="所属输出机构", on_delete=models.PROTECT, null=True,
        blank=True, related_name="users",
    )
    REQUIRED_FIELDS = ["role"]
    objects = AccountManager()

    # Raised by "log out everywhere": sessions carrying an older value are ended.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # 三员分立, two persons: a role and organisation set by the system administrator take
    # effect only once the security administrator authorises them.
    scope_authorised = models.BooleanField("角色与单位已授权", default=True)
    department = models.CharField(
        "所在部门", max_length=100, blank=True, help_text="观察账号所属厅局，如：商务厅"
    )
    # Two persons for every password: a password an administrator sets is one-time (changed at
    # the next login), and a reset waits here, hashed, until the security administrator
    # authorises it; the old password works until then.
    must_change_password = models.BooleanField("须修改密码", default=False)
    pending_password = models.CharField(max_length=128, blank=True, editable=False)
    pending_password_by = models.ForeignKey(
        "self", verbose_name="重置人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    pending_password_at = models.DateTimeField("重置时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # The organisation must match the role, so scoping never meets an ambiguous user.
            models.CheckConstraint(
                name="user_org_matches_role",
                condition=(
                    Q(role__in=[Role.PROVINCE, Role.OBSERVER, Role.SYSTEM_ADMIN,
                                Role.SECURITY_ADMIN, Role.AUDIT_ADMIN], city__isnull=True,
                      unit__isnull=True, agency__isnull=True)
                    | Q(role=Role.CITY, city__isnull=False, unit__isnull=True,
                        agency__isnull=True)
                    | Q(role=Role.UNIT, unit__isnull=False, city__isnull=True,
                        agency__isnull=True)
                    | Q(role=Role.AGENCY, agency__isnull=False, city__isnull=True,
                        unit__isnull=True)
                ),
            ),
            models.CheckConstraint(name="user_no_staff_or_superuser",
                                   condition=Q(is_staff=False, is_superuser=False)),
            # "Admin" next to "admin" is a second account that reads as the first one (in the
            # console, the audit log, the security administrator's authorisation page).
            models.UniqueConstraint(
                Lower("username"), name="user_username_ci_unique",
                violation_error_message="用户名与已有账号相同（不区分大小写），请换一个用户名。"),
        ]

    # New usernames are plain ASCII: a Cyrillic "а" or a dotless "ı" would make a name that
    # looks like another account's (NFKC, applied first by Django, folds full-width forms).
    USERNAME_ASCII = re.compile(r"[A-Za-z0-9_.@+-]+")

    def clean(self):
        """The same rule as the check constraint, said in Chinese on the form."""
        super().clean()
        needs = {Role.CITY: "city", Role.UNIT: "unit", Role.AGENCY: "agency"}.get(self.role)
        labels = {"city": "所属地市", "unit": "所属组织单位", "agency": "所属输出机构"}
        errors = {}
        if self._state.adding and not self.USERNAME_ASCII.fullmatch(self.username or ""):
            errors["username"] = "用户名只能包含英文字母、数字和 @ . + - _，不能含空格或其他文字。"
        for field, label in labels.items():
            value = getattr(self, f"{field}_id")
            if field == needs and value is None:
                errors[field] = f"角色为“{self.get_role_display()}”的账号必须选择{label}。"
            elif field != needs and value is not None:
                errors[field] = f"角色为“{self.get_role_display()}”的账号不应填写{label}。"
        if errors:
            from django.core.exceptions import ValidationError
            raise ValidationError(errors)

    @property
    def organisation(self):
        """The City, OrganisingUnit or Agency this user works for (None for province/observer)."""
        return self.city or self.unit or self.agency

    @property
    def organisation_name(self) -> str:
        if self.role == Role.PROVINCE:
            return "省人社厅对外劳务输出专项工作办公室"
        if self.role == Role.OBSERVER:
            return self.department or "观察单位"
        if self.role in ADMIN_ROLES:
            return "系统运行维护"
        org = self.organisation
        return str(org) if org else ""

    def __str__(self):
        return f"{self.get_full_name() or self.username}（{self.get_role_display()}）"


class TotpDevice(Device):
    """An authenticator app (TOTP, RFC 6238). django-otp keeps its own TOTP secrets in clear;
    this device keeps the secret encrypted with the field key (SECURITY.md §2)."""

    key = EncryptedTextField("密钥")  # hex of 20 random bytes
    last_t = models.BigIntegerField(default=-1, help_text="最近一次使用的时间步，防止重放")

    class Meta:
        verbose_name = "身份验证器"
        verbose_name_plural = "身份验证器"

    STEP, DIGITS, TOLERANCE = 30, 6, 1

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    @property
    def base32_key(self) -> str:
        return base64.b32encode(self.bin_key).decode().rstrip("=")

    def provisioning_uri(self) -> str:
        label = quote(f"对外劳务输出:{self.user.username}")
        return (f"otpauth://totp/{label}?secret={self.base32_key}"
                f"&issuer={quote('对外劳务输出')}&digits={self.DIGITS}&period={self.STEP}")

    def verify_token(self, token) -> bool:
        """True once for a right code: the time step is claimed by a conditional UPDATE, so of
        two requests racing with one code (or a replay) only one verifies."""
        token = unicodedata.normalize("NFKC", str(token)).strip()
        if not (len(token) == self.DIGITS and token.isascii() and token.isdigit()):
            return False
        totp = TOTP(self.bin_key, step=self.STEP, digits=self.DIGITS)
        for drift in range(-self.TOLERANCE, self.TOLERANCE + 1):
            totp.drift = drift
            if totp.token() == int(token):
                step = totp.t()
                # A step at or before the last one used is a replay.
                claimed = type(self).objects.filter(pk=self.pk, last_t__lt=step).update(
                    last_t=step)
                if claimed:
                    self.last_t = step
                return bool(claimed)
        return False
