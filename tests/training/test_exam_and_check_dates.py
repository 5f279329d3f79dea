"""A spot check is not dated before the class began, and a class neither ends nor has its end
planned before an exam already held for it (docs/TIME-RULES.md rules 32, 35): attacked on the
services and on the 录入抽查结果, 结业 and 调整开班计划 pages."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.training import services
from apps.training.models import SpotCheck
from tests.training.test_time_rules import _signed_in_opened_class, end_on_the_page, today

CHECK = dict(inspector="省专项办 李明", findings="出勤与花名表一致", outcome="ok")


def test_a_spot_check_before_the_class_opened_or_of_a_class_not_open_is_refused(world, client):
    _, cls, _ = _signed_in_opened_class(world, opened=date(2026, 4, 1))
    with pytest.raises(ValidationError, match="不能早于培训班开班日期（2026-04-01）"):
        services.spot_check_record(cls, actor=world.province, checked_on=date(2026, 3, 31), **CHECK)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.spot_check_record(cls, actor=world.province,
                                   checked_on=today() + timedelta(days=1), **CHECK)
    # 大同's 非建制班 has not opened (its plan says 2 March): there is nothing to check yet.
    with pytest.raises(ValidationError, match="尚未开班"):
        services.spot_check_record(world.standing_dt, actor=world.province,
                                   checked_on=date(2026, 5, 6), **CHECK)
    client.force_login(world.province)
    url = reverse("training:spot_check_create", args=[cls.pk])
    for forged in ("2026-03-31", "1900-01-01", "0001-01-01"):
        body = client.post(url, {**CHECK, "checked_on": forged}).content.decode()
        assert "不能早于培训班开班日期（2026-04-01）" in body, forged
    assert not SpotCheck.objects.filter(training_class=cls).exists()
    client.post(url, {**CHECK, "checked_on": "2026-04-01"})
    assert SpotCheck.objects.filter(training_class=cls, checked_on=date(2026, 4, 1)).exists()


def test_a_class_does_not_end_before_an_exam_already_held(world, client):
    c, cls, enrolment = _signed_in_opened_class(world, opened=date(2026, 4, 1))
    services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 25),
                            rows=[(enrolment, Decimal(120), "pass", "SX-0001")])
    with pytest.raises(ValidationError, match="不能早于本班已举行的考核日期（2026-04-25）"):
        services.class_end(cls, actor=world.unit_u1, on=date(2026, 4, 24))
    # The exam's own day is fine.
    end_on_the_page(client, world, cls, ends=date(2026, 4, 25),
                    refused=("2026-04-20", "不能早于本班已举行的考核日期（2026-04-25）"))


def test_the_plan_cannot_move_the_end_before_an_exam_already_held(world, client):
    c, cls, enrolment = _signed_in_opened_class(world, opened=date(2026, 4, 1))
    services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 25),
                            rows=[(enrolment, Decimal(120), "pass", "SX-0001")])
    with pytest.raises(ValidationError, match="计划结束时间（2026-04-20）不能早于本班已举行的考核日期"):
        services.class_plan_move(cls, actor=world.unit_u1, reason="外方提前", ends_on=date(2026, 4, 20))
    client.force_login(world.unit_u1)
    plan = reverse("training:class_plan", args=[cls.pk])
    body = client.post(plan, {"opens_on": f"{cls.opens_on:%Y-%m-%d}",
                              "course_starts_on": f"{cls.course_starts_on:%Y-%m-%d}",
                              "ends_on": "2026-04-10", "reason": "外方提前"}).content.decode()
    assert "不能早于本班已举行的考核日期（2026-04-25）" in body
    cls.refresh_from_db()
    assert cls.ends_on == date(2026, 4, 30) and not cls.plan_changes.exists()


def test_no_hours_for_weeks_before_a_late_opening_and_none_owed(world, client):
    """A 非建制班 planned for 2 March that opened on 16 March: the two weeks before it opened
    take no hours (page and service), and their missing hours do not stop the money."""
    from apps.training.models import WeeklyHours
    from tests.training.test_classes import STANDING, people
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    services.standing_members_add(cls, actor=world.unit_u1, persons=people(world.unit_u1, 30))
    services.roster_file(cls, actor=world.unit_u1)
    cls = services.class_open(cls, actor=world.unit_u1, on=date(2026, 3, 16))
    with pytest.raises(ValidationError, match="在培训班开班日期（2026-03-16）之前"):
        services.weekly_hours_record(cls, actor=world.unit_u1, week_of=date(2026, 3, 4),
                                     hours=Decimal(4))
    client.force_login(world.unit_u1)
    body = client.post(reverse("training:class_hours", args=[cls.pk]),
                       {"week_of": "2026-03-09", "hours": "4"}, follow=True).content.decode()
    assert "在培训班开班日期（2026-03-16）之前" in body
    assert not WeeklyHours.objects.filter(training_class=cls).exists()
    services.weekly_hours_record(cls, actor=world.unit_u1, week_of=date(2026, 3, 16),
                                 hours=Decimal(4))
    assert services.class_flags(cls, today=date(2026, 3, 23)) == []
