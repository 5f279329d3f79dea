"""Pre-aggregated dashboard figures (issue 6): a page sums a few thousand of these rows
instead of scanning a year's million stage events.

The figures are kept on write: each service that changes what they count inserts rows that
add (or take away) its part, in its own transaction; a key may have many rows, the pages sum
them. Every night ``services.figures_recount`` counts them again from the records, reports
any difference and replaces the rows by one per key. Each row keeps the candidacy's city,
unit and agency, so that the scoping rules of candidacies apply to it unchanged
(``apps.accounts.scoping``)."""
from django.db import models

from apps.pipeline.models import Result, Stage
from apps.registry.models import PovertyStatus


def _org(model, related):
    # No database constraint: the figures are recounted wholesale and never protect a row.
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False,
                             null=True, related_name="+", verbose_name=related)


class Figure(models.Model):
    """Who counted (the candidacy's city, unit and agency: the scope) and how many, in a year."""

    year = models.PositiveSmallIntegerField("年度")
    city = _org("orgs.City", "市")
    unit = _org("orgs.OrganisingUnit", "组织单位")
    agency = _org("orgs.Agency", "输出机构")
    # Signed: a row taking away a moved person's part is negative; the sums never are.
    n = models.IntegerField("人数")

    class Meta:
        abstract = True


class EventFigure(Figure):
    """Stage events of a year by the candidacy's city, unit, agency, the stage, its result
    and the person's 脱贫 status; with the days since the previous stage (time in stage)."""

    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    result = models.CharField("结果", max_length=20, choices=Result.choices)
    poverty_status = models.CharField("脱贫状态", max_length=5, choices=PovertyStatus.choices,
                                      blank=True)
    days_n = models.IntegerField("有上一环节的人数")
    days_sum = models.BigIntegerField("距上一环节天数合计")
    days_max = models.IntegerField("距上一环节最长天数", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "环节统计"
        indexes = [models.Index(fields=["year", "city", "unit"], name="eventfigure_year")]


class CohortFigure(Figure):
    """The stage events of the people who registered in ``year`` (the cohort), whenever the
    events happened, by the candidacy's city, unit, agency, the stage and its result: how far
    one year's registrants got, beside EventFigure's "what happened in the year"."""

    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    result = models.CharField("结果", max_length=20, choices=Result.choices)

    class Meta:
        verbose_name = verbose_name_plural = "报名年度队列统计"
        indexes = [models.Index(fields=["year", "city", "unit"], name="cohortfigure_year")]


class DepartureFigure(Figure):
    """Departures of a year by month, city, unit, agency, country, trade and 脱贫 status."""

    month = models.DateField("月份")
    country = models.CharField("输出国", max_length=30, blank=True)
    departure_trade = models.CharField("输出工种", max_length=50, blank=True)
    poverty_status = models.CharField("脱贫状态", max_length=5, choices=PovertyStatus.choices,
                                      blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "输出统计"
        indexes = [models.Index(fields=["year", "city", "unit"], name="departurefigure_year")]


class ProjectFigure(Figure):
    """Departures of a year by city, unit, agency and project."""

    project = _org("projects.JobProject", "岗位项目")

    class Meta:
        verbose_name = verbose_name_plural = "项目输出统计"
        indexes = [models.Index(fields=["year", "city", "unit"], name="projectfigure_year")]


class WithdrawalFigure(Figure):
    """Candidacies withdrawn in a year, by city, unit, agency and the stage they left at."""

    stage = models.CharField("环节", max_length=20, choices=Stage.choices)

    class Meta:
        verbose_name = verbose_name_plural = "退出统计"


class FigureRefresh(models.Model):
    """A nightly recount: when, how long, and the differences it found and repaired."""

    finished_at = models.DateTimeField("更新时间")
    seconds = models.FloatField("用时（秒）")
    differences = models.PositiveIntegerField("修正差异数", default=0)
    # The first differences: {"table", "key": {column: value}, "kept": [...], "true": [...]}
    repairs = models.JSONField("修正明细", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计更新"
