"""Clients of the REST API (issue 23): other systems that read and write under a role.

A client is bound to one role and one organisation through its own account (``user``), a
User row that cannot log in (no usable password; accounts.services refuses to act on it):
the API's request user *is* that account, so every queryset goes through
``scoping.visible`` unchanged, and every record it writes names it as ``recorded_by``. Only
a SHA-256 of the key is kept; its first characters (``prefix``) find the row."""
import ipaddress

from django.conf import settings
from django.db import models
from django.utils import timezone


class Grant(models.TextChoices):
    """What a client may do: one entry per kind of endpoint (apps.api.endpoints)."""
    REFERENCE = "reference", "读取地市、组织单位、输出机构、岗位项目与任务数"
    PEOPLE_READ = "people_read", "读取人员（号码脱敏）"
    PIPELINE_READ = "pipeline_read", "读取报名记录、环节记录、在外人员与归国人员"
    DEADLINES_READ = "deadlines_read", "读取期限事项"
    FIGURES_READ = "figures_read", "读取统计数据"
    PEOPLE_WRITE = "people_write", "登记人员"
    STAGES_WRITE = "stages_write", "报名与录入环节结果（合同、输出、归国等）"
    # Never implied by another grant: full ID, phone and passport numbers leave the system.
    FULL_NUMBERS = "full_numbers", "取得完整身份证号、手机号与护照号（不脱敏）"


class ClientStatus(models.TextChoices):
    PENDING = "pending", "待安全管理员授权"
    ACTIVE = "active", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已吊销"


class ApiClient(models.Model):
    name = models.CharField("客户端名称", max_length=100)
    purpose = models.CharField("用途", max_length=200,
                               help_text="如：商务厅外派劳务系统同步输出人员")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="客户端账号",
                                on_delete=models.PROTECT, related_name="api_client")
    prefix = models.CharField("密钥前缀", max_length=16, unique=True, db_collation="C")
    key_hash = models.CharField(max_length=64, editable=False, db_collation="C")
    grants = models.JSONField("授权操作", default=list)
    ip_allowlist = models.TextField("允许的来源地址",
                                    help_text="每行一个 IP 地址或网段，如 10.1.2.3 或 10.1.2.0/24")
    expires_on = models.DateField("有效期至")
    rate_limit = models.PositiveIntegerField("每分钟请求上限", default=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="授权人",
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    authorised_at = models.DateTimeField("授权时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="吊销人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoke_reason = models.CharField("吊销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two persons: whoever authorises a client did not create it.
            models.CheckConstraint(
                name="api_client_two_persons",
                condition=models.Q(authorised_by__isnull=True)
                | ~models.Q(authorised_by=models.F("created_by"))),
        ]

    def __str__(self):
        return self.name

    @property
    def status(self) -> str:
        if self.revoked_at:
            return ClientStatus.REVOKED
        if self.authorised_at is None:
            return ClientStatus.PENDING
        if timezone.localdate() > self.expires_on:
            return ClientStatus.EXPIRED
        return ClientStatus.ACTIVE

    def get_status_display(self) -> str:
        return ClientStatus(self.status).label

    @property
    def networks(self) -> list:
        return [ipaddress.ip_network(line.strip(), strict=False)
                for line in self.ip_allowlist.splitlines() if line.strip()]

    def allows_ip(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def has(self, grant: str) -> bool:
        return grant in self.grants

    def grant_labels(self) -> list[str]:
        return [Grant(g).label for g in self.grants if g in Grant.values]
