"""The audit walk's steps: one small function per @audited service (issue 15, item 4).

``@walks(name)`` registers a step. A step receives the test world, does its set-up (which
may call other services: their rows come before the walk's marker) and returns a ``Step``:
the call to make under a request from the walk's IP, the user the row must name and what the
row must name — a model instance (that very row) or a model class (the object the call
created). Services whose signature may change (class opening, claims) are called in exactly
one place here. A service that cannot be walked is listed in ``NOT_WALKED`` with the reason.

Steps run in the order written on one world; the claim steps continue one claim."""
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

WALK: dict = {}

# Every @audited service is either walked above or listed here with why it is not.
NOT_WALKED: dict[str, str] = {}


@dataclass
class Step:
    call: object
    actor: object        # the user the row names (None: the call is the system's own)
    names: object        # a model instance, the label ("app.Model") of what it creates, or
    #                      None: it writes many rows of its own (a scan), its row says what


def walks(name):
    def register(fn):
        assert name not in WALK, f"{name} walked twice"
        WALK[f"apps.{name}"] = fn
        return fn
    return register


_numbers = itertools.count(400)


def new_person(w, actor=None):
    """A person of 山西大学 no other step uses."""
    from apps.registry.idnumber import make_id
    from apps.registry.services import person_register
    i = next(_numbers)
    return person_register(actor=actor or w.unit_u1, name=f"学员{i}", sex="男", category="学生",
                           phone=f"1360000{i:04d}", registered_on=date(2020, 1, 1),
                           id_number=make_id(region="140105", birth=date(1999, 1 + i % 12, 1),
                                             seq=f"{(2 * i + 1) % 1000:03d}"))


def new_candidacy(w):
    from apps.pipeline.services import candidacy_open
    return candidacy_open(person=new_person(w), project=w.project_a1, actor=w.unit_u1,
                          on=date(2026, 3, 2))


def pdf():
    from tests.conftest import pdf as one_page
    return one_page()


# --- registry, evidence, pipeline ---------------------------------------------------------

@walks("registry.services.person_register")
def _(w):
    return Step(lambda: new_person(w), w.unit_u1, "registry.Person")


@walks("registry.services.person_update")
def _(w):
    from apps.registry.services import person_update
    return Step(lambda: person_update(w.person_ty, actor=w.unit_u1, phone="13800007777"),
                w.unit_u1, w.person_ty)


@walks("registry.services.person_transfer")
def _(w):
    from apps.registry.services import person_transfer
    person = new_person(w)
    return Step(lambda: person_transfer(person, to_unit=w.u2, reason="改由太原学院推荐",
                                        actor=w.province), w.province, person)


@walks("registry.services.person_poverty_verify")
def _(w):
    from apps.registry.services import person_poverty_verify
    return Step(lambda: person_poverty_verify(w.person_ty, actor=w.city_ty, status="脱贫劳动力",
                                              source="national", verified_on=date(2026, 3, 2)),
                w.city_ty, "registry.PovertyVerification")


@walks("evidence.services.evidence_attach")
def _(w):
    from apps.evidence.models import EvidenceKind
    from apps.evidence.services import evidence_attach
    return Step(lambda: evidence_attach(person=w.person_ty, kind=EvidenceKind.ID_COPY,
                                        uploaded=pdf(), actor=w.unit_u1), w.unit_u1,
                w.person_ty)  # the person whose file it is


@walks("pipeline.services.candidacy_open")
def _(w):
    from apps.pipeline.services import candidacy_open
    person = new_person(w)
    return Step(lambda: candidacy_open(person=person, project=w.project_a1, actor=w.unit_u1,
                                       on=timezone.localdate() - timedelta(days=10)),
                w.unit_u1, "pipeline.Candidacy")


@walks("pipeline.services.candidacy_record")
def _(w):
    from apps.pipeline.models import Result, Stage
    from apps.pipeline.services import candidacy_record
    return Step(lambda: candidacy_record(w.cand_ty, stage=Stage.FIRST_INTERVIEW,
                                         result=Result.PASS, on=w.cand_ty.stage_on,
                                         actor=w.unit_u1), w.unit_u1, w.cand_ty)


@walks("pipeline.services.candidacy_withdraw")
def _(w):
    from apps.pipeline.services import candidacy_withdraw
    c = new_candidacy(w)
    return Step(lambda: candidacy_withdraw(c, actor=w.unit_u1, on=timezone.localdate(),
                                           reason="个人原因"), w.unit_u1, c)


@walks("pipeline.services.session_create")
def _(w):
    from apps.pipeline.models import Stage
    from apps.pipeline.services import session_create
    return Step(lambda: session_create(actor=w.unit_u1, stage=Stage.FIRST_INTERVIEW,
                                       project=w.project_a1, held_on=timezone.localdate(),
                                       place="视频", hospital="", unit=w.u1, city=w.ty),
                w.unit_u1, "pipeline.Session")


@walks("pipeline.services.session_record")
def _(w):
    from apps.pipeline.models import Result
    from apps.pipeline.services import session_record
    c = new_candidacy(w)
    return Step(lambda: session_record(w.session_ty, actor=w.unit_u1,
                                       rows=[(c, Result.PASS, {})]), w.unit_u1, c)


# --- quotas, training ---------------------------------------------------------------------

@walks("quotas.services.task_set_number")
def _(w):
    from apps.quotas.services import task_set_number
    return Step(lambda: task_set_number(w.task_u1, number=45, note="调整", actor=w.province),
                w.province, w.task_u1)


@walks("quotas.services.poverty_target_set")
def _(w):
    from decimal import Decimal

    from apps.quotas.services import poverty_target_set
    return Step(lambda: poverty_target_set(year=2026, share=Decimal("30"), actor=w.province),
                w.province, "quotas.PovertyTarget")


@walks("quotas.services.task_set")
def _(w):
    from apps.quotas.services import task_set
    return Step(lambda: task_set(year=2020, unit=w.u2, number=30, note="", actor=w.province),
                w.province, "quotas.Task")


@walks("quotas.services.task_plan_save")
def _(w):
    from apps.quotas.services import task_plan_save
    return Step(lambda: task_plan_save(year=2021, actor=w.province, overall_aim=1600,
                                       declared_unit_total=1900, declared_city_total=1200),
                w.province, "quotas.TaskPlan")


@walks("quotas.services.task_plan_open")
def _(w):
    from apps.quotas.services import task_plan_open
    return Step(lambda: task_plan_open(year=2022, actor=w.province), w.province,
                "quotas.TaskPlan")


@walks("quotas.services.task_plan_publish")
def _(w):
    from apps.quotas.services import task_plan_open, task_plan_publish
    plan = task_plan_open(year=2023, actor=w.province)
    return Step(lambda: task_plan_publish(plan, actor=w.province), w.province, plan)


INTENSIVE = dict(kind="intensive", name="介护强化三班", mode="alone", opens_on=date(2026, 4, 1),
                 course_starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30), place="实训楼",
                 courses="日语、介护", timetable="每天8课时", hours_per_week=Decimal(40))


