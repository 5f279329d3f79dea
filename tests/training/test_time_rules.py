"""The class's time rules, attacked on every path that records them (docs/TIME-RULES.md):
the class's opening and end, and a 培训 result from the class's table, the person page and
the 花名表 upload."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Result, Stage, StageEvent
from apps.pipeline.services import candidacy_record
from apps.rosters.services import CommitRefused, upload_commit
from apps.training import services
from apps.training.models import ClassStatus
from tests.rosters.test_roster_roundtrip import errors, exported, receive, tick
from tests.training.test_classes import INTENSIVE, passed_second_interview, people


def today():
    return timezone.localdate()


@pytest.fixture
def planned_later(world):
    """The issue's class: planned to open on 21 December, roster filed, today 2 December."""
    opens = today() + timedelta(days=19)
    cls = services.class_create(actor=world.unit_u1, **{
        **INTENSIVE, "opens_on": opens, "course_starts_on": opens,
        "ends_on": opens + timedelta(days=30)})
    c = passed_second_interview(world, people(world.unit_u1, 1, 700)[0])
    services.enrol(cls, actor=world.unit_u1, candidacies=[c])
    return services.roster_file(cls, actor=world.unit_u1)


def _signed_in_opened_class(world, opened=date(2026, 4, 1), n=700):
    """Someone with a signed contract in an intensive class that opened on ``opened``."""
    c = passed_second_interview(world, people(world.unit_u1, 1, n)[0])
    c = candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                         actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    cls = services.class_create(actor=world.unit_u1, **{
        **INTENSIVE, "opens_on": opened, "course_starts_on": opened,
        "ends_on": opened + timedelta(days=29)})
    (enrolment,) = services.enrol(cls, actor=world.unit_u1, candidacies=[c])
    services.roster_file(cls, actor=world.unit_u1)
    cls = services.class_open(cls, actor=world.unit_u1, on=opened)
    return c, cls, enrolment


# --- Opening ----------------------------------------------------------------------------

def test_a_class_planned_later_is_not_opened_early_or_without_a_date(world, planned_later):
    cls = planned_later
    for on in (None, today(), today() + timedelta(days=30)):
        with pytest.raises(ValidationError):
            services.class_open(cls, actor=world.unit_u1, on=on)
    with pytest.raises(ValidationError, match="计划开班时间为.*调整开班计划"):
        services.class_open(cls, actor=world.unit_u1, on=today())
    cls.refresh_from_db()
    assert (cls.status, cls.opened_on) == (ClassStatus.PLANNED, None)


def test_the_open_button_asks_the_date_and_refuses_a_forged_one(world, client, planned_later):
    cls = planned_later
    client.force_login(world.unit_u1)
    url = reverse("training:class_action", args=[cls.pk, "open"])
    assert "实际开班日期" in client.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    for data in ({}, {"on": f"{today():%Y-%m-%d}"},
                 {"on": f"{today() + timedelta(days=20):%Y-%m-%d}"}, {"on": "2026-13-40"}):
        body = client.post(url, data, follow=True).content.decode()
        assert "已于" not in body
    assert "不能晚于今天" in client.post(url, {"on": f"{today() + timedelta(days=20):%Y-%m-%d}"},
                                     follow=True).content.decode()
    assert "请填写实际开班日期" in client.post(url, {}, follow=True).content.decode()
    cls.refresh_from_db()
    assert cls.status == ClassStatus.PLANNED


