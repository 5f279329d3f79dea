"""Subsidy money (SPEC §8): standards set by the province, claims (附件8) paid in stages
against verified records, and next year's budgets.

A claim's lines are derived from the records: each line lists the people behind its 人数, and a
person is claimed for an item once, ever (a unique constraint, not only a check). Amounts are
人数 × 标准 (a check constraint). Every step of a claim is recorded; an approval and a payment
happen once (unique constraints), whatever the concurrency."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.quotas.models import YearPlan


class Fund(models.TextChoices):
    EMPLOYMENT = "employment", "就业专项"
    SKILLS = "skills", "技能专账"


class Phase(models.TextChoices):
    OPENING = "opening", "开班"
    COMPLETION = "completion", "结业"
    DEPARTURE = "departure", "出国"
    STANDING_OPENING = "standing_opening", "非建制班开班（50%）"
    STANDING_AFTER = "standing_after", "非建制班结业后（50%）"
    # Seed 002 第十二条, 第十三条: a reward the province decided on a published evaluation,
    # paid to the unit or agency through the same steps (issue 20).
    EVALUATION = "evaluation", "年度评估奖励"


class Item(models.TextChoices):
    FIRST_INTERVIEW = "first_interview", "初试"
    MEDICAL = "medical", "体检"
    SECOND_INTERVIEW = "second_interview", "复试"
    TRAINING_ADVANCE = "training_advance", "培训开班预拨费用"
    INTERVIEW_AWARD = "interview_award", "面试合格奖补"
    TRAINING_FEE = "training_fee", "培训费用"
    TRAINING_AWARD = "training_award", "培训合格奖补"
    TRAINING_BALANCE = "training_balance", "培训尾款"
    DEPARTURE_FEE = "departure_fee", "出国费用"
    EMPLOYMENT_AWARD = "employment_award", "国外就业奖补"
    STANDING_FIRST = "standing_first", "非建制班开班拨付（50%）"
    STANDING_SECOND = "standing_second", "非建制班结业拨付（50%）"
    # Seed 003 (晋人社厅函〔2020〕127号): money that follows a 脱贫劳动力 or 监测对象 who went
    # abroad with the programme, only in a year the province sets a standard for it.
    POVERTY_TRANSPORT = "poverty_transport", "脱贫劳动力一次性交通补助"
    POVERTY_PLACEMENT = "poverty_placement", "脱贫劳动力职业介绍补贴"
    # Seed 002 第十二条: the amount is the province's decision on a scorecard, not a standard.
    EVALUATION_REWARD = "evaluation_reward", "年度绩效奖励"
    EXCELLENCE_AWARD = "excellence_award", "优秀站点一次性奖励"


# What the province sets a standard for: the claim items, except that a 非建制班 person has one
# standard, paid half at opening and half after.
STANDING_HALVES = (Item.STANDING_FIRST, Item.STANDING_SECOND)
# Items for the eligible group only (registry.PRIORITY_STATUSES, verified and current), paid
# in a year only if the province sets them for it.
POVERTY_ITEMS = (Item.POVERTY_TRANSPORT, Item.POVERTY_PLACEMENT)
# The most a standard may be, by policy: "不超过800元的一次性交通补助" (seed 003 §二).
STANDARD_CAPS = {Item.POVERTY_TRANSPORT.value: 800}
# Paid per decided consequence (evaluations.Consequence.amount): no per-person standard.
EVALUATION_ITEMS = (Item.EVALUATION_REWARD, Item.EXCELLENCE_AWARD)
STANDARD_ITEMS = [(item.value, item.label) for item in Item
                  if item not in STANDING_HALVES + EVALUATION_ITEMS] + [
    ("standing_class", "非建制班培训补助（每人每期）")]


class StandardYear(YearPlan):
    """A year's standards as one set, prepared and then published like the year's tasks. A
    draft is the province's alone: nobody else sees it and no claim is computed from it."""

    class Meta(YearPlan.Meta):
        verbose_name = "年度补助标准"
        verbose_name_plural = "年度补助标准"

    def __str__(self):
        return f"{self.year}年补助标准（{self.get_status_display()}）"