def intensive_class(w, upto):
    """A new intensive class of 山西大学 with one trainee, brought up to ``upto``:
    "created", "enrolled", "filed", "open" or "ended". Returns (class, enrolment)."""
    from apps.pipeline.models import Result, Stage
    from apps.pipeline.services import candidacy_record
    from apps.training import services as tr
    from tests.training.test_classes import passed_second_interview
    cls = tr.class_create(actor=w.unit_u1, **INTENSIVE)
    if upto == "created":
        return cls, None
    c = passed_second_interview(w, new_person(w))
    candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                     actor=w.agency_a1, contract_trade="介护", contract_term="3年")
    (enrolment,) = tr.enrol(cls, actor=w.unit_u1, candidacies=[c])
    if upto in ("filed", "open", "ended"):
        cls = tr.roster_file(cls, actor=w.unit_u1)
    if upto in ("open", "ended"):
        cls = open_class(w, cls)
    if upto == "ended":
        cls = end_class(w, cls)
    return cls, enrolment


def open_class(w, cls):
    from apps.training.services import class_open
    return class_open(cls, actor=w.unit_u1, on=cls.opens_on)


def end_class(w, cls):
    from apps.training.services import class_end
    return class_end(cls, actor=w.unit_u1, on=timezone.localdate())


@walks("training.services.class_plan_move")
def _(w):
    from apps.training.services import class_plan_move
    cls, _ = intensive_class(w, "created")
    return Step(lambda: class_plan_move(cls, actor=w.unit_u1, reason="场地调整",
                                        opens_on=date(2026, 4, 2),
                                        course_starts_on=date(2026, 4, 2)), w.unit_u1, cls)


@walks("training.services.class_create")
def _(w):
    from apps.training.services import class_create
    return Step(lambda: class_create(actor=w.unit_u1, **INTENSIVE), w.unit_u1,
                "training.TrainingClass")


@walks("training.services.class_update")
def _(w):
    from apps.training.services import class_update
    return Step(lambda: class_update(w.class_ty, actor=w.unit_u1, place="培训楼302"),
                w.unit_u1, w.class_ty)


@walks("training.services.enrol")
def _(w):
    from apps.training.services import enrol
    from tests.training.test_classes import passed_second_interview
    cls, _ = intensive_class(w, "created")
    c = passed_second_interview(w, new_person(w))
    return Step(lambda: enrol(cls, actor=w.unit_u1, candidacies=[c]), w.unit_u1,
                "training.Enrolment")


@walks("training.services.unenrol")
def _(w):
    from apps.training.services import unenrol
    cls, enrolment = intensive_class(w, "enrolled")
    return Step(lambda: unenrol(cls, actor=w.unit_u1, enrolment=enrolment), w.unit_u1, cls)


@walks("training.services.roster_file")
def _(w):
    from apps.training.services import roster_file
    cls, _ = intensive_class(w, "enrolled")
    return Step(lambda: roster_file(cls, actor=w.unit_u1), w.unit_u1, cls)


@walks("training.services.class_open")
def _(w):
    cls, _ = intensive_class(w, "filed")
    return Step(lambda: open_class(w, cls), w.unit_u1, cls)


@walks("training.services.results_record")
def _(w):
    from apps.training.services import results_record
    cls, enrolment = intensive_class(w, "open")
    return Step(lambda: results_record(cls, actor=w.unit_u1, on=date(2026, 4, 30),
                                       rows=[(enrolment, Decimal(160), "pass", "SX-W1")]),
                w.unit_u1, cls)


@walks("training.services.class_end")
def _(w):
    cls, _ = intensive_class(w, "open")
    return Step(lambda: end_class(w, cls), w.unit_u1, cls)


@walks("training.services.info_file")
def _(w):
    from apps.training.services import info_file
    cls, _ = intensive_class(w, "ended")
    return Step(lambda: info_file(cls, actor=w.unit_u1), w.unit_u1, cls)


@walks("training.services.standing_members_add")
def _(w):
    from apps.training.services import standing_members_add
    person = new_person(w)
    return Step(lambda: standing_members_add(w.standing_ty, actor=w.unit_u1, persons=[person]),
                w.unit_u1, w.standing_ty)


@walks("training.services.standing_member_remove")
def _(w):
    from apps.training.services import standing_member_remove
    return Step(lambda: standing_member_remove(w.standing_ty, actor=w.unit_u1,
                                               member=w.member_ty), w.unit_u1, w.standing_ty)


@walks("training.services.weekly_hours_record")
def _(w):
    from apps.training.models import ClassStatus
    from apps.training.services import weekly_hours_record
    type(w.standing_ty).objects.filter(pk=w.standing_ty.pk).update(status=ClassStatus.OPEN)
    w.standing_ty.refresh_from_db()
    return Step(lambda: weekly_hours_record(w.standing_ty, actor=w.unit_u1,
                                            week_of=date(2026, 3, 4), hours=Decimal(2)),
                w.unit_u1, "training.WeeklyHours")


@walks("training.services.spot_check_record")
def _(w):
    from apps.training.services import spot_check_record
    from tests.training.test_classes import opened
    opened(w.standing_ty)  # a class is checked once it has opened
    return Step(lambda: spot_check_record(w.standing_ty, actor=w.province,
                                          checked_on=timezone.localdate(), inspector="李明",
                                          findings="正常", outcome="ok"),
                w.province, w.standing_ty)


# --- subsidies: one departure claim through its whole flow ----------------------------------

BANK = dict(bank_name="中国银行太原分行", account_name="山西大学", account_no="6216 6000 0000 1234")


def claim_create(w):
    from apps.subsidies.services import claim_create as create
    w.walk_claim = create(actor=w.unit_u1, phase="departure", training_class=w.departed[0],
                          **BANK)
    return w.walk_claim


def claim_submit(w):
    from apps.subsidies.services import claim_submit as submit
    return submit(w.walk_claim, actor=w.unit_u1)


@walks("subsidies.services.claim_create")
def _(w):
    return Step(lambda: claim_create(w), w.unit_u1, "subsidies.Claim")


@walks("subsidies.services.claim_refresh")
def _(w):
    from apps.subsidies.services import claim_refresh
    return Step(lambda: claim_refresh(w.walk_claim, actor=w.unit_u1), w.unit_u1, w.walk_claim)


@walks("subsidies.services.claim_submit")
def _(w):
    return Step(lambda: claim_submit(w), w.unit_u1, w.walk_claim)


@walks("subsidies.services.claim_return")
def _(w):
    from apps.subsidies.services import claim_return
    return Step(lambda: claim_return(w.walk_claim, actor=w.city_ty, reason="账户名称与公章不一致"),
                w.city_ty, w.walk_claim)


@walks("subsidies.services.claim_review")
def _(w):
    from apps.subsidies.services import claim_review
    claim_submit(w)  # resubmitted after the return
    return Step(lambda: claim_review(w.walk_claim, actor=w.city_ty), w.city_ty, w.walk_claim)