def test_opening_early_needs_the_plan_moved_first_with_a_reason(world, client, planned_later):
    cls = planned_later
    client.force_login(world.unit_u1)
    plan = reverse("training:class_plan", args=[cls.pk])
    moved = {"opens_on": f"{today():%Y-%m-%d}", "course_starts_on": f"{today():%Y-%m-%d}",
             "ends_on": f"{cls.ends_on:%Y-%m-%d}"}
    response = client.post(plan, moved)
    assert response.status_code == 200 and "调整开班计划须说明原因" in response.content.decode()
    client.post(plan, {**moved, "reason": "外方提前面试，应单位申请提前开班"})
    cls.refresh_from_db()
    assert cls.opens_on == today()
    change = cls.plan_changes.get()
    assert change.reason == "外方提前面试，应单位申请提前开班" and change.changed_by == world.unit_u1
    body = client.post(reverse("training:class_action", args=[cls.pk, "open"]),
                       {"on": f"{today():%Y-%m-%d}"}, follow=True).content.decode()
    assert f"已于{today():%Y-%m-%d}开班" in body and "外方提前面试" in body
    cls.refresh_from_db()
    assert (cls.status, cls.opened_on) == (ClassStatus.OPEN, today())
    audited = AuditEvent.objects.filter(action=AuditAction.CLASS_DATES, object_id=str(cls.pk))
    assert audited.count() == 2 and all(a.ip == "127.0.0.1" for a in audited)
    # Once open, the opening date is history: it cannot be moved any more.
    response = client.post(plan, {**moved, "opens_on": f"{today() - timedelta(days=5):%Y-%m-%d}",
                                  "reason": "改早"})
    cls.refresh_from_db()
    assert cls.opens_on == today()


def test_the_edit_page_cannot_move_the_plan_around_the_reason(world, client, planned_later):
    cls = planned_later
    client.force_login(world.unit_u1)
    form = client.get(reverse("training:class_edit", args=[cls.pk])).context["form"]
    assert "opens_on" not in form.fields
    data = {name: form.initial.get(name) or "" for name in form.fields}
    client.post(reverse("training:class_edit", args=[cls.pk]),
                {**data, "opens_on": f"{today():%Y-%m-%d}"})
    cls.refresh_from_db()
    assert cls.opens_on == today() + timedelta(days=19) and not cls.plan_changes.exists()


# --- Ending -----------------------------------------------------------------------------

def test_a_class_ends_on_a_recorded_date_not_future_not_before_opening(world, client):
    c, cls, _ = _signed_in_opened_class(world, opened=date(2026, 4, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.class_end(cls, actor=world.unit_u1, on=today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="不能早于开班日期"):
        services.class_end(cls, actor=world.unit_u1, on=date(2026, 3, 31))
    end_on_the_page(client, world, cls, refused=("2026-03-20", "不能早于开班日期（2026-04-01）"),
                    ends=date(2026, 4, 30))


def end_on_the_page(client, world, cls, *, refused, ends):
    """The 结业 button refuses ``refused`` (date, what it says) and then ends on ``ends``."""
    client.force_login(world.unit_u1)
    url = reverse("training:class_action", args=[cls.pk, "end"])
    body = client.post(url, {"on": refused[0]}, follow=True).content.decode()
    assert refused[1] in body
    cls.refresh_from_db()
    assert cls.status == ClassStatus.OPEN
    client.post(url, {"on": f"{ends:%Y-%m-%d}"})
    cls.refresh_from_db()
    assert (cls.status, cls.ends_on) == (ClassStatus.ENDED, ends)


# --- A training result, on every path ----------------------------------------------------

def test_training_pass_from_the_person_page_with_zero_hours_is_refused(world, client):
    """The issue: 培训合格 with a certificate, 0 hours, from the person page."""
    c, cls, enrolment = _signed_in_opened_class(world)
    client.force_login(world.unit_u1)
    url = reverse("pipeline:candidacy_record", args=[c.pk])
    response = client.post(url, {"result": "pass", "happened_on": "2026-04-20",
                                  "certificate_no": "SX-0001"})
    assert "出勤课时为0" in response.content.decode()
    assert not StageEvent.objects.filter(candidacy=c, stage=Stage.TRAINING).exists()
    # A forged future date, a date before the class opened, after its end: refused alike.
    for on, said in ((today() + timedelta(days=1), "不能晚于今天"),
                     (date(2026, 3, 31), "不能早于培训班开班日期"),
                     (date(2026, 5, 15), "不能晚于培训结束时间")):
        response = client.post(url, {"result": "pass", "happened_on": f"{on:%Y-%m-%d}",
                                      "certificate_no": "SX-0001"})
        assert said in response.content.decode(), on
    assert not StageEvent.objects.filter(candidacy=c, stage=Stage.TRAINING).exists()
    # With hours recorded in the class, the same page records it.
    services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 20),
                            rows=[(enrolment, Decimal(120), "", "")])
    client.post(url, {"result": "pass", "happened_on": "2026-04-20", "certificate_no": "SX-0001"})
    enrolment.refresh_from_db()
    assert (enrolment.result, enrolment.result_on) == ("pass", date(2026, 4, 20))


