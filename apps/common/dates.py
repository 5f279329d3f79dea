"""The span of days a record of the programme may be dated in (docs/TIME-RULES.md rule 39).

A form reads 0001-01-01 or 9999-12-31 as a valid date; nothing of the programme happened
before 2000, and nothing is planned more than five years ahead. Outside the span a date is a
typing slip, and the deadlines counted from it (``workdays.calendar``) would overflow."""
from datetime import date

from django.utils import timezone

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5


def span_problem(day, label: str, today=None) -> str:
    """Why ``day`` lies outside the span ("" when it does not, or when it is empty)."""
    if day is None:
        return ""
    today = today or timezone.localdate()
    if day < EARLIEST:
        return f"{label}（{day.isoformat()}）不能早于{EARLIEST:%Y年%m月%d日}，请核对。"
    if day.year > today.year + YEARS_AHEAD:
        return f"{label}（{day.isoformat()}）超过{YEARS_AHEAD}年之后，请核对。"
    return ""
