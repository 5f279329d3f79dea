"""Task numbers (任务数) per year for cities (附件2) and organising units (附件1)."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class YearPlan(models.Model):
    """A year's set of figures, prepared as a draft and then published once (the year's
    tasks here, the year's subsidy standards in subsidies)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    copied_from = models.PositiveSmallIntegerField("复制自年度", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人",
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        abstract = True
        ordering = ["-year"]

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class TaskPlan(YearPlan):
    """A year's plan: the province's target and declared totals (the 合计 rows). A draft is
    the province's alone; cities, units and observers see a year once it is published."""

    overall_aim = models.PositiveIntegerField("全省输出目标", null=True, blank=True)
    # Blank for a year opened in the system before its document is printed.
    declared_unit_total = models.PositiveIntegerField("组织单位任务合计（文件）", null=True,
                                                      blank=True)
    declared_city_total = models.PositiveIntegerField("各市任务合计（文件）", null=True,
                                                      blank=True)
    source = models.CharField("依据文件", max_length=200, blank=True)

    class Meta(YearPlan.Meta):
        verbose_name = "年度任务"
        verbose_name_plural = "年度任务"

    def __str__(self):
        return f"{self.year}年度任务"


class Task(models.Model):
    """One city's or one unit's task number for a year. ``number`` is None when unknown
    (e.g. lost from the damaged 附件1 table): never a guess."""

    year = models.PositiveSmallIntegerField("年度")
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="tasks")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="tasks")
    number = models.PositiveIntegerField("任务数", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "任务数"
        verbose_name_plural = "任务数"
        constraints = [
            models.CheckConstraint(
                name="task_for_city_or_unit",
                condition=Q(city__isnull=False, unit__isnull=True)
                | Q(city__isnull=True, unit__isnull=False),
            ),
            models.UniqueConstraint(fields=["year", "city"], condition=Q(city__isnull=False),
                                    name="task_one_per_city_year"),
            models.UniqueConstraint(fields=["year", "unit"], condition=Q(unit__isnull=False),
                                    name="task_one_per_unit_year"),
        ]

    def __str__(self):
        who = self.city or self.unit
        return f"{self.year} {who}：{self.number if self.number is not None else '未知'}"


class PovertyTarget(models.Model):
    """The share of 脱贫劳动力 and 监测对象 among a year's departures the province aims at
    (seed 003: priority for organised outbound work). Data, set on a page, audited."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    share = models.DecimalField("目标占比（%）", max_digits=5, decimal_places=1)
    note = models.CharField("依据或说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人",
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "脱贫劳动力占比目标"
        verbose_name_plural = "脱贫劳动力占比目标"
        ordering = ["-year"]
        constraints = [models.CheckConstraint(name="poverty_target_share_is_a_percentage",
                                              condition=Q(share__gt=0, share__lte=100))]

    def __str__(self):
        return f"{self.year}年脱贫劳动力占比目标 {self.share}%"
