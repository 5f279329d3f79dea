"""A person's 报名日期 is not in the future nor before they were 16 (docs/TIME-RULES.md rule 21),
on the registration page, the API and the registration roster (preview and again at commit,
naming row and column); the ID number's birth date and age are checked on Beijing's day, not
the machine's (rule 37); a 脱贫 verification may predate the registration but not the national
register (rule 29)."""
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.registry import idnumber
from apps.registry.idnumber import make_id
from apps.registry.models import Person
from apps.registry.services import person_poverty_verify, person_register
from apps.rosters.models import UploadStatus
from apps.rosters.services import CommitRefused, upload_commit
from tests.api.clients import call, make_client
from tests.rosters.files import person_row, xlsx
from tests.rosters.test_uploads import errors, receive


def test_the_roster_refuses_a_future_or_underage_registration_naming_row_and_column(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    upload = receive(world.unit_u1, xlsx([
        person_row(1, registered=f"{tomorrow:%Y-%m-%d}"),
        person_row(2, registered="1900-01-01"),
        person_row(3, registered="0001-01-01"),
        person_row(4, registered=f"{tomorrow:%Y年%m月%d日}"),
        person_row(5)]))
    found = errors(upload)
    assert f"第2行“报名日期”列：报名日期（{tomorrow:%Y-%m-%d}）不能晚于今天。" in found
    assert any(e.startswith("第3行“报名日期”列：报名日期（1900-01-01）时该人员未满16周岁") for e in found)
    assert any(e.startswith("第4行“报名日期”列：报名日期（0001-01-01）时该人员未满16周岁") for e in found)
    assert f"第5行“报名日期”列：报名日期（{tomorrow:%Y-%m-%d}）不能晚于今天。" in found
    assert upload.error_count == 4
    with pytest.raises(CommitRefused):
        upload_commit(upload, actor=world.unit_u1)
    assert not Person.objects.filter(name__startswith="测试").exists()


def test_the_commit_asks_the_rule_again(world, monkeypatch):
    """A preview judged with a clock two days ahead is clean; the commit, on today's clock,
    refuses the date that is still in the future."""
    ahead = timezone.localdate() + timedelta(days=1)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=2))
    upload = receive(world.unit_u1, xlsx([person_row(1, registered=f"{ahead:%Y-%m-%d}")]))
    assert upload.error_count == 0
    monkeypatch.setattr(timezone, "now", real_now)
    with pytest.raises(CommitRefused):
        upload_commit(upload, actor=world.unit_u1)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PREVIEWED
    assert not Person.objects.filter(name="测试1").exists()


def test_the_registration_page_and_the_api_refuse_the_same_dates(world, client):
    client.force_login(world.unit_u1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {"name": "赵六", "sex": "男", "phone": "13800008888", "category": "学生",
            "id_number": make_id(region="140105", birth=date(1995, 1, 1), seq="111")}
    for forged, said in ((f"{tomorrow:%Y-%m-%d}", "不能晚于今天"), ("1900-01-01", "未满16周岁"),
                         ("2010-12-31", "未满16周岁")):
        body = client.post(reverse("registry:person_register"),
                           {**data, "registered_on": forged}).content.decode()
        assert said in body, forged
        api = make_client(world, Role.UNIT, world.u1, name=f"客户端{forged}")
        response = call(client, "post", "/api/v1/persons/", api.key, {**data, "registered_on": forged})
        assert response.status_code == 400 and said in str(response.json()["errors"]), forged
    assert not Person.objects.filter(name="赵六").exists()


def test_the_id_number_is_checked_on_beijings_day(world, monkeypatch):
    turning_16 = make_id(region="140105", birth=date(2011, 1, 1), seq="231")
    born_today = make_id(region="140105", birth=date(2027, 1, 1), seq="233")

    class MachineDay(date):  # the server's own clock (UTC) is still on 31 December
        @classmethod
        def today(cls):
            return date(2026, 12, 31)

    moment = datetime(2026, 12, 31, 17, 0, tzinfo=dt_timezone.utc)  # 01:00 on 1 January, Beijing
    monkeypatch.setattr(timezone, "now", lambda: moment)
    monkeypatch.setattr(idnumber, "date", MachineDay)
    assert timezone.localdate() == date(2027, 1, 1)
    assert idnumber.parse(turning_16, min_age=16, max_age=60).age_on(date(2027, 1, 1)) == 16
    assert idnumber.parse(born_today, min_age=0, max_age=60).birth_date == date(2027, 1, 1)
    person = person_register(actor=world.unit_u1, name="元旦", id_number=turning_16,
                             phone="13800002222", category="学生")
    assert person.registered_on == date(2027, 1, 1)
    # Still refused the day before, Beijing time.
    monkeypatch.setattr(timezone, "now", lambda: moment - timedelta(hours=2))  # 23:00 Beijing
    with pytest.raises(idnumber.IdNumberError, match="15周岁"):
        idnumber.parse(turning_16, min_age=16, max_age=60)
    with pytest.raises(idnumber.IdNumberError, match="晚于今天"):
        idnumber.parse(born_today, min_age=0, max_age=60)


def test_a_verification_may_predate_the_registration_but_not_the_national_register(world):
    person = world.person_ty  # registered on 2020-01-01
    with pytest.raises(ValidationError, match="早于全国建档立卡"):
        person_poverty_verify(person, actor=world.city_ty, status="脱贫劳动力", source="national",
                              verified_on=date(1900, 1, 1))
    # The status stands in the national system before our registration: the city's check of
    # it is kept with its own date (and counts a year from that date, no longer).
    v = person_poverty_verify(person, actor=world.city_ty, status="脱贫劳动力", source="national",
                              verified_on=date(2019, 12, 1))
    assert v.verified_on < person.registered_on


def test_full_width_and_arabic_indic_digits_are_read_as_the_date_they_say(world):
    """Digits from a Chinese input method (or another script) are the same date: a future one
    is refused, a past one kept as it reads, never another date."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    upload = receive(world.unit_u1, xlsx([
        person_row(1, registered=f"{tomorrow:%Y-%m-%d}".translate(wide)),
        person_row(2, registered="2026-03-01".translate(arabic)),
        person_row(3, registered="２０２６年３月１日")]))
    assert errors(upload) == [f"第2行“报名日期”列：报名日期（{tomorrow.isoformat()}）不能晚于今天。"]
    good = receive(world.unit_u1, xlsx([person_row(2, registered="2026-03-01".translate(arabic)),
                                        person_row(3, registered="２０２６年３月１日")]))
    upload_commit(good, actor=world.unit_u1)
    assert set(Person.objects.filter(name__in=["测试2", "测试3"])
               .values_list("registered_on", flat=True)) == {date(2026, 3, 1)}
