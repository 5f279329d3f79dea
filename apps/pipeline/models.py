"""A person's pass through the screening pipeline for one job project (SPEC §4).

报名 → 初试 → 体检 → 复试 → 合同 → 培训 → 输出 → 归国. The allowed moves are data
(transitions.py); services.py is the only writer of ``stage``, ``result`` and ``status``.
"""
from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from apps.common.crypto import EncryptedTextField
from apps.registry.idnumber import mask_phone


class Stage(models.TextChoices):
    REGISTERED = "registered", "报名"
    FIRST_INTERVIEW = "first_interview", "初试"
    MEDICAL = "medical", "体检"
    SECOND_INTERVIEW = "second_interview", "复试"
    CONTRACT = "contract", "合同"
    TRAINING = "training", "培训"
    DEPARTURE = "departure", "输出"
    RETURN = "return", "归国"


class Result(models.TextChoices):
    REGISTERED = "registered", "已报名"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    ABSENT = "absent", "未参加"
    SIGNED = "signed", "签订"
    NOT_SIGNED = "not_signed", "未签订"
    INCOMPLETE = "incomplete", "未完成"
    DEPARTED = "departed", "已输出"
    NOT_DEPARTED = "not_departed", "未输出"
    RETURNED = "returned", "已归国"


class CandidacyStatus(models.TextChoices):
    ACTIVE = "active", "进行中"
    ABROAD = "abroad", "在外就业"
    RETURNED = "returned", "已归国"
    ENDED = "ended", "已终止"
    WITHDRAWN = "withdrawn", "中途退出"


OPEN_STATUSES = (CandidacyStatus.ACTIVE, CandidacyStatus.ABROAD)


# 归国 (issue 19): why people come back is the programme's strongest signal of how a project,
# an employer or an agency served them, so the kind and the cause are a list, not free text.
class ReturnKind(models.TextChoices):
    COMPLETED = "completed", "合同期满回国"
    EARLY = "early", "提前回国"


class ReturnCause(models.TextChoices):
    """Causes of an early return, in the order the Philippines' reintegration centre counts
    them (contract violations and unpaid wages first)."""
    EMPLOYER_BREACH = "employer_breach", "雇主欠薪或违反合同"
    DISMISSAL = "dismissal", "被雇主解雇"
    ABUSE = "abuse", "遭受虐待或侵害"
    RETRENCHMENT = "retrenchment", "雇主裁员、停产或倒闭"
    ILLNESS = "illness", "疾病或受伤"
    DEATH = "death", "死亡"
    WORKER_BREACH = "worker_breach", "劳务人员违约或擅自脱离"
    VISA = "visa", "签证（在留资格）未获续签"
    DETENTION = "detention", "被拘留或遣返"
    EVACUATION = "evacuation", "撤离（战乱、灾害、疫情等）"
    OWN_WISH = "own_wish", "家庭原因或本人意愿"
    OTHER = "other", "其他"


class ReturnReporter(models.TextChoices):
    WORKER = "worker", "劳务人员本人"
    FAMILY = "family", "家属"
    AGENCY = "agency", "输出机构驻外人员"
    EMPLOYER = "employer", "外方用工企业"
    EMBASSY = "embassy", "驻外使领馆"
    UNIT = "unit", "组织单位"
    OTHER = "other", "其他"


class ReturnCheck(models.TextChoices):
    PASSPORT = "passport", "查验护照出入境签章"
    BORDER = "border", "出入境管理部门核查"
    TICKET = "ticket", "机票或登机牌"
    IN_PERSON = "in_person", "本人到场核实"
    PHONE = "phone", "电话核实"
    EMPLOYER_PAPER = "employer_paper", "雇主出具的离职证明"
    UNVERIFIED = "unverified", "尚未核实"


class RejoinReview(models.TextChoices):
    """A returnee whose return was their own breach registers again: the agency decides."""
    PENDING = "pending", "待输出机构决定"
    ACCEPTED = "accepted", "输出机构同意再次报名"
    REFUSED = "refused", "输出机构不同意"

# The details a stage may carry, as users call them.
DETAIL_LABELS = {
    "hospital": "体检医院",
    "contract_trade": "工种",
    "contract_term": "合同期限",
    "service_fee": "服务费（元）",
    "loan_applied": "已申请贴息贷款",
    "certificate_no": "培训合格证编号",
    "passport_no": "护照号",
    "residence_status_no": "在留资格号",
    "country": "输出国",
    "departure_trade": "输出工种",
    "employer": "外方用工企业",
    "not_departed_reason": "未输出原因",
    "return_kind": "归国类型",
    "return_cause": "提前回国原因",
    "return_reason": "归国原因说明",
    "owed_wages": "尚欠工资（元）",
    "owed_deposit": "未退押金或保证金（元）",
    "return_reported_by": "报告人",
    "return_verified_by": "核实方式",
    "return_phone": "归国后联系电话",
    "note": "备注",
    "gap_reason": "间隔超限说明",
    "paper_form_no": "补录：纸质表单编号",
}
# Details whose stored value is a code: the timeline shows the label.
DETAIL_CHOICES = {"return_kind": ReturnKind, "return_cause": ReturnCause,
                  "return_reported_by": ReturnReporter, "return_verified_by": ReturnCheck}


