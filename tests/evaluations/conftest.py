"""A seeded year (2025) of records behind every computed criterion, for 山西大学 (U1) and
its agency A1, with the same kinds of records for the 大同 sentinel side (U3 / A2), so that a
figure that counts the other side shows it. Records are written as rows (not through the
pipeline's services): what is tested here is the counting, against an independent recount."""
import itertools
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.complaints.models import Complaint
from apps.deadlines.models import DeadlineItem, DeadlineRule
from apps.incidents.models import Incident, IncidentReport
from apps.pipeline.models import Candidacy, Stage, StageEvent
from apps.projects.models import JobProject, ProjectDocking, ProjectStatus
from apps.quotas.models import Task
from apps.registry.idnumber import make_id
from apps.subsidies.models import ClaimStep
from apps.training.models import Enrolment, SpotCheck
from tests.conftest import pdf, register

BJ = ZoneInfo("Asia/Shanghai")
YEAR = 2025


def at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=BJ)


# Identity numbers need only differ within one test (each rolls back): reused in turn.
_n = itertools.cycle(range(600, 999))


def departed(w, *, unit, agency, project, city, on, returned=None, ends=None, signed=True,
             actor=None):
    i = next(_n)
    person = register(actor or w.unit_u1, name=f"评估{i}", sex="男",
                      id_number=make_id(region="140105", birth=date(1995, 1 + i % 12, 3),
                                        seq=f"{(2 * i + 1) % 1000:03d}"))
    c = Candidacy.objects.create(
        person=person, project=project, unit=unit, city=city, agency=agency,
        stage=Stage.RETURN if returned else Stage.DEPARTURE,
        result="returned" if returned else "departed", stage_on=returned or on,
        status="returned" if returned else "abroad", departed_on=on, returned_on=returned,
        contract_term="2年", contract_ends_on=ends or date(on.year + 2, on.month, on.day),
        return_reason="个人原因" if returned else "", created_by=w.unit_u1,
        # Recorded as the return service records it: early when before the contract's end.
        return_kind=("" if not returned else "early"
                     if returned < (ends or date(on.year + 2, on.month, on.day)) else "completed"))
    if signed:
        StageEvent.objects.create(candidacy=c, stage=Stage.CONTRACT, result="signed",
                                  happened_on=on - timedelta(days=30), recorded_by=w.unit_u1)
    return c


def complaint(w, c, *, unit=None, agency=None, outcome="upheld", resolved=date(YEAR, 6, 1)):
    return Complaint.objects.create(
        candidacy=c, city=c.city, unit=c.unit, agency=c.agency, filed_by=w.province,
        filed_role="province", channel="phone", received_on=resolved - timedelta(days=20),
        kind="complaint", category="wages",
        respondent_kind="unit" if unit else "agency", respondent_unit=unit,
        respondent_agency=agency, summary="拖欠工资", state="resolved", level="province",
        accepted_on=resolved - timedelta(days=19), outcome=outcome, resolved_on=resolved)


def incident(w, *, unit, agency, city, grade, on):
    return Incident.objects.create(
        category="accident", grade=grade, occurred_at=at(on), learned_at=at(on, 10),
        country="日本", place="大阪", summary="工地事故", reported_by_role="agency", city=city,
        unit=unit, agency=agency, created_by=w.province)


def report(w, inc, *, late, kind="first", seq=0):
    return IncidentReport.objects.create(
        incident=inc, kind=kind, seq=seq, event_time=inc.occurred_at, place="大阪",
        nature="安全事故", people_affected=1, measures="送医", signed_by="负责人",
        filed_by=w.province, filed_at=inc.learned_at + timedelta(hours=30 if late else 2),
        due_at=inc.learned_at + timedelta(hours=24), late=late)


def item(w, *, unit, city, due, status, n, agency=None, role="unit"):
    rule = DeadlineRule.objects.get(code="budget")
    return DeadlineItem.objects.create(
        rule=rule, owner_role=role, city=city, unit=unit, agency=agency, stage=f"e{n}",
        event_on=due - timedelta(days=10 * n), due_on=due, due_at=at(due, 23), status=status,
        done_at=at(due, 20) if status == "done" else (at(due + timedelta(days=3))
                                                        if status == "done_late" else None))


