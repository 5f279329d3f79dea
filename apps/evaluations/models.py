"""Yearly evaluation of agencies and organising units (issue 20, seed 002's 评估表).

A ``Scheme`` is one year's table for one kind of organisation, data the province edits while it
is a draft and locks before the year is scored. Each ``Criterion`` is either computed from the
records (``key`` names the computation in computations.py) or entered by the province or the
city with a reason and evidence. A ``Scorecard`` is one organisation's year: draft → objection
window (working days) → answered → published; services.py is the only writer of its state.
Every score change keeps who / when / old / new (``ScoreChange``)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Kind(models.TextChoices):
    AGENCY = "agency", "输出机构"
    UNIT = "unit", "组织单位"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿（可修改）"
    LOCKED = "locked", "已锁定（用于评分）"


class Method(models.TextChoices):
    COMPUTED = "computed", "按记录自动计算"
    ENTERED = "entered", "人工评分（须说明理由并附材料）"


class Scheme(models.Model):
    year = models.PositiveSmallIntegerField("评估年度")
    kind = models.CharField("评估对象", max_length=10, choices=Kind.choices)
    pass_mark = models.DecimalField("合格分数线", max_digits=5, decimal_places=1, default=60)
    # [{"min": 60, "amount": 40000}, ...]: the highest band whose min the total reaches.
    reward_bands = models.JSONField("绩效奖励档次", default=list, blank=True)
    # {"years": 2, "min_score": 80, "min_departures": 300, "min_retention": 60}
    excellence = models.JSONField("优秀评选条件", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=SchemeStatus.choices,
                              default=SchemeStatus.DRAFT)
    source = models.CharField("依据", max_length=200, blank=True)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="锁定人",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评估方案"
        verbose_name_plural = "评估方案"
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["year", "kind"],
                                               name="scheme_one_per_year_kind")]

    def __str__(self):
        return f"{self.year}年度{self.get_kind_display()}评估方案"

    def get_absolute_url(self):
        return reverse("evaluations:scheme_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == SchemeStatus.DRAFT


class Criterion(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name="评估方案", on_delete=models.CASCADE,
                               related_name="criteria")
    seq = models.PositiveSmallIntegerField("序号")
    category = models.CharField("类别", max_length=30)
    code = models.SlugField("代码", max_length=30)
    label = models.CharField("指标", max_length=50)
    standard = models.TextField("评分标准", max_length=1000)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    method = models.CharField("评分方式", max_length=10, choices=Method.choices)
    key = models.CharField("计算项", max_length=30, blank=True)
    # Computed: {"bands": [{"min": 100, "points": 3}, {"over": 50, "points": 10}]} or
    # {"deduct": 2} (points off per record, never below 0). Entered: {}.
    rule = models.JSONField("计分规则", default=dict, blank=True)
    # One vote: this many records or more fail the year whatever the total.
    veto_at = models.PositiveSmallIntegerField("一票否决（条数）", null=True, blank=True)

    class Meta:
        verbose_name = "评估指标"
        verbose_name_plural = "评估指标"
        ordering = ["scheme", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_code_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="criterion_points_not_negative"),
            models.CheckConstraint(condition=Q(method="entered", key="")
                                   | (Q(method="computed") & ~Q(key="")),
                                   name="criterion_computed_has_key"),
        ]

    def __str__(self):
        return f"{self.category} · {self.label}"

    @property
    def is_computed(self) -> bool:
        return self.method == Method.COMPUTED


class CardStatus(models.TextChoices):
    DRAFT = "draft", "草稿（评分中）"
    OBJECTION = "objection", "异议期"
    ANSWERED = "answered", "异议已答复"
    PUBLISHED = "published", "已公布"


class Scorecard(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name="评估方案", on_delete=models.PROTECT,
                               related_name="scorecards")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    # The unit's city, kept on the card for scoping (an agency's card has none).
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    status = models.CharField("状态", max_length=10, choices=CardStatus.choices,
                              default=CardStatus.DRAFT)
    total = models.DecimalField("总分", max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    veto_note = models.CharField("否决原因", max_length=300, blank=True)
    passed = models.BooleanField("合格", null=True, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    objection_opened_on = models.DateField("异议期起始日", null=True, blank=True)
    objection_due_on = models.DateField("异议截止日", null=True, blank=True)
    objection_due_at = models.DateTimeField("异议截止时间", null=True, blank=True)
    accepted_at = models.DateTimeField("确认无其他异议时间", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公布人",
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评估表"
        verbose_name_plural = "评估表"
        ordering = ["-scheme__year", "scheme__kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False, agency__isnull=True)
                                   | Q(unit__isnull=True, agency__isnull=False),
                                   name="scorecard_one_organisation"),
            models.UniqueConstraint(fields=["scheme", "unit"], condition=Q(unit__isnull=False),
                                    name="scorecard_once_per_unit"),
            models.UniqueConstraint(fields=["scheme", "agency"],
                                    condition=Q(agency__isnull=False),
                                    name="scorecard_once_per_agency"),
        ]

    def __str__(self):
        return f"{self.scheme.year}年度评估表：{self.organisation}"

    def get_absolute_url(self):
        return reverse("evaluations:scorecard_detail", args=[self.pk])

    @property
    def organisation(self):
        return self.unit or self.agency

    def is_organisation(self, user) -> bool:
        """``user`` belongs to the evaluated organisation itself."""
        from apps.accounts.models import Role
        return bool((self.unit_id and user.role == Role.UNIT and user.unit_id == self.unit_id)
                    or (self.agency_id and user.role == Role.AGENCY
                        and user.agency_id == self.agency_id))

    @property
    def grade(self) -> str:
        if self.passed is None:
            return "—"
        return "合格" if self.passed else "不合格"


class CriterionScore(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name="评估表", on_delete=models.CASCADE,
                                  related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name="指标", on_delete=models.PROTECT,
                                  related_name="scores")
    value = models.DecimalField("计算值", max_digits=10, decimal_places=1, null=True, blank=True)
    count = models.PositiveIntegerField("记录条数", null=True, blank=True)
    points = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    # The records behind a computed figure: {"model": "pipeline.Candidacy", "ids": [...]}.
    sources = models.JSONField("依据记录", default=dict, blank=True)
    note = models.CharField("计算说明", max_length=300, blank=True)
    vetoes = models.BooleanField("触发一票否决", default=False)
    reason = models.CharField("评分理由", max_length=500, blank=True)
    evidence = models.FileField("证明材料", upload_to="evaluations/%Y/", blank=True)
    evidence_name = models.CharField("材料文件名", max_length=200, blank=True)
    evidence_type = models.CharField("材料类型", max_length=50, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评分人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField("评分时间", null=True, blank=True)

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        ordering = ["criterion__seq", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "criterion"],
                                               name="score_once_per_criterion")]

    def __str__(self):
        return f"{self.criterion.label}：{self.points if self.points is not None else '未评分'}"


class ScoreChange(models.Model):
    """Every change of a score: computed, entered, changed on an objection or after
    publication; who, when, old and new, why."""
    score = models.ForeignKey(CriterionScore, verbose_name="指标得分", on_delete=models.CASCADE,
                              related_name="changes")
    old_points = models.DecimalField("原得分", max_digits=5, decimal_places=1, null=True,
                                     blank=True)
    new_points = models.DecimalField("新得分", max_digits=5, decimal_places=1, null=True,
                                     blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    after_publication = models.BooleanField("公布后修改", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人",
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "得分变更"
        verbose_name_plural = "得分变更"
        ordering = ["at", "id"]


class Objection(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name="评估表", on_delete=models.CASCADE,
                                  related_name="objections")
    criterion = models.ForeignKey(Criterion, verbose_name="异议指标", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    text = models.TextField("异议内容", max_length=2000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人",
                                 on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)
    answer = models.TextField("答复", max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "评估异议"
        verbose_name_plural = "评估异议"
        ordering = ["filed_at", "id"]

    def __str__(self):
        return f"{self.scorecard}：{self.criterion.label if self.criterion else '总体'}的异议"

    def get_absolute_url(self):
        # Answered on its card's page (a deadline item's link goes there).
        return self.scorecard.get_absolute_url()


class ConsequenceKind(models.TextChoices):
    FAIL = "fail", "年度评估不合格"
    FAIL_TWICE = "fail_twice", "连续两个年度不合格（取消资格）"
    VETO = "veto", "一票否决（取消资格）"
    REWARD = "reward", "年度绩效奖励"
    EXCELLENT = "excellent", "优秀称号"
    # Seed 002 第十一条: a 优秀 organisation is not designated again; it is re-reviewed.
    REVIEW_KEEP = "review_keep", "优秀复核（保留称号）"
    REVIEW_DROP = "review_drop", "优秀复核（撤销称号）"


# Kinds that withdraw the qualification when approved (seed 002 第八条), and those paid.
WITHDRAWING = (ConsequenceKind.VETO, ConsequenceKind.FAIL_TWICE)
PAID = (ConsequenceKind.REWARD, ConsequenceKind.EXCELLENT)


class ConsequenceStatus(models.TextChoices):
    PROPOSED = "proposed", "待省专项办决定"
    APPROVED = "approved", "已决定执行"
    REJECTED = "rejected", "决定不执行"
    # Undecided, and no longer supported by a card corrected after publication.
    WITHDRAWN = "withdrawn", "已撤回"


class Consequence(models.Model):
    """What a published year leads to: proposed by the system, decided by the province. A
    correction after publication re-derives the proposals (services._rederive): an undecided
    one no longer supported is withdrawn with the reason; a decided one is never changed, it
    is flagged for the province to review (``flag``, cleared by a review)."""
    scorecard = models.ForeignKey(Scorecard, verbose_name="评估表", on_delete=models.CASCADE,
                                  related_name="consequences")
    kind = models.CharField("类型", max_length=12, choices=ConsequenceKind.choices)
    proposal = models.CharField("建议", max_length=300)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    status = models.CharField("状态", max_length=10, choices=ConsequenceStatus.choices,
                              default=ConsequenceStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.CharField("决定说明", max_length=300, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_reason = models.CharField("撤回原因", max_length=300, blank=True)
    flag = models.CharField("更正后待复核", max_length=300, blank=True)
    flagged_at = models.DateTimeField("标记时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    review_note = models.CharField("复核意见", max_length=300, blank=True)
    # The two-year bar an approved withdrawal recorded (seed 002 第八条).
    bar = models.ForeignKey("orgs.QualificationBar", verbose_name="取消资格", null=True,
                            blank=True, on_delete=models.PROTECT, related_name="consequences")

    class Meta:
        verbose_name = "评估结果运用"
        verbose_name_plural = "评估结果运用"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "kind"],
                                               name="consequence_once_per_kind")]

    def __str__(self):
        return f"{self.scorecard.organisation} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("evaluations:consequence_detail", args=[self.pk])

    @property
    def flag_open(self) -> bool:
        """Flagged by a correction and not yet reviewed by the province since."""
        return self.flagged_at is not None and (self.reviewed_at is None
                                                or self.reviewed_at < self.flagged_at)