@walks("subsidies.services.claim_approve")
def _(w):
    from apps.subsidies.services import claim_approve
    return Step(lambda: claim_approve(w.walk_claim, actor=w.province), w.province, w.walk_claim)


@walks("subsidies.services.claim_pay")
def _(w):
    from apps.subsidies.services import claim_pay
    return Step(lambda: claim_pay(w.walk_claim, actor=w.province, paid_on=timezone.localdate(),
                                  voucher_no="晋财2026-001"), w.province, w.walk_claim)


@walks("subsidies.services.claim_withdraw")
def _(w):
    from apps.subsidies.services import claim_withdraw
    return Step(lambda: claim_withdraw(w.claim_ty, actor=w.unit_u1), w.unit_u1, w.claim_ty)


@walks("subsidies.services.standard_set")
def _(w):
    from apps.subsidies.services import standard_set
    return Step(lambda: standard_set(actor=w.province, year=timezone.localdate().year + 1,
                                     item="departure_fee", amount=Decimal("2100"),
                                     fund="employment"), w.province, "subsidies.Standard")


@walks("subsidies.services.standards_copy")
def _(w):
    from apps.subsidies.services import standard_set, standards_copy
    standard_set(actor=w.province, year=2030, item="departure_fee", amount=Decimal("2000"),
                 fund="employment")
    # Many rows of one kind: the row says which years and names the year's set (a draft).
    return Step(lambda: standards_copy(actor=w.province, from_year=2030, to_year=2031),
                w.province, "subsidies.StandardYear")


@walks("subsidies.services.standards_publish")
def _(w):
    from apps.subsidies.services import standard_set, standards_publish
    standard_set(actor=w.province, year=2032, item="departure_fee", amount=Decimal("2000"),
                 fund="employment")
    return Step(lambda: standards_publish(actor=w.province, year=2032), w.province,
                "subsidies.StandardYear")


@walks("pipeline.services.gap_limit_set")
def _(w):
    from apps.pipeline.models import Stage, StageGapLimit
    from apps.pipeline.services import gap_limit_set
    limit = StageGapLimit.objects.get(stage=Stage.DEPARTURE)
    return Step(lambda: gap_limit_set(actor=w.province, stage=Stage.DEPARTURE, months=18),
                w.province, limit)


@walks("subsidies.services.budget_submit")
def _(w):
    from apps.subsidies.services import budget_submit
    return Step(lambda: budget_submit(actor=w.unit_u1, year=timezone.localdate().year + 1,
                                      planned_people=40, amount=Decimal("80000")),
                w.unit_u1, "subsidies.Budget")


# --- projects, publicity, disclosures ---------------------------------------------------------

PROJECT = {"name": "日本建筑项目", "country": "日本", "employer": "株式会社やまと", "trade": "建筑",
           "headcount": 20, "requirements": "18-30岁，男，初中以上，日语N4", "pay": "月薪18万日元",
           "hours": "每日8小时", "contract_term": "3年", "service_fee": "5000"}


def submitted_project(w):
    from apps.projects.services import project_draft, project_submit
    project = project_draft(agency=w.a1, actor=w.agency_a1, **PROJECT)
    project_submit(project, actor=w.agency_a1)
    return project


@walks("projects.services.project_draft")
def _(w):
    from apps.projects.services import project_draft
    return Step(lambda: project_draft(agency=w.a1, actor=w.agency_a1, **PROJECT), w.agency_a1,
                "projects.JobProject")


@walks("projects.services.project_update")
def _(w):
    from apps.projects.services import project_update
    return Step(lambda: project_update(w.project_a1_draft, actor=w.agency_a1, headcount=8),
                w.agency_a1, w.project_a1_draft)


@walks("projects.services.project_submit")
def _(w):
    from apps.projects.services import project_submit
    return Step(lambda: project_submit(w.project_a1_draft, actor=w.agency_a1), w.agency_a1,
                w.project_a1_draft)


@walks("projects.services.project_approve")
def _(w):
    from apps.projects.services import project_approve
    project = submitted_project(w)
    return Step(lambda: project_approve(project, review_no="晋商审〔2026〕7号", review_form=pdf(),
                                        actor=w.province), w.province, project)


@walks("projects.services.project_return")
def _(w):
    from apps.projects.services import project_return
    project = submitted_project(w)
    return Step(lambda: project_return(project, reason="薪资描述夸大", actor=w.province),
                w.province, project)


@walks("projects.services.project_dock")
def _(w):
    from apps.projects.services import project_dock
    return Step(lambda: project_dock(w.project_a1, city=w.ty, unit=w.u2, actor=w.unit_u2),
                w.unit_u2, w.project_a1)


@walks("projects.services.project_close")
def _(w):
    from apps.projects.services import project_close
    return Step(lambda: project_close(w.project_a1, actor=w.agency_a1), w.agency_a1,
                w.project_a1)


@walks("publicity.services.notice_save")
def _(w):
    from apps.publicity.services import notice_save
    return Step(lambda: notice_save(w.notice, actor=w.province), w.province, w.notice)


def disclosure_pending(w):
    from apps.disclosures.models import Disclosure, DisclosureForm
    d = Disclosure.objects.create(form=DisclosureForm.FORM5, purpose="medical",
                                  purpose_text="出境体检", people_count=1, org_name="山西大学",
                                  requested_by=w.unit_u1)
    d.people.set([w.person_ty])
    return d


@walks("disclosures.services.disclosure_request")
def _(w):
    from apps.disclosures.models import DisclosureForm
    from apps.disclosures.services import disclosure_request
    return Step(lambda: disclosure_request(actor=w.unit_u1, form=DisclosureForm.FORM5,
                                           people=[w.person_ty], purpose="medical",
                                           purpose_text="出境体检", org_name="山西大学"),
                w.unit_u1, "disclosures.Disclosure")


@walks("disclosures.services.disclosure_decide")
def _(w):
    from apps.disclosures.services import disclosure_decide
    d = disclosure_pending(w)
    return Step(lambda: disclosure_decide(d, approve=True, actor=w.province), w.province, d)


@walks("disclosures.services.disclosure_take")
def _(w):
    from apps.disclosures.services import disclosure_decide, disclosure_take
    d = disclosure_decide(disclosure_pending(w), approve=True, actor=w.province)
    return Step(lambda: disclosure_take(d, actor=w.unit_u1), w.unit_u1, d)


# --- orgs, calendar, deadlines, rosters -----------------------------------------------------

@walks("orgs.services.unit_create")
def _(w):
    from apps.orgs.models import UnitCategory
    from apps.orgs.services import unit_create
    return Step(lambda: unit_create(actor=w.province, name="太原旅游职业学院", city=w.ty,
                                    category=UnitCategory.HIGHER_VOCATIONAL, seq=30),
                w.province, "orgs.OrganisingUnit")


@walks("orgs.services.unit_update")
def _(w):
    from apps.orgs.services import unit_update
    return Step(lambda: unit_update(w.u1, actor=w.province, contact_person="李老师"),
                w.province, w.u1)


