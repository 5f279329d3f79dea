"""Writes to the working-day calendar: the province enters a year, or corrects one day."""
import re
from datetime import date

from django.core.exceptions import ValidationError

from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.workdays.models import CalendarYear, DayKind, SpecialDay

KIND_WORDS = {"休": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY, "班": DayKind.WORKDAY,
              "上班": DayKind.WORKDAY, "调休上班": DayKind.WORKDAY}
LINE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(?:至|-|~|到)?\s*"
                  r"(?:(\d{4})[-/.年])?(?:(\d{1,2})[-/.月])?(\d{1,2})?日?\s+(\S+)\s*(.*)$")


def parse_arrangement(year: int, text: str) -> list[tuple[date, str, str]]:
    """Lines such as "2027-01-01 放假 元旦", "2027-10-01 至 2027-10-07 放假 国庆节" or
    "2027-09-26 上班 国庆节调休". Errors name the line."""
    from datetime import timedelta

    days, errors = {}, []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = LINE.match(line)
        if not m or m[7] not in KIND_WORDS:
            errors.append(f"第{number}行“{line}”无法识别，请写成“2027-01-01 放假 元旦”或"
                          "“2027-10-01 至 2027-10-07 放假 国庆节”")
            continue
        try:
            first = date(int(m[1]), int(m[2]), int(m[3]))
            last = first
            if m[6]:
                last = date(int(m[4] or m[1]), int(m[5] or m[2]), int(m[6]))
        except ValueError:
            errors.append(f"第{number}行“{line}”中的日期不存在")
            continue
        if first.year != year or last.year != year or last < first:
            errors.append(f"第{number}行“{line}”不在{year}年内或起止日期颠倒")
            continue
        day = first
        while day <= last:
            if day in days:
                errors.append(f"第{number}行：{day:%Y-%m-%d}重复")
            days[day] = (KIND_WORDS[m[7]], m[8].strip())
            day += timedelta(days=1)
    if errors:
        raise ValidationError({"arrangement": errors})
    return [(d, kind, name) for d, (kind, name) in sorted(days.items())]


@audited(AuditAction.CALENDAR, "录入年度节假日安排")
def calendar_year_enter(*, year: int, days, actor, source: str = "") -> CalendarYear:
    """Enter (or re-enter) a year's arrangement; it replaces that year's special days."""
    for day, _, _ in days:
        if day.year != year:
            raise ValidationError({"arrangement": f"{day:%Y-%m-%d}不在{year}年内"})
    SpecialDay.objects.filter(date__year=year).delete()
    SpecialDay.objects.bulk_create(
        [SpecialDay(date=d, kind=kind, name=name, updated_by=actor) for d, kind, name in days])
    entry, created = CalendarYear.objects.get_or_create(
        year=year, defaults={"source": source, "entered_by": actor})
    if not created:
        entry.source, entry.entered_by = source or entry.source, actor
        entry.save(update_fields=["source", "entered_by"])
    # Deadlines counted provisionally into this year become final (or move).
    from apps.deadlines.services import recompute_due
    recompute_due(provisional_only=True)
    return entry


@audited(AuditAction.CALENDAR, "设置节假日或调休")
def special_day_set(*, day: date, kind: str, name: str, actor) -> SpecialDay:
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise ValidationError({"date": f"{day.year}年的节假日安排尚未录入，请先录入全年安排。"})
    special, _ = SpecialDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "name": name, "updated_by": actor})
    return special


@audited(AuditAction.CALENDAR, "删除节假日或调休")
def special_day_delete(special: SpecialDay, *, actor) -> None:
    special.delete()
