"""A small demo world for the demo accounts, living in the current year: two cohorts of
山西大学 through the pipeline on working days before today, an intensive class planned and
opened on past recorded dates, results with attendance, departures after it, this year's
standards and tasks, a draft departure claim, an early return today with the returnee's
profile and a referral, and a 非建制班 planned after today. Written
through the services, so every rule, deadline and history row is as in real use: events
recorded today that happened weeks ago count as filed late, those of the last days on time,
and what is still owed shows in 我的待办. Never in production; loaded once (a second run finds
the demo class and does nothing)."""
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from apps.accounts.demo import DEMO_PROJECT
from apps.accounts.models import User
from apps.dashboards.services import figures_recount
from apps.orgs.models import OrganisingUnit
from apps.outages.models import OutageKind, OutageScope
from apps.outages.services import outage_declare
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_open, candidacy_record, session_create
from apps.projects.models import JobProject
from apps.quotas.models import Task, TaskPlan
from apps.quotas.services import poverty_target_set, task_plan_open, task_plan_publish, task_set
from apps.registry.idnumber import make_id
from apps.registry.services import person_poverty_verify, person_register, person_update
from apps.returnees.services import profile_save, profile_suggestions, referral_create
from apps.subsidies.services import claim_create, standard_set, standards_publish
from apps.training import services as training
from apps.training.models import TrainingClass
from apps.workdays.calendar import add_working_days

INTENSIVE_NAME = "日语介护强化一班（演示）"
STANDING_NAME = "日语非建制班（演示）"

# (item, 元/人, fund): the seed's demo figures, set for every year the demo's events fall in.
DEMO_STANDARDS = [("first_interview", "50", "employment"), ("medical", "300", "employment"),
                  ("second_interview", "50", "employment"),
                  ("training_advance", "1000", "skills"), ("interview_award", "200", "employment"),
                  ("training_fee", "2000", "skills"), ("training_award", "500", "employment"),
                  ("training_balance", "1000", "skills"), ("departure_fee", "3000", "employment"),
                  ("employment_award", "2000", "employment"), ("standing_class", "600", "skills"),
                  # Seed 003's items for 脱贫劳动力: transport at its 800 元 cap, placement.
                  ("poverty_transport", "800", "employment"),
                  ("poverty_placement", "1000", "employment")]
DEMO_POVERTY_TARGET = Decimal("30")  # % of the year's departures
DEMO_UNIT_TASK = 30  # 山西大学's task when the seed has none for it

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
# Given names chosen by the sex the ID number says (17th digit odd: 男).
GIVEN = {"男": ["建国", "志强", "伟", "磊", "鹏", "浩然", "俊杰", "国栋", "文博", "子轩"],
         "女": ["晓梅", "丽娜", "海燕", "静", "婷", "雅琴", "秀英", "欣怡", "佳慧", "梦瑶"]}

# The demo's timeline, in working days before today (the stages in pipeline order).
FIRST = {"registered": 60, "first_interview": 55, "medical": 50, "second_interview": 45,
         "contract": 42, "class_opens": 40, "course_starts": 39, "class_ends": 9,
         "missed_departure_batch": 7, "departure": 3}
SECOND = {"registered": 7, "first_interview": 2}
# Issue 22: the system was down for one day between the second cohort's registration and its
# interviews; one interview held on paper that day is entered afterwards (补录).
SYSTEM_DOWN = 4
MEDICAL_SESSION_AHEAD = 3  # working days after today: the second cohort's 体检
STANDING_OPENS_AHEAD = 21  # calendar days after today, then the next Monday


