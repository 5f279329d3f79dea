"""Append-only audit of sensitive actions (logins, reveals, ID searches, exports, uploads,
approvals, and what the system and security administrators do)."""
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
    PROJECT = "project", "岗位项目起草、提交、结束、对接"
    NOTICE = "notice", "政策公告发布或修改"
    PLAN = "plan", "年度任务与补助标准的开设、修改、发布"
    LOCKOUT = "lockout", "账号锁定"
    OTP_FAILED = "otp_failed", "双因素验证码错误"
    OTP_BIND = "otp_bind", "绑定或更换身份验证器"
    PASSWORD_CHANGE = "password_change", "本人修改密码"
    # Full ID/phone/passport numbers leaving the system in bulk (a stated purpose, and the
    # province's decision beyond a few people).
    DISCLOSURE = "disclosure", "申请或审批导出完整号码"
    FILE_REFUSED = "file_refused", "拒收文件"
    TRANSFER = "transfer", "人员转移"
    # System administrator
    ACCOUNT_CREATE = "account_create", "新建账号"
    ACCOUNT_CHANGE = "account_change", "修改账号"
    ACCOUNT_ACTIVE = "account_active", "停用/启用账号"
    PASSWORD_RESET = "password_reset", "重置密码"
    # Security administrator
    ACCOUNT_AUTHORISE = "account_authorise", "授权账号角色与单位"
    PASSWORD_AUTHORISE = "password_authorise", "授权密码重置"
    UNLOCK = "unlock", "解除锁定"
    OTP_RESET = "otp_reset", "重置双因素认证"
    FORCE_LOGOUT = "force_logout", "强制退出登录"
    # Business records (issue 15: every write, through its service)
    PERSON = "person", "人员登记或修改"
    EVIDENCE = "evidence", "证明材料"
    STAGE = "stage", "报名、环节结果或退出"
    SESSION = "session", "面试、体检场次"
    TRAINING = "training", "培训班"
    CLAIM = "claim", "补助资金申请"
    STANDARD = "standard", "补助标准"
    BUDGET = "budget", "预算"
    QUOTA = "quota", "任务数"
    ORG = "org", "单位、机构与合作"
    CALENDAR = "calendar", "工作日历"
    DEADLINE = "deadline", "期限规则与提醒"
    # Time rules (docs/TIME-RULES.md): dated acts the money and the timeliness depend on.
    CLASS_DATES = "class_dates", "培训班开班、结业或调整开班计划"
    GAP_LIMIT = "gap_limit", "设置环节间隔上限"
    GAP_CONFIRM = "gap_confirm", "确认超出间隔上限的环节日期"
    # Duty of care abroad (issue 18)
    INCIDENT = "incident", "境外突发事件与报告"
    COMPLAINT = "complaint", "投诉与劳务纠纷"
    FOLLOW_UP = "follow_up", "跟踪随访"
    # Yearly evaluation (issue 20): schemes, scores, objections, publication, consequences.
    EVALUATION = "evaluation", "年度评估"
    # The REST API (issue 23): its clients, and every request of one, reads included.
    API_CLIENT = "api_client", "接口客户端新建、授权、吊销"
    API_REQUEST = "api_request", "接口请求"
    # Return and after (issue 19)
    RETURNEE = "returnee", "归国人员信息与转介服务"
    # When the system or the world stops (issue 22)
    OUTAGE = "outage", "停机停工期间登记、修改或结束"
    LATE_ENTRY = "late_entry", "补录停机停工期间的纸质记录"
    # 脱贫劳动力 (issue 21)
    POVERTY = "poverty", "核实脱贫劳动力状态"
    POVERTY_TARGET = "poverty_target", "设置脱贫劳动力年度占比目标"
    # The system itself
    PURGE = "purge", "清理过期审计日志"
    FIGURES = "figures", "统计核对修正"


# The floor the database enforces whatever the settings say (SECURITY.md: at least 180 days;
# settings refuse a shorter AUDIT_RETENTION_DAYS).
RETENTION_FLOOR_DAYS = 180


class AuditEvent(models.Model):
    # Indexed with the id below: the list's keyset order, and the purge's range.
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人",
                              on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象编号", max_length=50, blank=True)
    # Never a full ID or phone number: the audit log is read more widely than the data.
    detail = models.CharField("说明", max_length=300, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    # How the write came: "task:<task> for <user>" when a task did it on someone's behalf.
    via = models.CharField("途径", max_length=120, blank=True, db_default="")
    # The upload whose commit wrote this row: a plain number, like object_id, so that the log
    # outlives the upload it names.
    upload_id = models.PositiveIntegerField("上传批次", null=True, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]
        indexes = [models.Index(fields=["at", "id"], name="audit_list_order")]
        # No pgtrigger here: its triggers obey a session setting (SET pgtrigger.ignore = …)
        # that any connection of the application may issue. Plain triggers instead, in
        # migration 0002: UPDATE always refused; DELETE refused for a row younger than
        # RETENTION_FLOOR_DAYS, so the purge can only remove what is past the retention.

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"

    @property
    def object_label(self) -> str:
        """The object's kind in Chinese (人员, 备案申请…), for the auditor's page and export."""
        from django.apps import apps
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type
