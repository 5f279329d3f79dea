"""A small demo world for the demo accounts: people of 山西大学 through the 2020 pipeline, an
intensive class, a 非建制班, the 2020 standards and a departure claim. Written through the
services, so every rule, deadline and history row is as in real use. Never in production;
loaded once (a second run finds the demo people and does nothing)."""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from apps.accounts.models import User
from apps.dashboards.services import figures_recount
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_open, candidacy_record
from apps.projects.models import JobProject
from apps.registry.idnumber import make_id
from apps.registry.services import person_register
from apps.subsidies.services import claim_create, standard_set
from apps.training import services as training
from apps.training.models import TrainingClass

INTENSIVE_NAME = "日语介护强化一班（演示）"

# (item, 元/人, fund): demo figures, to be replaced by the province's real standards.
STANDARDS_2020 = [("first_interview", "50", "employment"), ("medical", "300", "employment"),
                  ("second_interview", "50", "employment"),
                  ("training_advance", "1000", "skills"), ("interview_award", "200", "employment"),
                  ("training_fee", "2000", "skills"), ("training_award", "500", "employment"),
                  ("training_balance", "1000", "skills"), ("departure_fee", "3000", "employment"),
                  ("employment_award", "2000", "employment"), ("standing_class", "600", "skills")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = ["晓梅", "建国", "丽娜", "志强", "海燕", "伟", "静", "磊", "婷", "鹏"]


def _people(unit_user, n, start):
    people = []
    for i in range(start, start + n):
        sex = "女" if i % 2 else "男"
        seq = f"{(i * 2 + (0 if sex == '女' else 1)) % 1000:03d}"
        people.append(person_register(
            actor=unit_user, name=SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
            sex=sex, id_number=make_id(region="140105", birth=date(1996 + i % 6, 1 + i % 12,
                                                                        1 + i % 27), seq=seq),
            phone=f"1390351{i:04d}", category="学生", education="大专", intended_trade="介护",
            registered_on=date(2020, 3, 2)))
    return people


@transaction.atomic
def demo_world_load() -> bool:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("生产环境不得载入演示数据。")
    if TrainingClass.objects.filter(name=INTENSIVE_NAME).exists():
        return False
    province, unit, agency = (User.objects.get(username=u) for u in ("province", "sxu", "ciic"))
    for item, amount, fund in STANDARDS_2020:
        standard_set(actor=province, year=2020, item=item, amount=Decimal(amount), fund=fund)
    project = JobProject.objects.get(name="日本介护技能实习项目（演示）")
    people = _people(unit, 8, 0)
    passed = []
    for i, person in enumerate(people):
        c = candidacy_open(person=person, project=project, actor=unit, on=date(2020, 3, 2))
        c = candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                             on=date(2020, 3, 10), actor=agency)
        medical = Result.FAIL if i == 7 else Result.PASS  # one does not pass the medical
        c = candidacy_record(c, stage=Stage.MEDICAL, result=medical, on=date(2020, 3, 17),
                             actor=unit, hospital="山西省人民医院")
        if medical == Result.PASS:
            c = candidacy_record(c, stage=Stage.SECOND_INTERVIEW, result=Result.PASS,
                                 on=date(2020, 3, 24), actor=agency)
            passed.append(c)
    signed = []
    for c in passed[:5]:
        signed.append(candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED,
                                       on=date(2020, 4, 1), actor=agency, contract_trade="介护",
                                       contract_term="3年", service_fee=Decimal("8000")))
    cls = training.class_create(
        actor=unit, kind="intensive", name=INTENSIVE_NAME, mode="with_agency",
        agency=agency.agency, project=project, opens_on=date(2020, 4, 7),
        course_starts_on=date(2020, 4, 8), ends_on=date(2020, 6, 5), place="山西大学外语楼",
        courses="日语（N4）、介护技能、日本国情与安全", timetable="周一至周五 每天6课时",
        hours_per_week=Decimal(30))
    enrolments = training.enrol(cls, actor=unit, candidacies=signed)
    training.roster_file(cls, actor=unit)
    cls = training.class_open(cls, actor=unit)
    training.results_record(cls, actor=unit, on=date(2020, 6, 5), rows=[
        (e, Decimal(240), "pass" if k < 4 else "incomplete", f"晋商培2020-{k + 1:03d}" if k < 4 else "")
        for k, e in enumerate(enrolments)])
    training.class_end(cls, actor=unit, on=date(2020, 6, 5))
    for k, e in enumerate(enrolments[:3]):
        e.candidacy.refresh_from_db()
        candidacy_record(e.candidacy, stage=Stage.DEPARTURE, result=Result.DEPARTED,
                         on=date(2020, 7, 1), actor=agency, passport_no=f"E6{k}1234{k}7",
                         residence_status_no=f"在留{k + 1:04d}", country="日本",
                         departure_trade="介护", employer="演示用外方企业")
    claim_create(actor=unit, phase="departure", year=2020, training_class=cls,
                 bank_name="中国银行太原坞城路支行", account_name="山西大学",
                 account_no="1405 0001 2020 0001")
    standing = training.class_create(
        actor=unit, kind="standing", name="日语非建制班（演示）", opens_on=date(2026, 3, 2),
        first_term_ends_on=date(2026, 7, 10), second_term_starts_on=date(2026, 9, 1),
        ends_on=date(2027, 1, 15), place="山西大学外语楼", courses="日语入门",
        timetable="每周二、四晚 各2课时", hours_per_week=Decimal(4), language="日语")
    training.standing_members_add(standing, actor=unit, persons=_people(unit, 12, 20))
    transaction.on_commit(figures_recount)  # the dashboards show the demo at once
    return True