def _people(unit_user, indices, *, registered_on, today):
    people = []
    for i in indices:
        sex = "男" if i % 2 == 0 else "女"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[sex][(i // 2) % len(GIVEN[sex])]
        # 24 to 29 years old today; the last digit of seq gives the sex (odd: 男).
        birth = date(today.year - 24 - i % 6, 1 + i % 12, 1 + i % 28)
        people.append(person_register(
            actor=unit_user, name=name, sex=sex,
            id_number=make_id(region="140105", birth=birth, seq=f"{i:02d}{1 if sex == '男' else 2}"),
            phone=f"1390351{i:04d}", category="学生", education="大专", intended_trade="介护",
            registered_on=registered_on))
    return people


def _years_plan(province, unit, year):
    """This year's plan, opened as the province does: a copy of the latest earlier year it
    planned (the seed's 2020), published; 山西大学 gets the demo figure where it has none."""
    if TaskPlan.objects.filter(year=year).exists():
        return
    source = TaskPlan.objects.filter(year__lt=year).order_by("-year").first()
    plan = task_plan_open(year=year, actor=province, copy_from=source.year if source else None)
    if not Task.objects.filter(year=year, unit=unit, number__isnull=False).exists():
        task_set(year=year, unit=unit, number=DEMO_UNIT_TASK, note="演示", actor=province)
    task_plan_publish(plan, actor=province)


@transaction.atomic
def demo_world_load() -> bool:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("生产环境不得载入演示数据。")
    if TrainingClass.objects.filter(name=INTENSIVE_NAME).exists():
        return False
    today = timezone.localdate()

    def ago(working_days):  # that many working days before today
        return add_working_days(today, -working_days).day

    first = {key: ago(n) for key, n in FIRST.items()}
    second = {key: ago(n) for key, n in SECOND.items()}
    province, unit, agency, city = (User.objects.get(username=u)
                                    for u in ("province", "sxu", "ciic", "taiyuan"))
    sxu = OrganisingUnit.objects.get(pk=unit.unit_id)
    # Standards for this year (a claim is possible now) and every year an event fell in.
    for year in sorted({today.year, *(d.year for d in first.values())}):
        for item, amount, fund in DEMO_STANDARDS:
            standard_set(actor=province, year=year, item=item, amount=Decimal(amount), fund=fund)
        standards_publish(actor=province, year=year)
    _years_plan(province, sxu, today.year)
    poverty_target_set(year=today.year, share=DEMO_POVERTY_TARGET, actor=province,
                       note="演示：晋人社厅函〔2020〕127号，脱贫劳动力优先输出")
    project = JobProject.objects.get(name=DEMO_PROJECT)

    # First cohort: 8 people, all the way to departure. The first two are 脱贫劳动力 the
    # city verified against the national system on their registration day: both depart,
    # so the departure claim carries the transport and placement subsidies for them.
    passed = []
    for i, person in enumerate(_people(unit, range(8), registered_on=first["registered"],
                                       today=today)):
        if i < 2:
            person_poverty_verify(person, actor=city, status="脱贫劳动力", source="national",
                                  verified_on=first["registered"], note="演示：县扶贫办比对")
        c = candidacy_open(person=person, project=project, actor=unit, on=first["registered"])
        c = candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                             on=first["first_interview"], actor=agency)
        medical = Result.FAIL if i == 7 else Result.PASS  # one does not pass the medical
        c = candidacy_record(c, stage=Stage.MEDICAL, result=medical, on=first["medical"],
                             actor=unit, hospital="山西省人民医院")
        if medical == Result.PASS:
            passed.append(candidacy_record(c, stage=Stage.SECOND_INTERVIEW, result=Result.PASS,
                                           on=first["second_interview"], actor=agency))
    signed = [candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED,
                               on=first["contract"], actor=agency, contract_trade="介护",
                               contract_term="3年", service_fee=Decimal("8000"))
              for c in passed[:6]]
    cls = training.class_create(
        actor=unit, kind="intensive", name=INTENSIVE_NAME, mode="with_agency",
        agency=agency.agency, project=project, opens_on=first["class_opens"],
        course_starts_on=first["course_starts"], ends_on=first["class_ends"],
        place="山西大学外语楼", courses="日语（N4）、介护技能、日本国情与安全",
        timetable="周一至周五 每天6课时", hours_per_week=Decimal(30))
    enrolments = training.enrol(cls, actor=unit, candidacies=signed)
    training.roster_file(cls, actor=unit)
    # Opened on its planned day, a recorded date in the past.
    cls = training.class_open(cls, actor=unit, on=first["class_opens"])
    # Results on the last day of the class, each with the hours attended; one did not finish.
    training.results_record(cls, actor=unit, on=first["class_ends"], rows=[
        (e, Decimal(180) if k < 5 else Decimal(96), "pass" if k < 5 else "incomplete",
         f"晋商培{today.year}-{k + 1:03d}" if k < 5 else "")
        for k, e in enumerate(enrolments)])
    cls = training.class_end(cls, actor=unit, on=first["class_ends"])
    trained = [e.candidacy for e in enrolments[:5]]
    for k, c in enumerate(trained[:3]):
        c.refresh_from_db()
        candidacy_record(c, stage=Stage.DEPARTURE, result=Result.DEPARTED,
                         on=first["departure"], actor=agency, passport_no=f"E6{k}1234{k}7",
                         residence_status_no=f"在留{k + 1:04d}", country="日本",
                         departure_trade="介护", employer="演示用外方企业")
    # The other two were in a departure batch whose data the agency has not filed: overdue.
    session_create(actor=agency, stage=Stage.DEPARTURE, project=project,
                   held_on=first["missed_departure_batch"], place="北京首都国际机场")
    # The 附件8 claim of the three departures, still a draft (owed within 10 working days).
    claim_create(actor=unit, phase="departure", training_class=cls,
                 bank_name="中国银行太原坞城路支行", account_name="山西大学",
                 account_no="1405 0001 0000 0001")

    # Issue 19: one of them came back early today (injured at work, no money owed); the unit
    # registers the returnee and refers them to counselling.
    back = trained[2]
    back.refresh_from_db()
    back = candidacy_record(back, stage=Stage.RETURN, result=Result.RETURNED, on=today,
                            actor=agency, return_kind="early", return_cause="illness",
                            return_reason="工作中腰部受伤，经输出机构安排回国治疗",
                            return_reported_by="agency", return_verified_by="ticket")
    returnee = profile_save(back.person, actor=unit, **profile_suggestions(back.person),
                            skills="介护", language="日语 N4", go_again="undecided",
                            support_wanted=["counselling", "employment"], consent_contact=True,
                            consent_on=today)
    referral_create(returnee, actor=unit, service="counselling", provider="太原市心理援助热线",
                    referred_on=today)

    # Second cohort: registered last week, 初试 two working days ago, 体检 booked ahead.
    for person in _people(unit, range(8, 18), registered_on=second["registered"], today=today):
        if person.phone.endswith("0008"):  # declared 监测对象 at registration, not yet verified
            person_update(person, actor=unit, poverty_status="监测对象")
        c = candidacy_open(person=person, project=project, actor=unit, on=second["registered"])
        candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                         on=second["first_interview"], actor=agency)
    down = ago(SYSTEM_DOWN)
    outage_declare(actor=province, kind=OutageKind.SYSTEM, reason="机房停电，系统停机一天（演示）",
                   starts_on=down, ends_on=down, scope=OutageScope.CITIES, cities=[sxu.city])
    for person in _people(unit, [18], registered_on=second["registered"], today=today):
        c = candidacy_open(person=person, project=project, actor=unit, on=second["registered"])
        candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=down,
                         actor=unit, paper_form_no=f"初试纸质记录-{down:%Y%m%d}-01")
    session_create(actor=unit, stage=Stage.MEDICAL, project=project, unit=sxu, city=sxu.city,
                   held_on=add_working_days(today, MEDICAL_SESSION_AHEAD).day,
                   place="山西省人民医院体检中心", hospital="山西省人民医院")

    # A 非建制班 planned to open after today, still short of its 30 people.
    opens = today + timedelta(days=STANDING_OPENS_AHEAD)
    opens += timedelta(days=-opens.weekday() % 7)  # the next Monday
    standing = training.class_create(
        actor=unit, kind="standing", name=STANDING_NAME, opens_on=opens,
        first_term_ends_on=opens + timedelta(weeks=18, days=4),
        second_term_starts_on=opens + timedelta(weeks=26),
        ends_on=opens + timedelta(weeks=45, days=4), place="山西大学外语楼", courses="日语入门",
        timetable="每周二、四晚 各2课时", hours_per_week=Decimal(4), language="日语")
    training.standing_members_add(standing, actor=unit, persons=_people(
        unit, range(20, 32), registered_on=second["registered"], today=today))
    # 年度评估: this year's schemes for agencies and units as drafts copied from seed 002's
    # example, for the province to edit; the year is scored from its records once it ends.
    from apps.evaluations.models import Scheme
    from apps.evaluations.services import scheme_create
    for kind in ("agency", "unit"):
        if not Scheme.objects.filter(year=today.year, kind=kind).exists():
            scheme_create(actor=province, year=today.year, kind=kind)
    transaction.on_commit(figures_recount)  # the dashboards show the demo at once
    return True
