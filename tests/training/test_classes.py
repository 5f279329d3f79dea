"""Training: intensive classes feed the 培训 stage; 非建制班 rules refused or flagged; spot
checks stop the money; class deadlines come from the class's dates."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.orgs.models import OrganisingUnit, UnitCategory
from apps.pipeline.models import CandidacyStatus, Result, Stage
from apps.pipeline.selectors import roster_selection
from apps.pipeline.services import candidacy_open, candidacy_record
from apps.registry.idnumber import make_id
from apps.registry.services import person_register
from apps.training import services
from apps.training.models import ClassStatus, StandingMember, WeeklyHours
from apps.workdays.calendar import add_working_days
from tests.conftest import REGISTERED_ON, make_user

STANDING = dict(kind="standing", name="韩语非建制班", opens_on=date(2026, 3, 2),
                first_term_ends_on=date(2026, 7, 10), second_term_starts_on=date(2026, 9, 1),
                ends_on=date(2027, 1, 15), place="外语楼", courses="韩语",
                timetable="每周二、四 各1课时", hours_per_week=Decimal(2), language="韩语")
INTENSIVE = dict(kind="intensive", name="介护强化二班", mode="alone", opens_on=date(2026, 4, 1),
                 course_starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30), place="实训楼",
                 courses="日语、介护", timetable="每天8课时", hours_per_week=Decimal(40))


def people(actor, n, start=0):
    out = []
    for i in range(start, start + n):
        seq = f"{(i * 2 + 1) % 1000:03d}"
        out.append(person_register(
            actor=actor, name=f"学员{i}", sex="男", phone=f"137{i:08d}", category="学生",
            registered_on=REGISTERED_ON,
            id_number=make_id(region="140105", birth=date(2000, 1 + i % 12, 1 + i % 28),
                              seq=seq)))
    return out


def opened(cls):
    """Set-up only: the class opened on its planned day (a spot check needs an opening)."""
    type(cls).objects.filter(pk=cls.pk).update(status=ClassStatus.OPEN, opened_on=cls.opens_on)
    cls.refresh_from_db()
    return cls


def passed_second_interview(world, person, on=date(2026, 3, 20)):
    c = candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 2))
    for stage in (Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW):
        c = candidacy_record(c, stage=stage, result=Result.PASS, on=on, actor=world.unit_u1)
    return c


# --- 非建制班: who, how long, how often, how many ---------------------------------------

@pytest.mark.parametrize("category", [UnitCategory.HR_COMPANY, UnitCategory.TRAINING_INSTITUTION])
def test_only_schools_open_standing_classes(world, category):
    unit = OrganisingUnit.objects.create(name="某人力资源公司", category=category, city=world.ty,
                                         standing_class_allowed=False)
    user = make_user("hr", "unit", unit=unit)
    with pytest.raises(ValidationError) as refused:
        services.class_create(actor=user, **STANDING)
    assert "只能由学校举办" in str(refused.value)
    # The same company may still run an intensive class.
    assert services.class_create(actor=user, **INTENSIVE).pk


def test_a_standing_class_needs_two_semesters_and_two_hours_a_week(world):
    with pytest.raises(ValidationError) as refused:
        services.class_create(actor=world.unit_u1, **{**STANDING, "second_term_starts_on": None,
                                                      "hours_per_week": Decimal("1.5")})
    assert set(refused.value.error_dict) == {"first_term_ends_on", "hours_per_week"}
    with pytest.raises(ValidationError) as refused:
        services.class_create(actor=world.unit_u1, **{**STANDING,
                                                      "second_term_starts_on": date(2026, 7, 1)})
    assert "second_term_starts_on" in refused.value.error_dict
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    assert cls.period_label.count("学期") == 2


def test_class_deadlines_come_from_its_dates(world):
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    items = {i.rule.code: i for i in cls.deadline_items.select_related("rule")}
    # The roster before opening: by the working day before Monday 2 March 2026, which is
    # Saturday 28 February, a make-up working day (调休) of the 2026 Spring Festival.
    assert items["standing_roster"].due_on == date(2026, 2, 28)
    assert items["standing_info"].due_on == add_working_days(date(2027, 1, 15), 10).day
    assert items["standing_info"].owner_role == "unit" and items["standing_info"].unit == world.u1
    intensive = services.class_create(actor=world.unit_u1, **INTENSIVE)
    codes = set(intensive.deadline_items.values_list("rule__code", flat=True))
    assert codes == {"class_roster", "class_info"}


def test_thirty_people_before_the_roster_is_filed_and_the_class_opens(world):
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    services.standing_members_add(cls, actor=world.unit_u1, persons=people(world.unit_u1, 29))
    with pytest.raises(ValidationError, match="仅 29 人"):
        services.roster_file(cls, actor=world.unit_u1)
    with pytest.raises(ValidationError, match="须报送花名表"):
        services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    assert any("29 人" in f for f in services.class_flags(cls))
    services.standing_members_add(cls, actor=world.unit_u1, persons=people(world.unit_u1, 1, 29))
    services.roster_file(cls, actor=world.unit_u1)
    item = cls.deadline_items.get(rule__code="standing_roster")
    assert item.status == "done_late"  # filed in November for a class that opened in March
    assert services.class_open(cls, actor=world.unit_u1, on=cls.opens_on).status == ClassStatus.OPEN


def test_weeks_under_two_hours_are_flagged_and_block_the_money(world):
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    services.standing_members_add(cls, actor=world.unit_u1, persons=people(world.unit_u1, 30))
    services.roster_file(cls, actor=world.unit_u1)
    cls = services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    today = date(2026, 3, 23)  # three full weeks of the first semester have passed
    for monday, hours in ((date(2026, 3, 2), 2), (date(2026, 3, 9), 1), (date(2026, 3, 16), 3)):
        WeeklyHours.objects.create(training_class=cls, week_of=monday, hours=hours,
                                   recorded_by=world.unit_u1)
    flags = services.class_flags(cls, today=today)
    assert flags == ["1 周课时不足2课时或未登记（03月09日当周）。"]
    assert flags[0] in services.class_money_problems(cls, today=today)
    WeeklyHours.objects.filter(training_class=cls, week_of=date(2026, 3, 9)).update(hours=2)
    assert services.class_money_problems(cls, today=today) == []


def test_weekly_hours_are_recorded_by_week(world):
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    with pytest.raises(ValidationError, match="开班中"):
        services.weekly_hours_record(cls, actor=world.unit_u1, week_of=date(2026, 3, 4),
                                     hours=Decimal(2))
    cls.status = ClassStatus.OPEN
    cls.save()
    row = services.weekly_hours_record(cls, actor=world.unit_u1, week_of=date(2026, 3, 4),
                                       hours=Decimal(2))
    assert row.week_of == date(2026, 3, 2)  # the Monday of that week
    services.weekly_hours_record(cls, actor=world.unit_u1, week_of=date(2026, 3, 5),
                                 hours=Decimal(3))
    assert list(cls.weekly_hours.values_list("hours", flat=True)) == [Decimal(3)]
    with pytest.raises(ValidationError, match="不在本期培训周期"):
        services.weekly_hours_record(cls, actor=world.unit_u1, week_of=date(2025, 3, 4),
                                     hours=Decimal(2))


# --- Spot checks ------------------------------------------------------------------------

def test_falsification_stops_the_money_and_serious_falsification_the_right(world):
    cls = world.standing_ty
    assert services.class_money_problems(cls, today=cls.opens_on) != []  # 1 member < 30
    StandingMember.objects.bulk_create([StandingMember(training_class=cls, person=p)
                                        for p in people(world.unit_u1, 30)])
    assert services.class_money_problems(cls, today=cls.opens_on) == []
    opened(cls)
    services.spot_check_record(cls, actor=world.province, checked_on=date(2026, 5, 6),
                               inspector="李明", findings="签到表代签", outcome="falsified")
    cls.refresh_from_db()
    assert cls.money_stopped
    assert "停止拨付" in services.class_money_problems(cls, today=cls.opens_on)[0]
    assert OrganisingUnit.objects.get(pk=world.u1.pk).standing_class_allowed  # not yet serious
    services.spot_check_record(cls, actor=world.province, checked_on=date(2026, 5, 20),
                               inspector="李明", findings="虚报学员12人", outcome="serious")
    assert not OrganisingUnit.objects.get(pk=world.u1.pk).standing_class_allowed
    with pytest.raises(ValidationError, match="经办资格已取消"):
        services.class_create(actor=world.unit_u1, **STANDING)


def test_only_the_province_spot_checks(world):
    with pytest.raises(Exception, match="省专项办"):
        services.spot_check_record(world.standing_ty, actor=world.city_ty,
                                   checked_on=date(2026, 5, 6), inspector="x", findings="y",
                                   outcome="serious")
    assert world.standing_ty.spot_checks.count() == 1


# --- Intensive classes ------------------------------------------------------------------

def test_only_people_who_passed_the_second_interview_are_enrolled(world):
    cls = services.class_create(actor=world.unit_u1, **INTENSIVE)
    ready, waiting = people(world.unit_u1, 2)
    ready = passed_second_interview(world, ready)
    waiting = candidacy_open(person=waiting, project=world.project_a1, actor=world.unit_u1,
                             on=date(2026, 3, 2))
    with pytest.raises(ValidationError, match="只有复试合格的人员"):
        services.enrol(cls, actor=world.unit_u1, candidacies=[ready, waiting])
    assert cls.enrolments.count() == 0  # all or none
    services.enrol(cls, actor=world.unit_u1, candidacies=[ready])
    with pytest.raises(ValidationError, match="已参加其他强化培训班"):
        services.enrol(world.class_ty, actor=world.unit_u1, candidacies=[ready])


def test_results_feed_the_training_stage_once(world):
    cls = services.class_create(actor=world.unit_u1, **INTENSIVE)
    a, b = [passed_second_interview(world, p) for p in people(world.unit_u1, 2)]
    for c in (a, b):
        candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                         actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    enrolments = services.enrol(cls, actor=world.unit_u1, candidacies=[a, b])
    services.roster_file(cls, actor=world.unit_u1)
    services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    ea, eb = enrolments
    with pytest.raises(ValidationError, match="培训合格证编号"):
        services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 30),
                                rows=[(ea, Decimal(160), "pass", ""), (eb, Decimal(20), "fail", "")])
    b.refresh_from_db()
    assert b.stage == Stage.CONTRACT  # nothing of the refused batch was written
    n = services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 30),
                                rows=[(ea, Decimal(160), "pass", "SX2026-001"),
                                      (eb, Decimal(20), "fail", "")])
    assert n == 2
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.stage, a.result, a.certificate_no) == (Stage.TRAINING, Result.PASS, "SX2026-001")
    assert (b.stage, b.status) == (Stage.TRAINING, CandidacyStatus.ENDED)
    assert a.events.get(stage=Stage.TRAINING).details == {"certificate_no": "SX2026-001"}
    with pytest.raises(ValidationError, match="不能重复录入"):
        services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 30),
                                rows=[(ea, None, "fail", "")])


def test_a_result_before_the_contract_is_refused_by_the_pipeline(world):
    cls = services.class_create(actor=world.unit_u1, **INTENSIVE)
    c = passed_second_interview(world, people(world.unit_u1, 1)[0])
    (e,) = services.enrol(cls, actor=world.unit_u1, candidacies=[c])
    services.roster_file(cls, actor=world.unit_u1)
    services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    with pytest.raises(ValidationError, match="下一环节应为“合同”"):
        services.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 30),
                                rows=[(e, Decimal(8), "pass", "X1")])


def test_ending_moves_the_information_deadline_and_filing_closes_it(world):
    cls = services.class_create(actor=world.unit_u1, **INTENSIVE)
    cls.enrolments.create(candidacy=passed_second_interview(world, people(world.unit_u1, 1)[0]),
                          enrolled_by=world.unit_u1)
    services.roster_file(cls, actor=world.unit_u1)
    services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    with pytest.raises(ValidationError, match="培训结束后"):
        services.info_file(cls, actor=world.unit_u1)
    today = timezone.localdate()
    services.class_end(cls, actor=world.unit_u1, on=today)
    item = cls.deadline_items.get(rule__code="class_info")
    assert item.event_on == today and item.due_on == add_working_days(today, 10).day
    services.info_file(cls, actor=world.unit_u1)
    item.refresh_from_db()
    assert item.status == "done"


def test_another_unit_cannot_touch_the_class(world):
    with pytest.raises(Exception, match="不属于本单位"):
        services.roster_file(world.class_ty, actor=world.unit_u2)
    with pytest.raises(Exception, match="只有组织单位"):
        services.class_open(world.class_ty, actor=world.city_ty, on=world.class_ty.opens_on)


def test_the_roster_of_a_class_lists_its_people_only(world):
    other = passed_second_interview(world, people(world.unit_u1, 1)[0])
    chosen = roster_selection(world.unit_u1, training_class_id=world.class_ty.pk)
    assert [c.pk for c in chosen.candidacies] == [world.cand_ty.pk]
    assert chosen.org_name == world.u1.name
    assert other.pk in [c.pk for c in roster_selection(world.unit_u1).candidacies]
    # Another city's class id is ignored like a missing one.
    assert roster_selection(world.unit_u1, training_class_id=world.class_dt.pk).training_class is None


def test_dates_move_only_with_a_reason_and_not_after_opening(world):
    cls = services.class_create(actor=world.unit_u1, **STANDING)
    with pytest.raises(ValidationError, match="调整开班计划"):
        services.class_update(cls, actor=world.unit_u1, opens_on=cls.opens_on + timedelta(days=7))
    services.class_update(cls, actor=world.unit_u1, place="新外语楼")
    with pytest.raises(ValidationError, match="说明原因"):
        services.class_plan_move(cls, actor=world.unit_u1, reason=" ",
                                 opens_on=cls.opens_on + timedelta(days=7))
    services.class_plan_move(cls, actor=world.unit_u1, reason="教室装修，推迟一周",
                             opens_on=cls.opens_on + timedelta(days=7),
                             course_starts_on=cls.opens_on + timedelta(days=7))
    cls.refresh_from_db()
    assert cls.place == "新外语楼" and cls.opens_on == date(2026, 3, 9)
    assert cls.deadline_items.get(rule__code="standing_roster").event_on == date(2026, 3, 9)
    change = cls.plan_changes.get()
    assert (change.old_opens_on, change.new_opens_on, change.reason) == (
        date(2026, 3, 2), date(2026, 3, 9), "教室装修，推迟一周")
    cls.status = ClassStatus.OPEN
    cls.save()
    with pytest.raises(ValidationError, match="已开班"):
        services.class_plan_move(cls, actor=world.unit_u1, reason="再推迟",
                                 opens_on=date(2026, 3, 16))
    cls.refresh_from_db()
    assert cls.opens_on == date(2026, 3, 9)


def test_a_training_result_recorded_elsewhere_shows_on_the_class(world):
    cls = services.class_create(actor=world.unit_u1, **INTENSIVE)
    c = passed_second_interview(world, people(world.unit_u1, 1, 50)[0])
    candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                     actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    (e,) = services.enrol(cls, actor=world.unit_u1, candidacies=[c])
    services.roster_file(cls, actor=world.unit_u1)
    services.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    candidacy_record(c, stage=Stage.TRAINING, result=Result.INCOMPLETE, on=date(2026, 4, 20),
                     actor=world.unit_u1)  # e.g. from an uploaded 花名表
    e.refresh_from_db()
    assert (e.result, e.result_on) == ("incomplete", date(2026, 4, 20))