@walks("orgs.services.agency_create")
def _(w):
    from apps.orgs.services import agency_create
    return Step(lambda: agency_create(actor=w.province, name="山西国际经济技术合作公司", batch=1,
                                      seq=9), w.province, "orgs.Agency")


@walks("orgs.services.agency_update")
def _(w):
    from apps.orgs.services import agency_update
    return Step(lambda: agency_update(w.a1, actor=w.province, contact_person="王经理"),
                w.province, w.a1)


@walks("orgs.services.city_update_service_org")
def _(w):
    from apps.orgs.services import city_update_service_org
    return Step(lambda: city_update_service_org(w.ty, actor=w.city_ty,
                                                service_org_name="太原市公共就业服务中心"),
                w.city_ty, w.ty)


@walks("orgs.services.city_cooperation_create")
def _(w):
    from apps.orgs.services import city_cooperation_create
    return Step(lambda: city_cooperation_create(city=w.ty, agency=w.a2, actor=w.city_ty),
                w.city_ty, "orgs.CityAgencyCooperation")


@walks("orgs.services.unit_cooperation_create")
def _(w):
    from apps.orgs.services import unit_cooperation_create
    return Step(lambda: unit_cooperation_create(unit=w.u2, agency=w.a1, actor=w.unit_u2),
                w.unit_u2, "orgs.UnitAgencyCooperation")


@walks("orgs.services.cooperation_end")
def _(w):
    from apps.orgs.services import cooperation_end
    return Step(lambda: cooperation_end(w.coop_u1, actor=w.unit_u1), w.unit_u1, w.coop_u1)


@walks("orgs.services.filing_submit_unit")
def _(w):
    from apps.orgs.models import UnitCategory
    from apps.orgs.services import filing_submit_unit
    return Step(lambda: filing_submit_unit(city=w.ty, actor=w.city_ty, reason="实地考察",
                                           name="太原某培训学校",
                                           category=UnitCategory.TRAINING_INSTITUTION),
                w.city_ty, "orgs.FilingRequest")


@walks("orgs.services.filing_submit_agency")
def _(w):
    from apps.orgs.services import filing_submit_agency
    from tests.orgs.test_services import VALID_USCC
    return Step(lambda: filing_submit_agency(city=w.ty, actor=w.city_ty, reason="自主考察",
                                             name="某国际经济技术合作公司", credit_code=VALID_USCC,
                                             licence_no="MOFCOM-001",
                                             licence_valid_until="2030-12-31"),
                w.city_ty, "orgs.FilingRequest")


@walks("orgs.services.filing_decide")
def _(w):
    from apps.orgs.services import filing_decide
    return Step(lambda: filing_decide(w.filing_ty, approve=True, actor=w.province), w.province,
                w.filing_ty)


@walks("orgs.services.agency_set_status")
def _(w):
    from apps.orgs.services import agency_set_status
    return Step(lambda: agency_set_status(w.a1, status="suspended", actor=w.province),
                w.province, w.a1)


@walks("workdays.services.special_day_set")
def _(w):
    from apps.workdays.services import special_day_set
    return Step(lambda: special_day_set(day=date(timezone.localdate().year, 12, 31),
                                        kind="holiday", name="测试", actor=w.province),
                w.province, "workdays.SpecialDay")


@walks("workdays.services.special_day_delete")
def _(w):
    from apps.workdays.services import special_day_delete
    return Step(lambda: special_day_delete(w.holiday, actor=w.province), w.province, w.holiday)


@walks("workdays.services.calendar_year_enter")
def _(w):
    from apps.workdays.services import calendar_year_enter, parse_arrangement
    return Step(lambda: calendar_year_enter(year=2027, days=parse_arrangement(
        2027, "2027-01-01 放假 元旦"), actor=w.province, source="国办发明电（测试）"),
        w.province, "workdays.CalendarYear")


@walks("deadlines.services.rule_set_offset")
def _(w):
    from apps.deadlines.services import rule_set_offset
    return Step(lambda: rule_set_offset(w.stage_rule, offset=6, actor=w.province), w.province,
                w.stage_rule)


@walks("deadlines.services.deadlines_scan")
def _(w):
    """Run by the daily task; here as queued by the province (the task carries who)."""
    from apps.deadlines.services import deadlines_scan
    from apps.pipeline.models import Stage
    from apps.pipeline.services import session_create
    session_create(actor=w.unit_u1, stage=Stage.FIRST_INTERVIEW, project=w.project_a1,
                   held_on=date(2026, 9, 30), place="视频", hospital="", unit=w.u1,
                   city=w.ty)  # its stage data were due 13 Oct 2026: overdue
    return Step(lambda: deadlines_scan(), w.province, None)


@walks("deadlines.services.budget_items_open")
def _(w):
    from apps.deadlines.services import budget_items_open
    return Step(lambda: budget_items_open(timezone.localdate().year + 2), w.province, None)


@walks("rosters.services.upload_receive")
def _(w):
    from apps.rosters.services import upload_receive
    from tests.rosters.files import person_row, xlsx
    return Step(lambda: upload_receive(actor=w.unit_u1, kind="registration",
                                       uploaded=SimpleUploadedFile("名册.xlsx",
                                                                   xlsx([person_row(903)]))),
                w.unit_u1, "rosters.Upload")


@walks("rosters.services.upload_commit")
def _(w):
    from apps.rosters.services import upload_commit
    return Step(lambda: upload_commit(w.upload_ty, actor=w.unit_u1), w.unit_u1, w.upload_ty)


# --- incidents abroad --------------------------------------------------------------------------

def person_abroad(w):
    """A new person of 山西大学 abroad with A1 (set directly: earlier steps close A1's
    project, which refuses new candidacies)."""
    from apps.pipeline.models import Candidacy, CandidacyStatus
    return Candidacy.objects.create(
        person=new_person(w), project=w.project_a1, unit=w.u1, city=w.ty, agency=w.a1,
        stage_on=date(2025, 7, 1), created_by=w.unit_u1, status=CandidacyStatus.ABROAD,
        departed_on=date(2025, 7, 1), contract_term="3年", country="日本")


def incident_recorded(w, *, first_filed=False):
    """A grade Ⅲ incident recorded by A1 for a new person of 山西大学 abroad."""
    from tests.incidents.conftest import file, record
    incident = record(w, w.agency_a1, workers=[person_abroad(w)])
    if first_filed:
        file(incident, "first", w.agency_a1)
    return incident


@walks("incidents.services.incident_record")
def _(w):
    from tests.incidents.conftest import record
    person = person_abroad(w)
    return Step(lambda: record(w, w.agency_a1, workers=[person]), w.agency_a1,
                "incidents.Incident")


@walks("incidents.services.incident_workers_add")
def _(w):
    from apps.incidents.services import incident_workers_add
    incident = incident_recorded(w)
    person = person_abroad(w)
    return Step(lambda: incident_workers_add(incident, actor=w.agency_a1, candidacies=[person]),
                w.agency_a1, "incidents.IncidentWorker")