# The 在外人员 register's order, its index and its keyset: the contract's end (an unknown end
# as the farthest date, so last), then the departure, then the id.
NO_END = date(9999, 12, 31)
ABROAD_ENDS = Coalesce(models.F("contract_ends_on"), models.Value(NO_END))
ABROAD_ORDER = (ABROAD_ENDS, models.F("departed_on"), models.F("id"))


@pghistory.track(model_name="CandidacyHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class Candidacy(models.Model):
    """One row of the 花名表 (附件6): one person, one project, one pass through the stages."""

    person = models.ForeignKey("registry.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="candidacies")
    project = models.ForeignKey("projects.JobProject", verbose_name="岗位项目",
                                on_delete=models.PROTECT, related_name="candidacies")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="candidacies")
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             related_name="candidacies")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               related_name="candidacies")
    stage = models.CharField("当前环节", max_length=20, choices=Stage.choices,
                             default=Stage.REGISTERED)
    result = models.CharField("环节结果", max_length=20, choices=Result.choices,
                              default=Result.REGISTERED)
    stage_on = models.DateField("环节日期")
    status = models.CharField("状态", max_length=10, choices=CandidacyStatus.choices,
                              default=CandidacyStatus.ACTIVE)
    breach = models.BooleanField("违约", default=False,
                                 help_text="签订合同后中途退出视为违约")
    # 合同
    contract_trade = models.CharField("合同工种", max_length=50, blank=True)
    contract_term = models.CharField("合同期限", max_length=20, blank=True)
    service_fee = models.DecimalField("服务费（元）", max_digits=10, decimal_places=2,
                                      null=True, blank=True)
    loan_applied = models.BooleanField("申请贴息贷款", default=False)
    # 培训
    certificate_no = models.CharField("培训合格证编号", max_length=50, blank=True)
    # 输出
    residence_status_no = models.CharField("在留资格号", max_length=50, blank=True)
    country = models.CharField("输出国", max_length=30, blank=True)
    departure_trade = models.CharField("输出工种", max_length=50, blank=True)
    departed_on = models.DateField("输出时间", null=True, blank=True)
    employer = models.CharField("外方用工企业", max_length=100, blank=True)
    # Departure plus the contract term (apps.abroad.terms), kept by candidacy_record whenever
    # either changes: the 在外人员 register sorts and filters on it through an index, and the
    # reminders before a contract ends are due from it. None: the term cannot be read.
    contract_ends_on = models.DateField("预计回国日期", null=True, blank=True)
    not_departed_reason = models.CharField("未输出原因", max_length=200, blank=True)
    # 归国
    returned_on = models.DateField("归国时间", null=True, blank=True)
    return_kind = models.CharField("归国类型", max_length=10, choices=ReturnKind.choices,
                                   blank=True)
    return_cause = models.CharField("提前回国原因", max_length=20, choices=ReturnCause.choices,
                                    blank=True)
    # The words as reported (and, for returns recorded before the list, as they were typed).
    return_reason = models.CharField("归国原因说明", max_length=200, blank=True)
    owed_wages = models.DecimalField("尚欠工资（元）", max_digits=12, decimal_places=2,
                                     null=True, blank=True)
    owed_deposit = models.DecimalField("未退押金或保证金（元）", max_digits=12,
                                       decimal_places=2, null=True, blank=True)
    return_reported_by = models.CharField("报告人", max_length=10,
                                          choices=ReturnReporter.choices, blank=True)
    return_verified_by = models.CharField("核实方式", max_length=15,
                                          choices=ReturnCheck.choices, blank=True)
    # Owed money opens a complaint in the same step as the return (apps.complaints).
    return_complaint = models.ForeignKey("complaints.Complaint", verbose_name="归国时登记的投诉纠纷",
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")
    return_phone = EncryptedTextField("归国后联系电话", blank=True, default="")
    # 再次出国: set when a returnee whose return was their own breach registers again.
    rejoin_review = models.CharField("再次报名审核", max_length=10,
                                     choices=RejoinReview.choices, blank=True)
    rejoin_note = models.CharField("审核意见", max_length=200, blank=True)
    # 终止
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "报名记录"
        verbose_name_plural = "报名记录"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="candidacy_owed_not_negative", condition=(
                (Q(owed_wages__isnull=True) | Q(owed_wages__gte=0))
                & (Q(owed_deposit__isnull=True) | Q(owed_deposit__gte=0)))),
            # A person is in at most one open pass at a time; a new one after it ends.
            models.UniqueConstraint(fields=["person"], condition=Q(status__in=OPEN_STATUSES),
                                    name="candidacy_one_open_per_person"),
        ]
        indexes = [
            models.Index(fields=["stage", "result"]), models.Index(fields=["status"]),
            # The list's order (newest stage first), alone and within each scope.
            models.Index(fields=["stage_on", "id"], name="candidacy_list_order"),
            models.Index(fields=["city", "stage_on", "id"], name="candidacy_city_order"),
            models.Index(fields=["unit", "stage_on", "id"], name="candidacy_unit_order"),
            models.Index(fields=["agency", "stage_on", "id"], name="candidacy_agency_order"),
            # A project's people (a filter of the list; an agency's drill-down).
            models.Index(fields=["project", "stage_on", "id"], name="candidacy_project_order"),
            # A project's filled places (public page, project list): an index-only count.
            models.Index(fields=["project"], condition=Q(departed_on__isnull=False),
                         name="candidacy_project_departed"),
            # The 在外人员 register: people abroad, the earliest contract end first (an unknown
            # end last: ``ABROAD_ORDER``), alone and within each scope (partial: only the
            # people abroad are indexed). Its keyset pages compare this very expression.
            *(models.Index(*(models.F(name) for name in scope), *ABROAD_ORDER,
                           condition=Q(status="abroad"), name=f"candidacy_abroad{suffix}")
              for scope, suffix in (((), "_order"), (("city",), "_city"), (("unit",), "_unit"),
                                    (("agency",), "_agency"))),
        ]

    def __str__(self):
        return f"{self.person} · {self.project}"

    def get_absolute_url(self):
        from django.urls import reverse
        return reverse("registry:person_detail", args=[self.person_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_early_return(self) -> bool:
        return self.return_kind == ReturnKind.EARLY

    @property
    def return_reason_shown(self) -> str:
        """归国原因 as the 花名表 shows it: the words recorded, else the kind and cause."""
        if self.return_reason:
            return self.return_reason
        if self.return_cause:
            return self.get_return_cause_display()
        return self.get_return_kind_display() if self.return_kind else ""

    @property
    def owed_total(self):
        return (self.owed_wages or 0) + (self.owed_deposit or 0)

    @property
    def return_phone_masked(self) -> str:
        return mask_phone(self.return_phone)


class Session(models.Model):
    """A scheduled interview, medical or departure batch: a date before any result exists."""

    stage = models.CharField("环节", max_length=20, choices=[
        (Stage.FIRST_INTERVIEW, "初试"), (Stage.MEDICAL, "体检"),
        (Stage.SECOND_INTERVIEW, "复试"), (Stage.DEPARTURE, "输出"),
    ])
    project = models.ForeignKey("projects.JobProject", verbose_name="岗位项目",
                                on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField("日期")
    place = models.CharField("地点 / 方式", max_length=100, blank=True)
    hospital = models.CharField("体检医院（县级以上）", max_length=100, blank=True)
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="sessions")
    # Empty for an agency's departure batch, which may gather people of several cities.
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="sessions")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               related_name="sessions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "场次"
        verbose_name_plural = "场次"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_stage_display()} · {self.project.name}"