@pytest.fixture
def year(world):
    """2025's records. ``y.expected`` is what the seed says each figure must be for U1 / A1
    (also recounted independently by the tests)."""
    w = world
    y = SimpleNamespace(w=w)
    mk = dict(unit=w.u1, agency=w.a1, project=w.project_a1, city=w.ty)
    # Departures of 2025: kept abroad; back after 3 months (early, not retained); back after
    # 7 months (retained, early); December (six months passed by now); one without a contract.
    y.kept = departed(w, on=date(YEAR, 1, 10), **mk)
    y.back_early = departed(w, on=date(YEAR, 2, 1), returned=date(YEAR, 5, 1), **mk)
    y.back_late = departed(w, on=date(YEAR, 3, 1), returned=date(YEAR, 10, 1),
                           ends=date(YEAR + 1, 3, 1), **mk)
    y.december = departed(w, on=date(YEAR, 12, 20), signed=False, **mk)
    y.last_year = departed(w, on=date(YEAR - 1, 6, 1), **mk)
    y.sentinel = departed(w, on=date(YEAR, 4, 1), unit=w.u3, agency=w.a2, project=w.project_a2,
                          city=w.dt, signed=False, actor=w.unit_u3)
    Task.objects.create(year=YEAR, unit=w.u1, number=5)
    # Complaints: two upheld against U1, one rejected, one upheld against A1, one of 2024,
    # one against the sentinel unit.
    complaint(w, y.kept, unit=w.u1)
    complaint(w, y.back_early, unit=w.u1, outcome="partly")
    complaint(w, y.back_late, unit=w.u1, outcome="rejected")
    complaint(w, y.kept, agency=w.a1)
    complaint(w, y.kept, unit=w.u1, resolved=date(YEAR - 1, 12, 30))
    complaint(w, y.sentinel, unit=w.u3)
    # Incidents: a grade Ⅱ of U1/A1 with a late first report and a timely 续报; a grade Ⅳ;
    # the sentinel's grade Ⅰ.
    y.serious = incident(w, grade=2, on=date(YEAR, 4, 1), unit=w.u1, agency=w.a1, city=w.ty)
    report(w, y.serious, late=True)
    report(w, y.serious, late=False, kind="followup", seq=1)
    minor = incident(w, grade=4, on=date(YEAR, 8, 1), unit=w.u1, agency=w.a1, city=w.ty)
    report(w, minor, late=True)
    sentinel_inc = incident(w, grade=1, on=date(YEAR, 5, 1), unit=w.u3, agency=w.a2, city=w.dt)
    report(w, sentinel_inc, late=True)
    # Deadline items of U1 due in 2025: on time, late, still open past due; A1's late one.
    for n, status in enumerate(["done", "done_late", "open", "done"], 1):
        item(w, unit=w.u1, city=w.ty, due=date(YEAR, 3, n), status=status, n=n)
    item(w, unit=None, city=w.ty, agency=w.a1, role="agency", due=date(YEAR, 4, 1),
         status="done_late", n=9)
    item(w, unit=w.u3, city=w.dt, due=date(YEAR, 3, 1), status="done_late", n=1)
    # Training: two passes and a fail assessed in 2025 in U1's class with A1.
    for c, result in ((y.kept, "pass"), (y.back_early, "pass"), (y.back_late, "fail")):
        Enrolment.objects.create(training_class=w.class_ty, candidacy=c, attended_hours=40,
                                 result=result, result_on=date(YEAR, 1, 5),
                                 certificate_no="JP-2025-1" if result == "pass" else "",
                                 enrolled_by=w.unit_u1)
    # Dockings: two in 2025 for U1 on A1's projects (the world's own is of this year).
    for n in range(2):
        p = JobProject.objects.create(agency=w.a1, name=f"评估项目{n}", country="日本",
                                      trade="介护", headcount=10, status=ProjectStatus.PUBLISHED)
        d = ProjectDocking.objects.create(project=p, city=w.ty, unit=w.u1, created_by=w.unit_u1)
        ProjectDocking.objects.filter(pk=d.pk).update(created_at=at(date(YEAR, 5, 1 + n)))
    # A falsified spot check of U1's standing class in 2025; the sentinel's too.
    SpotCheck.objects.create(training_class=w.standing_ty, checked_on=date(YEAR, 11, 3),
                             inspector="省专项办", findings="签到造假", outcome="falsified",
                             recorded_by=w.province)
    SpotCheck.objects.create(training_class=w.standing_dt, checked_on=date(YEAR, 11, 3),
                             inspector="省专项办", findings="签到造假", outcome="serious",
                             recorded_by=w.province)
    # Claim returns: one of U1's claim in 2025 ("人数与记录不符"), one in 2026; the sentinel's.
    for claim, when in ((w.claim_ty, date(YEAR, 7, 1)), (w.claim_ty, date(YEAR + 1, 2, 1)),
                        (w.claim_dt, date(YEAR, 7, 1))):
        step = ClaimStep.objects.create(claim=claim, round=1, action="return",
                                        from_status="submitted", to_status="returned",
                                        reason="人数与记录不符", actor=w.city_ty)
        ClaimStep.objects.filter(pk=step.pk).update(at=at(when))
    y.today = timezone.localdate()
    return y


