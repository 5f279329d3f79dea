"""The working-day calendar (SPEC §7): the State Council's yearly holiday arrangement.

A day is a working day when it is Monday–Friday and not a holiday, or when it is a make-up
working day (调休上班). Only the exceptions are stored. A year without a CalendarYear row is
unknown: deadlines reaching into it are provisional (weekdays only), never silently final."""
from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200, blank=True,
                              help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class SpecialDay(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日", max_length=30, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"