@walks("incidents.services.grade_change")
def _(w):
    from apps.incidents.services import grade_change
    incident = incident_recorded(w)
    return Step(lambda: grade_change(incident, actor=w.city_ty, grade=3, confirm=True),
                w.city_ty, incident)


@walks("incidents.services.report_file")
def _(w):
    from tests.incidents.conftest import file
    incident = incident_recorded(w)
    return Step(lambda: file(incident, "first", w.agency_a1), w.agency_a1,
                "incidents.IncidentReport")


@walks("incidents.services.response_end")
def _(w):
    from apps.incidents.services import response_end
    incident = incident_recorded(w, first_filed=True)
    return Step(lambda: response_end(incident, actor=w.agency_a1,
                                     ended_at=timezone.now() - timedelta(minutes=1)),
                w.agency_a1, incident)


@walks("incidents.services.report_rule_set")
def _(w):
    from apps.incidents.models import IncidentReportRule
    from apps.incidents.services import report_rule_set
    rule = IncidentReportRule.objects.get(grade_group="low", kind="first")
    return Step(lambda: report_rule_set(rule, actor=w.province, amount=12), w.province, rule)


# --- accounts (三员分立) ----------------------------------------------------------------------

NEW_PASSWORD = "Neues-Pass-2027"


@walks("accounts.services.user_create")
def _(w):
    from apps.accounts.models import Role
    from apps.accounts.services import user_create
    return Step(lambda: user_create(actor=w.sysadmin, password=NEW_PASSWORD, username="walk_new",
                                    role=Role.UNIT, unit=w.u2, first_name="新账号"),
                w.sysadmin, "accounts.User")


@walks("accounts.services.user_update")
def _(w):
    from apps.accounts.services import user_update
    return Step(lambda: user_update(w.observer, actor=w.sysadmin, first_name="商务厅观察员"),
                w.sysadmin, w.observer)


@walks("accounts.services.user_authorise")
def _(w):
    from apps.accounts.models import Role
    from apps.accounts.services import grant_key, user_authorise, user_create
    user = user_create(actor=w.sysadmin, password=NEW_PASSWORD, username="walk_grant",
                       role=Role.UNIT, unit=w.u2)
    return Step(lambda: user_authorise(user, actor=w.secadmin, grant=grant_key(user)),
                w.secadmin, user)


def pending_reset(w, user):
    from apps.accounts.services import user_password_reset
    user_password_reset(user, password=NEW_PASSWORD, actor=w.sysadmin)
    user.refresh_from_db()
    return user.pending_password_at.isoformat()


@walks("accounts.services.user_password_reset")
def _(w):
    from apps.accounts.services import user_password_reset
    return Step(lambda: user_password_reset(w.agency_a2, password=NEW_PASSWORD,
                                            actor=w.sysadmin), w.sysadmin, w.agency_a2)


@walks("accounts.services.user_password_authorise")
def _(w):
    from apps.accounts.services import user_password_authorise
    requested_at = pending_reset(w, w.unit_u3)
    return Step(lambda: user_password_authorise(w.unit_u3, actor=w.secadmin,
                                                requested_at=requested_at),
                w.secadmin, w.unit_u3)


@walks("accounts.services.user_password_reset_refuse")
def _(w):
    from apps.accounts.services import user_password_reset_refuse
    requested_at = pending_reset(w, w.city_dt)
    return Step(lambda: user_password_reset_refuse(w.city_dt, actor=w.secadmin,
                                                   requested_at=requested_at),
                w.secadmin, w.city_dt)


@walks("accounts.services.user_password_change")
def _(w):
    from apps.accounts.services import user_password_change
    return Step(lambda: user_password_change(w.unit_u1, password="Eigenes-Pass-2027"),
                w.unit_u1, w.unit_u1)


@walks("accounts.services.user_unlock")
def _(w):
    from apps.accounts.services import user_unlock
    return Step(lambda: user_unlock(w.agency_a1, actor=w.secadmin), w.secadmin, w.agency_a1)


@walks("accounts.services.user_otp_reset")
def _(w):
    from apps.accounts.services import user_otp_reset
    return Step(lambda: user_otp_reset(w.city_ty, actor=w.secadmin), w.secadmin, w.city_ty)


