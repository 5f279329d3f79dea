"""Working-day arithmetic. "Within N working days after day X" ends at the end of the N-th
working day after X (X itself does not count), Asia/Shanghai."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from apps.workdays.models import CalendarYear, DayKind, SpecialDay


@dataclass(frozen=True)
class Due:
    day: date
    provisional: bool  # the count crossed a year whose arrangement is not entered yet

    @property
    def ends_at(self) -> datetime:
        """The last moment of the due day, Beijing time."""
        return timezone.make_aware(datetime.combine(self.day, time.max),
                                   timezone.get_default_timezone())


class WorkingCalendar:
    """The calendar between two dates, loaded once (two queries), then pure arithmetic."""

    def __init__(self, start: date, end: date):
        self.known_years = set(CalendarYear.objects.filter(
            year__gte=start.year, year__lte=end.year).values_list("year", flat=True))
        self.special = dict(SpecialDay.objects.filter(date__gte=start, date__lte=end)
                            .values_list("date", "kind"))
        self.start, self.end = start, end

    def is_working_day(self, day: date) -> bool:
        kind = self.special.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def add(self, day: date, n: int) -> Due:
        """The N-th working day after ``day`` (N ≥ 1); before it for N ≤ -1."""
        step = 1 if n >= 0 else -1
        remaining, current, provisional = abs(n), day, False
        while remaining:
            current += timedelta(days=step)
            if not self.start <= current <= self.end:
                raise ValueError("date outside the loaded calendar range")
            provisional = provisional or current.year not in self.known_years
            if self.is_working_day(current):
                remaining -= 1
        return Due(current, provisional)


def add_working_days(day: date, n: int) -> Due:
    # A generous window: even the Spring Festival week cannot stretch N days past 2N + 20.
    margin = timedelta(days=abs(n) * 2 + 20)
    return WorkingCalendar(day - margin, day + margin).add(day, n)


def working_days_late(due: date, done: date) -> int:
    """How many working days after the due day ``done`` fell (0: on time). A late claim shows
    the reviewer this figure."""
    if done <= due:
        return 0
    cal = WorkingCalendar(due, done)
    return sum(1 for n in range(1, (done - due).days + 1)
               if cal.is_working_day(due + timedelta(days=n)))


def is_working_day(day: date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def missing_next_year(today: date | None = None) -> int | None:
    """Next year's number while its arrangement is not entered (the province is warned)."""
    today = today or timezone.localdate()
    nxt = today.year + 1
    return None if CalendarYear.objects.filter(year=nxt).exists() else nxt
