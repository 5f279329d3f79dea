"""A small world for every test: two cities, three units, two agencies, a user of every role.

太原 (TY) has units U1 and U2; 大同 (DT) has U3, named like a sentinel so that a leak shows.
Agency A1 cooperates with 太原 and U1; A2 was filed by 大同 and cooperates with 大同 and U3.
Users of 太原 / U1 / A1 must never see anything of 大同 / U3 / A2, and the other way round.
"""
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Role, User
from apps.orgs.models import (
    Agency, AgencyStatus, City, CityAgencyCooperation, FilingKind, FilingRequest, FilingStatus,
    OrganisingUnit, Source, UnitAgencyCooperation, UnitCategory,
)
from apps.evidence.models import EvidenceKind
from apps.evidence.services import evidence_attach
from apps.pipeline.models import Session, Stage
from apps.pipeline.services import candidacy_open
from apps.projects.models import JobProject, ProjectStatus
from apps.quotas.models import Task, TaskPlan
from apps.registry.idnumber import make_id
from apps.registry.services import person_register

PASSWORD = "Test-pass-2026"
SENTINEL_UNIT = "越权哨兵职业学院"
SENTINEL_AGENCY = "越权哨兵国际合作有限公司"
SENTINEL_PERSON = "越权哨兵"
SENTINEL_ID = make_id(region="140202", birth=date(1990, 1, 1), seq="801")
SENTINEL_PHONE = "13900009999"
OWN_ID = make_id(region="140105", birth=date(1998, 5, 20), seq="235")


def make_user(username, role, **org):
    user = User(username=username, role=role, first_name=username, **org)
    user.set_password(PASSWORD)
    user.save()
    return user


# People of the test world registered before anything the tests record for them (a
# candidacy is not dated before its person's registration: docs/TIME-RULES.md rule 36).
REGISTERED_ON = date(2020, 1, 1)


def register(actor, **fields):
    fields.setdefault("category", "社会人员")
    if "registered_on" not in fields:  # on that day, or once of age (16) if they were not
        from apps.orgs.models import years_later
        from apps.registry.idnumber import IdNumberError, parse
        try:
            birth = parse(fields["id_number"], min_age=0, max_age=200).birth_date
        except IdNumberError:
            birth = REGISTERED_ON
        fields["registered_on"] = max(REGISTERED_ON, years_later(birth, 16))
    return person_register(actor=actor, **fields)


def pdf(name="scan.pdf"):
    # A real one-page PDF: uploads are parsed (apps.common.files), a fake header is refused.
    from tests.pdfs import clean_pdf
    return SimpleUploadedFile(name, clean_pdf(), content_type="application/pdf")