class Standard(models.Model):
    """元 per person for one item in one year, and the fund that pays it."""

    year = models.PositiveSmallIntegerField("年度")
    item = models.CharField("项目", max_length=20, choices=STANDARD_ITEMS)
    amount = models.DecimalField("标准（元/人）", max_digits=10, decimal_places=2)
    fund = models.CharField("资金渠道", max_length=10, choices=Fund.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人",
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "补助标准"
        verbose_name_plural = "补助标准"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "item"], name="standard_once_per_year"),
            models.CheckConstraint(name="standard_positive", condition=Q(amount__gt=0)),
            # The cap holds in the database too, whichever path sets the standard.
            *[models.CheckConstraint(name=f"standard_{item}_cap",
                                     condition=~Q(item=item) | Q(amount__lte=cap))
              for item, cap in STANDARD_CAPS.items()],
        ]

    def __str__(self):
        return f"{self.year}年 {self.get_item_display()} {self.amount}元/人"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待市局审核"
    REVIEWED = "reviewed", "待省专项办审批"
    APPROVED = "approved", "已审批待拨付"
    PAID = "paid", "已拨付"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class Claim(models.Model):
    """One 附件8 补助资金申请表 of one phase, filed by a unit; or the payment of an evaluation
    reward (phase 年度评估奖励), filed by the rewarded unit or agency for its consequence: one
    line, no people. An agency's has no city: the province reviews it (services.flow)."""

    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="申请单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="claims")
    agency = models.ForeignKey("orgs.Agency", verbose_name="申请机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="claims")
    city = models.ForeignKey("orgs.City", verbose_name="有管辖权的地市",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="claims")
    # The decided consequence an evaluation reward pays: one claim for one, ever (unique).
    consequence = models.OneToOneField("evaluations.Consequence", verbose_name="评估结果运用",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="claim")
    # Derived, never typed: the year of the event the phase's money follows (event_on).
    year = models.PositiveSmallIntegerField("标准年度")
    phase = models.CharField("申请阶段", max_length=20, choices=Phase.choices)
    # The class's recorded opening (开班), its end (结业), or the earliest departure on the
    # claim (出国): the standards year and the claim's due date count from it.
    event_on = models.DateField("事件日期", null=True, blank=True)
    training_class = models.ForeignKey("training.TrainingClass", verbose_name="培训班",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="claims")
    status = models.CharField("状态", max_length=10, choices=ClaimStatus.choices,
                              default=ClaimStatus.DRAFT)
    # Incremented at each resubmission after a return: steps are unique per round.
    round = models.PositiveSmallIntegerField("轮次", default=1)
    bank_name = models.CharField("开户银行", max_length=100)
    account_name = models.CharField("账户名称", max_length=100)
    account_no = models.CharField("银行账号", max_length=40)
    note = models.TextField("其他说明", blank=True)
    employment_total = models.DecimalField("就业专项（元）", max_digits=12, decimal_places=2,
                                           default=0)
    skills_total = models.DecimalField("技能专账（元）", max_digits=12, decimal_places=2,
                                       default=0)
    total = models.DecimalField("合计（元）", max_digits=12, decimal_places=2, default=0)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "补助资金申请"
        verbose_name_plural = "补助资金申请"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="claim_total_is_sum_of_funds",
                                   condition=Q(total=F("employment_total") + F("skills_total"))),
            # A unit's claim (with its city) or an agency's (no city), never both.
            models.CheckConstraint(name="claim_one_organisation",
                                   condition=Q(unit__isnull=False, agency__isnull=True,
                                               city__isnull=False)
                                   | Q(unit__isnull=True, agency__isnull=False,
                                       city__isnull=True)),
            # An evaluation reward only from its consequence, and an agency claims nothing else.
            models.CheckConstraint(name="claim_reward_from_consequence",
                                   condition=Q(phase="evaluation", consequence__isnull=False)
                                   | (~Q(phase="evaluation") & Q(consequence__isnull=True,
                                                                 agency__isnull=True))),
        ]
        indexes = [models.Index(fields=["city", "status"]), models.Index(fields=["unit", "status"]),
                   models.Index(fields=["agency", "status"])]

    def __str__(self):
        return f"{self.organisation.name} {self.get_phase_display()}补助资金申请（{self.pk}）"

    @property
    def organisation(self):
        return self.unit or self.agency