@walks("accounts.services.totp_device_bind")
def _(w):
    """The city account binds its first authenticator with a current code of it."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.oath import totp

    from apps.accounts.models import TotpDevice
    from apps.audit.services import current_request
    TotpDevice.objects.filter(user=w.city_dt).delete()
    device = TotpDevice.objects.create(user=w.city_dt, name="手机", confirmed=False,
                                       key="3132333435363738393031323334353637383930")

    def call():
        from apps.accounts.services import totp_device_bind
        request = current_request.get()
        request.session = SessionStore()
        return totp_device_bind(request, device, f"{totp(device.bin_key):06d}")
    return Step(call, w.city_dt, w.city_dt)


@walks("accounts.services.own_sessions_end")
def _(w):
    from apps.accounts.services import own_sessions_end
    return Step(lambda: own_sessions_end(actor=w.unit_u2), w.unit_u2, w.unit_u2)


@walks("accounts.services.user_set_active")
def _(w):
    from apps.accounts.services import user_set_active
    return Step(lambda: user_set_active(w.unit_u2, active=False, actor=w.sysadmin), w.sysadmin,
                w.unit_u2)


@walks("accounts.services.user_force_logout")
def _(w):
    from apps.accounts.services import user_force_logout
    return Step(lambda: user_force_logout(w.unit_u2, actor=w.secadmin), w.secadmin, w.unit_u2)


# --- complaints ------------------------------------------------------------------------------

# How a case is brought to a state through the services (dates: September 2026).
_COMPLAINT_PATHS = {
    "received": [], "accepted": ["accept"], "with_agency": ["accept", "transfer"],
    "mediation": ["accept", "mediate"], "on_hold": ["accept", "hold"],
    "resolved": ["accept", "mediate", "resolve"],
}


_complaints = itertools.count(1)


def complaint_in(w, state="received"):
    """A wage complaint of a departed 山西大学 worker against A1, brought to ``state``."""
    from apps.complaints import services as s
    c = s.complaint_file(
        actor=w.unit_u1, candidacy=w.departed[1][0], channel="phone",
        received_on=date(2026, 9, 1), kind="complaint", category="wages",
        respondent_kind="agency", respondent_agency=w.a1,
        summary=f"拖欠工资（{next(_complaints)}）",  # each its own case, not a double submit
        claims=[("wages", Decimal("1000"), "")])
    moves = {
        "accept": lambda: s.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1)),
        "transfer": lambda: s.complaint_transfer(c, actor=w.unit_u1, on=date(2026, 9, 2)),
        "mediate": lambda: s.mediation_start(c, actor=w.unit_u1, on=date(2026, 9, 2)),
        "hold": lambda: s.complaint_hold(c, actor=w.unit_u1, on=date(2026, 9, 3),
                                         reason="等待核实"),
        "resolve": lambda: s.complaint_resolve(c, actor=w.unit_u1, on=date(2026, 9, 4),
                                               outcome="upheld",
                                               amount_recovered=Decimal("500")),
    }
    for move in _COMPLAINT_PATHS[state]:
        moves[move]()
    c.refresh_from_db()
    return c


@walks("complaints.services.complaint_file")
def _(w):
    return Step(lambda: complaint_in(w), w.unit_u1, "complaints.Complaint")


@walks("complaints.services.complaint_accept")
def _(w):
    from apps.complaints.services import complaint_accept
    c = complaint_in(w)
    return Step(lambda: complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1)), w.unit_u1, c)


@walks("complaints.services.complaint_refuse")
def _(w):
    from apps.complaints.services import complaint_refuse
    c = complaint_in(w)
    return Step(lambda: complaint_refuse(c, actor=w.unit_u1, on=date(2026, 9, 1),
                                         reason="不属于受理范围"), w.unit_u1, c)


@walks("complaints.services.complaint_transfer")
def _(w):
    from apps.complaints.services import complaint_transfer
    c = complaint_in(w, "accepted")
    return Step(lambda: complaint_transfer(c, actor=w.unit_u1, on=date(2026, 9, 2)), w.unit_u1, c)


@walks("complaints.services.agency_reply")
def _(w):
    from apps.complaints.services import agency_reply
    c = complaint_in(w, "with_agency")
    return Step(lambda: agency_reply(c, actor=w.agency_a1, on=date(2026, 9, 3), text="已协调"),
                w.agency_a1, c)


@walks("complaints.services.mediation_start")
def _(w):
    from apps.complaints.services import mediation_start
    c = complaint_in(w, "accepted")
    return Step(lambda: mediation_start(c, actor=w.city_ty, on=date(2026, 9, 2)), w.city_ty, c)


@walks("complaints.services.complaint_hold")
def _(w):
    from apps.complaints.services import complaint_hold
    c = complaint_in(w, "mediation")
    return Step(lambda: complaint_hold(c, actor=w.unit_u1, on=date(2026, 9, 3), reason="住院"),
                w.unit_u1, c)


@walks("complaints.services.complaint_resume")
def _(w):
    from apps.complaints.services import complaint_resume
    c = complaint_in(w, "on_hold")
    return Step(lambda: complaint_resume(c, actor=w.unit_u1, on=date(2026, 9, 8)), w.unit_u1, c)


@walks("complaints.services.complaint_resolve")
def _(w):
    from apps.complaints.services import complaint_resolve
    c = complaint_in(w, "mediation")
    return Step(lambda: complaint_resolve(c, actor=w.unit_u1, on=date(2026, 9, 4),
                                          outcome="withdrawn", amount_recovered=Decimal("0")),
                w.unit_u1, c)


@walks("complaints.services.complaint_close")
def _(w):
    from apps.complaints.services import complaint_close
    c = complaint_in(w, "resolved")
    return Step(lambda: complaint_close(c, actor=w.unit_u1, on=date(2026, 9, 4)), w.unit_u1, c)


@walks("complaints.services.complaint_reopen")
def _(w):
    from apps.complaints.services import complaint_reopen
    c = complaint_in(w, "resolved")
    return Step(lambda: complaint_reopen(c, actor=w.unit_u1, on=date(2026, 9, 7),
                                         reason="雇主未付款"), w.unit_u1, c)


@walks("complaints.services.complaints_escalate")
def _(w):
    """Run by the beat task; here as queued by the province (the task carries who)."""
    from apps.complaints.services import complaints_escalate
    complaint_in(w, "accepted")  # due 29 Sep 2026: overdue
    return Step(lambda: complaints_escalate(), w.province, None)


@walks("complaints.services.complaint_edit")
def _(w):
    from apps.complaints.services import complaint_edit
    c = complaint_in(w, "accepted")
    return Step(lambda: complaint_edit(c, actor=w.unit_u1, category="contract",
                                       respondent_kind="employer", respondent_employer="某会社",
                                       reason="核实后更正"), w.unit_u1, c)


@walks("complaints.services.officers_set")
def _(w):
    from apps.complaints.services import officers_set
    c = complaint_in(w)
    return Step(lambda: officers_set(c, actor=w.city_ty, sensitive=True, officers=[w.unit_u1]),
                w.city_ty, c)


@walks("complaints.services.evidence_add")
def _(w):
    from apps.complaints.services import evidence_add
    c = complaint_in(w)
    return Step(lambda: evidence_add(c, actor=w.unit_u1, uploaded=pdf(), description="工资条"),
                w.unit_u1, "complaints.ComplaintEvidence")


# --- follow-ups (issue 18, item 4) -----------------------------------------------------------

def _followup_plan(w):
    """A plan of project_a1 with 张三 abroad (the threshold lowered to 1 for the walk)."""
    from apps.followups.models import FollowUpPlan, FollowUpSettings
    from apps.followups.services import plans_ensure
    from apps.pipeline.models import Candidacy, CandidacyStatus
    if not hasattr(w, "_walk_plan"):
        FollowUpSettings.objects.update_or_create(pk=1, defaults={"plan_at": 1, "officer_at": 1})
        Candidacy.objects.filter(pk=w.cand_ty.pk).update(
            status=CandidacyStatus.ABROAD, departed_on=timezone.localdate() - timedelta(days=5))
        plans_ensure(today=timezone.localdate() - timedelta(days=2))
        w._walk_plan = FollowUpPlan.objects.get(project=w.project_a1)
    return w._walk_plan


@walks("followups.services.settings_set")
def _(w):
    from apps.followups.services import settings_set
    return Step(lambda: settings_set(actor=w.province, plan_at=1, officer_at=1, interval_days=30),
                w.province, "followups.FollowUpSettings")


@walks("followups.services.plans_ensure")
def _(w):
    """Run by the daily task; here from the province's 立即核对 button."""
    from apps.followups.services import plans_ensure
    _followup_plan(w)
    # 大同's person abroad on a2's project: the check gives that project its plan.
    from apps.pipeline.models import Candidacy, CandidacyStatus
    Candidacy.objects.filter(pk=w.cand_dt.pk).update(status=CandidacyStatus.ABROAD,
                                                     departed_on=timezone.localdate())
    return Step(lambda: plans_ensure(), w.province, None)


@walks("followups.services.plan_officer_set")
def _(w):
    from apps.followups.services import plan_officer_set
    plan = _followup_plan(w)
    return Step(lambda: plan_officer_set(plan, officer=w.agency_a1, actor=w.agency_a1),
                w.agency_a1, plan)


@walks("followups.services.visit_record")
def _(w):
    from apps.followups.services import visit_record
    plan = _followup_plan(w)
    return Step(lambda: visit_record(plan, actor=w.agency_a1, number=plan.visits.count() + 1,
                                     visited_on=timezone.localdate(), mode="phone",
                                     officer_name="李明", workers=[w.cand_ty]),
                w.agency_a1, "followups.FollowUpVisit")


# --- yearly evaluation (issue 20) ----------------------------------------------------------

_evaluation_years = itertools.count(2019, -1)  # each step its own ended year