@pytest.fixture(autouse=True)
def _second_factor_done(monkeypatch):
    """force_login stands for a completed login; for province and city accounts that includes
    the second factor. The two-factor tests log in through the real forms instead."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from apps.accounts.models import TWO_FACTOR_ROLES
        if user.role in TWO_FACTOR_ROLES:
            from apps.accounts.models import TotpDevice
            device = TotpDevice.objects.filter(user=user, confirmed=True).first() or \
                TotpDevice.objects.create(user=user, name="测试", confirmed=True, key="00" * 20)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.3 s per user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    w = SimpleNamespace()
    # Rows that migrations seed are flushed between transactional (browser) tests.
    from apps.deadlines.models import DeadlineRule
    from apps.deadlines.rules import rules_ensure
    rules_ensure(DeadlineRule)
    from apps.incidents.rules import incident_rules_ensure
    incident_rules_ensure()
    from apps.pipeline.gaps import limits_ensure
    limits_ensure()
    w.stage_rule = DeadlineRule.objects.get(code="stage_data")
    w.ty = City.objects.create(name="太原市", short_name="太原", code="140100")
    w.dt = City.objects.create(name="大同市", short_name="大同", code="140200")
    w.u1 = OrganisingUnit.objects.create(name="山西大学", category=UnitCategory.UNDERGRADUATE,
                                         city=w.ty, seq=1)
    w.u2 = OrganisingUnit.objects.create(name="太原学院", category=UnitCategory.UNDERGRADUATE,
                                         city=w.ty, seq=16)
    w.u3 = OrganisingUnit.objects.create(name=SENTINEL_UNIT, category=UnitCategory.TECHNICAL,
                                         city=w.dt, seq=81)
    w.a1 = Agency.objects.create(name="中国国际技术智力合作有限公司", batch=1, seq=1,
                                 status=AgencyStatus.RECOMMENDED)
    w.a2 = Agency.objects.create(name=SENTINEL_AGENCY, status=AgencyStatus.FILED,
                                 credit_code="91140200MA0K000001")
    w.province = make_user("province", Role.PROVINCE)
    w.city_ty = make_user("city_ty", Role.CITY, city=w.ty)
    w.city_dt = make_user("city_dt", Role.CITY, city=w.dt)
    w.unit_u1 = make_user("unit_u1", Role.UNIT, unit=w.u1)
    w.unit_u2 = make_user("unit_u2", Role.UNIT, unit=w.u2)
    w.unit_u3 = make_user("unit_u3", Role.UNIT, unit=w.u3)
    w.agency_a1 = make_user("agency_a1", Role.AGENCY, agency=w.a1)
    w.agency_a2 = make_user("agency_a2", Role.AGENCY, agency=w.a2)
    w.observer = make_user("observer", Role.OBSERVER, department="商务厅")
    w.sysadmin = make_user("sysadmin", Role.SYSTEM_ADMIN)
    w.secadmin = make_user("secadmin", Role.SECURITY_ADMIN)
    w.auditor = make_user("auditor", Role.AUDIT_ADMIN)
    w.coop_ty = CityAgencyCooperation.objects.create(city=w.ty, agency=w.a1,
                                                     created_by=w.province)
    w.coop_dt = CityAgencyCooperation.objects.create(city=w.dt, agency=w.a2,
                                                     created_by=w.city_dt)
    w.coop_u1 = UnitAgencyCooperation.objects.create(unit=w.u1, agency=w.a1,
                                                     created_by=w.unit_u1)
    w.coop_u3 = UnitAgencyCooperation.objects.create(unit=w.u3, agency=w.a2,
                                                     created_by=w.unit_u3)
    for coop in (w.coop_ty, w.coop_dt, w.coop_u1, w.coop_u3):
        coop.agreement_name = f"合作协议{coop.pk}.pdf"
        coop.agreement.save(f"agreement-{coop.pk}.pdf", ContentFile(b"%PDF-1.4 agreement"))
    w.filing_ty = FilingRequest.objects.create(
        kind=FilingKind.UNIT, city=w.ty, reason="考察合格", submitted_by=w.city_ty,
        unit=OrganisingUnit.objects.create(
            name="太原某人力资源公司", category=UnitCategory.HR_COMPANY, city=w.ty,
            source=Source.CITY, filing_status=FilingStatus.PENDING,
            standing_class_allowed=False),
    )
    w.filing_dt = FilingRequest.objects.create(
        kind=FilingKind.AGENCY, city=w.dt, agency=w.a2, reason="自主考察",
        submitted_by=w.city_dt, status=FilingStatus.APPROVED,
    )
    TaskPlan.objects.create(year=2020, declared_unit_total=1830, declared_city_total=1170,
                            overall_aim=1500, status="published")
    w.task_ty = Task.objects.create(year=2020, city=w.ty, number=160)
    w.task_dt = Task.objects.create(year=2020, city=w.dt, number=100)
    w.task_u1 = Task.objects.create(year=2020, unit=w.u1, number=40)
    w.task_u3 = Task.objects.create(year=2020, unit=w.u3, number=None, note="原表任务数缺失")
    w.project_a1 = JobProject.objects.create(
        agency=w.a1, name="日本介护项目", country="日本", trade="介护", employer="株式会社さくら",
        headcount=30, status=ProjectStatus.PUBLISHED)
    w.project_a2 = JobProject.objects.create(
        agency=w.a2, name="新加坡建筑项目", country="新加坡", trade="建筑", headcount=20,
        status=ProjectStatus.PUBLISHED)
    w.project_draft = JobProject.objects.create(
        agency=w.a2, name="未发布项目", country="以色列", trade="农业", headcount=10)
    w.project_a1_draft = JobProject.objects.create(
        agency=w.a1, name="德国护理项目（草稿）", country="德国", trade="护理", headcount=5)
    w.project_a1.review_no = "晋商审〔2020〕1号"
    w.project_a1.review_form.save("review.pdf", ContentFile(b"%PDF-1.4 review"))
    from apps.projects.models import ProjectDocking
    w.docking_u1 = ProjectDocking.objects.create(project=w.project_a1, city=w.ty, unit=w.u1,
                                                 created_by=w.unit_u1)
    w.docking_u3 = ProjectDocking.objects.create(project=w.project_a2, city=w.dt, unit=w.u3,
                                                 created_by=w.unit_u3)
    for docking in (w.docking_u1, w.docking_u3):
        docking.agreement.save(f"agreement-{docking.pk}.pdf", ContentFile(b"%PDF-1.4 agreement"))
    w.person_ty = register(w.unit_u1, name="张三", sex="男", id_number=OWN_ID,
                           phone="13800001234")
    w.person_dt = register(w.unit_u3, name=SENTINEL_PERSON, sex="男", id_number=SENTINEL_ID,
                           phone=SENTINEL_PHONE)
    w.cand_ty = candidacy_open(person=w.person_ty, project=w.project_a1, actor=w.unit_u1,
                               on=date(2026, 3, 2))
    w.cand_dt = candidacy_open(person=w.person_dt, project=w.project_a2, actor=w.unit_u3,
                               on=date(2026, 3, 2))
    # 大同's project has closed: nothing of it is public any more (keeps the sentinel strict).
    JobProject.objects.filter(pk=w.project_a2.pk).update(status=ProjectStatus.CLOSED)
    w.session_ty = Session.objects.create(
        stage=Stage.FIRST_INTERVIEW, project=w.project_a1, held_on=date(2026, 3, 10),
        unit=w.u1, city=w.ty, agency=w.a1, created_by=w.unit_u1)
    w.session_dt = Session.objects.create(
        stage=Stage.FIRST_INTERVIEW, project=w.project_a2, held_on=date(2026, 3, 10),
        unit=w.u3, city=w.dt, agency=w.a2, created_by=w.unit_u3)
    w.evidence_ty = evidence_attach(person=w.person_ty, kind=EvidenceKind.ID_COPY,
                                    uploaded=pdf("id.pdf"), actor=w.unit_u1)
    w.evidence_dt = evidence_attach(person=w.person_dt, kind=EvidenceKind.ID_COPY,
                                    uploaded=pdf("id.pdf"), actor=w.unit_u3)
    from apps.rosters.services import upload_receive
    from tests.rosters.files import person_row, xlsx
    w.upload_ty = upload_receive(actor=w.unit_u1, kind="registration", uploaded=SimpleUploadedFile(
        "名册.xlsx", xlsx([person_row(901)])))
    w.upload_dt = upload_receive(actor=w.unit_u3, kind="registration", uploaded=SimpleUploadedFile(
        "名册.xlsx", xlsx([person_row(902)])))
    from apps.publicity.models import Notice
    w.notice = Notice.objects.create(title="关于做好2020年对外劳务输出工作的通知", body="正文",
                                     source="晋人社办发〔2020〕14号", created_by=w.province)
    from apps.workdays.models import SpecialDay
    from apps.workdays.seed import calendar_seed
    calendar_seed()  # the real 2020–2026 arrangements
    w.holiday = SpecialDay.objects.get(date=date(2026, 10, 1))
    _training(w)
    # The user of each role whose scope is the 太原 side, for the URL × role walk.
    w.by_role = {
        Role.PROVINCE: w.province,
        Role.CITY: w.city_ty,
        Role.UNIT: w.unit_u1,
        Role.AGENCY: w.agency_a1,
        Role.OBSERVER: w.observer,
        Role.SYSTEM_ADMIN: w.sysadmin,
        Role.SECURITY_ADMIN: w.secadmin,
        Role.AUDIT_ADMIN: w.auditor,
    }
    return w


def _training(w):
    """An intensive class and a 非建制班 on each side, with a person in each and a spot check."""
    from apps.training.models import Enrolment, SpotCheck, StandingMember
    from apps.training.services import class_create

    def intensive(actor, agency, name):
        return class_create(actor=actor, kind="intensive", name=name, mode="with_agency",
                            agency=agency, opens_on=date(2026, 4, 1),
                            course_starts_on=date(2026, 4, 2), ends_on=date(2026, 5, 29),
                            place="培训楼301", courses="日语、介护技能", timetable="每周一至五 8课时",
                            hours_per_week=40)

    def standing(actor, name):
        return class_create(actor=actor, kind="standing", name=name, opens_on=date(2026, 3, 2),
                            first_term_ends_on=date(2026, 7, 10),
                            second_term_starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 15),
                            place="外语楼201", courses="日语", timetable="每周二、四晚 各2课时",
                            hours_per_week=4, language="日语")

    w.class_ty = intensive(w.unit_u1, w.a1, "日语强化一班")
    w.class_dt = intensive(w.unit_u3, w.a2, "大同强化班")
    w.enrolment_ty = Enrolment.objects.create(training_class=w.class_ty, candidacy=w.cand_ty,
                                              enrolled_by=w.unit_u1)
    w.enrolment_dt = Enrolment.objects.create(training_class=w.class_dt, candidacy=w.cand_dt,
                                              enrolled_by=w.unit_u3)
    w.standing_ty = standing(w.unit_u1, "日语非建制班2026")
    w.standing_dt = standing(w.unit_u3, "大同非建制班")
    w.member_ty = StandingMember.objects.create(training_class=w.standing_ty, person=w.person_ty)
    w.member_dt = StandingMember.objects.create(training_class=w.standing_dt, person=w.person_dt)
    w.spot_ty = SpotCheck.objects.create(training_class=w.standing_ty, checked_on=date(2026, 5, 6),
                                         inspector="省专项办 李明", findings="出勤与花名表一致",
                                         outcome="ok", recorded_by=w.province)
    w.spot_dt = SpotCheck.objects.create(training_class=w.standing_dt, checked_on=date(2026, 5, 6),
                                         inspector="省专项办 李明", findings="正常", outcome="ok",
                                         recorded_by=w.province)
    _subsidies(w)
    # The deadline tests count items: the classes' own are tested in tests/training.
    from apps.deadlines.models import DeadlineItem
    DeadlineItem.objects.filter(training_class__isnull=False).delete()


def _subsidies(w):
    """A draft claim, a standard and a budget on each side."""
    from decimal import Decimal

    from apps.subsidies.models import (
        Budget, Claim, ClaimedPerson, ClaimLine, Standard, StandardYear,
    )

    StandardYear.objects.create(year=2026, status="published", published_by=w.province)
    Standard.objects.create(year=2026, item="departure_fee", amount=Decimal("2000"),
                            fund="employment", updated_by=w.province)

    def claim(unit, person, candidacy, actor):
        c = Claim.objects.create(unit=unit, city=unit.city, year=2026, phase="departure",
                                 bank_name="中国银行", account_name=unit.name,
                                 account_no="6216600000001234", employment_total=2000,
                                 total=2000, created_by=actor)
        line = ClaimLine.objects.create(claim=c, item="departure_fee", fund="employment",
                                        standard=Decimal("2000"), count=1, amount=Decimal("2000"))
        ClaimedPerson.objects.create(line=line, item="departure_fee", person=person,
                                     candidacy=candidacy)
        return c

    w.claim_ty = claim(w.u1, w.person_ty, w.cand_ty, w.unit_u1)
    w.claim_dt = claim(w.u3, w.person_dt, w.cand_dt, w.unit_u3)
    w.budget_ty = Budget.objects.create(year=2027, city=w.ty, unit=w.u1, planned_people=40,
                                        amount=Decimal("400000"), submitted_by=w.unit_u1)
    w.budget_dt = Budget.objects.create(year=2027, city=w.dt, unit=w.u3, planned_people=10,
                                        amount=Decimal("100000"), submitted_by=w.unit_u3)


def start_worker(queue, *, include="", **env):
    """A real Celery worker process on the real broker, consuming ``queue``, working on the
    test database; ``include`` names extra modules it imports (test hooks)."""
    import os
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    env = {**os.environ, "CELERY_QUEUE": queue, "REDIS_URL": settings.REDIS_URL,
           "DATABASE_NAME": connection.settings_dict["NAME"], **env}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "laborexport", "worker", "--pool=solo",
         "--without-mingle", "--without-gossip", "-Q", queue, "--loglevel=WARNING",
         *(["--include", include] if include else [])],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop_worker(proc):
    import subprocess
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def worker():
    """A real Celery worker (subprocess) on the real broker, on its own queue, working on the
    test database. Yields the queue name."""
    import uuid

    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = start_worker(queue)
    yield queue
    stop_worker(proc)


@pytest.fixture
def as_user(client):
    """Log the test client in as a user (force_login: axes needs a request for login())."""
    def login(user):
        client.force_login(user)
        return client
    return login


def as_step(fn, *args, **kwargs):
    """Set-up only: run a helper that writes as one step of an audited service (such as
    opening a deadline item), which it refuses to do on its own outside one."""
    from apps.audit import services as audit
    token = audit._frame.set(audit._Frame())
    try:
        return fn(*args, **kwargs)
    finally:
        audit._frame.reset(token)