class ClaimLine(models.Model):
    """One row of 附件8: 人数 × 标准 = 申请金额."""

    claim = models.ForeignKey(Claim, verbose_name="申请", on_delete=models.CASCADE,
                              related_name="lines")
    item = models.CharField("项目", max_length=20, choices=Item.choices)
    fund = models.CharField("资金渠道", max_length=10, choices=Fund.choices)
    standard = models.DecimalField("标准（元/人）", max_digits=10, decimal_places=2)
    count = models.PositiveIntegerField("人数")
    amount = models.DecimalField("申请金额（元）", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "申请明细"
        verbose_name_plural = "申请明细"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "item"], name="claim_line_once"),
            models.CheckConstraint(name="claim_line_amount_is_count_times_standard",
                                   condition=Q(amount=F("count") * F("standard"))),
        ]


class ClaimedPerson(models.Model):
    """A person behind a line's 人数. One person, one item: claimable once, ever."""

    line = models.ForeignKey(ClaimLine, verbose_name="申请明细", on_delete=models.CASCADE,
                             related_name="people")
    item = models.CharField("项目", max_length=20, choices=Item.choices)
    person = models.ForeignKey("registry.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="claimed_items")
    candidacy = models.ForeignKey("pipeline.Candidacy", verbose_name="报名记录",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = "申请人员"
        verbose_name_plural = "申请人员"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "item"], name="person_claimed_once_per_item"),
        ]


class StepAction(models.TextChoices):
    SUBMIT = "submit", "提交"
    REVIEW = "review", "市局审核通过"
    APPROVE = "approve", "省专项办审批通过"
    PAY = "pay", "拨付"
    RETURN = "return", "退回"
    WITHDRAW = "withdraw", "撤回"


class ClaimStep(models.Model):
    claim = models.ForeignKey(Claim, verbose_name="申请", on_delete=models.CASCADE,
                              related_name="steps")
    round = models.PositiveSmallIntegerField("轮次")
    action = models.CharField("操作", max_length=10, choices=StepAction.choices)
    from_status = models.CharField("原状态", max_length=10, choices=ClaimStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=ClaimStatus.choices)
    reason = models.CharField("意见 / 原因", max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人",
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    # 补录 (issue 22): a claim submitted on paper during an outage period, entered afterwards:
    # the day it was handed in counts for its timeliness, with the paper form's number.
    paper_on = models.DateField("纸质提交日期（补录）", null=True, blank=True)
    paper_form_no = models.CharField("纸质表单编号", max_length=50, blank=True, db_default="")

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "id"]
        constraints = [
            # However many approvers click at once: one submission, review and approval a round.
            models.UniqueConstraint(fields=["claim", "round", "action"],
                                    condition=Q(action__in=["submit", "review", "approve", "pay"]),
                                    name="claim_step_once_per_round"),
        ]


class Payment(models.Model):
    claim = models.OneToOneField(Claim, verbose_name="申请", on_delete=models.PROTECT,
                                 related_name="payment")
    paid_on = models.DateField("拨付日期")
    voucher_no = models.CharField("拨付凭证号", max_length=50)
    amount = models.DecimalField("拨付金额（元）", max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人",
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "拨付记录"
        verbose_name_plural = "拨付记录"


class Budget(models.Model):
    """Next year's budget of a city or a unit, due by 31 May."""

    year = models.PositiveSmallIntegerField("预算年度")
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="budgets")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="budgets")
    planned_people = models.PositiveIntegerField("计划输出人数")
    amount = models.DecimalField("预算金额（元）", max_digits=12, decimal_places=2)
    note = models.TextField("测算说明", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人",
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间", auto_now=True)

    class Meta:
        verbose_name = "年度预算"
        verbose_name_plural = "年度预算"
        ordering = ["-year", "id"]
        constraints = [
            # A city's own budget (unit empty) or a unit's (which also names its city).
            models.UniqueConstraint(fields=["year", "city", "unit"], nulls_distinct=False,
                                    name="budget_once_per_org_year"),
            models.CheckConstraint(name="budget_amount_not_negative", condition=Q(amount__gte=0)),
        ]