def enter_all(card, actor, points=None):
    """Score every entered criterion of ``card`` (full marks unless ``points``)."""
    from apps.evaluations.services import score_enter
    for s in card.scores.select_related("criterion").filter(criterion__method="entered"):
        score_enter(s, actor=actor, points=s.criterion.points if points is None else points,
                    reason="实地检查台账齐全", evidence=pdf())


@pytest.fixture
def agency_card(year):
    """A1's 2025 card (seed 002's agency table), computed and fully entered, in draft."""
    from apps.evaluations.models import Scorecard
    from apps.evaluations.services import scheme_create, scheme_lock, scorecards_compute
    w = year.w
    scheme = scheme_create(actor=w.province, year=YEAR, kind="agency")
    scheme_lock(scheme, actor=w.province)
    scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, agency=w.a1)
    enter_all(card, w.province)
    card.refresh_from_db()
    return card


def publish(card, w, org_user):
    """Shown, accepted by the organisation, concluded and published."""
    from apps.evaluations import services
    card = services.scorecard_open(card, actor=w.province)
    services.scorecard_accept(card, actor=org_user)
    services.scorecard_conclude(card, actor=w.province)
    return services.scorecard_publish(card, actor=w.province)


def year_card(w, year, *, kind="agency", org=None, points=None, scores=None, **scheme):
    """The organisation's card of ``year`` (A1 or 山西大学 unless ``org``) from the records:
    every entered criterion at ``points`` (full marks by default), ``scores`` = {code:
    (points, count)} over that, published. ``scheme``: pass_mark, reward_bands, excellence
    set on the draft scheme first (the others kept)."""
    from apps.evaluations import services
    from apps.evaluations.models import Scheme, Scorecard
    found = Scheme.objects.filter(year=year, kind=kind).first()
    if found is None:
        found = services.scheme_create(actor=w.province, year=year, kind=kind)
        if scheme:
            services.scheme_update(found, actor=w.province, **{
                "pass_mark": found.pass_mark, "reward_bands": found.reward_bands,
                "excellence": found.excellence, **scheme})
        services.scheme_lock(found, actor=w.province)
        services.scorecards_compute(found, actor=w.province)
    org = org or (w.a1 if kind == "agency" else w.u1)
    card = Scorecard.objects.get(scheme=found, **{kind: org})
    enter_all(card, w.province, points)
    for code, (value, count) in (scores or {}).items():
        services.score_enter(card.scores.get(criterion__code=code), actor=w.province,
                             points=value, count=count, reason="复核材料", evidence=pdf())
    users = {w.a1.pk: w.agency_a1, w.a2.pk: w.agency_a2} if kind == "agency" else {
        w.u1.pk: w.unit_u1, w.u3.pk: w.unit_u3}
    return publish(card, w, users[org.pk])