class StageEvent(models.Model):
    """A stage recorded for a candidacy: who, when, and the date it happened."""

    candidacy = models.ForeignKey(Candidacy, verbose_name="报名记录", on_delete=models.PROTECT,
                                  related_name="events")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    result = models.CharField("结果", max_length=20, choices=Result.choices)
    happened_on = models.DateField("发生日期")
    session = models.ForeignKey(Session, verbose_name="场次", on_delete=models.PROTECT,
                                null=True, blank=True, related_name="events")
    details = models.JSONField("详细信息", default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人",
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "环节记录"
        verbose_name_plural = "环节记录"
        ordering = ["happened_on", "id"]
        constraints = [
            # Two users recording the same stage at once: one event, never two.
            models.UniqueConstraint(fields=["candidacy", "stage"], name="stage_event_once"),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.get_result_display()} {self.happened_on}"

    def details_display(self) -> list[str]:
        """The details as "label：value" for the person's timeline."""
        shown = []
        for name, value in self.details.items():
            if value in ("False", "True"):
                value = "是" if value == "True" else "否"
            elif name in DETAIL_CHOICES and value in DETAIL_CHOICES[name].values:
                value = DETAIL_CHOICES[name](value).label
            shown.append(f"{DETAIL_LABELS.get(name, name)}：{value}")
        return shown


class StageGapLimit(models.Model):
    """省定间隔上限: recording a stage more than ``months`` after the previous stage's date is
    implausible enough to need a confirmation with a reason (kept on the event). Data the
    province edits, never a constant in code; seeded with the defaults of gaps.DEFAULTS."""

    stage = models.CharField("环节", max_length=20, choices=Stage.choices, unique=True)
    months = models.PositiveSmallIntegerField("距上一环节不超过（月）")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "环节间隔上限"
        verbose_name_plural = "环节间隔上限"
        constraints = [models.CheckConstraint(name="gap_limit_positive",
                                              condition=Q(months__gt=0))]

    def __str__(self):
        return f"{self.get_stage_display()}：距上一环节不超过{self.months}个月"
