"""Complaints and labour disputes of workers abroad (issue 18, item 3: 投诉 / 劳务纠纷).

A case is filed for a worker (a candidacy that has departed) by the unit, city, agency or
province. Its allowed moves are data (transitions.py); services.py is the only writer of
``state``, ``level`` and the hold fields, and every change leaves a ``ComplaintStep``. What is
owed by when (the agency's reply, the resolution) are ``deadlines.DeadlineItem`` rows whose
subject is the case, counted in working days."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    LETTER = "letter", "信函"
    VISIT = "visit", "来访"
    EMBASSY = "embassy", "使领馆转办"
    ONLINE = "online", "网上"


class Kind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    DISPUTE = "dispute", "劳务纠纷"


class Category(models.TextChoices):
    WAGES = "wages", "工资报酬"
    FEES = "fees", "收费与押金"
    CONTRACT = "contract", "合同履行"
    CONDITIONS = "conditions", "劳动条件与工时"
    INJURY = "injury", "工伤与疾病"
    SAFETY = "safety", "人身安全与权益"
    REPATRIATION = "repatriation", "回国安排"
    OTHER = "other", "其他"


class Respondent(models.TextChoices):
    AGENCY = "agency", "输出机构"
    UNIT = "unit", "组织单位"
    EMPLOYER = "employer", "外方用工企业"


class State(models.TextChoices):
    RECEIVED = "received", "已登记"
    ACCEPTED = "accepted", "已受理"
    OUT_OF_SCOPE = "out_of_scope", "不予受理"
    WITH_AGENCY = "with_agency", "输出机构办理中"
    MEDIATION = "mediation", "调解中"
    ON_HOLD = "on_hold", "暂停中"
    RESOLVED = "resolved", "已办结"
    CLOSED = "closed", "已结案"


# States in which the case is being worked on (its resolution clock runs unless on hold).
OPEN_STATES = (State.RECEIVED, State.ACCEPTED, State.WITH_AGENCY, State.MEDIATION,
               State.ON_HOLD)
RUNNING_STATES = (State.ACCEPTED, State.WITH_AGENCY, State.MEDIATION)


class Level(models.TextChoices):
    UNIT = "unit", "组织单位"
    CITY = "city", "市人社局"
    PROVINCE = "province", "专项办"


class Outcome(models.TextChoices):
    UPHELD = "upheld", "诉求成立"
    PARTLY = "partly", "部分成立"
    REJECTED = "rejected", "诉求不成立"
    WITHDRAWN = "withdrawn", "申请人撤回"
    COURT = "court", "移送法院"
    POLICE = "police", "移送公安机关"


class Complaint(models.Model):
    candidacy = models.ForeignKey("pipeline.Candidacy", verbose_name="劳务人员（报名记录）",
                                  on_delete=models.PROTECT, related_name="complaints")
    # Scope: copied from the candidacy when filed (who handles and who sees it).
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                 on_delete=models.PROTECT, related_name="+")
    filed_role = models.CharField("登记方角色", max_length=10)
    filed_org = models.CharField("登记单位", max_length=100, blank=True)
    filed_agency = models.ForeignKey("orgs.Agency", verbose_name="登记机构",
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices)
    received_on = models.DateField("收到日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    respondent_kind = models.CharField("被投诉方类型", max_length=10, choices=Respondent.choices)
    respondent_agency = models.ForeignKey("orgs.Agency", verbose_name="被投诉输出机构",
                                          on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    respondent_unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="被投诉组织单位",
                                        on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    respondent_employer = models.CharField("外方用工企业名称", max_length=100, blank=True)
    summary = models.TextField("事由及诉求", max_length=2000)
    state = models.CharField("状态", max_length=15, choices=State.choices,
                             default=State.RECEIVED)
    level = models.CharField("办理层级", max_length=10, choices=Level.choices)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    transferred_to = models.ForeignKey("orgs.Agency", verbose_name="转办输出机构",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    agency_reply = models.TextField("输出机构答复", blank=True)
    held_since = models.DateField("暂停起始日期", null=True, blank=True)
    hold_reason = models.CharField("暂停原因", max_length=200, blank=True)
    held_from_state = models.CharField("暂停前状态", max_length=15, choices=State.choices,
                                       blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    outcome = models.CharField("办理结果", max_length=10, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField("挽回金额（元）", max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    resolved_on = models.DateField("办结日期", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    sensitive = models.BooleanField("敏感案件", default=False,
                                    help_text="仅指定经办人和登记人可见")
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="指定经办人",
                                      blank=True, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "投诉纠纷"
        verbose_name_plural = "投诉纠纷"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["state", "level"]),
                   models.Index(fields=["received_on", "id"], name="complaint_list_order")]
        constraints = [
            # A hold keeps where it came from and why; no hold fields outside a hold.
            models.CheckConstraint(
                condition=(Q(state="on_hold", held_since__isnull=False)
                           & ~Q(hold_reason="") & ~Q(held_from_state=""))
                | (~Q(state="on_hold") & Q(held_since__isnull=True)),
                name="complaint_hold_has_reason"),
            models.CheckConstraint(condition=Q(amount_recovered__isnull=True)
                                   | Q(amount_recovered__gte=0),
                                   name="complaint_recovered_not_negative"),
        ]

    def __str__(self):
        # A sensitive case's name stays off inboxes and e-mails that the whole office reads.
        if self.sensitive:
            return f"{self.number}（敏感案件）"
        return f"{self.number} {self.candidacy.person.name}（{self.get_kind_display()}）"

    @property
    def number(self) -> str:
        return f"TS{self.received_on:%Y}-{self.pk:06d}"

    def get_absolute_url(self):
        return reverse("complaints:complaint_detail", args=[self.pk])

    @property
    def respondent_label(self) -> str:
        if self.respondent_kind == Respondent.AGENCY:
            return str(self.respondent_agency or "—")
        if self.respondent_kind == Respondent.UNIT:
            return str(self.respondent_unit or "—")
        return self.respondent_employer or "—"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ClaimKind(models.TextChoices):
    WAGES = "wages", "工资"
    DEPOSIT = "deposit", "押金（保证金）"
    FEE_REFUND = "fee_refund", "退还费用"
    COMPENSATION = "compensation", "赔偿"
    REPATRIATION = "repatriation", "回国费用"
    OTHER = "other", "其他"


class ComplaintClaim(models.Model):
    """One claim of the worker and the amount claimed (元)."""
    complaint = models.ForeignKey(Complaint, verbose_name="投诉纠纷", on_delete=models.CASCADE,
                                  related_name="claims")
    kind = models.CharField("诉求类型", max_length=15, choices=ClaimKind.choices)
    amount = models.DecimalField("诉求金额（元）", max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0),
                                              name="complaint_claim_not_negative")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}元"


def evidence_path(instance, filename):
    return f"complaints/{instance.complaint_id}/{filename}"


class ComplaintEvidence(models.Model):
    """A scan or photo behind a case; checked by apps.common.files.document_accept, stored
    under MEDIA_ROOT and served only through the scoped view."""
    complaint = models.ForeignKey(Complaint, verbose_name="投诉纠纷", on_delete=models.PROTECT,
                                  related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path)
    description = models.CharField("材料说明", max_length=100)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人",
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "投诉证据材料"
        verbose_name_plural = "投诉证据材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.description


class StepAction(models.TextChoices):
    FILE = "file", "登记"
    ACCEPT = "accept", "受理"
    REFUSE = "refuse", "不予受理"
    TRANSFER = "transfer", "转输出机构办理"
    REPLY = "reply", "输出机构答复"
    MEDIATE = "mediate", "开始调解"
    HOLD = "hold", "暂停"
    RESUME = "resume", "恢复办理"
    RESOLVE = "resolve", "办结"
    CLOSE = "close", "结案"
    REOPEN = "reopen", "重新办理"
    ESCALATE = "escalate", "逾期升级"
    EDIT = "edit", "修改类别或被投诉方"
    OFFICERS = "officers", "设置敏感与经办人"
    EVIDENCE = "evidence", "上传证据材料"


class ComplaintStep(models.Model):
    """Every change of a case: state, level and clock; who (empty: the system), when, why."""
    complaint = models.ForeignKey(Complaint, verbose_name="投诉纠纷", on_delete=models.CASCADE,
                                  related_name="steps")
    action = models.CharField("操作", max_length=10, choices=StepAction.choices)
    from_state = models.CharField("原状态", max_length=15, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=15, choices=State.choices, blank=True)
    from_level = models.CharField("原层级", max_length=10, choices=Level.choices, blank=True)
    to_level = models.CharField("新层级", max_length=10, choices=Level.choices, blank=True)
    on = models.DateField("发生日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人",
                           on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    # A clock change: the working days the pause lasted, and the resolution due day after it.
    days_paused = models.SmallIntegerField("暂停工作日", null=True, blank=True)
    due_on = models.DateField("新的办结期限", null=True, blank=True)
    # 补录 (issue 22): done on paper during a declared outage period on ``on``, entered later.
    paper_form_no = models.CharField("纸质表单编号（补录）", max_length=50, blank=True,
                                     db_default="")

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.on}"
