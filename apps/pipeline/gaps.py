"""Implausible gaps between stages (docs/TIME-RULES.md): a stage recorded more than the
province's limit after the previous one is questioned — recorded only with a reason.

The limits are data (StageGapLimit); DEFAULTS seeds them once and is never read again."""
import calendar
from datetime import date

from apps.pipeline.models import Stage, StageGapLimit

# Months allowed after the previous stage, as seeded. 归国 follows a contract of up to five
# years abroad; the others are weeks or months apart in the plan.
DEFAULTS = {Stage.FIRST_INTERVIEW: 12, Stage.MEDICAL: 6, Stage.SECOND_INTERVIEW: 6,
            Stage.CONTRACT: 6, Stage.TRAINING: 6, Stage.DEPARTURE: 12, Stage.RETURN: 72}


def add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def gap_question(*, stage, previous_stage, previous_on: date, on: date) -> str | None:
    """The question to ask when ``on`` lies beyond the limit after ``previous_on`` (None: no
    question). One query."""
    limit = StageGapLimit.objects.filter(stage=stage).values_list("months", flat=True).first()
    if not limit or on <= add_months(previous_on, limit):
        return None
    return (f"{Stage(stage).label}日期（{on:%Y-%m-%d}）距{Stage(previous_stage).label}"
            f"（{previous_on:%Y-%m-%d}）超过省定上限{limit}个月，请核实日期；确属实的，须填写"
            "“间隔超限说明”后录入。")


def limits_ensure() -> None:
    """Create the limits that are missing (never overwrite one the province changed)."""
    for stage, months in DEFAULTS.items():
        StageGapLimit.objects.get_or_create(stage=stage, defaults={"months": months})