def test_the_person_page_cannot_train_someone_outside_a_class_or_before_it_opens(world, client):
    c = passed_second_interview(world, people(world.unit_u1, 1, 710)[0])
    c = candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                         actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    client.force_login(world.unit_u1)
    url = reverse("pipeline:candidacy_record", args=[c.pk])
    data = {"result": "pass", "happened_on": "2026-04-20", "certificate_no": "SX-0002"}
    assert "未加入任何强化培训班" in client.post(url, data).content.decode()
    cls = services.class_create(actor=world.unit_u1, **INTENSIVE)
    services.enrol(cls, actor=world.unit_u1, candidacies=[c])
    assert "尚未开班" in client.post(url, data).content.decode()
    assert not StageEvent.objects.filter(candidacy=c, stage=Stage.TRAINING).exists()


def test_the_class_results_table_refuses_dates_outside_the_class(world, client):
    c, cls, enrolment = _signed_in_opened_class(world)
    client.force_login(world.unit_u1)
    url = reverse("training:class_results", args=[cls.pk])
    row = {f"hours-{enrolment.pk}": "120", f"result-{enrolment.pk}": "pass",
           f"certificate-{enrolment.pk}": "SX-0003"}
    for on, said in (("2026-03-31", "不能早于培训班开班日期"),
                     (f"{today() + timedelta(days=3):%Y-%m-%d}", "不能晚于今天"),
                     ("2026-05-02", "不能晚于培训结束时间")):
        response = client.post(url, {"on": on, **row})
        assert response.status_code == 400 and said in response.content.decode()
    response = client.post(url, {"on": "2026-04-20", **row, f"hours-{enrolment.pk}": "0"})
    assert response.status_code == 400 and "出勤课时为0" in response.content.decode()
    enrolment.refresh_from_db()
    assert (enrolment.result, enrolment.attended_hours) == ("", 0)  # all or nothing


def test_an_uploaded_roster_goes_through_the_class_rule(world, client):
    """The 花名表's 培训·合格 tick: refused in the preview with 0 hours or a date before the
    class opened; and hours taken away after a clean preview make the commit refuse."""
    from tests.rosters.test_roster_roundtrip import _through_contract
    _through_contract(world)
    cls = services.roster_file(world.class_ty, actor=world.unit_u1)
    cls = services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    data = tick(exported(client, world.unit_u1, world),
                {"Q5": "√", "AE3": "培训合格证编号", "AE5": "HG-2026-0099"})
    (message,) = errors(receive(world.unit_u1, data, on=date(2026, 4, 20)))
    assert message.startswith("第5行") and "出勤课时为0" in message
    services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 20),
                            rows=[(world.enrolment_ty, Decimal(120), "", "")])
    (message,) = errors(receive(world.unit_u1, data, on=date(2026, 3, 20)))
    assert "不能早于培训班开班日期" in message
    clean = receive(world.unit_u1, data, on=date(2026, 4, 20))
    assert (clean.error_count, clean.update_count) == (0, 1), clean.preview
    services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 20),
                            rows=[(world.enrolment_ty, Decimal(0), "", "")])
    with pytest.raises(CommitRefused, match="预览后数据已变化"):
        upload_commit(clean, actor=world.unit_u1)
    assert not StageEvent.objects.filter(candidacy=world.cand_ty, stage=Stage.TRAINING).exists()