def _evaluation_scheme(w, *, locked=True):
    from apps.evaluations.services import scheme_create, scheme_lock
    scheme = scheme_create(actor=w.province, year=next(_evaluation_years), kind="agency")
    if locked:
        scheme_lock(scheme, actor=w.province)
    return scheme


def _evaluation_card(w, upto="draft"):
    """A1's card of a fresh year, computed and entered, brought to ``upto``."""
    from apps.evaluations import services as s
    from apps.evaluations.models import Scorecard
    from tests.evaluations.conftest import enter_all
    scheme = _evaluation_scheme(w)
    s.scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, agency=w.a1)
    enter_all(card, w.province)
    if upto == "draft":
        return card
    card = s.scorecard_open(card, actor=w.province)
    if upto == "objection":
        return card
    s.scorecard_accept(card, actor=w.agency_a1)
    card = s.scorecard_conclude(card, actor=w.province)
    if upto == "answered":
        return card
    return s.scorecard_publish(card, actor=w.province)


@walks("evaluations.services.scheme_create")
def _(w):
    from apps.evaluations.services import scheme_create
    return Step(lambda: scheme_create(actor=w.province, year=next(_evaluation_years),
                                      kind="unit"), w.province, "evaluations.Scheme")


@walks("evaluations.services.scheme_update")
def _(w):
    from apps.evaluations.services import scheme_update
    scheme = _evaluation_scheme(w, locked=False)
    return Step(lambda: scheme_update(scheme, actor=w.province, pass_mark=Decimal(65),
                                      reward_bands=[{"min": 65, "amount": 40000}],
                                      excellence={}), w.province, scheme)


@walks("evaluations.services.criterion_save")
def _(w):
    from apps.evaluations.services import criterion_save
    scheme = _evaluation_scheme(w, locked=False)
    c = scheme.criteria.get(code="innovation")
    return Step(lambda: criterion_save(scheme, actor=w.province, criterion=c,
                                       label="工作创新与发展"), w.province, c)


@walks("evaluations.services.criterion_delete")
def _(w):
    from apps.evaluations.services import criterion_delete
    scheme = _evaluation_scheme(w, locked=False)
    return Step(lambda: criterion_delete(scheme.criteria.get(code="innovation"),
                                         actor=w.province), w.province, scheme)


@walks("evaluations.services.scheme_lock")
def _(w):
    from apps.evaluations.services import scheme_lock
    scheme = _evaluation_scheme(w, locked=False)
    return Step(lambda: scheme_lock(scheme, actor=w.province), w.province, scheme)


@walks("evaluations.services.scorecards_compute")
def _(w):
    from apps.evaluations.services import scorecards_compute
    scheme = _evaluation_scheme(w)
    return Step(lambda: scorecards_compute(scheme, actor=w.province), w.province, scheme)


@walks("evaluations.services.scorecard_recompute")
def _(w):
    from apps.evaluations.services import scorecard_recompute
    card = _evaluation_card(w)
    return Step(lambda: scorecard_recompute(card, actor=w.province), w.province, card)


@walks("evaluations.services.score_enter")
def _(w):
    from apps.evaluations.services import score_enter
    card = _evaluation_card(w)
    score = card.scores.get(criterion__code="innovation")
    return Step(lambda: score_enter(score, actor=w.province, points=Decimal(6),
                                    reason="创新做法成效一般", evidence=pdf()), w.province, score)


@walks("evaluations.services.scorecard_open")
def _(w):
    from apps.evaluations.services import scorecard_open
    card = _evaluation_card(w)
    return Step(lambda: scorecard_open(card, actor=w.province), w.province, card)


@walks("evaluations.services.objection_file")
def _(w):
    from apps.evaluations.services import objection_file
    card = _evaluation_card(w, "objection")
    return Step(lambda: objection_file(card, actor=w.agency_a1, criterion=None,
                                       text="对留用率有异议"), w.agency_a1, "evaluations.Objection")


@walks("evaluations.services.scorecard_accept")
def _(w):
    from apps.evaluations.services import scorecard_accept
    card = _evaluation_card(w, "objection")
    return Step(lambda: scorecard_accept(card, actor=w.agency_a1), w.agency_a1, card)


@walks("evaluations.services.objection_answer")
def _(w):
    from apps.evaluations.services import objection_answer, objection_file
    card = _evaluation_card(w, "objection")
    o = objection_file(card, actor=w.agency_a1, criterion=card.scheme.criteria.get(
        code="innovation"), text="创新有成效")
    return Step(lambda: objection_answer(o, actor=w.province, answer="维持原分"), w.province, o)


@walks("evaluations.services.scorecard_conclude")
def _(w):
    from apps.evaluations.services import scorecard_accept, scorecard_conclude
    card = _evaluation_card(w, "objection")
    scorecard_accept(card, actor=w.agency_a1)
    return Step(lambda: scorecard_conclude(card, actor=w.province), w.province, card)


@walks("evaluations.services.scorecard_publish")
def _(w):
    from apps.evaluations.services import scorecard_publish
    card = _evaluation_card(w, "answered")
    return Step(lambda: scorecard_publish(card, actor=w.province), w.province, card)


@walks("evaluations.services.score_correct")
def _(w):
    """Writes its own row on the card: the total before and after."""
    from apps.evaluations.services import score_correct
    card = _evaluation_card(w, "published")
    score = card.scores.get(criterion__code="ledger")
    return Step(lambda: score_correct(score, actor=w.province, points=Decimal(7),
                                      reason="复核缺一项"), w.province, card)


@walks("evaluations.services.consequence_decide")
def _(w):
    from apps.evaluations.services import consequence_decide
    card = _evaluation_card(w, "published")
    c = card.consequences.first()
    return Step(lambda: consequence_decide(c, actor=w.province, approve=False,
                                           note="本年度不执行"), w.province, c)
def _evaluation_reward(w):
    """A1's published card of a fresh year, its 绩效奖励 approved."""
    from apps.evaluations.services import consequence_decide
    card = _evaluation_card(w, "published")
    return consequence_decide(card.consequences.get(kind="reward"), actor=w.province,
                              approve=True)


@walks("subsidies.services.claim_create_reward")
def _(w):
    from apps.subsidies.services import claim_create_reward
    reward = _evaluation_reward(w)
    return Step(lambda: claim_create_reward(reward, actor=w.agency_a1, bank_name="中国银行",
                                            account_name=w.a1.name, account_no="62166100"),
                w.agency_a1, "subsidies.Claim")


@walks("evaluations.services.consequence_review")
def _(w):
    """A correction after publication fails the year: the approved reward is flagged."""
    from apps.evaluations.services import consequence_review, score_correct
    reward = _evaluation_reward(w)
    score_correct(reward.scorecard.scores.get(criterion__code="innovation"), actor=w.province,
                  points=Decimal(0), reason="复核无创新成效")
    return Step(lambda: consequence_review(reward, actor=w.province, note="维持原决定"),
                w.province, reward)


# --- API clients (issue 23) ----------------------------------------------------------------

