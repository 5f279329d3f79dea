"""Append-only audit of sensitive actions (reveals, ID searches, exports, uploads, approvals)."""
import pgtrigger
from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    REVEAL = "reveal", "查看完整信息"
    SEARCH_ID = "search_id", "按证件号/手机号查询"
    EXPORT = "export", "导出"
    UPLOAD = "upload", "上传"
    DOWNLOAD = "download", "下载附件"
    APPROVE = "approve", "审批"


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人",
                              on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象编号", max_length=50, blank=True)
    # Never a full ID or phone number: the audit log is read more widely than the data.
    detail = models.CharField("说明", max_length=300, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]
        triggers = [
            # The application's own database role cannot rewrite or erase history.
            pgtrigger.Protect(name="audit_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"
