"""When the system or the world stops (issue 22): outage periods and late entries (补录).

An ``OutagePeriod`` is data the province declares: a power cut, a network outage, the
system's own downtime, an epidemic lockdown of a city, a planned maintenance; for everyone, for
some cities or for some organisations; possibly afterwards (the start may lie in the past), and
open until it is closed. Every deadline item of an organisation it covers loses the working
days of the period that fall in its window: ``services.items_extend`` counts them again from
all the periods each time (``DeadlineItem.outage_days``), so nothing is ever counted twice.

A ``LateEntry`` is one record entered after the period with the date it happened on paper: it
names the period the paper date lies in, the paper form's number, who entered it and when, and
whether it counted on time against the extended window. The province reviews the list."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse


class OutageKind(models.TextChoices):
    SYSTEM = "system", "本系统停机"
    POWER = "power", "停电"
    NETWORK = "network", "网络中断"
    LOCKDOWN = "lockdown", "疫情封控"
    MAINTENANCE = "maintenance", "计划维护"
    OTHER = "other", "其他"


class OutageScope(models.TextChoices):
    ALL = "all", "全省所有单位"
    CITIES = "cities", "部分地市"
    ORGS = "orgs", "部分组织单位或输出机构"


class OutagePeriod(models.Model):
    kind = models.CharField("类型", max_length=12, choices=OutageKind.choices)
    reason = models.CharField("原因说明", max_length=200)
    starts_on = models.DateField("开始日期")
    # Empty while the period goes on: the clocks it reaches are paused until it is closed.
    ends_on = models.DateField("结束日期", null=True, blank=True)
    scope = models.CharField("范围", max_length=10, choices=OutageScope.choices)
    cities = models.ManyToManyField("orgs.City", verbose_name="地市", blank=True,
                                    related_name="+")
    units = models.ManyToManyField("orgs.OrganisingUnit", verbose_name="组织单位", blank=True,
                                   related_name="+")
    agencies = models.ManyToManyField("orgs.Agency", verbose_name="输出机构", blank=True,
                                      related_name="+")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结束登记人",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField("结束登记时间", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "停机停工期间"
        verbose_name_plural = "停机停工期间"
        ordering = ["-starts_on", "-id"]
        constraints = [
            # An end is never before the start (the services say so in Chinese first).
            models.CheckConstraint(name="outage_ends_after_start",
                                   condition=Q(ends_on__isnull=True)
                                   | Q(ends_on__gte=models.F("starts_on"))),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.span_label}"

    @property
    def is_open(self) -> bool:
        return self.ends_on is None

    @property
    def span_label(self) -> str:
        if self.ends_on is None:
            return f"{self.starts_on:%Y-%m-%d}起（尚未结束）"
        return f"{self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("outages:period_edit", args=[self.pk])


class LateEntryKind(models.TextChoices):
    STAGE = "stage", "环节结果"
    CLAIM = "claim", "补助资金申请提交"
    INCIDENT = "incident", "突发事件报告"
    COMPLAINT = "complaint", "投诉纠纷答复或办结"


class LateEntry(models.Model):
    """补录: one record entered after an outage with its true (paper) date."""

    period = models.ForeignKey(OutagePeriod, verbose_name="停机停工期间",
                               on_delete=models.PROTECT, related_name="late_entries")
    kind = models.CharField("补录事项", max_length=10, choices=LateEntryKind.choices)
    # The record entered (a stage event, …): its own page shows it marked 补录.
    subject_type = models.ForeignKey(ContentType, verbose_name="记录类型",
                                     on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField("记录")
    subject = GenericForeignKey("subject_type", "subject_id")
    summary = models.CharField("内容", max_length=200)
    link = models.CharField("记录页面", max_length=200, blank=True)
    paper_on = models.DateField("纸质记录日期")
    form_no = models.CharField("纸质表单编号", max_length=50)
    on_time = models.BooleanField("按顺延后的期限按时")
    due_on = models.DateField("顺延后截止日期", null=True, blank=True)
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="补录人",
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("补录时间", auto_now_add=True)

    class Meta:
        verbose_name = "补录记录"
        verbose_name_plural = "补录记录"
        ordering = ["-entered_at", "-id"]
        constraints = [
            # One record is entered late once (a replayed form finds the stage recorded).
            models.UniqueConstraint(fields=["subject_type", "subject_id"],
                                    name="late_entry_once"),
        ]
        indexes = [models.Index(fields=["period", "-entered_at"], name="late_entry_period")]

    def __str__(self):
        return f"补录 {self.summary}（{self.paper_on:%Y-%m-%d}）"