def _api_client(w, authorise=False):
    from datetime import timedelta

    from apps.accounts.models import Role
    from apps.api.services import apiclient_authorise, apiclient_create
    client, _ = apiclient_create(
        actor=w.sysadmin, name="商务厅外派劳务系统", purpose="同步输出人员", role=Role.AGENCY,
        agency=w.a1, grants=["pipeline_read"], ip_allowlist="10.1.2.0/24",
        expires_on=timezone.localdate() + timedelta(days=90))
    return apiclient_authorise(client, actor=w.secadmin) if authorise else client


@walks("api.services.apiclient_create")
def _(w):
    from datetime import timedelta

    from apps.accounts.models import Role
    from apps.api.services import apiclient_create
    return Step(lambda: apiclient_create(
        actor=w.sysadmin, name="太原市人社局系统", purpose="同步本市人员", role=Role.CITY, city=w.ty,
        grants=["people_read"], ip_allowlist="10.9.0.1",
        expires_on=timezone.localdate() + timedelta(days=30)), w.sysadmin, "api.ApiClient")


@walks("api.services.apiclient_authorise")
def _(w):
    from apps.api.services import apiclient_authorise
    client = _api_client(w)
    return Step(lambda: apiclient_authorise(client, actor=w.secadmin), w.secadmin, client)


@walks("api.services.apiclient_revoke")
def _(w):
    from apps.api.services import apiclient_revoke
    client = _api_client(w, authorise=True)
    return Step(lambda: apiclient_revoke(client, actor=w.secadmin, reason="对方系统停用"),
                w.secadmin, client)
# --- returns and after (issue 19) -------------------------------------------------------------

def _walk_abroad(w, seq, **kw):
    from tests.returnees.conftest import abroad
    return abroad(w, f"归国走查{seq}", 140 + seq, **kw)


def _walk_returnee(w):
    """A returnee of 山西大学 with a profile (made once per world)."""
    if not hasattr(w, "_walk_returnee"):
        from apps.returnees.services import profile_save
        from tests.returnees.conftest import come_back, profile_fields
        c = come_back(_walk_abroad(w, 1), w.agency_a1, timezone.localdate() - timedelta(days=3))
        w._walk_returnee = profile_save(c.person, actor=w.unit_u1, **profile_fields())
    return w._walk_returnee


@walks("pipeline.services.candidacy_rejoin_decide")
def _(w):
    from apps.pipeline.models import Candidacy
    from apps.pipeline.services import candidacy_rejoin_decide
    from tests.returnees.conftest import come_back
    c = come_back(_walk_abroad(w, 2), w.agency_a1, return_kind="early",
                  return_cause="worker_breach", return_reason="擅自离开")
    again = Candidacy.objects.create(person=c.person, project=c.project, unit=c.unit,
                                     city=c.city, agency=c.agency, stage_on=c.returned_on,
                                     rejoin_review="pending", created_by=w.unit_u1)
    return Step(lambda: candidacy_rejoin_decide(again, actor=w.agency_a1, accept=True,
                                                note="同意"), w.agency_a1, again)


@walks("deadlines.services.return_prep_done")
def _(w):
    from apps.abroad.terms import add_months
    from apps.deadlines.services import return_prep_done
    end = timezone.localdate() + timedelta(days=16)
    c = _walk_abroad(w, 3, term="1年", departed_on=add_months(end, -12))
    return Step(lambda: return_prep_done(c, step="2w", actor=w.agency_a1), w.agency_a1,
                "deadlines.DeadlineItem")


@walks("deadlines.services.return_items_ensure")
def _(w):
    from apps.deadlines.services import candidacy_items, return_items_ensure
    c = _walk_abroad(w, 4, departed_on=date(2022, 1, 3))  # its contract ended in 2025
    candidacy_items(c).delete()
    return Step(lambda: return_items_ensure(), w.province, None)


@walks("returnees.services.profile_save")
def _(w):
    from apps.returnees.services import profile_save
    from tests.returnees.conftest import profile_fields
    profile = _walk_returnee(w)
    return Step(lambda: profile_save(profile.person, actor=w.city_ty,
                                     **profile_fields(go_again="no")), w.city_ty, profile)


@walks("returnees.services.referral_create")
def _(w):
    from apps.returnees.services import referral_create
    profile = _walk_returnee(w)
    return Step(lambda: referral_create(profile, actor=w.unit_u1, service="training",
                                        provider="市技工学校", referred_on=timezone.localdate()),
                w.unit_u1, "returnees.Referral")


@walks("returnees.services.referral_move")
def _(w):
    from apps.returnees.services import referral_create, referral_move
    profile = _walk_returnee(w)
    r = referral_create(profile, actor=w.unit_u1, service="counselling", provider="心理服务站",
                        referred_on=timezone.localdate())
    return Step(lambda: referral_move(r, actor=w.unit_u1, status="accepted",
                                      on=timezone.localdate()), w.unit_u1, r)
# --- outage periods (issue 22) -----------------------------------------------------------------

def _outage(w):
    """An open lockdown of 太原 declared by the province (made once per world)."""
    from apps.outages.services import outage_declare
    if not hasattr(w, "_walk_outage"):
        w._walk_outage = outage_declare(
            actor=w.province, kind="lockdown", reason="太原市疫情封控",
            starts_on=timezone.localdate() - timedelta(days=3), scope="cities", cities=[w.ty])
    return w._walk_outage


@walks("outages.services.outage_declare")
def _(w):
    from apps.outages.services import outage_declare
    return Step(lambda: outage_declare(actor=w.province, kind="system", reason="系统升级停机",
                                       starts_on=timezone.localdate() - timedelta(days=10),
                                       ends_on=timezone.localdate() - timedelta(days=9),
                                       scope="all"),
                w.province, "outages.OutagePeriod")


@walks("outages.services.outage_update")
def _(w):
    from apps.outages.services import outage_update
    period = _outage(w)
    return Step(lambda: outage_update(period, actor=w.province, kind="lockdown",
                                      reason="太原市疫情封控（范围更正）",
                                      starts_on=period.starts_on, ends_on=None, scope="cities",
                                      cities=[w.ty]),
                w.province, period)


@walks("outages.services.outage_close")
def _(w):
    from apps.outages.services import outage_close
    period = _outage(w)
    return Step(lambda: outage_close(period, actor=w.province, ends_on=timezone.localdate()),
                w.province, period)


@walks("outages.services.outages_recount")
def _(w):
    """Run by the nightly task; here with an item the open lockdown reached after it was
    declared (a row written directly, as a path that does not count outages would)."""
    from apps.deadlines.models import DeadlineItem
    from apps.pipeline.models import Stage
    _outage(w)
    today = timezone.localdate()
    DeadlineItem.objects.create(
        rule=w.stage_rule, candidacy=w.cand_ty, stage=Stage.RETURN, owner_role="unit",
        unit=w.u1, city=w.ty, agency=w.a1, event_on=today - timedelta(days=1),
        due_on=today + timedelta(days=7),
        due_at=timezone.now() + timedelta(days=7))
    from apps.outages.services import outages_recount
    return Step(lambda: outages_recount(), w.province, None)
