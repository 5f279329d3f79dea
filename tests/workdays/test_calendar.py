"""Working days: the 2026 arrangement, make-up days, and a provisional count into 2027."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.workdays.calendar import add_working_days, is_working_day, missing_next_year
from apps.workdays.models import CalendarYear, DayKind, SpecialDay
from apps.workdays.seed import arrangement, calendar_seed
from apps.workdays.services import calendar_year_enter, parse_arrangement


@pytest.fixture
def calendar(db):
    calendar_seed()


def test_the_2026_arrangement_from_the_state_council(calendar):
    holidays = SpecialDay.objects.filter(date__year=2026, kind=DayKind.HOLIDAY)
    make_up = SpecialDay.objects.filter(date__year=2026, kind=DayKind.WORKDAY)
    assert holidays.count() == 33
    assert sorted(make_up.values_list("date", flat=True)) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
        date(2026, 9, 20), date(2026, 10, 10)]
    assert SpecialDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_national_day_2026(calendar):
    assert not any(is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2026, 9, 20)) and is_working_day(date(2026, 10, 10))  # Sun, Sat
    assert add_working_days(date(2026, 9, 30), 5).day == date(2026, 10, 13)
    assert add_working_days(date(2026, 9, 30), 10).day == date(2026, 10, 20)
    # 18 Sep (Fri) + 1: the next working day is Sunday 20 Sep, a make-up day.
    assert add_working_days(date(2026, 9, 18), 1).day == date(2026, 9, 20)


def test_spring_festival_2026(calendar):
    assert add_working_days(date(2026, 2, 13), 1).day == date(2026, 2, 14)  # Sat, make-up
    # 14 Feb worked; 15–23 Feb off; 24 Feb the next working day.
    assert add_working_days(date(2026, 2, 14), 1).day == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 14), 5).day == date(2026, 2, 28)  # Sat, make-up
    due = add_working_days(date(2026, 2, 14), 5)
    assert not due.provisional and due.ends_at.isoformat() == "2026-02-28T23:59:59.999999+08:00"


def test_december_2026_counts_into_2027_provisionally_then_finally(calendar):
    due = add_working_days(date(2026, 12, 18), 10)
    # Weekdays only in unknown 2027: 21–25, 28–31 Dec = 9, then Fri 1 Jan.
    assert due == type(due)(date(2027, 1, 1), True)
    assert missing_next_year(date(2026, 11, 22)) == 2027
    days = parse_arrangement(2027, "2027-01-01 放假 元旦\n2027-02-05 至 2027-02-11 放假 春节\n"
                                   "2027-02-13 上班 春节调休")
    calendar_year_enter(year=2027, days=days, actor=None, source="国办发明电（测试）")
    final = add_working_days(date(2026, 12, 18), 10)
    assert final.day == date(2027, 1, 4) and not final.provisional
    assert missing_next_year(date(2026, 11, 22)) is None


def test_arrangement_lines_are_checked_with_the_line_named(db):
    with pytest.raises(ValidationError) as error:
        parse_arrangement(2027, "2027-01-01 放假 元旦\n2027-02-30 放假 春节\n2026-12-31 放假 x\n随便写")
    messages = error.value.message_dict["arrangement"]
    assert messages[0] == "第2行“2027-02-30 放假 春节”中的日期不存在"
    assert messages[1].startswith("第3行") and "不在2027年内" in messages[1]
    assert messages[2].startswith("第4行“随便写”无法识别")


def test_seed_keeps_a_corrected_year(calendar):
    SpecialDay.objects.filter(date=date(2026, 10, 8)).delete()  # a province correction
    assert calendar_seed() == []
    assert not SpecialDay.objects.filter(date=date(2026, 10, 8)).exists()
    assert len(arrangement(2025)) > 20


def test_province_enters_2027_through_the_page(calendar, client):
    from tests.conftest import make_user
    client.force_login(make_user("p", "province"))
    home = client.get("/").content.decode()
    assert "2027年节假日安排尚未录入" in home
    response = client.post(reverse("workdays:calendar_enter"), {
        "year": 2027, "source": "国办发明电〔2026〕x号",
        "arrangement": "2027-01-01 放假 元旦\n2027-10-01 至 2027-10-07 放假 国庆节"}, follow=True)
    assert "已录入2027年节假日安排（8天）" in response.content.decode()
    assert CalendarYear.objects.filter(year=2027).exists()
    assert "2027年节假日安排尚未录入" not in client.get("/").content.decode()


def test_everyone_may_count_but_only_the_province_edits(calendar, client):
    from tests.conftest import make_user
    client.force_login(make_user("u", "observer"))
    page = client.get(reverse("workdays:calendar_index"), {"start": "2026-09-30", "days": 5})
    assert "2026年10月13日" in page.content.decode()
    assert client.get(reverse("workdays:calendar_enter")).status_code == 403
