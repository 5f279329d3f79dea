"""Follow-up of projects with many people abroad (跟踪随访; issue 18 item 4, seed 001).

A project whose count of people abroad reaches the province's threshold gets one plan: visits
at the plan's interval, each owed as a deadline item of the project's agency; at the higher
threshold a named officer is required, and a plan there without one is flagged. The
thresholds and the interval are data the province edits (``FollowUpSettings``)."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

# Seeded defaults (docs/TIME-RULES.md rule 13): seed 001 names 100 and 150 people abroad;
# the interval is the province's choice, a month between visits.
DEFAULT_PLAN_AT = 100
DEFAULT_OFFICER_AT = 150
DEFAULT_INTERVAL_DAYS = 30


class FollowUpSettings(models.Model):
    """One row (pk 1): the thresholds and the interval, as the province last set them."""

    plan_at = models.PositiveIntegerField("建立随访计划的在外人数", default=DEFAULT_PLAN_AT)
    officer_at = models.PositiveIntegerField("须指定专人的在外人数", default=DEFAULT_OFFICER_AT)
    interval_days = models.PositiveSmallIntegerField(
        "随访间隔（自然日）", default=DEFAULT_INTERVAL_DAYS,
        help_text="上次随访（或计划开始）之后第N个自然日24时前须完成下一次随访")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "跟踪随访设置"
        verbose_name_plural = "跟踪随访设置"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="followup_settings_single_row"),
            models.CheckConstraint(condition=Q(plan_at__gte=1) & Q(officer_at__gte=models.F("plan_at"))
                                   & Q(interval_days__gte=1), name="followup_settings_sane"),
        ]

    def __str__(self):
        return f"{self.plan_at}人建立计划，{self.officer_at}人指定专人，每{self.interval_days}日随访"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "随访中"
    ENDED = "ended", "已结束"


class FollowUpPlan(models.Model):
    """One per project, kept when its people come home (ENDED) and revived if they go again."""

    project = models.OneToOneField("projects.JobProject", verbose_name="岗位项目",
                                   on_delete=models.PROTECT, related_name="follow_up_plan")
    # The project's name when the plan began: the 待办 list names the plan without a join.
    title = models.CharField("项目名称", max_length=100)
    interval_days = models.PositiveSmallIntegerField("随访间隔（自然日）")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="随访专人",
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="follow_up_plans")
    officer_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="指定人",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    officer_set_at = models.DateTimeField("指定时间", null=True, blank=True)
    started_on = models.DateField("开始日期")
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices,
                              default=PlanStatus.ACTIVE)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "跟踪随访计划"
        verbose_name_plural = "跟踪随访计划"
        ordering = ["-started_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="followup_interval_positive"),
            models.CheckConstraint(condition=Q(status="ended", ended_on__isnull=False)
                                   | Q(status="active", ended_on__isnull=True),
                                   name="followup_plan_ended_has_date"),
        ]

    def __str__(self):
        return f"跟踪随访：{self.title}"

    def get_absolute_url(self):
        return reverse("followups:plan_detail", args=[self.pk])


class VisitMode(models.TextChoices):
    PHONE = "phone", "电话"
    VIDEO = "video", "视频"
    ON_SITE = "on_site", "实地"


class FollowUpVisit(models.Model):
    plan = models.ForeignKey(FollowUpPlan, verbose_name="随访计划", on_delete=models.PROTECT,
                             related_name="visits")
    # The n-th visit of the plan: the form posts the number it was shown, so a replayed or
    # doubled submission is refused instead of recorded twice.
    number = models.PositiveIntegerField("第几次")
    visited_on = models.DateField("随访日期")
    mode = models.CharField("随访方式", max_length=10, choices=VisitMode.choices)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="随访人（账号）",
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    officer_name = models.CharField("随访人姓名", max_length=50)
    workers = models.ManyToManyField("pipeline.Candidacy", verbose_name="联系的在外人员",
                                     related_name="follow_up_visits")
    note = models.CharField("随访情况", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "随访记录"
        verbose_name_plural = "随访记录"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="followup_visit_number_once")]

    def __str__(self):
        return f"{self.plan.title} 第{self.number}次随访（{self.visited_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("followups:plan_detail", args=[self.plan_id]) + f"#visit-{self.number}"


class IssueKind(models.TextChoices):
    NONE = "none", "一般问题"
    COMPLAINT = "complaint", "投诉或纠纷"
    INCIDENT = "incident", "突发事件"


class VisitIssue(models.Model):
    """A problem a visit found. A complaint or an incident is opened from it in one step
    (apps.complaints / apps.incidents), which links the record back here (``opened``)."""

    visit = models.ForeignKey(FollowUpVisit, verbose_name="随访记录", on_delete=models.CASCADE,
                              related_name="issues")
    description = models.CharField("发现的问题", max_length=500)
    kind = models.CharField("问题类型", max_length=10, choices=IssueKind.choices,
                            default=IssueKind.NONE)
    action_taken = models.CharField("处理措施", max_length=500, blank=True)
    opened_type = models.ForeignKey(ContentType, verbose_name="已立案记录类型",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    opened_id = models.PositiveBigIntegerField("已立案记录", null=True, blank=True)
    opened = GenericForeignKey("opened_type", "opened_id")

    class Meta:
        verbose_name = "随访发现问题"
        verbose_name_plural = "随访发现问题"
        ordering = ["id"]
        constraints = [
            # A general problem opens nothing; a complaint or incident at most one record.
            models.CheckConstraint(condition=~Q(kind="none") | Q(opened_id__isnull=True),
                                   name="followup_issue_none_opens_nothing"),
        ]

    def __str__(self):
        return self.description[:40]
