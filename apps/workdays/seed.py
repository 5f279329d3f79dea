"""Seed the calendar from the chinesecalendar package (the State Council's arrangements)."""
import functools
from datetime import date, timedelta

import chinese_calendar

from apps.workdays.models import CalendarYear, DayKind
from apps.workdays.services import calendar_year_enter

FIRST_YEAR, LAST_YEAR = 2020, 2026
NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
         "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
         "Mid-autumn Festival": "中秋节"}


@functools.cache  # the package's data never changes within a process
def arrangement(year: int) -> tuple:
    days, day = [], date(year, 1, 1)
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        label = NAMES.get(name, name or "")
        if not working and name:
            days.append((day, DayKind.HOLIDAY, label))
        elif working and day.weekday() >= 5:
            days.append((day, DayKind.WORKDAY, f"{label}调休上班" if label else "调休上班"))
        day += timedelta(days=1)
    return tuple(days)


def calendar_seed(actor=None) -> list[int]:
    """Enter 2020–2026 where missing; years already entered (perhaps corrected) are kept."""
    entered = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if CalendarYear.objects.filter(year=year).exists():
            continue
        calendar_year_enter(year=year, days=arrangement(year), actor=actor,
                            source="国务院办公厅公布的节假日安排")
        entered.append(year)
    return entered
